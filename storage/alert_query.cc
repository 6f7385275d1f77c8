// AlertStore::list: answering a filtered, newest-first alert list from the indexes.
//
// Every filter becomes a stream of alert ids, newest first: a posting-list stream per value (sid,
// severity, sensor, system, address block), the per-alert state index, or the primary key order when
// nothing narrower applies. Values of one filter are merged (union); filters are intersected by
// leapfrogging — each stream seeks to the oldest id any stream stands on — so a rare value drives
// the search and a common one is only probed. What no index covers exactly (a text search hitting
// many signatures, an odd CIDR length) is checked on the record as a residual.
//
// Work is bounded: every index item read and record examined spends from a budget. A query that
// runs out returns what it has, marked partial, with a cursor that resumes exactly where it stopped.
#include <algorithm>
#include <cctype>
#include <memory>
#include <shared_mutex>
#include <unordered_set>

#include "storage/alert_codec.h"
#include "storage/alert_store.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/retention.h"

namespace canh::storage {

namespace {

struct Budget {
  int64_t left;
  void spend(int64_t n) { left -= n; }
  bool out() const { return left <= 0; }
};

// `bound` semantics: seek(b) moves to the newest item that is not newer than b.
class Stream {
 public:
  virtual ~Stream() = default;
  virtual void seek(const AlertId& bound) = 0;
  virtual void next() = 0;
  bool valid() const { return valid_; }
  const AlertId& current() const { return cur_; }

 protected:
  bool valid_ = false;
  AlertId cur_;
};

std::string successor(std::string prefix) {
  while (!prefix.empty() && static_cast<uint8_t>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty()) prefix.back() = static_cast<char>(static_cast<uint8_t>(prefix.back()) + 1);
  return prefix;
}

struct Ctx {
  Database& db;
  const rocksdb::Snapshot* snapshot;
  int64_t floor_us;
  Budget& budget;
};

rocksdb::Iterator* new_iterator(Ctx& c, rocksdb::ColumnFamilyHandle* h, const rocksdb::Slice* upper) {
  rocksdb::ReadOptions ro;
  ro.snapshot = c.snapshot;
  ro.iterate_upper_bound = upper;
  return c.db.raw()->NewIterator(ro, h);
}

// The alerts family itself, newest first. Keeps the record at hand for the residual checks.
class PrimaryStream : public Stream {
 public:
  explicit PrimaryStream(Ctx& c) : c_(c), it_(new_iterator(c, c.db.family(kAlertsFamily), nullptr)) {}
  void seek(const AlertId& b) override {
    it_->Seek(codec::alert_key(b));
    c_.budget.spend(4);
    load();
  }
  void next() override {
    it_->Next();
    load();
  }
  std::string_view value() const { return it_->value().ToStringView(); }

 private:
  void load() {
    c_.budget.spend(1);
    valid_ = false;
    if (!it_->Valid()) return;
    auto id = codec::parse_alert_key(it_->key().ToStringView());
    if (!id || id->ts_us < c_.floor_us) return;
    cur_ = *id;
    valid_ = true;
  }
  Ctx& c_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// The per-alert triage indexes: a prefix (kind + state, or kind + assignee) then ts desc + seq desc.
class KeyStream : public Stream {
 public:
  KeyStream(Ctx& c, std::string prefix) : c_(c), prefix_(std::move(prefix)) {
    upper_ = successor(prefix_);
    upper_slice_ = rocksdb::Slice(upper_);
    it_.reset(new_iterator(c, c.db.family(kAlertIndexFamily), &upper_slice_));
  }
  void seek(const AlertId& b) override {
    std::string k = prefix_;
    keys::put_u64_desc(k, static_cast<uint64_t>(b.ts_us));
    keys::put_u64_desc(k, b.seq);
    it_->Seek(k);
    c_.budget.spend(4);
    load();
  }
  void next() override {
    it_->Next();
    load();
  }

