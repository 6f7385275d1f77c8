#include "storage/alert_store.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_set>

#include "storage/alert_codec.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/retention.h"
#include "storage/system_ranges.h"

namespace canh::storage {

namespace {

// A short key built without allocating: posting prefixes (kind + value + second) and stats keys
// are at most 1 + 17 + 4 and 1 + 1 + 4 + 17 bytes.
struct ShortKey {
  uint8_t len = 0;
  char b[31];
  void add(const void* p, size_t n) {
    if (n == 0) return;  // an empty field's data() may be null, which memcpy must not be given
    std::memcpy(b + len, p, n);
    len = static_cast<uint8_t>(len + n);
  }
  void add_u8(uint8_t v) { b[len++] = static_cast<char>(v); }
  void add_u32(uint32_t v) {
    for (int i = 3; i >= 0; --i) b[len++] = static_cast<char>(v >> (i * 8));
  }
  std::string_view view() const { return {b, len}; }
  bool operator==(const ShortKey& o) const { return len == o.len && std::memcmp(b, o.b, len) == 0; }
};

// Distinct keys of one ingest write, each with a counter and a chain of posting items: an
// open-addressing table over a flat vector, so a write's tens of thousands of keys cost no
// allocation each (a node-based map spent more time in malloc than in hashing).
class KeyTable {
 public:
  struct Entry {
    ShortKey key;
    uint64_t count = 0;
    uint32_t head = UINT32_MAX;  // last item added, in `items`; chain goes backwards
  };
  struct Item {
    codec::PostingItem item;
    uint32_t prev;
  };

  KeyTable() : slots_(1024, 0) {}

  Entry& at(const ShortKey& k) {
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(k) & mask;; i = (i + 1) & mask) {
      uint32_t e = slots_[i];
      if (e == 0) {
        entries_.push_back(Entry{k});
        slots_[i] = static_cast<uint32_t>(entries_.size());
        return entries_.back();
      }
      if (entries_[e - 1].key == k) return entries_[e - 1];
    }
  }
  void add_item(Entry& e, codec::PostingItem item) {
    items_.push_back({item, e.head});
    e.head = static_cast<uint32_t>(items_.size() - 1);
  }
  // The items of `e`, newest first.
  void items_of(const Entry& e, std::vector<codec::PostingItem>* out) const {
    out->clear();
    for (uint32_t i = e.head; i != UINT32_MAX; i = items_[i].prev) out->push_back(items_[i].item);
    std::sort(out->begin(), out->end(), [](const codec::PostingItem& x, const codec::PostingItem& y) {
      return x.ts_us != y.ts_us ? x.ts_us > y.ts_us : x.seq > y.seq;
    });
  }
  std::vector<Entry>& entries() { return entries_; }

 private:
  static size_t hash(const ShortKey& k) { return std::hash<std::string_view>()(k.view()); }
  void grow() {
    std::vector<uint32_t> bigger(slots_.size() * 2, 0);
    size_t mask = bigger.size() - 1;
    for (uint32_t e = 0; e < entries_.size(); ++e) {
      size_t i = hash(entries_[e].key) & mask;
      while (bigger[i] != 0) i = (i + 1) & mask;
      bigger[i] = e + 1;
    }
    slots_.swap(bigger);
  }
  std::vector<uint32_t> slots_;  // entry index + 1; 0 = empty
  std::vector<Entry> entries_;
  std::vector<Item> items_;
};

}  // namespace

AlertStore::AlertStore(Database& db, std::shared_ptr<RetentionState> retention)
    : db_(db), retention_(std::move(retention)), systems_(std::make_shared<RangeTable>()) {}

AlertStore::~AlertStore() = default;

