// AlertStore::stats: dashboard aggregates read from the counters ingest maintains (alert_stats
// family), never by scanning alerts — the cost depends on the range and on how many distinct values
// an hour holds, not on how many alerts there are.
#include <algorithm>
#include <array>
#include <cstring>
#include <shared_mutex>
#include <unordered_map>

#include "storage/alert_codec.h"
#include "storage/alert_store.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/retention.h"

namespace canh::storage {

namespace {

constexpr int64_t kMinuteUs = 60ll * 1000000;
constexpr int64_t kHourUs = 3600ll * 1000000;
constexpr int64_t kMaxRangeUs = 400ll * 86400 * 1000000;
constexpr int64_t kMaxBuckets = 2000;

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

int64_t pick_bucket_seconds(int64_t range_us) {
  static constexpr int64_t kChoices[] = {60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400};
  for (int64_t c : kChoices)
    if (range_us / (c * 1000000) <= 150) return c;
  return 86400;
}

struct Addr {
  std::array<uint8_t, 16> b;
  bool operator==(const Addr& o) const { return b == o.b; }
  bool operator<(const Addr& o) const { return b < o.b; }
};
struct AddrHash {
  size_t operator()(const Addr& a) const {
    uint64_t x, y;
    std::memcpy(&x, a.b.data(), 8);
    std::memcpy(&y, a.b.data() + 8, 8);
    return std::hash<uint64_t>()(x * 0x9e3779b97f4a7c15ull ^ y);
  }
};
using U32Counts = std::unordered_map<uint32_t, uint64_t>;
using AddrCounts = std::unordered_map<Addr, uint64_t, AddrHash>;

size_t value_size(codec::StatDim d) {
  switch (d) {
    case codec::StatDim::kSrc:
    case codec::StatDim::kDst: return 16;
    case codec::StatDim::kSid:
    case codec::StatDim::kSensor:
    case codec::StatDim::kSystem: return 4;
    case codec::StatDim::kSeverity:
    case codec::StatDim::kState: return 1;
    case codec::StatDim::kTotal: return 0;
  }
  return 0;
}

template <class Map, class KeyText>
std::vector<Count> top_of(const Map& m, size_t n, KeyText text) {
  std::vector<std::pair<typename Map::key_type, uint64_t>> v(m.begin(), m.end());
  // Ties broken by the key itself, so which of several equal counts make the cut does not depend
  // on the map's iteration order (summarised and raw hours must give the same list).
  auto by_count = [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; };
  size_t k = std::min(n, v.size());
  std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end(), by_count);
  std::vector<Count> out;
  for (size_t i = 0; i < k; ++i) out.push_back({text(v[i].first), "", v[i].second});
  // Equal counts in a stable order (by key text), so repeated calls agree.
  std::stable_sort(out.begin(), out.end(), [](const Count& a, const Count& b) {
    return a.count != b.count ? a.count > b.count : a.key < b.key;
  });
  return out;
}

std::string addr_text(const Addr& a) {
  IpAddr ip;
  ip.bytes = a.b;
  return ip.to_string();
}

// Summary value: the hour's total when computed (8, little-endian), the number of entries (varint),
// then per entry the dimension value (fixed size) and its count (varint), most frequent first.
bool decode_summary(std::string_view v, size_t vsize, uint64_t* total,
                    std::vector<std::pair<std::string_view, uint64_t>>* out) {
  if (v.size() < 8) return false;
  *total = codec::load_le64(v.data());
  size_t pos = 8;
  uint64_t n = 0;
  if (!codec::get_varint(v, &pos, &n) || n > v.size()) return false;
  out->clear();
  for (uint64_t i = 0; i < n; ++i) {
    if (pos + vsize > v.size()) return false;
    std::string_view val = v.substr(pos, vsize);
    pos += vsize;
    uint64_t c = 0;
    if (!codec::get_varint(v, &pos, &c)) return false;
    out->emplace_back(val, c);
  }
  return true;
}

}  // namespace