 private:
  void load() {
    c_.budget.spend(1);
    valid_ = false;
    if (!it_->Valid()) return;
    auto id = codec::parse_alert_key(it_->key().ToStringView().substr(prefix_.size()));
    if (!id || id->ts_us < c_.floor_us) return;
    cur_ = *id;
    valid_ = true;
  }
  Ctx& c_;
  std::string prefix_, upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Posting lists of one kind + value: per second, one list per ingest write. A second's lists are
// read together and sorted, which gives exact newest-first order across writes.
class PostingStream : public Stream {
 public:
  PostingStream(Ctx& c, std::string prefix) : c_(c), prefix_(std::move(prefix)) {
    upper_ = successor(prefix_);
    upper_slice_ = rocksdb::Slice(upper_);
    it_.reset(new_iterator(c, c.db.family(kAlertIndexFamily), &upper_slice_));
  }
  void seek(const AlertId& b) override {
    uint32_t sec = static_cast<uint32_t>(b.ts_us / 1000000);
    if (!(loaded_ && sec == sec_)) {
      std::string k = prefix_;
      codec::put_u32_desc(k, sec);
      it_->Seek(k);
      c_.budget.spend(4);
      if (!load_bucket()) return;
    }
    // First item not newer than b; the bucket may hold only newer ones (then the next bucket).
    auto at = std::partition_point(items_.begin(), items_.end(),
                                   [&](const codec::PostingItem& x) { return newer(AlertId{x.ts_us, x.seq}, b); });
    pos_ = static_cast<size_t>(at - items_.begin());
    settle();
  }
  void next() override {
    ++pos_;
    settle();
  }

 private:
  // Moves to the next bucket while the current one is used up, then publishes the current item.
  void settle() {
    while (pos_ >= items_.size()) {
      if (!load_bucket()) return;
    }
    const auto& x = items_[pos_];
    if (x.ts_us < c_.floor_us) {
      valid_ = false;
      return;
    }
    cur_ = {x.ts_us, x.seq};
    valid_ = true;
  }
  bool load_bucket() {
    items_.clear();
    pos_ = 0;
    loaded_ = false;
    valid_ = false;
    if (!it_->Valid()) return false;
    std::string_view k = it_->key().ToStringView();
    uint32_t dsec = 0;
    if (!keys::get_u32(k, prefix_.size(), &dsec)) return false;
    sec_ = ~dsec;
    if ((static_cast<int64_t>(sec_) + 1) * 1000000 <= c_.floor_us) return false;
    while (it_->Valid()) {
      k = it_->key().ToStringView();
      uint32_t d = 0;
      if (!keys::get_u32(k, prefix_.size(), &d) || d != dsec) break;
      size_t before = items_.size();
      codec::decode_postings(it_->value().ToStringView(), &items_);
      c_.budget.spend(2 + static_cast<int64_t>(items_.size() - before) / 4);
      it_->Next();
    }
    std::sort(items_.begin(), items_.end(), [](const codec::PostingItem& x, const codec::PostingItem& y) {
      return x.ts_us != y.ts_us ? x.ts_us > y.ts_us : x.seq > y.seq;
    });
    loaded_ = true;
    return true;
  }

  Ctx& c_;
  std::string prefix_, upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
  std::vector<codec::PostingItem> items_;
  size_t pos_ = 0;
  uint32_t sec_ = 0;
  bool loaded_ = false;
};

class UnionStream : public Stream {
 public:
  explicit UnionStream(std::vector<std::unique_ptr<Stream>> children) : children_(std::move(children)) {}
  // Bounds only ever move to older ids, so a child already at or below the bound stays put.
  void seek(const AlertId& b) override {
    for (auto& c : children_)
      if (!positioned_ || (c->valid() && newer(c->current(), b))) c->seek(b);
    positioned_ = true;
    pick();
  }
  void next() override {
    AlertId was = cur_;
    for (auto& c : children_)
      if (c->valid() && c->current() == was) c->next();
    pick();
  }

 private:
  void pick() {
    valid_ = false;
    for (auto& c : children_) {
      if (!c->valid()) continue;
      if (!valid_ || newer(c->current(), cur_)) cur_ = c->current();
      valid_ = true;
    }
  }
  std::vector<std::unique_ptr<Stream>> children_;
  bool positioned_ = false;
};

// Leapfrog intersection. Invariant while aligning: no id newer than `target` is in every stream,
// so stopping for the budget at `target` loses nothing.
class IntersectStream : public Stream {
 public:
  IntersectStream(std::vector<std::unique_ptr<Stream>> children, Budget& budget)
      : children_(std::move(children)), budget_(budget) {}
  void seek(const AlertId& b) override {
    for (auto& c : children_) c->seek(b);
    align();
  }
  void next() override {
    children_[0]->next();
    align();
  }
  std::optional<AlertId> paused_at() const { return paused_; }

