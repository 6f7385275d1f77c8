#include "storage/user_store.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <memory>

#include "storage/database.h"

namespace canh::storage {

namespace json = boost::json;

namespace {

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string to_hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = d[p[i] >> 4];
    out[2 * i + 1] = d[p[i] & 15];
  }
  return out;
}

// Sessions and tokens are looked up by a hash of their secret: fast (they are high-entropy, so no
// password hashing is needed) and useless to whoever reads the database.
std::string secret_key(std::string_view secret) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr, 0);
  return to_hex(h, sizeof h);
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
bool flag(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v && v->is_bool() && v->get_bool();
}

Result<json::object> parse_record(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return Status::io("corrupt record " + std::string(what));
  return std::move(v.get_object());
}

template <class F>
Status scan_prefix(Database& db, std::string_view family, std::string_view prefix, F&& f) {
  auto* h = db.family(family);
  if (!h) return Status::internal("no column family " + std::string(family));
  std::unique_ptr<rocksdb::Iterator> it(db.raw()->NewIterator(rocksdb::ReadOptions(), h));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    auto k = it->key();
    if (!k.starts_with(rocksdb::Slice(prefix.data(), prefix.size()))) break;
    if (!f(std::string_view(k.data(), k.size()), std::string_view(it->value().data(), it->value().size()))) break;
  }
  return to_status(it->status(), "scan " + std::string(family));
}

User user_from(const json::object& o) {
  User u;
  u.name = str(o, "name");
  u.role = http::parse_role(str(o, "role")).value_or(http::Role::kNone);
  u.created_ms = num(o, "created_ms");
  u.disabled = flag(o, "disabled");
  return u;
}

}  // namespace

std::string random_hex(size_t bytes) {
  sodium_ready();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

PasswordHashing PasswordHashing::fast_for_tests() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

// ------------------------------------------------------------------------------------------------
// Users: key "u/<name>" -> {"name","role","hash","created_ms","disabled"}.

UserStore::UserStore(Database& db, PasswordHashing hashing) : db_(db), hashing_(hashing) {
  sodium_ready();
  if (hashing_.opslimit == 0) hashing_.opslimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
  if (hashing_.memlimit == 0) hashing_.memlimit = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
}

Status UserStore::check_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return Status::invalid("user name must be 1-64 characters");
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return Status::invalid("user name \"" + std::string(n) + "\" may use only a-z, 0-9, '.', '_' and '-'");
  return Status::ok();
}

Status UserStore::check_password(std::string_view p) {
  if (p.size() < 10) return Status::invalid("password must be at least 10 characters");
  if (p.size() > 1024) return Status::invalid("password longer than 1024 bytes");
  return Status::ok();
}

Result<std::optional<std::string>> UserStore::get_raw(std::string_view name) const {
  return db_.get(kUsersFamily, "u/" + std::string(name));
}

Status UserStore::put(const User& u, const std::string& hash) {
  json::object o;
  o["name"] = u.name;
  o["role"] = std::string(http::role_name(u.role));
  o["hash"] = hash;
  o["created_ms"] = u.created_ms;
  o["disabled"] = u.disabled;
  return db_.put(kUsersFamily, "u/" + u.name, json::serialize(o), true);
}

Status UserStore::add(std::string_view name, http::Role role, std::string_view password) {
  CANH_RETURN_IF_ERROR(check_name(name));
  CANH_RETURN_IF_ERROR(check_password(password));
  if (role == http::Role::kNone || role == http::Role::kSensor) return Status::invalid("a user needs a person's role");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_argon2id_str(hash, password.data(), password.size(), hashing_.opslimit, hashing_.memlimit) != 0)
    return Status::unavailable("password hashing ran out of memory");
  std::lock_guard lock(write_mu_);
  auto existing = get_raw(name);
  if (!existing) return existing.status();
  if (existing.value()) return Status::conflict("user \"" + std::string(name) + "\" exists already");
  User u;
  u.name = std::string(name);
  u.role = role;
  u.created_ms = static_cast<int64_t>(time(nullptr)) * 1000;
  return put(u, hash);
}

Result<User> UserStore::verify(std::string_view name, std::string_view password) const {
  static const Status kRefused = Status::permission("wrong user name or password");
  if (password.size() > 1024 || !check_name(name)) return kRefused;
  auto raw = get_raw(name);
  if (!raw) return raw.status();
  if (!raw.value()) {
    // Spend the same time as a real check so response timing does not reveal which names exist.
    static const std::string dummy = [&] {
      char h[crypto_pwhash_STRBYTES];
      if (crypto_pwhash_argon2id_str(h, "x", 1, hashing_.opslimit, hashing_.memlimit) != 0) return std::string();
      return std::string(h);
    }();
    if (!dummy.empty() && crypto_pwhash_str_verify(dummy.c_str(), password.data(), password.size()) == 0) {
      // Unreachable in practice (the dummy hashes "x", shorter than any allowed password).
    }
    return kRefused;
  }
  auto o = parse_record(*raw.value(), "users/" + std::string(name));
  if (!o) return o.status();
  std::string hash = str(*o, "hash");
  if (crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0) return kRefused;
  User u = user_from(*o);
  if (u.disabled) return Status::permission("account \"" + u.name + "\" is disabled");
  return u;
}