Result<AlertStats> AlertStore::stats(const AlertStatsQuery& q) const {
  AlertStats st;
  if (q.to_us <= q.from_us) return Status::invalid("the range is empty: from must be before to");
  if (q.to_us - q.from_us > kMaxRangeUs) return Status::invalid("the range is longer than 400 days");
  if (q.top == 0 || q.top > 1000) return Status::invalid("top must be 1-1000");
  const int64_t floor = std::max<int64_t>(retention_->floor_us.load(), 0);
  const int64_t from = std::max(q.from_us, floor);
  const int64_t to = q.to_us;
  st.from_us = from;
  st.to_us = to;
  if (from >= to) return st;

  int64_t bucket_s = q.bucket_seconds > 0 ? q.bucket_seconds : pick_bucket_seconds(to - from);
  if (bucket_s % 60 != 0) return Status::invalid("bucket must be a whole number of minutes");
  const int64_t bucket_us = bucket_s * 1000000;
  const int64_t series_start = floor_div(from, bucket_us) * bucket_us;
  const int64_t nbuckets = ceil_div(to - series_start, bucket_us);
  if (nbuckets > kMaxBuckets) return Status::invalid("more than 2000 buckets: choose a longer bucket");
  st.bucket_seconds = bucket_s;
  st.series.resize(static_cast<size_t>(nbuckets));
  for (int64_t i = 0; i < nbuckets; ++i) st.series[static_cast<size_t>(i)].start_us = series_start + i * bucket_us;

  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snap = db_.raw()->GetSnapshot();
  ro.snapshot = snap;
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.raw(), snap};
  auto* hs = db_.family(kAlertStatsFamily);
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(ro, hs));

  // The series, totals and severities: per-minute counters for ranges up to three days, per-hour
  // counters beyond (a month of minutes would be 40,000 keys per severity).
  const bool by_minute = to - from <= 3 * 86400ll * 1000000 && bucket_us % kMinuteUs == 0;
  if (by_minute) {
    uint32_t m0 = static_cast<uint32_t>(from / kMinuteUs);
    uint32_t m1 = static_cast<uint32_t>(ceil_div(to, kMinuteUs));
    std::string end = codec::minute_key(m1, 0);
    for (it->Seek(codec::minute_key(m0, 0)); it->Valid() && it->key().compare(end) < 0; it->Next()) {
      std::string_view k = it->key().ToStringView();
      uint32_t minute = 0;
      if (k.size() != 6 || !keys::get_u32(k, 1, &minute) || it->value().size() != 8) continue;
      uint64_t n = codec::load_le64(it->value().data());
      uint8_t sev = static_cast<uint8_t>(k[5]);
      size_t si = sev >= 1 && sev <= 4 ? sev : 0;
      int64_t t = static_cast<int64_t>(minute) * kMinuteUs;
      auto& b = st.series[static_cast<size_t>((t - series_start) / bucket_us)];
      b.count += n;
      b.by_severity[si] += n;
      st.total += n;
      st.by_severity[si] += n;
    }
  }

  // Top lists and the per-hour figures: whole hours covering the range. High-cardinality dimensions
  // of summarised hours come from their summary (valid while the hour's total is unchanged).
  const uint32_t h0 = static_cast<uint32_t>(from / kHourUs);
  const uint32_t h1 = static_cast<uint32_t>(ceil_div(to, kHourUs));
  U32Counts sids, sensors, systems;
  AddrCounts srcs, dsts;
  std::vector<std::pair<std::string_view, uint64_t>> entries;
  std::string total_v, summary_v;
  auto add = [&](codec::StatDim dim, uint32_t hour, std::string_view v, uint64_t n) {
    switch (dim) {
      case codec::StatDim::kSid:
      case codec::StatDim::kSensor:
      case codec::StatDim::kSystem: {
        uint32_t x = 0;
        if (!keys::get_u32(v, 0, &x)) return;
        (dim == codec::StatDim::kSid ? sids : dim == codec::StatDim::kSensor ? sensors : systems)[x] += n;
        return;
      }
      case codec::StatDim::kSrc:
      case codec::StatDim::kDst: {
        if (v.size() != 16) return;
        Addr a;
        std::memcpy(a.b.data(), v.data(), 16);
        (dim == codec::StatDim::kSrc ? srcs : dsts)[a] += n;
        return;
      }
      case codec::StatDim::kState:
        if (v.size() == 1 && static_cast<uint8_t>(v[0]) < kTriageStateCount) st.by_state[static_cast<uint8_t>(v[0])] += n;
        return;
      case codec::StatDim::kSeverity: {
        if (v.size() != 1) return;
        uint8_t sev = static_cast<uint8_t>(v[0]);
        size_t si = sev >= 1 && sev <= 4 ? sev : 0;
        int64_t t = static_cast<int64_t>(hour) * kHourUs;
        int64_t idx = (std::max(t, series_start) - series_start) / bucket_us;
        if (idx < nbuckets) {
          st.series[static_cast<size_t>(idx)].count += n;
          st.series[static_cast<size_t>(idx)].by_severity[si] += n;
        }
        st.total += n;
        st.by_severity[si] += n;
        return;
      }
      case codec::StatDim::kTotal: return;
    }
  };
  for (uint32_t hour = h0; hour < h1; ++hour) {
    bool have_total = false;
    uint64_t total = 0;
    auto ts = db_.raw()->Get(ro, hs, codec::hour_key(codec::StatDim::kTotal, hour, ""), &total_v);
    if (ts.ok() && total_v.size() == 8) {
      have_total = true;
      total = codec::load_le64(total_v.data());
    } else if (!ts.ok() && !ts.IsNotFound()) {
      return to_status(ts, "read alert aggregates");
    }
    if (have_total && total == 0) continue;
    for (auto dim : {codec::StatDim::kSid, codec::StatDim::kSrc, codec::StatDim::kDst, codec::StatDim::kSensor,
                     codec::StatDim::kSystem, codec::StatDim::kState, codec::StatDim::kSeverity}) {
      if (dim == codec::StatDim::kSeverity && by_minute) continue;
      if (have_total && (dim == codec::StatDim::kSid || dim == codec::StatDim::kSrc || dim == codec::StatDim::kDst)) {
        auto gs = db_.raw()->Get(ro, hs, codec::summary_key(dim, hour), &summary_v);
        uint64_t summary_total = 0;
        if (gs.ok() && decode_summary(summary_v, value_size(dim), &summary_total, &entries) && summary_total == total) {
          for (auto& [v, n] : entries) add(dim, hour, v, n);
          continue;
        }
      }
      std::string prefix = codec::hour_prefix(dim, hour);
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        if (it->value().size() != 8) continue;
        add(dim, hour, it->key().ToStringView().substr(prefix.size()), codec::load_le64(it->value().data()));
      }
      if (!it->status().ok()) return to_status(it->status(), "read alert aggregates");
    }
  }
  auto u32_text = [](uint32_t x) { return std::to_string(x); };
  st.top_signatures = top_of(sids, q.top, u32_text);
  {
    std::shared_lock lock(catalog_mu_);
    for (auto& c : st.top_signatures) {
      auto e = catalog_.find(static_cast<uint32_t>(std::stoul(c.key)));
      if (e != catalog_.end()) c.label = e->second.signature;
    }
  }
  st.top_sources = top_of(srcs, q.top, addr_text);
  st.top_destinations = top_of(dsts, q.top, addr_text);
  st.by_sensor = top_of(sensors, q.top, u32_text);
  st.by_system = top_of(systems, q.top, u32_text);
  return st;
}

