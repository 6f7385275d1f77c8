#include "console/console.h"

#include "common/log.h"
#include "console/api_util.h"
#include "console/assets.h"
#include "storage/storage.h"

namespace canh::console {

Console::Console(storage::Storage& storage, ConsoleOptions options)
    : storage_(storage),
      db_(storage.db()),
      options_(options),
      users_(db_, options.hashing),
      sessions_(db_, storage::SessionStore::Options{options.session_lifetime_ms}),
      tokens_(db_),
      audit_(db_),
      rules_(db_),
      suppressions_(db_),
      notes_(db_),
      rule_manager_(rules_, suppressions_) {}

Console::~Console() = default;

storage::AlertStore& Console::alerts() { return storage_.alerts(); }
storage::SensorStore& Console::sensors() { return storage_.sensors(); }

RouterHooks Console::hooks() {
  RouterHooks h;
  h.session = [this](std::string_view id) -> Result<std::optional<SessionAuth>> {
    auto s = sessions_.lookup(id, now_ms());
    if (!s) return s.status();
    if (!s.value()) return std::optional<SessionAuth>();
    // The role is read from the user record on every request, so a role change or a disabled
    // account takes effect at once (the admin handlers also end the user's sessions).
    auto u = users_.get(s.value()->user);
    if (!u) return u.status();
    if (!u.value() || u.value()->disabled) return std::optional<SessionAuth>();
    SessionAuth a;
    a.caller = {http::Caller::Kind::kSession, u.value()->name, u.value()->name, u.value()->role};
    a.csrf_token = s.value()->csrf_token;
    return std::optional<SessionAuth>(std::move(a));
  };
  h.api_token = [this](std::string_view secret) -> Result<std::optional<http::Caller>> {
    auto t = tokens_.lookup(secret, now_ms());
    if (!t) return t.status();
    if (!t.value()) return std::optional<http::Caller>();
    auto u = users_.get(t.value()->user);
    if (!u) return u.status();
    if (!u.value() || u.value()->disabled) return Status::permission("the API token's owner is disabled or gone");
    http::Role role = t.value()->role;
    if (role != http::Role::kReadOnly && role != u.value()->role)
      return Status::permission("the API token's role no longer matches its owner's: create a new token");
    return std::optional<http::Caller>(http::Caller{http::Caller::Kind::kApiToken, t.value()->id, u.value()->name, role});
  };
  h.audit = [this](const AuditEvent& e) -> Status {
    storage::AuditRecord r;
    r.time_ms = e.time_ms;
    r.actor_kind = e.actor_kind;
    r.actor = e.actor_id;
    r.actor_name = e.actor_name;
    r.role = e.role;
    r.action = e.action;
    r.method = e.method;
    r.path = e.path;
    r.remote = e.remote;
    r.status = e.status;
    r.detail = e.detail;
    auto a = audit_.append(std::move(r));
    return a ? Status::ok() : a.status();
  };
  return h;
}

std::vector<http::Route> Console::routes() {
  std::vector<http::Route> all;
  auto add = [&](std::vector<http::Route> v) {
    for (auto& r : v) all.push_back(std::move(r));
  };
  add(auth_routes());
  add(audit_routes());
  add(rules_routes());
  add(triage_routes());
  add(sensor_routes());
  add(asset_routes());
  return all;
}

}  // namespace canh::console
