// Accounts of the console: users (argon2id password hashes via libsodium), browser sessions and API
// tokens. Secrets are never stored: sessions and tokens are kept under a BLAKE2b hash of the secret,
// so a copy of the database does not let anyone sign in.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_types.h"
#include "common/status.h"

namespace canh::storage {

class Database;

inline constexpr std::string_view kUsersFamily = "users";
inline constexpr std::string_view kSessionsFamily = "sessions";
inline constexpr std::string_view kApiTokensFamily = "api_tokens";

struct User {
  std::string name;  // also the id: 1-64 of [a-z0-9._-], lower case
  http::Role role = http::Role::kReadOnly;
  int64_t created_ms = 0;
  bool disabled = false;
};

struct PasswordHashing {
  // libsodium's "interactive" limits (argon2id, 2 passes, 64 MiB) by default; tests lower them.
  unsigned long long opslimit = 0;  // 0: crypto_pwhash_OPSLIMIT_INTERACTIVE
  size_t memlimit = 0;              // 0: crypto_pwhash_MEMLIMIT_INTERACTIVE
  static PasswordHashing fast_for_tests();
};

class UserStore {
 public:
  explicit UserStore(Database& db, PasswordHashing hashing = {});

  // Name rules above; password 10-1024 bytes. kConflict when the name exists.
  Status add(std::string_view name, http::Role role, std::string_view password);
  // The user when the password matches and the account is enabled; kPermission otherwise, with the
  // same message for "no such user" and "wrong password" so names cannot be probed.
  Result<User> verify(std::string_view name, std::string_view password) const;
  Result<std::optional<User>> get(std::string_view name) const;
  Result<std::vector<User>> list() const;
  Status set_role(std::string_view name, http::Role role);
  Status set_disabled(std::string_view name, bool disabled);
  Status set_password(std::string_view name, std::string_view password);
  Result<size_t> count() const;

  static Status check_name(std::string_view name);
  static Status check_password(std::string_view password);

 private:
  Result<std::optional<std::string>> get_raw(std::string_view name) const;
  Status put(const User& u, const std::string& hash);
  Database& db_;
  PasswordHashing hashing_;
  std::mutex write_mu_;  // read-modify-write of a user record
};

struct Session {
  std::string user;
  std::string csrf_token;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
};

class SessionStore {
 public:
  struct Options {
    int64_t lifetime_ms = 12ll * 3600 * 1000;  // a working day; then sign in again
  };
  explicit SessionStore(Database& db) : SessionStore(db, Options{}) {}
  SessionStore(Database& db, Options options);

  struct Created {
    std::string id;  // the cookie value; only its hash is stored
    Session session;
  };
  Result<Created> create(std::string_view user, int64_t now_ms);
  // nullopt when unknown or expired (an expired one is deleted on sight).
  Result<std::optional<Session>> lookup(std::string_view id, int64_t now_ms) const;
  Status revoke(std::string_view id);
  Status revoke_user(std::string_view user);  // on password change, role change, disable

  const Options& options() const { return options_; }

 private:
  Database& db_;
  Options options_;
};

struct ApiToken {
  std::string id;     // public part, shown in lists
  std::string user;   // owner
  std::string label;  // what the owner called it ("nightly export")
  http::Role role = http::Role::kReadOnly;  // at most the owner's role when created
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0: never
  bool revoked = false;
};

class ApiTokenStore {
 public:
  explicit ApiTokenStore(Database& db) : db_(db) {}
  struct Created {
    std::string secret;  // "canh_at_<id>_<random>", shown once
    ApiToken token;
  };
  Result<Created> create(std::string_view user, std::string_view label, http::Role role, int64_t expires_ms,
                         int64_t now_ms);
  // The token when the secret is right, not revoked and not expired.
  Result<std::optional<ApiToken>> lookup(std::string_view secret, int64_t now_ms) const;
  Result<std::vector<ApiToken>> list(std::string_view user) const;  // empty user: all
  Status revoke(std::string_view id);
  Result<std::optional<ApiToken>> get(std::string_view id) const;

 private:
  Database& db_;
};

// Random lowercase hex of `bytes` random bytes (libsodium's CSPRNG).
std::string random_hex(size_t bytes);

}  // namespace canh::storage