 private:
  void align() {
    valid_ = false;
    for (;;) {
      AlertId target;
      bool first = true;
      for (auto& c : children_) {
        if (!c->valid()) return;
        if (first || newer(target, c->current())) target = c->current();
        first = false;
      }
      bool equal = true;
      for (auto& c : children_) {
        if (newer(c->current(), target)) c->seek(target);
        if (!c->valid()) return;
        if (!(c->current() == target)) equal = false;
      }
      if (equal) {
        cur_ = target;
        valid_ = true;
        return;
      }
      budget_.spend(1);
      if (budget_.out()) {
        paused_ = target;
        return;
      }
    }
  }
  std::vector<std::unique_ptr<Stream>> children_;
  Budget& budget_;
  std::optional<AlertId> paused_;
};

// What the indexes do not decide exactly, checked on the record header.
struct Residual {
  std::optional<std::unordered_set<uint32_t>> sids;
  std::optional<Cidr> src, dst, either;
  std::optional<uint32_t> states;  // bit per TriageState
  std::optional<std::string> assignee;  // needs the whole record
  const AlertQuery* excl = nullptr;     // its not_* lists, when any is given
  bool ok(const codec::RecordHeader& h) const {
    if (states && !(*states >> static_cast<unsigned>(h.state) & 1)) return false;
    if (sids && !sids->count(h.sid)) return false;
    if (src && !src->contains(h.src)) return false;
    if (dst && !dst->contains(h.dst)) return false;
    if (either && !either->contains(h.src) && !either->contains(h.dst)) return false;
    if (excl) {
      for (uint32_t x : excl->not_sids)
        if (h.sid == x) return false;
      for (uint32_t x : excl->not_sensors)
        if (h.sensor == x) return false;
      for (const auto& c : excl->not_src)
        if (c.contains(h.src)) return false;
      for (const auto& c : excl->not_dst)
        if (c.contains(h.dst)) return false;
      for (const auto& c : excl->not_either)
        if (c.contains(h.src) || c.contains(h.dst)) return false;
    }
    return true;
  }
};

constexpr size_t kMaxUnion = 256;

std::unique_ptr<Stream> union_of(std::vector<std::unique_ptr<Stream>> v) {
  if (v.size() == 1) return std::move(v[0]);
  return std::make_unique<UnionStream>(std::move(v));
}

std::unique_ptr<Stream> u32_postings(Ctx& c, codec::IndexKind kind, const std::vector<uint32_t>& values) {
  std::vector<std::unique_ptr<Stream>> v;
  for (uint32_t x : values) v.push_back(std::make_unique<PostingStream>(c, codec::posting_prefix(kind, codec::u32_value(x))));
  return union_of(std::move(v));
}

// Sets bits [start, start + n) of the address to the low n bits of `value`.
IpAddr with_bits(IpAddr a, unsigned start, unsigned n, uint32_t value) {
  for (unsigned i = 0; i < n; ++i) {
    unsigned bit = start + i;
    uint8_t m = static_cast<uint8_t>(0x80 >> (bit % 8));
    if (value >> (n - 1 - i) & 1) a.bytes[bit / 8] |= m;
    else a.bytes[bit / 8] &= static_cast<uint8_t>(~m);
  }
  return a;
}

// A CIDR filter: the union of the lists of the next indexed granularity when that takes at most 256
// lists, else the nearest coarser list with the exact block checked on the record.
std::unique_ptr<Stream> address_stream(Ctx& c, codec::IndexKind kind, const Cidr& cidr, std::optional<Cidr>* residual) {
  const bool v4 = cidr.base.is_v4() && cidr.bits >= 96;
  const uint8_t* gs = v4 ? codec::kV4Granularities : codec::kV6Granularities;
  for (int i = 0; i < codec::kGranularities; ++i) {
    unsigned g = gs[i];
    if (g < cidr.bits) continue;
    if (g - cidr.bits > 8) break;
    std::vector<std::unique_ptr<Stream>> v;
    for (uint32_t sub = 0; sub < (1u << (g - cidr.bits)); ++sub) {
      IpAddr a = with_bits(cidr.base, cidr.bits, g - cidr.bits, sub);
      v.push_back(std::make_unique<PostingStream>(c, codec::posting_prefix(kind, codec::address_value(a, static_cast<uint8_t>(g)))));
    }
    return union_of(std::move(v));
  }
  *residual = cidr;
  for (int i = codec::kGranularities - 1; i >= 0; --i) {
    if (gs[i] > cidr.bits) continue;
    return std::make_unique<PostingStream>(c, codec::posting_prefix(kind, codec::address_value(cidr.base, gs[i])));
  }
  return nullptr;  // wider than any indexed block: the residual alone
}

}  // namespace

Result<AlertPage> AlertStore::list(const AlertQuery& q) const {
  AlertPage page;
  if (q.limit == 0 || q.limit > 1000) return Status::invalid("limit must be 1-1000");
  if (q.from_us >= q.to_us) return page;
  const int64_t floor = std::max<int64_t>({q.from_us, retention_->floor_us.load(), 0});
  Budget budget{query_budget_.load()};
  const rocksdb::Snapshot* snap = db_.raw()->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.raw(), snap};
  Ctx ctx{db_, snap, floor, budget};

