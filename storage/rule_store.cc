#include "storage/rule_store.h"

#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <memory>

#include "storage/database.h"
#include "storage/keys.h"

namespace canh::storage {

namespace json = boost::json;

namespace {

std::string sha256_hex(std::string_view bytes) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* d = "0123456789abcdef";
  std::string out(sizeof h * 2, '0');
  for (size_t i = 0; i < sizeof h; ++i) {
    out[2 * i] = d[h[i] >> 4];
    out[2 * i + 1] = d[h[i] & 15];
  }
  return out;
}

std::string str(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
int64_t num(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  if (!v) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}
std::vector<uint32_t> sids(const json::object& o, std::string_view k) {
  std::vector<uint32_t> out;
  auto* v = o.if_contains(k);
  if (v && v->is_array())
    for (const auto& x : v->get_array())
      if (x.is_int64()) out.push_back(static_cast<uint32_t>(x.get_int64()));
  return out;
}

std::string version_key(uint64_t v) {
  std::string k = "v/";
  keys::put_u64(k, v);
  return k;
}

json::object to_json(const RuleSetVersion& v) {
  json::array files;
  for (const auto& f : v.files) files.push_back(json::object{{"name", f.name}, {"sha256", f.sha256}, {"bytes", f.bytes}});
  json::array dis(v.disabled_sids.begin(), v.disabled_sids.end());
  json::array en(v.enabled_sids.begin(), v.enabled_sids.end());
  return {{"version", v.version},   {"parent", v.parent},         {"author", v.author},
          {"created_ms", v.created_ms}, {"change", v.change},     {"files", files},
          {"disabled_sids", dis},   {"enabled_sids", en},         {"thresholds", v.thresholds},
          {"rules_loadable", v.rules_loadable}, {"rules_skipped", v.rules_skipped},
          {"rules_errors", v.rules_errors}, {"rules_disabled", v.rules_disabled}};
}

std::optional<RuleSetVersion> from_json(std::string_view text) {
  boost::system::error_code ec;
  auto val = json::parse(text, ec);
  if (ec || !val.is_object()) return std::nullopt;
  const auto& o = val.get_object();
  RuleSetVersion v;
  v.version = static_cast<uint64_t>(num(o, "version"));
  v.parent = static_cast<uint64_t>(num(o, "parent"));
  v.author = str(o, "author");
  v.created_ms = num(o, "created_ms");
  v.change = str(o, "change");
  if (auto* f = o.if_contains("files"); f && f->is_array())
    for (const auto& x : f->get_array()) {
      if (!x.is_object()) continue;
      v.files.push_back({str(x.get_object(), "name"), str(x.get_object(), "sha256"),
                         static_cast<uint64_t>(num(x.get_object(), "bytes"))});
    }
  v.disabled_sids = sids(o, "disabled_sids");
  v.enabled_sids = sids(o, "enabled_sids");
  v.thresholds = str(o, "thresholds");
  v.rules_loadable = static_cast<uint64_t>(num(o, "rules_loadable"));
  v.rules_skipped = static_cast<uint64_t>(num(o, "rules_skipped"));
  v.rules_errors = static_cast<uint64_t>(num(o, "rules_errors"));
  v.rules_disabled = static_cast<uint64_t>(num(o, "rules_disabled"));
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Rule sets: "b/<sha256>" -> file text, "v/<u64>" -> version JSON, "cur" -> current version number.

Result<std::vector<RuleFile>> RuleStore::put_files(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<RuleFile> out;
  rocksdb::WriteBatch b;
  auto* h = db_.family(kRuleSetsFamily);
  if (!h) return Status::internal("no column family rulesets");
  for (const auto& [name, text] : files) {
    RuleFile f{name, sha256_hex(text), text.size()};
    b.Put(h, "b/" + f.sha256, text);
    out.push_back(std::move(f));
  }
  CANH_RETURN_IF_ERROR(db_.write(b, true));
  return out;
}

Result<std::string> RuleStore::file_text(std::string_view sha) const {
  auto r = db_.get(kRuleSetsFamily, "b/" + std::string(sha));
  if (!r) return r.status();
  if (!r.value()) return Status::not_found("no rule file with SHA-256 " + std::string(sha));
  return std::move(*r.value());
}

uint64_t RuleStore::current_version() const {
  auto r = db_.get(kRuleSetsFamily, "cur");
  if (!r || !r.value()) return 0;
  uint64_t v = 0;
  keys::get_u64(*r.value(), 0, &v);
  return v;
}

Result<RuleSetVersion> RuleStore::commit(RuleSetVersion v, uint64_t expect_current) {
  std::lock_guard lock(mu_);
  uint64_t cur = current_version();
  if (cur != expect_current)
    return Status::conflict("the rule set changed meanwhile (now version " + std::to_string(cur) + ", change was based on " +
                            std::to_string(expect_current) + "): reload and try again");
  // Versions only grow, even after a rollback: the highest stored version + 1.
  uint64_t last = 0;
  {
    auto* h = db_.family(kRuleSetsFamily);
    std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
    std::string end = "v0";  // just past every "v/..." key ('0' follows '/')
    it->SeekForPrev(end);
    if (it->Valid() && it->key().starts_with("v/")) keys::get_u64(std::string_view(it->key().data(), it->key().size()), 2, &last);
  }
  v.version = last + 1;
  v.parent = cur;
  std::sort(v.disabled_sids.begin(), v.disabled_sids.end());
  std::sort(v.enabled_sids.begin(), v.enabled_sids.end());
  rocksdb::WriteBatch b;
  auto* h = db_.family(kRuleSetsFamily);
  b.Put(h, version_key(v.version), json::serialize(to_json(v)));
  std::string curv;
  keys::put_u64(curv, v.version);
  b.Put(h, "cur", curv);
  CANH_RETURN_IF_ERROR(db_.write(b, true));
  return v;
}

Result<RuleSetVersion> RuleStore::activate(uint64_t version, std::string_view author, uint64_t expect_current) {
  auto old = get(version);
  if (!old) return old.status();
  if (!old.value()) return Status::not_found("no rule-set version " + std::to_string(version));
  RuleSetVersion v = *old.value();
  v.author = std::string(author);
  v.change = "rolled back to version " + std::to_string(version);
  v.created_ms = static_cast<int64_t>(time(nullptr)) * 1000;
  return commit(std::move(v), expect_current);
}

Result<std::optional<RuleSetVersion>> RuleStore::get(uint64_t version) const {
  auto r = db_.get(kRuleSetsFamily, version_key(version));
  if (!r) return r.status();
  if (!r.value()) return std::optional<RuleSetVersion>();
  auto v = from_json(*r.value());
  if (!v) return Status::io("corrupt rule-set version " + std::to_string(version));
  return std::optional<RuleSetVersion>(std::move(*v));
}

Result<std::optional<RuleSetVersion>> RuleStore::current() const {
  uint64_t c = current_version();
  if (c == 0) return std::optional<RuleSetVersion>();
  return get(c);
}

Result<std::vector<RuleSetVersion>> RuleStore::list(size_t limit) const {
  std::vector<RuleSetVersion> out;
  auto* h = db_.family(kRuleSetsFamily);
  if (!h) return Status::internal("no column family rulesets");
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  for (it->SeekForPrev("v0"); it->Valid() && it->key().starts_with("v/") && out.size() < limit; it->Prev()) {
    auto v = from_json(std::string_view(it->value().data(), it->value().size()));
    if (v) out.push_back(std::move(*v));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Suppressions: "s/<u64 id>" -> JSON; "next" -> the next id.

std::string Suppression::config_line() const {
  std::string l;
  if (kind == "threshold") {
    // event_filter rather than threshold: it replaces the rule's own threshold keyword the same way
    // and is the name Suricata's docs use for pushed rate limits.
    l = "event_filter gen_id " + std::to_string(gid) + ", sig_id " + std::to_string(sid) + ", type " + threshold_type +
        ", track " + (track.empty() ? "by_src" : track) + ", count " + std::to_string(count) + ", seconds " +
        std::to_string(seconds);
  } else {
    l = "suppress gen_id " + std::to_string(gid) + ", sig_id " + std::to_string(sid);
    if (!track.empty()) l += ", track " + track + ", ip " + ip;
  }
  return l;
}

namespace {

json::object supp_json(const Suppression& s) {
  return {{"id", s.id},
          {"kind", s.kind},
          {"gid", s.gid},
          {"sid", s.sid},
          {"track", s.track},
          {"ip", s.ip},
          {"threshold_type", s.threshold_type},
          {"count", s.count},
          {"seconds", s.seconds},
          {"reason", s.reason},
          {"author", s.author},
          {"alert", s.alert},
          {"created_ms", s.created_ms},
          {"expires_ms", s.expires_ms},
          {"removed_ms", s.removed_ms},
          {"removed_by", s.removed_by},
          {"version", s.version}};
}

std::optional<Suppression> supp_from(std::string_view text) {
  boost::system::error_code ec;
  auto val = json::parse(text, ec);
  if (ec || !val.is_object()) return std::nullopt;
  const auto& o = val.get_object();
  Suppression s;
  s.id = static_cast<uint64_t>(num(o, "id"));
  s.kind = str(o, "kind");
  s.gid = static_cast<uint32_t>(num(o, "gid"));
  s.sid = static_cast<uint32_t>(num(o, "sid"));
  s.track = str(o, "track");
  s.ip = str(o, "ip");
  s.threshold_type = str(o, "threshold_type");
  s.count = static_cast<uint32_t>(num(o, "count"));
  s.seconds = static_cast<uint32_t>(num(o, "seconds"));
  s.reason = str(o, "reason");
  s.author = str(o, "author");
  s.alert = str(o, "alert");
  s.created_ms = num(o, "created_ms");
  s.expires_ms = num(o, "expires_ms");
  s.removed_ms = num(o, "removed_ms");
  s.removed_by = str(o, "removed_by");
  s.version = static_cast<uint64_t>(num(o, "version"));
  return s;
}

std::string supp_key(uint64_t id) {
  std::string k = "s/";
  keys::put_u64(k, id);
  return k;
}

}  // namespace

Result<Suppression> SuppressionStore::add(Suppression s) {
  std::lock_guard lock(mu_);
  auto n = db_.get(kSuppressionsFamily, "next");
  if (!n) return n.status();
  uint64_t id = 1;
  if (n.value()) keys::get_u64(*n.value(), 0, &id);
  s.id = id;
  std::string next;
  keys::put_u64(next, id + 1);
  rocksdb::WriteBatch b;
  auto* h = db_.family(kSuppressionsFamily);
  b.Put(h, supp_key(id), json::serialize(supp_json(s)));
  b.Put(h, "next", next);
  CANH_RETURN_IF_ERROR(db_.write(b, true));
  return s;
}

Status SuppressionStore::put(const Suppression& s) {
  std::lock_guard lock(mu_);
  return db_.put(kSuppressionsFamily, supp_key(s.id), json::serialize(supp_json(s)), true);
}

Result<std::optional<Suppression>> SuppressionStore::get(uint64_t id) const {
  auto r = db_.get(kSuppressionsFamily, supp_key(id));
  if (!r) return r.status();
  if (!r.value()) return std::optional<Suppression>();
  auto s = supp_from(*r.value());
  if (!s) return Status::io("corrupt suppression " + std::to_string(id));
  return std::optional<Suppression>(std::move(*s));
}

Result<std::vector<Suppression>> SuppressionStore::list() const {
  std::vector<Suppression> out;
  auto* h = db_.family(kSuppressionsFamily);
  if (!h) return Status::internal("no column family suppressions");
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  for (it->SeekForPrev("s0"); it->Valid() && it->key().starts_with("s/"); it->Prev()) {
    auto s = supp_from(std::string_view(it->value().data(), it->value().size()));
    if (s) out.push_back(std::move(*s));
  }
  return out;
}

Result<std::string> SuppressionStore::config_text(int64_t now_ms) const {
  auto l = list();
  if (!l) return l.status();
  std::string text = "# threshold.config generated by the Canh console: suppressions and thresholds in force\n";
  std::vector<const Suppression*> act;
  for (const auto& s : *l)
    if (s.active(now_ms)) act.push_back(&s);
  std::sort(act.begin(), act.end(), [](auto* a, auto* b) { return a->id < b->id; });
  for (const auto* s : act) {
    text += "# canh suppression " + std::to_string(s->id) + " by " + s->author;
    if (s->expires_ms) text += ", expires_ms " + std::to_string(s->expires_ms);
    text += "\n" + s->config_line() + "\n";
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Alert notes: "<alert id>/<u64 time_ms><u32 counter>" -> JSON.

std::pair<std::string, std::string> AlertNotes::encode(const AlertNote& n) {
  std::string k = n.alert + "/";
  keys::put_u64(k, static_cast<uint64_t>(n.time_ms));
  {
    std::lock_guard lock(mu_);
    keys::put_u32(k, counter_++);
  }
  json::object o{{"alert", n.alert}, {"time_ms", n.time_ms}, {"by", n.by},         {"kind", n.kind},
                 {"from", n.from},   {"to", n.to},           {"reason", n.reason}, {"text", n.text}};
  return {std::move(k), json::serialize(o)};
}

Status AlertNotes::add(const AlertNote& n) {
  auto [k, v] = encode(n);
  return db_.put(kAlertNotesFamily, k, v, true);
}

Result<std::vector<AlertNote>> AlertNotes::list(std::string_view alert) const {
  std::vector<AlertNote> out;
  auto* h = db_.family(kAlertNotesFamily);
  if (!h) return Status::internal("no column family alert_notes");
  std::string prefix = std::string(alert) + "/";
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && out.size() < 10000; it->Next()) {
    boost::system::error_code ec;
    auto v = json::parse(std::string_view(it->value().data(), it->value().size()), ec);
    if (ec || !v.is_object()) continue;
    const auto& o = v.get_object();
    out.push_back({str(o, "alert"), num(o, "time_ms"), str(o, "by"), str(o, "kind"), str(o, "from"), str(o, "to"),
                   str(o, "reason"), str(o, "text")});
  }
  return out;
}

}  // namespace canh::storage
