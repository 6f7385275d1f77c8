#include "storage/audit_log.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <memory>

#include "common/http_types.h"
#include "storage/database.h"
#include "storage/keys.h"

namespace canh::storage {

namespace json = boost::json;

namespace {

const std::string kZeroHash(64, '0');
constexpr std::string_view kHashField = ",\"hash\":\"";

std::string key_of(uint64_t seq) {
  std::string k;
  keys::put_u64(k, seq);
  return k;
}

}  // namespace

std::string AuditLog::sha256_hex(std::string_view bytes) {
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

std::string AuditLog::serialize_without_hash(const AuditRecord& r) {
  using http::json_quote;
  std::string s = "{\"seq\":" + std::to_string(r.seq) + ",\"time_ms\":" + std::to_string(r.time_ms);
  s += ",\"actor_kind\":" + json_quote(r.actor_kind);
  s += ",\"actor\":" + json_quote(r.actor);
  s += ",\"actor_name\":" + json_quote(r.actor_name);
  s += ",\"role\":" + json_quote(r.role);
  s += ",\"action\":" + json_quote(r.action);
  s += ",\"method\":" + json_quote(r.method);
  s += ",\"path\":" + json_quote(r.path);
  s += ",\"remote\":" + json_quote(r.remote);
  s += ",\"status\":" + std::to_string(r.status);
  s += ",\"detail\":" + json_quote(r.detail);
  s += ",\"prev\":" + json_quote(r.prev);
  s += "}";
  return s;
}

std::optional<AuditRecord> AuditLog::parse(std::string_view raw) {
  boost::system::error_code ec;
  auto v = json::parse(raw, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  auto s = [&](std::string_view k) {
    auto* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->get_string()) : std::string();
  };
  auto n = [&](std::string_view k) -> int64_t {
    auto* x = o.if_contains(k);
    if (x && x->is_int64()) return x->get_int64();
    if (x && x->is_uint64()) return static_cast<int64_t>(x->get_uint64());
    return -1;
  };
  AuditRecord r;
  int64_t seq = n("seq");
  if (seq <= 0) return std::nullopt;
  r.seq = static_cast<uint64_t>(seq);
  r.time_ms = n("time_ms");
  r.actor_kind = s("actor_kind");
  r.actor = s("actor");
  r.actor_name = s("actor_name");
  r.role = s("role");
  r.action = s("action");
  r.method = s("method");
  r.path = s("path");
  r.remote = s("remote");
  r.status = static_cast<int>(n("status"));
  r.detail = s("detail");
  r.prev = s("prev");
  r.hash = s("hash");
  r.raw = std::string(raw);
  return r;
}

AuditLog::AuditLog(Database& db) : db_(db) {
  if (sodium_init() < 0) init_status_ = Status::internal("libsodium failed to initialise");
  last_hash_ = kZeroHash;
  auto* h = db_.family(kAuditFamily);
  if (!h) {
    init_status_ = Status::internal("no column family audit");
    return;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  it->SeekToLast();
  if (it->Valid()) {
    auto rec = parse(std::string_view(it->value().data(), it->value().size()));
    if (!rec) {
      init_status_ = Status::io("audit log: last record is unreadable; run canh audit verify");
      return;
    }
    last_seq_ = rec->seq;
    last_hash_ = rec->hash;
  }
}

uint64_t AuditLog::last_seq() const {
  std::lock_guard lock(mu_);
  return last_seq_;
}

Result<AuditRecord> AuditLog::append(AuditRecord r) {
  if (!init_status_) return init_status_;
  if (r.detail.size() > 4096) r.detail.resize(4096);
  std::lock_guard lock(mu_);
  r.seq = last_seq_ + 1;
  r.prev = last_hash_;
  std::string body = serialize_without_hash(r);
  r.hash = sha256_hex(body);
  body.pop_back();  // '}'
  r.raw = body + std::string(kHashField) + r.hash + "\"}";
  CANH_RETURN_IF_ERROR(db_.put(kAuditFamily, key_of(r.seq), r.raw, true));
  last_seq_ = r.seq;
  last_hash_ = r.hash;
  return r;
}

Result<std::vector<AuditRecord>> AuditLog::list(uint64_t after_seq, size_t limit,
                                                const std::function<bool(const AuditRecord&)>& filter) const {
  std::vector<AuditRecord> out;
  auto* h = db_.family(kAuditFamily);
  if (!h) return Status::internal("no column family audit");
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  std::string start = key_of(after_seq + 1);
  for (it->Seek(start); it->Valid() && out.size() < limit; it->Next()) {
    auto rec = parse(std::string_view(it->value().data(), it->value().size()));
    if (!rec) return Status::io("audit log: unreadable record; run canh audit verify");
    if (!filter || filter(*rec)) out.push_back(std::move(*rec));
  }
  if (!it->status().ok()) return to_status(it->status(), "scan audit");
  return out;
}

Result<std::vector<AuditRecord>> AuditLog::list_newest(uint64_t before_seq, size_t limit,
                                                       const std::function<bool(const AuditRecord&)>& filter) const {
  std::vector<AuditRecord> out;
  auto* h = db_.family(kAuditFamily);
  if (!h) return Status::internal("no column family audit");
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  if (before_seq == 0) it->SeekToLast();
  else it->SeekForPrev(key_of(before_seq - 1));
  for (; it->Valid() && out.size() < limit; it->Prev()) {
    auto rec = parse(std::string_view(it->value().data(), it->value().size()));
    if (!rec) return Status::io("audit log: unreadable record; run canh audit verify");
    if (!filter || filter(*rec)) out.push_back(std::move(*rec));
  }
  if (!it->status().ok()) return to_status(it->status(), "scan audit");
  return out;
}

AuditVerifyReport AuditLog::verify() const {
  AuditVerifyReport rep;
  rep.last_hash = kZeroHash;
  auto fail = [&](uint64_t seq, std::string why) {
    rep.ok = false;
    rep.first_bad_seq = seq;
    rep.problem = "seq " + std::to_string(seq) + ": " + why;
    return rep;
  };
  auto* h = db_.family(kAuditFamily);
  if (!h) return fail(0, "no audit column family");
  std::unique_ptr<rocksdb::Iterator> it(db_.raw()->NewIterator(rocksdb::ReadOptions(), h));
  uint64_t expect = 1;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    uint64_t key_seq = 0;
    keys::get_u64(std::string_view(it->key().data(), it->key().size()), 0, &key_seq);
    std::string_view raw(it->value().data(), it->value().size());
    if (key_seq != expect) return fail(expect, "missing (next stored record is seq " + std::to_string(key_seq) + ")");
    auto rec = parse(raw);
    if (!rec) return fail(expect, "unreadable record");
    if (rec->seq != expect) return fail(expect, "record says seq " + std::to_string(rec->seq));
    if (rec->prev != rep.last_hash) return fail(expect, "previous-hash link broken (a record before it was removed or changed)");
    auto pos = raw.rfind(kHashField);
    if (pos == std::string_view::npos) return fail(expect, "no hash field");
    std::string body = std::string(raw.substr(0, pos)) + "}";
    if (sha256_hex(body) != rec->hash) return fail(expect, "hash mismatch (record edited)");
    rep.last_hash = rec->hash;
    rep.records++;
  }
  if (!it->status().ok()) return fail(expect, "read error: " + it->status().ToString());
  return rep;
}

}  // namespace canh::storage
