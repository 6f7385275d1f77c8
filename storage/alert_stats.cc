// AlertStore::stats: dashboard aggregates read from the counters ingest maintains (alert_stats
// family), never by scanning alerts — the cost depends on the range and on how many distinct values
// an hour holds, not on how many alerts there are.
#include <algorithm>
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

std::vector<Count> top_of(std::unordered_map<std::string, uint64_t>& m, size_t n) {
  std::vector<Count> v;
  v.reserve(m.size());
  for (auto& [k, c] : m) v.push_back({k, "", c});
  auto by_count = [](const Count& a, const Count& b) { return a.count != b.count ? a.count > b.count : a.key < b.key; };
  if (v.size() > n) {
    std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n), v.end(), by_count);
    v.resize(n);
  } else {
    std::sort(v.begin(), v.end(), by_count);
  }
  return v;
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

  // Top lists and the per-hour figures: whole hours covering the range.
  const uint32_t h0 = static_cast<uint32_t>(from / kHourUs);
  const uint32_t h1 = static_cast<uint32_t>(ceil_div(to, kHourUs));
  std::unordered_map<std::string, uint64_t> sids, srcs, dsts, sensors, systems;
  for (uint32_t hour = h0; hour < h1; ++hour) {
    for (auto dim : {codec::StatDim::kSid, codec::StatDim::kSrc, codec::StatDim::kDst, codec::StatDim::kSensor,
                     codec::StatDim::kSystem, codec::StatDim::kState, codec::StatDim::kSeverity}) {
      if (dim == codec::StatDim::kSeverity && by_minute) continue;
      std::string prefix = codec::hour_prefix(dim, hour);
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        if (it->value().size() != 8) continue;
        std::string_view v = it->key().ToStringView().substr(prefix.size());
        uint64_t n = codec::load_le64(it->value().data());
        switch (dim) {
          case codec::StatDim::kSid:
          case codec::StatDim::kSensor:
          case codec::StatDim::kSystem: {
            uint32_t x = 0;
            if (!keys::get_u32(v, 0, &x)) break;
            auto& m = dim == codec::StatDim::kSid ? sids : dim == codec::StatDim::kSensor ? sensors : systems;
            m[std::to_string(x)] += n;
            break;
          }
          case codec::StatDim::kSrc:
          case codec::StatDim::kDst: {
            if (v.size() != 16) break;
            (dim == codec::StatDim::kSrc ? srcs : dsts)[std::string(v)] += n;
            break;
          }
          case codec::StatDim::kState:
            if (v.size() == 1 && static_cast<uint8_t>(v[0]) < kTriageStateCount)
              st.by_state[static_cast<uint8_t>(v[0])] += n;
            break;
          case codec::StatDim::kSeverity: {
            if (v.size() != 1) break;
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
            break;
          }
          case codec::StatDim::kTotal: break;
        }
      }
      if (!it->status().ok()) return to_status(it->status(), "read alert aggregates");
    }
  }
  st.top_signatures = top_of(sids, q.top);
  {
    std::shared_lock lock(catalog_mu_);
    for (auto& c : st.top_signatures) {
      auto e = catalog_.find(static_cast<uint32_t>(std::stoul(c.key)));
      if (e != catalog_.end()) c.label = e->second.signature;
    }
  }
  auto addr_top = [&](std::unordered_map<std::string, uint64_t>& m) {
    auto v = top_of(m, q.top);
    for (auto& c : v) {
      IpAddr a;
      std::memcpy(a.bytes.data(), c.key.data(), 16);
      c.key = a.to_string();
    }
    return v;
  };
  st.top_sources = addr_top(srcs);
  st.top_destinations = addr_top(dsts);
  st.by_sensor = top_of(sensors, q.top);
  st.by_system = top_of(systems, q.top);
  return st;
}

}  // namespace canh::storage