Status AlertStore::load() {
  auto seq = db_.get(kMetaFamily, codec::kMetaAlertSeq);
  if (!seq) return seq.status();
  if (seq->has_value()) {
    uint64_t v = 0;
    if (!keys::get_u64(**seq, 0, &v)) return Status::internal("meta/alert_seq: unreadable");
    next_seq_ = std::max<uint64_t>(v, 1);
  }
  auto floor = db_.get(kMetaFamily, codec::kMetaRetentionFloor);
  if (!floor) return floor.status();
  if (floor->has_value()) {
    uint64_t v = 0;
    if (!keys::get_u64(**floor, 0, &v)) return Status::internal("meta/retention_floor_us: unreadable");
    retention_->floor_us = static_cast<int64_t>(v);
  }
  CANH_RETURN_IF_ERROR(backfill_assignee_index());
  std::unique_lock lock(catalog_mu_);
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), db_.family(kSignaturesFamily)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint32_t sid = 0;
    if (!keys::get_u32(it->key().ToStringView(), 0, &sid)) continue;
    std::string_view v = it->value().ToStringView();
    size_t pos = 0;
    uint64_t n = 0;
    CatalogEntry e;
    if (!codec::get_varint(v, &pos, &n) || n > v.size() - pos) continue;
    e.signature.assign(v.substr(pos, n));
    pos += n;
    if (!codec::get_varint(v, &pos, &n) || n > v.size() - pos) continue;
    e.category.assign(v.substr(pos, n));
    e.lower = e.signature;
    for (auto& c : e.lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    catalog_[sid] = std::move(e);
  }
  return to_status(it->status(), "load signature catalogue");
}

void AlertStore::set_system_ranges(std::vector<std::pair<uint32_t, Cidr>> ranges) {
  auto p = std::make_shared<const RangeTable>(ranges);
  std::lock_guard lock(systems_mu_);
  systems_ = std::move(p);
}

int64_t AlertStore::retention_floor_us() const { return retention_->floor_us.load(); }

AlertStore::Counters AlertStore::counters() const {
  return {alerts_stored_.load(), batches_stored_.load(), batches_duplicate_.load()};
}

Result<std::vector<IngestOutcome>> AlertStore::ingest(std::span<IngestBatch* const> batches, bool durable,
                                                      int64_t now_ms) {
  std::vector<IngestOutcome> out;
  CANH_RETURN_IF_ERROR(write_ingest(batches, durable, false, now_ms, &out));
  return out;
}

Status AlertStore::bulk_load(std::span<IngestBatch* const> batches, int64_t now_ms) {
  std::vector<IngestOutcome> out;
  return write_ingest(batches, false, true, now_ms, &out);
}

