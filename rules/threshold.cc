// Runtime of threshold / detection_filter (rules/thresholding in Suricata's documentation):
//   limit      alert at most `count` times per `seconds` window
//   threshold  alert on every `count`-th match within the window, then start counting again
//   both       alert once per window, when the count reaches `count`
//   detection_filter  alert on every match after the first `count` in the window
// Tracking keys: by_src / by_dst (one address), by_both (the address pair, either direction), by_rule
// (the rule alone), by_flow (the flow id). Time comes from packet timestamps, so a replayed capture
// behaves as it did live.
//
// The table is fixed at build time and split into stripes, each with its own lock and its own slice
// of entries; a key probes a few slots of its stripe and, when they are all taken, reuses the one
// idle longest. It is only reached after a rule fully matched, never per packet.
#include <algorithm>
#include <cstring>

#include "rules/engine_impl.h"

namespace canh::rules {
namespace {

uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t hash_bytes(const uint8_t* p, size_t n, uint64_t seed) {
  uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return mix(h);
}

}  // namespace

ThresholdTable::ThresholdTable(size_t capacity) {
  size_t per = std::max<size_t>(kProbe, (capacity + kStripes - 1) / kStripes);
  entries_.resize(per * kStripes);
}

bool ThresholdTable::allow(uint32_t rule_index, const ThresholdSpec& spec, const PacketFields& p,
                           const FlowFields& f) {
  std::array<uint8_t, 33> key{};
  Track track = spec.track;
  switch (track) {
    case Track::kBySrc:
      key[0] = p.src.family;
      std::memcpy(key.data() + 1, p.src.bytes.data(), 16);
      break;
    case Track::kByDst:
    case Track::kByEither:
      key[0] = p.dst.family;
      std::memcpy(key.data() + 1, p.dst.bytes.data(), 16);
      break;
    case Track::kByBoth: {
      // Either direction between the same two hosts is one pair (Suricata's by_both).
      const Address* a = &p.src;
      const Address* b = &p.dst;
      if (std::memcmp(a->bytes.data(), b->bytes.data(), 16) > 0) std::swap(a, b);
      key[0] = a->family;
      std::memcpy(key.data() + 1, a->bytes.data(), 16);
      std::memcpy(key.data() + 17, b->bytes.data(), 16);
      break;
    }
    case Track::kByFlow:
      std::memcpy(key.data() + 1, &f.flow_id, sizeof f.flow_id);
      break;
    case Track::kByRule:
      break;
  }
  uint64_t h = hash_bytes(key.data(), key.size(), uint64_t(rule_index) << 8 | uint64_t(track));
  size_t stripe = h % kStripes;
  size_t per = entries_.size() / kStripes;
  Entry* slice = entries_.data() + stripe * per;
  const uint64_t now = p.ts_usec;
  const uint64_t window = uint64_t(spec.seconds) * 1000000ULL;

  std::lock_guard<std::mutex> lock(locks_[stripe]);
  Entry* e = nullptr;
  Entry* victim = nullptr;
  size_t start = (h / kStripes) % per;
  for (size_t i = 0; i < kProbe; ++i) {
    Entry& c = slice[(start + i) % per];
    if (c.rule_plus1 == rule_index + 1 && c.key_hash == h && c.track == uint8_t(track) && c.key == key) {
      e = &c;
      break;
    }
    if (c.rule_plus1 == 0) {
      if (!victim || victim->rule_plus1 != 0) victim = &c;
    } else if (!victim || (victim->rule_plus1 != 0 && c.last_us < victim->last_us)) {
      victim = &c;
    }
  }
  bool fresh = false;
  if (!e) {
    e = victim;
    *e = Entry{};
    e->rule_plus1 = rule_index + 1;
    e->key_hash = h;
    e->track = uint8_t(track);
    e->key = key;
    fresh = true;
  }
  e->last_us = now;
  bool expired = fresh || now < e->window_start_us || now - e->window_start_us > window;
  switch (spec.type) {
    case ThresholdSpec::Type::kLimit:
      if (expired) {
        e->window_start_us = now;
        e->count = 1;
        return true;
      }
      return ++e->count <= spec.count;
    case ThresholdSpec::Type::kThreshold:
      if (expired) {
        e->window_start_us = now;
        e->count = 1;
      } else {
        ++e->count;
      }
      if (e->count >= spec.count) {
        e->count = 0;
        return true;
      }
      return false;
    case ThresholdSpec::Type::kBoth:
      if (expired) {
        e->window_start_us = now;
        e->count = 1;
        e->alerted = false;
      } else {
        ++e->count;
      }
      if (e->count >= spec.count && !e->alerted) {
        e->alerted = true;
        return true;
      }
      return false;
    case ThresholdSpec::Type::kDetectionFilter:
      if (expired) {
        e->window_start_us = now;
        e->count = 1;
      } else {
        ++e->count;
      }
      return e->count > spec.count;
  }
  return true;
}

}  // namespace canh::rules
