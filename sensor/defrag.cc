#include "sensor/defrag.h"

#include <algorithm>
#include <cstring>

namespace canh::sensor {

namespace {
constexpr size_t kMaxDatagram = 65535;
constexpr size_t kMaxRanges = 64;   // more holes than this in one datagram is an attack: give up on it
constexpr size_t kMaxHeader = 512;  // IPv4 header or IPv6 unfragmentable part kept from offset 0
}  // namespace

struct Defragmenter::Tracker {
  bool in_use = false;
  uint8_t version = 0, proto = 0;
  rules::Address src, dst;
  uint32_t id = 0;
  uint16_t vlan0 = 0;
  uint64_t last_usec = 0;
  uint8_t* buf = nullptr;  // kMaxDatagram bytes of payload
  size_t total = 0;        // known once the last fragment arrived; 0 until then
  std::array<std::pair<uint32_t, uint32_t>, kMaxRanges> ranges{};  // sorted, disjoint [begin, end)
  size_t nranges = 0;
  std::array<uint8_t, kMaxHeader> header{};
  size_t header_len = 0;
  bool have_first = false;
};

Defragmenter::Defragmenter(DefragConfig config) : config_(config) {
  // Reserve everything the packet path may touch so that it never allocates beyond fragment buffers.
  out_.reserve(kMaxDatagram + kMaxHeader);
  trackers_.reserve(config_.max_trackers);
  free_.reserve(config_.max_trackers);
  free_buffers_.reserve(config_.memcap / kMaxDatagram + 1);
}
Defragmenter::~Defragmenter() {
  for (auto& t : trackers_) delete[] t->buf;
}

Defragmenter::Tracker* Defragmenter::find_or_create(const Packet& p) {
  const rules::PacketFields& f = p.f;
  uint16_t vlan0 = p.vlan_count ? p.vlan[0] : 0;
  Tracker* idle = nullptr;
  // Linear scan: the number of datagrams being reassembled at once is small in real traffic, and
  // the tracker cap bounds the worst case.
  for (auto& t : trackers_) {
    if (!t->in_use) continue;
    if (t->id == p.frag_id && t->version == f.ip_version && t->proto == p.frag_next_proto && t->src == f.src &&
        t->dst == f.dst && t->vlan0 == vlan0)
      return t.get();
    if (f.ts_usec > t->last_usec + config_.timeout_usec) idle = t.get();
  }
  if (idle) {
    ++counters_.timeouts;
    release(idle);
  }
  Tracker* t = nullptr;
  if (!free_.empty()) {
    t = free_.back();
    free_.pop_back();
  } else if (trackers_.size() < config_.max_trackers) {
    trackers_.push_back(std::make_unique<Tracker>());
    t = trackers_.back().get();
  } else {
    return nullptr;
  }
  if (!free_buffers_.empty()) {
    t->buf = free_buffers_.back().release();
    free_buffers_.pop_back();
  } else if (buffers_bytes_ + kMaxDatagram <= config_.memcap) {
    t->buf = new uint8_t[kMaxDatagram];
    buffers_bytes_ += kMaxDatagram;
  } else {
    free_.push_back(t);
    return nullptr;
  }
  t->in_use = true;
  t->version = f.ip_version;
  t->proto = p.frag_next_proto;
  t->src = f.src;
  t->dst = f.dst;
  t->id = p.frag_id;
  t->vlan0 = vlan0;
  t->total = 0;
  t->nranges = 0;
  t->header_len = 0;
  t->have_first = false;
  return t;
}

void Defragmenter::release(Tracker* t) {
  if (!t->in_use) return;
  t->in_use = false;
  if (t->buf) free_buffers_.emplace_back(t->buf);
  t->buf = nullptr;
  free_.push_back(t);
}

void Defragmenter::expire(uint64_t now_usec) {
  for (auto& t : trackers_) {
    if (t->in_use && now_usec > t->last_usec + config_.timeout_usec) {
      ++counters_.timeouts;
      release(t.get());
    }
  }
}

std::span<const uint8_t> Defragmenter::add(const Packet& p) {
  ++counters_.fragments;
  Tracker* t = find_or_create(p);
  if (!t) {
    ++counters_.dropped_no_tracker;
    return {};
  }
  t->last_usec = p.f.ts_usec;
  size_t begin = p.frag_offset, len = p.frag_payload.size();
  if (begin + len > kMaxDatagram) {
    ++counters_.too_large;
    release(t);
    return {};
  }
  if (begin == 0 && !t->have_first) {
    std::span<const uint8_t> hdr = p.f.ip_version == 4 ? p.f.l3_header : p.ipv6_unfrag;
    if (hdr.size() > kMaxHeader) {
      release(t);
      return {};
    }
    std::memcpy(t->header.data(), hdr.data(), hdr.size());
    t->header_len = hdr.size();
    t->have_first = true;
  }
  if (!p.ip_more_fragments) {
    if (t->total != 0 && t->total != begin + len) ++counters_.overlaps;  // conflicting ends: keep the first
    if (t->total == 0) t->total = begin + len;
  }
  // Copy only the parts not yet covered (first data wins), then merge the range list.
  size_t pos = begin, end = begin + len;
  for (size_t i = 0; i < t->nranges && pos < end; ++i) {
    auto [rb, re] = t->ranges[i];
    if (re <= pos) continue;
    if (rb >= end) break;
    if (rb > pos) std::memcpy(t->buf + pos, p.frag_payload.data() + (pos - begin), rb - pos);
    ++counters_.overlaps;
    pos = std::max<size_t>(pos, re);
  }
  if (pos < end) std::memcpy(t->buf + pos, p.frag_payload.data() + (pos - begin), end - pos);
  // Insert [begin, end) and coalesce.
  if (len > 0) {
    if (t->nranges == kMaxRanges) {
      release(t);
      return {};
    }
    size_t i = 0;
    while (i < t->nranges && t->ranges[i].first < begin) ++i;
    for (size_t j = t->nranges; j > i; --j) t->ranges[j] = t->ranges[j - 1];
    t->ranges[i] = {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
    ++t->nranges;
    size_t w = 0;
    for (size_t r = 1; r < t->nranges; ++r) {
      if (t->ranges[r].first <= t->ranges[w].second) t->ranges[w].second = std::max(t->ranges[w].second, t->ranges[r].second);
      else t->ranges[++w] = t->ranges[r];
    }
    t->nranges = w + 1;
  }
  if (!t->have_first || t->total == 0 || t->nranges != 1 || t->ranges[0].first != 0 || t->ranges[0].second < t->total)
    return {};

  // Complete: header + payload.
  size_t total = t->total;
  out_.resize(t->header_len + total);
  std::memcpy(out_.data(), t->header.data(), t->header_len);
  std::memcpy(out_.data() + t->header_len, t->buf, total);
  if (t->version == 4) {
    size_t tl = t->header_len + total;
    if (tl > kMaxDatagram) {
      ++counters_.too_large;
      release(t);
      return {};
    }
    out_[2] = static_cast<uint8_t>(tl >> 8);
    out_[3] = static_cast<uint8_t>(tl);
    out_[6] &= 0x40;  // keep DF, clear MF and the offset
    out_[7] = 0;
    out_[10] = out_[11] = 0;
  } else {
    size_t plen = t->header_len - 40 + total;
    out_[4] = static_cast<uint8_t>(plen >> 8);
    out_[5] = static_cast<uint8_t>(plen);
    // The header before the fragment header now points at what the fragment header carried.
    if (t->header_len == 40) {
      out_[6] = t->proto;
    } else {
      size_t off = 40;
      uint8_t next = out_[6];
      size_t last = 6;
      while (off + 2 <= t->header_len) {
        size_t l = next == 51 ? (static_cast<size_t>(out_[off + 1]) + 2) * 4 : (static_cast<size_t>(out_[off + 1]) + 1) * 8;
        last = off;
        next = out_[off];
        off += l;
      }
      out_[last] = t->proto;
    }
  }
  ++counters_.reassembled;
  release(t);
  return out_;
}

}  // namespace canh::sensor
