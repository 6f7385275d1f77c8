#include "storage/system_ranges.h"

#include <algorithm>
#include <map>

namespace canh::storage {

namespace {

using U128 = unsigned __int128;

U128 to_u128(const IpAddr& a) {
  U128 v = 0;
  for (uint8_t b : a.bytes) v = v << 8 | b;
  return v;
}

}  // namespace

RangeTable::RangeTable(const std::vector<std::pair<uint32_t, Cidr>>& ranges) {
  // Sweep: +1 for a system where one of its blocks starts, -1 just past where it ends. A block
  // reaching the top of the address space has no "just past" and simply never ends.
  struct Event {
    U128 at;
    uint32_t system;
    int delta;
  };
  std::vector<Event> events;
  events.reserve(ranges.size() * 2);
  for (const auto& [system, c] : ranges) {
    U128 lo = to_u128(c.base);
    U128 span_minus_one = c.bits >= 128 ? 0 : (~U128(0)) >> c.bits;
    U128 hi = lo | span_minus_one;
    events.push_back({lo, system, +1});
    if (hi != ~U128(0)) events.push_back({hi + 1, system, -1});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at < b.at; });
  std::map<uint32_t, int> active;  // system -> how many of its blocks cover the current point
  for (size_t i = 0; i < events.size();) {
    U128 at = events[i].at;
    for (; i < events.size() && events[i].at == at; ++i) {
      int& n = active[events[i].system];
      n += events[i].delta;
      if (n == 0) active.erase(events[i].system);
    }
    auto offset = static_cast<uint32_t>(ids_.size());
    for (const auto& [system, n] : active) ids_.push_back(system);
    auto count = static_cast<uint32_t>(ids_.size() - offset);
    // Adjacent segments with the same systems merge, keeping the table as small as the data allows.
    if (!sets_.empty()) {
      const auto& prev = sets_.back();
      if (prev.second == count && std::equal(ids_.begin() + prev.first, ids_.begin() + prev.first + count,
                                             ids_.begin() + offset)) {
        ids_.resize(offset);
        continue;
      }
    }
    starts_.push_back(at);
    sets_.emplace_back(offset, count);
  }
}

std::span<const uint32_t> RangeTable::lookup(const IpAddr& a) const {
  if (starts_.empty()) return {};
  U128 v = to_u128(a);
  auto it = std::upper_bound(starts_.begin(), starts_.end(), v);
  if (it == starts_.begin()) return {};
  size_t seg = static_cast<size_t>(it - starts_.begin()) - 1;
  const auto& [offset, count] = sets_[seg];
  return {ids_.data() + offset, count};
}

void RangeTable::lookup_pair(const IpAddr& src, const IpAddr& dst, std::vector<uint32_t>* out) const {
  out->clear();
  auto a = lookup(src);
  auto b = lookup(dst);
  out->reserve(a.size() + b.size());
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(*out));
}

}  // namespace canh::storage