Result<std::optional<User>> UserStore::get(std::string_view name) const {
  auto raw = get_raw(name);
  if (!raw) return raw.status();
  if (!raw.value()) return std::optional<User>();
  auto o = parse_record(*raw.value(), "users/" + std::string(name));
  if (!o) return o.status();
  return std::optional<User>(user_from(*o));
}

Result<std::vector<User>> UserStore::list() const {
  std::vector<User> out;
  Status bad;
  Status s = scan_prefix(db_, kUsersFamily, "u/", [&](std::string_view k, std::string_view v) {
    auto o = parse_record(v, k);
    if (!o) {
      bad = o.status();
      return false;
    }
    out.push_back(user_from(*o));
    return true;
  });
  if (!s) return s;
  if (!bad) return bad;
  return out;
}

Result<size_t> UserStore::count() const {
  auto l = list();
  if (!l) return l.status();
  return l->size();
}

namespace {
template <class F>
Status modify_user(Database& db, std::string_view name, F&& f) {
  auto raw = db.get(kUsersFamily, "u/" + std::string(name));
  if (!raw) return raw.status();
  if (!raw.value()) return Status::not_found("no user \"" + std::string(name) + "\"");
  auto o = parse_record(*raw.value(), "users/" + std::string(name));
  if (!o) return o.status();
  CANH_RETURN_IF_ERROR(f(*o));
  return db.put(kUsersFamily, "u/" + std::string(name), json::serialize(*o), true);
}
}  // namespace

Status UserStore::set_role(std::string_view name, http::Role role) {
  if (role == http::Role::kNone || role == http::Role::kSensor) return Status::invalid("a user needs a person's role");
  std::lock_guard lock(write_mu_);
  return modify_user(db_, name, [&](json::object& o) {
    o["role"] = std::string(http::role_name(role));
    return Status::ok();
  });
}

Status UserStore::set_disabled(std::string_view name, bool disabled) {
  std::lock_guard lock(write_mu_);
  return modify_user(db_, name, [&](json::object& o) {
    o["disabled"] = disabled;
    return Status::ok();
  });
}

Status UserStore::set_password(std::string_view name, std::string_view password) {
  CANH_RETURN_IF_ERROR(check_password(password));
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_argon2id_str(hash, password.data(), password.size(), hashing_.opslimit, hashing_.memlimit) != 0)
    return Status::unavailable("password hashing ran out of memory");
  std::lock_guard lock(write_mu_);
  return modify_user(db_, name, [&](json::object& o) {
    o["hash"] = std::string(hash);
    return Status::ok();
  });
}

// ------------------------------------------------------------------------------------------------
// Sessions: key "s/<blake2b(id)>" -> {"user","csrf","created_ms","expires_ms"}.

SessionStore::SessionStore(Database& db, Options options) : db_(db), options_(options) { sodium_ready(); }

Result<SessionStore::Created> SessionStore::create(std::string_view user, int64_t now_ms) {
  Created c;
  c.id = random_hex(32);
  c.session.user = std::string(user);
  c.session.csrf_token = random_hex(32);
  c.session.created_ms = now_ms;
  c.session.expires_ms = now_ms + options_.lifetime_ms;
  json::object o;
  o["user"] = c.session.user;
  o["csrf"] = c.session.csrf_token;
  o["created_ms"] = c.session.created_ms;
  o["expires_ms"] = c.session.expires_ms;
  CANH_RETURN_IF_ERROR(db_.put(kSessionsFamily, "s/" + secret_key(c.id), json::serialize(o), true));
  return c;
}

Result<std::optional<Session>> SessionStore::lookup(std::string_view id, int64_t now_ms) const {
  if (id.size() != 64) return std::optional<Session>();
  std::string key = "s/" + secret_key(id);
  auto raw = db_.get(kSessionsFamily, key);
  if (!raw) return raw.status();
  if (!raw.value()) return std::optional<Session>();
  auto o = parse_record(*raw.value(), "sessions");
  if (!o) return o.status();
  Session s;
  s.user = str(*o, "user");
  s.csrf_token = str(*o, "csrf");
  s.created_ms = num(*o, "created_ms");
  s.expires_ms = num(*o, "expires_ms");
  if (s.expires_ms <= now_ms) {
    rocksdb::WriteBatch b;
    b.Delete(db_.family(kSessionsFamily), key);
    (void)db_.write(b, false);
    return std::optional<Session>();
  }
  return std::optional<Session>(std::move(s));
}

Status SessionStore::revoke(std::string_view id) {
  rocksdb::WriteBatch b;
  b.Delete(db_.family(kSessionsFamily), "s/" + secret_key(id));
  return db_.write(b, true);
}