Status AlertStore::write_ingest(std::span<IngestBatch* const> batches, bool durable, bool bulk, int64_t now_ms,
                                std::vector<IngestOutcome>* outcomes) {
  // The stripes of every sensor in this call, in order (no deadlock between calls).
  std::vector<size_t> stripes;
  for (const IngestBatch* b : batches) stripes.push_back(b->sensor % kStripes);
  std::sort(stripes.begin(), stripes.end());
  stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
  std::vector<std::unique_lock<std::mutex>> held;
  for (size_t i : stripes) held.emplace_back(batch_stripes_[i]);

  size_t max_alerts = 0;
  for (const IngestBatch* b : batches) max_alerts += b->alerts.size();
  const uint64_t first_seq = next_seq_.fetch_add(max_alerts);
  std::shared_ptr<const RangeTable> systems;
  {
    std::lock_guard sl(systems_mu_);
    systems = systems_;
  }
  const int64_t floor = retention_->floor_us.load();
  auto* h_alerts = db_.family(kAlertsFamily);
  auto* h_index = db_.family(kAlertIndexFamily);
  auto* h_stats = db_.family(kAlertStatsFamily);
  auto* h_batches = db_.family(kIngestBatchesFamily);

  rocksdb::WriteBatch wb;
  std::vector<std::pair<std::string, std::string>> records;
  KeyTable postings, counts;
  std::unordered_map<uint32_t, CatalogEntry> catalog_updates;
  std::unordered_set<std::string> batch_keys;
  uint64_t seq = first_seq;
  uint64_t stored_total = 0, batches_new = 0, batches_dup = 0;
  std::vector<uint32_t> sys;

  auto posting = [&](codec::IndexKind kind, const void* value, size_t n, uint32_t sec, codec::PostingItem item) {
    ShortKey k;
    k.add_u8(static_cast<uint8_t>(kind));
    k.add(value, n);
    k.add_u32(sec);
    postings.add_item(postings.at(k), item);
  };
  auto count = [&](codec::StatDim dim, uint32_t hour, const void* value, size_t n) {
    ShortKey k;
    k.add_u8('H');
    k.add_u8(static_cast<uint8_t>(dim));
    k.add_u32(hour);
    k.add(value, n);
    ++counts.at(k).count;
  };

  outcomes->assign(batches.size(), IngestOutcome{});
  for (size_t bi = 0; bi < batches.size(); ++bi) {
    const IngestBatch& batch = *batches[bi];
    IngestOutcome& oc = (*outcomes)[bi];
    std::string bkey = codec::batch_key(batch.sensor, batch.stream, batch.number);
    bool dup = !batch_keys.insert(bkey).second;
    if (!dup) {
      std::string ignored;
      auto s = db_.raw()->Get(rocksdb::ReadOptions(), h_batches, bkey, &ignored);
      if (s.ok()) dup = true;
      else if (!s.IsNotFound()) return to_status(s, "look up batch " + std::to_string(batch.number));
    }
    if (dup) {
      oc.duplicate = true;
      ++batches_dup;
      continue;
    }
    const uint64_t batch_first = seq;
    for (const NewAlert& a : batch.alerts) {
      if (a.ts_us < floor || a.ts_us < 0) {
        ++oc.expired;
        continue;
      }
      AlertId id{a.ts_us, seq++};
      systems->lookup_pair(a.src, a.dst, &sys);
      codec::RecordHeader h;
      h.severity = a.severity;
      h.sid = a.sid;
      h.gid = a.gid;
      h.rev = a.rev;
      h.sensor = batch.sensor;
      h.src = a.src;
      h.dst = a.dst;
      h.src_port = a.src_port;
      h.dst_port = a.dst_port;
      h.received_ms = now_ms;
      records.emplace_back(codec::alert_key(id), codec::encode_record(h, sys, a.proto, a.signature, a.category, "", "", a.eve));

      const uint32_t sec = static_cast<uint32_t>(a.ts_us / 1000000);
      const uint32_t hour = static_cast<uint32_t>(a.ts_us / 3600000000ll);
      const codec::PostingItem item{a.ts_us, id.seq};
      uint8_t v4[4];
      auto be32 = [&](uint32_t v) {
        v4[0] = static_cast<uint8_t>(v >> 24);
        v4[1] = static_cast<uint8_t>(v >> 16);
        v4[2] = static_cast<uint8_t>(v >> 8);
        v4[3] = static_cast<uint8_t>(v);
        return v4;
      };
      posting(codec::IndexKind::kSid, be32(a.sid), 4, sec, item);
      posting(codec::IndexKind::kSeverity, &a.severity, 1, sec, item);
      posting(codec::IndexKind::kSensor, be32(batch.sensor), 4, sec, item);
      for (uint32_t s : sys) posting(codec::IndexKind::kSystem, be32(s), 4, sec, item);
      for (int dir = 0; dir < 2; ++dir) {
        const IpAddr& addr = dir == 0 ? a.src : a.dst;
        auto kind = dir == 0 ? codec::IndexKind::kSrc : codec::IndexKind::kDst;
        const uint8_t* gs = addr.is_v4() ? codec::kV4Granularities : codec::kV6Granularities;
        for (int g = 0; g < codec::kGranularities; ++g) {
          uint8_t v[17];
          v[0] = gs[g];
          IpAddr m = mask(addr, gs[g]);
          std::memcpy(v + 1, m.bytes.data(), 16);
          posting(kind, v, 17, sec, item);
        }
      }

      uint32_t minute = static_cast<uint32_t>(a.ts_us / 60000000ll);
      {
        ShortKey k;
        k.add_u8('M');
        k.add_u32(minute);
        k.add_u8(a.severity);
        ++counts.at(k).count;
      }
      count(codec::StatDim::kTotal, hour, nullptr, 0);
      count(codec::StatDim::kSid, hour, be32(a.sid), 4);
      count(codec::StatDim::kSrc, hour, a.src.bytes.data(), 16);
      count(codec::StatDim::kDst, hour, a.dst.bytes.data(), 16);
      count(codec::StatDim::kSensor, hour, be32(batch.sensor), 4);
      count(codec::StatDim::kSeverity, hour, &a.severity, 1);
      for (uint32_t s : sys) count(codec::StatDim::kSystem, hour, be32(s), 4);
      uint8_t st = static_cast<uint8_t>(TriageState::kNew);
      count(codec::StatDim::kState, hour, &st, 1);

      {
        std::shared_lock cl(catalog_mu_);
        auto it = catalog_.find(a.sid);
        bool same = it != catalog_.end() && it->second.signature == a.signature && it->second.category == a.category;
        if (!same) {
          auto& e = catalog_updates[a.sid];
          e.signature = a.signature;
          e.category = a.category;
        }
      }
      ++oc.stored;
    }
    std::string bv;
    keys::put_u64(bv, static_cast<uint64_t>(now_ms));
    keys::put_u32(bv, oc.stored);
    keys::put_u64(bv, batch_first);
    wb.Put(h_batches, bkey, bv);
    stored_total += oc.stored;
    ++batches_new;
  }

  // Entries go into the batch sorted by key within each family: the memtable's skip list then
  // reuses its insertion point from one key to the next instead of searching from the top, which
  // is most of the cost of a write (measured: about half the CPU of ingest).
  std::sort(records.begin(), records.end());
  for (auto& [k, v] : records) wb.Put(h_alerts, k, v);
  // One posting list per kind + value + second in this write: the group's first sequence number
  // tells this write's lists from other writes' lists of the same second.
  std::vector<std::pair<std::string, std::string>> lists;
  lists.reserve(postings.entries().size());
  std::vector<codec::PostingItem> items;
  for (const auto& e : postings.entries()) {
    postings.items_of(e, &items);
    std::string key(e.key.b, e.key.len - 4), value;
    uint32_t sec = 0;
    keys::get_u32(e.key.view(), e.key.len - 4, &sec);
    codec::put_u32_desc(key, sec);
    keys::put_u64_desc(key, first_seq);
    codec::encode_postings(items, &value);
    lists.emplace_back(std::move(key), std::move(value));
  }
  std::sort(lists.begin(), lists.end());
  for (auto& [k, v] : lists) wb.Put(h_index, k, v);
  std::vector<std::pair<std::string_view, uint64_t>> merges;
  merges.reserve(counts.entries().size());
  for (const auto& e : counts.entries()) merges.emplace_back(e.key.view(), e.count);
  std::sort(merges.begin(), merges.end());
  for (auto& [k, n] : merges) wb.Merge(h_stats, rocksdb::Slice(k.data(), k.size()), codec::le64(n));
  for (auto& [sid, e] : catalog_updates) {
    std::string v;
    codec::put_varint(v, e.signature.size());
    v += e.signature;
    codec::put_varint(v, e.category.size());
    v += e.category;
    wb.Put(db_.family(kSignaturesFamily), codec::u32_value(sid), v);
  }
  std::string sv;
  keys::put_u64(sv, first_seq + max_alerts);
  wb.Merge(db_.family(kMetaFamily), codec::kMetaAlertSeq, sv);

  rocksdb::WriteOptions wo;
  wo.sync = durable && !bulk;
  wo.disableWAL = bulk;
  auto s = db_.raw()->Write(wo, &wb);
  if (!s.ok()) return to_status(s, "store " + std::to_string(batches.size()) + " batches");
  if (!catalog_updates.empty()) {
    std::unique_lock cl(catalog_mu_);
    for (auto& [sid, e] : catalog_updates) {
      e.lower = e.signature;
      for (auto& c : e.lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      catalog_[sid] = std::move(e);
    }
  }
  alerts_stored_ += stored_total;
  batches_stored_ += batches_new;
  batches_duplicate_ += batches_dup;
  return Status::ok();
}

Result<std::optional<Alert>> AlertStore::get(const AlertId& id) const {
  if (id.ts_us < retention_->floor_us.load()) return std::optional<Alert>();
  auto v = db_.get(kAlertsFamily, codec::alert_key(id));
  if (!v) return v.status();
  if (!v->has_value()) return std::optional<Alert>();
  Alert a;
  if (!codec::decode_record(**v, id, &a)) return Status::internal("alert " + id.to_string() + ": unreadable record");
  return std::optional<Alert>(std::move(a));
}

Result<Alert> AlertStore::set_triage(const AlertId& id, const TriageChange& change, std::string_view by, int64_t now_ms) {
  // One code path for one alert and for many (alert_triage.cc), so the indexes and counters they
  // keep cannot drift apart.
  std::vector<Alert> out;
  auto n = set_triage_many(std::span<const AlertId>(&id, 1), change, by, now_ms, {}, nullptr, &out);
  if (!n) return n.status();
  if (out.empty()) return Status::not_found("no alert " + id.to_string());
  return std::move(out.front());
}

std::vector<SignatureInfo> AlertStore::signatures(std::string_view text, size_t limit) const {
  std::string needle(text);
  for (auto& c : needle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::vector<SignatureInfo> out;
  std::shared_lock lock(catalog_mu_);
  for (const auto& [sid, e] : catalog_) {
    if (!needle.empty() && e.lower.find(needle) == std::string::npos) continue;
    out.push_back({sid, e.signature, e.category});
  }
  std::sort(out.begin(), out.end(), [](const SignatureInfo& a, const SignatureInfo& b) { return a.sid < b.sid; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Result<int64_t> AlertStore::enforce_retention(const RetentionPolicy& policy, int64_t now_us) {
  const int64_t old_floor = retention_->floor_us.load();
  int64_t floor = old_floor;
  if (policy.max_age_seconds > 0) floor = std::max(floor, now_us - policy.max_age_seconds * 1000000);

  auto* hs = db_.family(kAlertStatsFamily);
  auto* ha = db_.family(kAlertsFamily);
  auto apply = [&](int64_t new_floor) -> Status {
    std::string v;
    keys::put_u64(v, static_cast<uint64_t>(new_floor));
    CANH_RETURN_IF_ERROR(db_.put(kMetaFamily, codec::kMetaRetentionFloor, v, true));
    retention_->floor_us = new_floor;
    // Alerts older than the floor sort after every newer key: one range tombstone removes them.
    std::string begin = codec::alert_key({new_floor - 1, UINT64_MAX});
    std::string end(codec::kAlertKeySize + 1, '\xff');
    auto s = db_.raw()->DeleteRange(rocksdb::WriteOptions(), ha, begin, end);
    if (!s.ok()) return to_status(s, "delete alerts older than the retention floor");
    // Index entries and aggregate buckets below the floor go in the compactions, through the
    // compaction filter; force them now so the space comes back while we still measure it.
    rocksdb::CompactRangeOptions co;
    co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (const char* f : {kAlertsFamily, kAlertIndexFamily, kAlertStatsFamily}) {
      s = db_.raw()->CompactRange(co, db_.family(f), nullptr, nullptr);
      if (!s.ok()) return to_status(s, std::string("compact ") + f);
    }
    return Status::ok();
  };
  if (floor > old_floor) CANH_RETURN_IF_ERROR(apply(floor));

  // By size: keep the newest hours whose alerts fit the budget, estimating each alert's share of the
  // disk from the whole store. A few rounds, since the estimate is only as good as the last compaction.
  for (int round = 0; policy.max_bytes > 0 && round < 4; ++round) {
    uint64_t bytes = db_.live_bytes();
    if (bytes <= policy.max_bytes) break;
    std::vector<std::pair<uint32_t, uint64_t>> hours;  // newest first
    uint64_t total = 0;
    std::string lo = codec::hour_prefix(codec::StatDim::kTotal, 0);
    std::string hi = codec::hour_prefix(codec::StatDim::kTotal, UINT32_MAX) + "\xff";
    std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), hs));
    for (it->SeekForPrev(hi); it->Valid() && it->key().compare(lo) >= 0; it->Prev()) {
      uint32_t hour = 0;
      if (!keys::get_u32(it->key().ToStringView(), 2, &hour) || it->value().size() != 8) continue;
      if (static_cast<int64_t>(hour + 1) * 3600000000ll <= floor) break;
      uint64_t n = codec::load_le64(it->value().data());
      hours.emplace_back(hour, n);
      total += n;
    }
    if (hours.size() <= 1 || total == 0) break;  // never remove the hour being written
    double keep_share = 0.9 * static_cast<double>(policy.max_bytes) / static_cast<double>(bytes);
    uint64_t keep = static_cast<uint64_t>(keep_share * static_cast<double>(total));
    uint64_t acc = 0;
    int64_t new_floor = floor;
    for (size_t i = 0; i < hours.size(); ++i) {
      acc += hours[i].second;
      if (acc > keep && i > 0) {
        new_floor = static_cast<int64_t>(hours[i].first + 1) * 3600000000ll;
        break;
      }
    }
    if (new_floor <= floor) new_floor = static_cast<int64_t>(hours.back().first + 1) * 3600000000ll;
    if (new_floor <= floor) break;
    floor = new_floor;
    CANH_RETURN_IF_ERROR(apply(floor));
  }
  return floor;
}

}  // namespace canh::storage