Result<size_t> AlertStore::refresh_summaries(int64_t now_us, size_t max_summaries) {
  // An hour is summarised once it is over by an hour: late alerts for it are rare then, and when
  // one comes the hour's total changes and the summary is simply not used until redone.
  const int64_t last = now_us / kHourUs - 2;
  if (last < 0) return size_t{0};
  const uint32_t floor_hour = static_cast<uint32_t>(std::max<int64_t>(retention_->floor_us.load(), 0) / kHourUs);
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snap = db_.raw()->GetSnapshot();
  ro.snapshot = snap;
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.raw(), snap};
  auto* hs = db_.family(kAlertStatsFamily);
  std::unique_ptr<rocksdb::Iterator> totals(db_.raw()->NewIterator(ro, hs));
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(ro, hs));
  const std::string lo = codec::hour_prefix(codec::StatDim::kTotal, floor_hour);
  size_t written = 0;
  std::string summary_v;
  std::vector<std::pair<std::string_view, uint64_t>> old_entries;
  std::vector<std::pair<std::string, uint64_t>> values;
  // Newest hours first: those are what dashboards show.
  for (totals->SeekForPrev(codec::hour_prefix(codec::StatDim::kTotal, static_cast<uint32_t>(last)) + "\xff");
       totals->Valid() && totals->key().compare(lo) >= 0 && written < max_summaries; totals->Prev()) {
    uint32_t hour = 0;
    if (!keys::get_u32(totals->key().ToStringView(), 2, &hour) || totals->value().size() != 8) continue;
    uint64_t total = codec::load_le64(totals->value().data());
    if (total == 0) continue;
    for (auto dim : {codec::StatDim::kSid, codec::StatDim::kSrc, codec::StatDim::kDst}) {
      uint64_t have = 0;
      auto gs = db_.raw()->Get(ro, hs, codec::summary_key(dim, hour), &summary_v);
      if (gs.ok() && decode_summary(summary_v, value_size(dim), &have, &old_entries) && have == total) continue;
      values.clear();
      std::string prefix = codec::hour_prefix(dim, hour);
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
        if (it->value().size() == 8)
          values.emplace_back(std::string(it->key().ToStringView().substr(prefix.size())), codec::load_le64(it->value().data()));
      if (!it->status().ok()) return to_status(it->status(), "summarise hour " + std::to_string(hour));
      size_t k = std::min(codec::kSummaryTop, values.size());
      std::partial_sort(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end(),
                        [](const auto& a, const auto& b) { return a.second > b.second; });
      std::string v = codec::le64(total);
      codec::put_varint(v, k);
      for (size_t i = 0; i < k; ++i) {
        v += values[i].first;
        codec::put_varint(v, values[i].second);
      }
      // Derived data: losing it to a crash only means computing it again.
      auto ps = db_.raw()->Put(rocksdb::WriteOptions(), hs, codec::summary_key(dim, hour), v);
      if (!ps.ok()) return to_status(ps, "write summary of hour " + std::to_string(hour));
      ++written;
    }
  }
  if (!totals->status().ok()) return to_status(totals->status(), "summarise hours");
  return written;
}

}  // namespace canh::storage