Status SessionStore::revoke_user(std::string_view user) {
  rocksdb::WriteBatch b;
  Status s = scan_prefix(db_, kSessionsFamily, "s/", [&](std::string_view k, std::string_view v) {
    auto o = parse_record(v, k);
    if (o && str(*o, "user") == user) b.Delete(db_.family(kSessionsFamily), rocksdb::Slice(k.data(), k.size()));
    return true;
  });
  if (!s) return s;
  return db_.write(b, true);
}

// ------------------------------------------------------------------------------------------------
// API tokens: key "t/<id>" -> {"id","user","label","role","hash","created_ms","expires_ms","revoked"}.
// The secret is "canh_at_<id>_<64 hex>"; the id finds the record, the hash checks the secret.

namespace {
ApiToken token_from(const json::object& o) {
  ApiToken t;
  t.id = str(o, "id");
  t.user = str(o, "user");
  t.label = str(o, "label");
  t.role = http::parse_role(str(o, "role")).value_or(http::Role::kNone);
  t.created_ms = num(o, "created_ms");
  t.expires_ms = num(o, "expires_ms");
  t.revoked = flag(o, "revoked");
  return t;
}
}  // namespace

Result<ApiTokenStore::Created> ApiTokenStore::create(std::string_view user, std::string_view label, http::Role role,
                                                     int64_t expires_ms, int64_t now_ms) {
  if (label.size() > 200) return Status::invalid("token label longer than 200 characters");
  Created c;
  c.token.id = random_hex(8);
  c.token.user = std::string(user);
  c.token.label = std::string(label);
  c.token.role = role;
  c.token.created_ms = now_ms;
  c.token.expires_ms = expires_ms;
  c.secret = "canh_at_" + c.token.id + "_" + random_hex(32);
  json::object o;
  o["id"] = c.token.id;
  o["user"] = c.token.user;
  o["label"] = c.token.label;
  o["role"] = std::string(http::role_name(role));
  o["hash"] = secret_key(c.secret);
  o["created_ms"] = now_ms;
  o["expires_ms"] = expires_ms;
  o["revoked"] = false;
  CANH_RETURN_IF_ERROR(db_.put(kApiTokensFamily, "t/" + c.token.id, json::serialize(o), true));
  return c;
}

Result<std::optional<ApiToken>> ApiTokenStore::lookup(std::string_view secret, int64_t now_ms) const {
  constexpr std::string_view kPrefix = "canh_at_";
  if (secret.size() != kPrefix.size() + 16 + 1 + 64 || secret.substr(0, kPrefix.size()) != kPrefix)
    return std::optional<ApiToken>();
  std::string id(secret.substr(kPrefix.size(), 16));
  auto raw = db_.get(kApiTokensFamily, "t/" + id);
  if (!raw) return raw.status();
  if (!raw.value()) return std::optional<ApiToken>();
  auto o = parse_record(*raw.value(), "api_tokens/" + id);
  if (!o) return o.status();
  std::string want = str(*o, "hash"), got = secret_key(secret);
  if (want.size() != got.size() || sodium_memcmp(want.data(), got.data(), want.size()) != 0)
    return std::optional<ApiToken>();
  ApiToken t = token_from(*o);
  if (t.revoked || (t.expires_ms != 0 && t.expires_ms <= now_ms)) return std::optional<ApiToken>();
  return std::optional<ApiToken>(std::move(t));
}

Result<std::vector<ApiToken>> ApiTokenStore::list(std::string_view user) const {
  std::vector<ApiToken> out;
  Status s = scan_prefix(db_, kApiTokensFamily, "t/", [&](std::string_view k, std::string_view v) {
    auto o = parse_record(v, k);
    if (o) {
      ApiToken t = token_from(*o);
      if (user.empty() || t.user == user) out.push_back(std::move(t));
    }
    return true;
  });
  if (!s) return s;
  return out;
}

Result<std::optional<ApiToken>> ApiTokenStore::get(std::string_view id) const {
  auto raw = db_.get(kApiTokensFamily, "t/" + std::string(id));
  if (!raw) return raw.status();
  if (!raw.value()) return std::optional<ApiToken>();
  auto o = parse_record(*raw.value(), "api_tokens/" + std::string(id));
  if (!o) return o.status();
  return std::optional<ApiToken>(token_from(*o));
}

Status ApiTokenStore::revoke(std::string_view id) {
  auto raw = db_.get(kApiTokensFamily, "t/" + std::string(id));
  if (!raw) return raw.status();
  if (!raw.value()) return Status::not_found("no API token \"" + std::string(id) + "\"");
  auto o = parse_record(*raw.value(), "api_tokens/" + std::string(id));
  if (!o) return o.status();
  (*o)["revoked"] = true;
  return db_.put(kApiTokensFamily, "t/" + std::string(id), json::serialize(*o), true);
}

}  // namespace canh::storage