  std::vector<std::unique_ptr<Stream>> filters;
  Residual residual;

  // Signatures: the sids given, narrowed by the text search over the catalogue.
  std::optional<std::vector<uint32_t>> sids;
  if (!q.sids.empty()) sids = q.sids;
  if (!q.text.empty()) {
    std::string needle = q.text;
    for (auto& ch : needle) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::vector<uint32_t> hits;
    {
      std::shared_lock lock(catalog_mu_);
      for (const auto& [sid, e] : catalog_)
        if (e.lower.find(needle) != std::string::npos) hits.push_back(sid);
    }
    if (sids) {
      std::unordered_set<uint32_t> given(sids->begin(), sids->end());
      std::erase_if(hits, [&](uint32_t s) { return !given.count(s); });
    }
    sids = std::move(hits);
  }
  if (sids) {
    std::sort(sids->begin(), sids->end());
    sids->erase(std::unique(sids->begin(), sids->end()), sids->end());
    if (sids->empty()) return page;
    if (sids->size() <= kMaxUnion) filters.push_back(u32_postings(ctx, codec::IndexKind::kSid, *sids));
    else residual.sids.emplace(sids->begin(), sids->end());
  }
  if (!q.severities.empty()) {
    std::vector<std::unique_ptr<Stream>> v;
    std::unordered_set<uint8_t> seen;
    for (uint8_t s : q.severities)
      if (seen.insert(s).second)
        v.push_back(std::make_unique<PostingStream>(
            ctx, codec::posting_prefix(codec::IndexKind::kSeverity, std::string(1, static_cast<char>(s)))));
    filters.push_back(union_of(std::move(v)));
  }
  if (q.sensors.size() > kMaxUnion || q.systems.size() > kMaxUnion) return Status::invalid("more than 256 sensors or systems");
  if (!q.sensors.empty()) filters.push_back(u32_postings(ctx, codec::IndexKind::kSensor, q.sensors));
  if (!q.systems.empty()) filters.push_back(u32_postings(ctx, codec::IndexKind::kSystem, q.systems));
  if (q.src && q.src->bits > 0)
    if (auto s = address_stream(ctx, codec::IndexKind::kSrc, *q.src, &residual.src)) filters.push_back(std::move(s));
  if (q.dst && q.dst->bits > 0)
    if (auto s = address_stream(ctx, codec::IndexKind::kDst, *q.dst, &residual.dst)) filters.push_back(std::move(s));
  if (q.either && q.either->bits > 0) {
    // Source or destination: the union of both sides' lists when both cover the block exactly, else
    // checked on the record.
    std::optional<Cidr> rs, rd;
    auto s = address_stream(ctx, codec::IndexKind::kSrc, *q.either, &rs);
    auto d = address_stream(ctx, codec::IndexKind::kDst, *q.either, &rd);
    if (s && d && !rs && !rd) {
      std::vector<std::unique_ptr<Stream>> v;
      v.push_back(std::move(s));
      v.push_back(std::move(d));
      filters.push_back(union_of(std::move(v)));
    } else {
      residual.either = q.either;
    }
  }
  if (q.assignee) {
    if (q.assignee->size() > 128) return Status::invalid("assignee longer than 128 bytes");
    // Assigned alerts have index entries; "unassigned" is their absence, checked on the record.
    if (q.assignee->empty()) residual.assignee = q.assignee;
    else filters.push_back(std::make_unique<KeyStream>(ctx, codec::assignee_prefix(*q.assignee)));
  }
  if (q.not_sids.size() > kMaxUnion || q.not_sensors.size() > kMaxUnion || q.not_src.size() > kMaxUnion ||
      q.not_dst.size() > kMaxUnion || q.not_either.size() > kMaxUnion)
    return Status::invalid("more than 256 exclusions of one kind");
  if (!q.not_sids.empty() || !q.not_sensors.empty() || !q.not_src.empty() || !q.not_dst.empty() ||
      !q.not_either.empty())
    residual.excl = &q;
  if (!q.states.empty()) {
    // Triaged states have index entries; "new" is the absence of triage, checked on the record.
    bool with_new = std::find(q.states.begin(), q.states.end(), TriageState::kNew) != q.states.end();
    if (with_new) {
      uint32_t bits = 0;
      for (TriageState s : q.states) bits |= 1u << static_cast<unsigned>(s);
      residual.states = bits;
    } else {
      std::vector<std::unique_ptr<Stream>> v;
      std::unordered_set<uint8_t> seen;
      for (TriageState s : q.states)
        if (seen.insert(static_cast<uint8_t>(s)).second)
          v.push_back(std::make_unique<KeyStream>(
              ctx, std::string(1, static_cast<char>(codec::IndexKind::kState)) + static_cast<char>(s)));
      filters.push_back(union_of(std::move(v)));
    }
  }

  std::unique_ptr<Stream> root;
  PrimaryStream* primary = nullptr;
  IntersectStream* intersect = nullptr;
  if (filters.empty()) {
    auto p = std::make_unique<PrimaryStream>(ctx);
    primary = p.get();
    root = std::move(p);
  } else if (filters.size() == 1) {
    root = std::move(filters[0]);
  } else {
    auto i = std::make_unique<IntersectStream>(std::move(filters), budget);
    intersect = i.get();
    root = std::move(i);
  }

  AlertId bound{q.to_us - 1, UINT64_MAX};
  bool exclusive = false;
  if (q.after && newer(bound, *q.after)) {
    bound = *q.after;
    exclusive = true;
  }
  root->seek(bound);
  if (exclusive && root->valid() && root->current() == bound) root->next();

  std::optional<AlertId> last_examined;
  rocksdb::ReadOptions ro;
  ro.snapshot = snap;
  std::string value;
  while (root->valid() && page.items.size() < q.limit) {
    const AlertId id = root->current();
    std::string_view v;
    bool found = true;
    if (primary) {
      v = primary->value();
    } else {
      auto s = db_.raw()->Get(ro, db_.family(kAlertsFamily), codec::alert_key(id), &value);
      budget.spend(4);
      if (s.IsNotFound()) found = false;
      else if (!s.ok()) return to_status(s, "read alert " + id.to_string());
      v = value;
    }
    if (found) {
      codec::RecordHeader h;
      if (!codec::decode_header(v, &h)) return Status::internal("alert " + id.to_string() + ": unreadable record");
      if (residual.ok(h)) {
        Alert a;
        if (!codec::decode_record(v, id, &a, q.with_eve))
          return Status::internal("alert " + id.to_string() + ": unreadable record");
        if (!residual.assignee || a.assignee == *residual.assignee) page.items.push_back(std::move(a));
      }
    }
    last_examined = id;
    root->next();
    if (budget.out() && page.items.size() < q.limit && root->valid()) {
      page.partial = true;
      break;
    }
  }
  const bool paused = intersect && intersect->paused_at();
  if (page.items.size() == q.limit) {
    if (root->valid() || paused) page.next = page.items.back().id;
  } else if (paused) {
    // Resume at the paused id itself: the cursor is exclusive, so step one seq newer.
    AlertId p = *intersect->paused_at();
    page.partial = true;
    page.next = AlertId{p.ts_us, p.seq + 1};
  } else if (page.partial) {
    page.next = last_examined;
  }
  return page;
}

}  // namespace canh::storage
