// The console: its stores, the router hooks that authenticate people and record the audit trail,
// and the route table of its API and web UI. `canh server` builds one, mounts console.routes() and
// the collector's routes on one Router, and installs console.hooks() (plus the collector's sensor
// hook) before serving.
//
// New API areas (the compliance pages, ...) are route files of their own: a function returning
// std::vector<http::Route>, mounted beside these.
#pragma once

#include <boost/json/fwd.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/http_types.h"
#include "common/status.h"
#include "console/router.h"
#include "console/rule_manager.h"
#include "storage/audit_log.h"
#include "storage/rule_store.h"
#include "storage/user_store.h"

namespace canh::storage {
class Database;
class Storage;
class AlertStore;
class SensorStore;
}

namespace canh::console {

struct ConsoleOptions {
  storage::PasswordHashing hashing;           // defaults: libsodium interactive limits
  int64_t session_lifetime_ms = 12ll * 3600 * 1000;
  // Per account: this many failed sign-ins within the window lock the account's sign-in for the rest
  // of the window (whatever address they come from; the router limits per address too).
  int login_failures_allowed = 5;
  std::chrono::seconds login_failure_window{15 * 60};
};

class Console {
 public:
  Console(storage::Storage& storage, ConsoleOptions options = {});
  ~Console();

  // Every route of the console API and UI.
  std::vector<http::Route> routes();
  // Session, API-token and audit hooks; the caller adds the collector's sensor hook.
  RouterHooks hooks();

  storage::UserStore& users() { return users_; }
  storage::SessionStore& sessions() { return sessions_; }
  storage::ApiTokenStore& tokens() { return tokens_; }
  storage::AuditLog& audit() { return audit_; }
  storage::RuleStore& rule_store() { return rules_; }
  storage::SuppressionStore& suppressions() { return suppressions_; }
  storage::AlertNotes& notes() { return notes_; }
  RuleManager& rule_manager() { return rule_manager_; }
  storage::Database& db() { return db_; }
  storage::Storage& storage() { return storage_; }
  storage::AlertStore& alerts();
  storage::SensorStore& sensors();

  // Account routes (auth_api.cc) and audit routes (audit_api.cc), exposed for the route table.
  std::vector<http::Route> auth_routes();
  std::vector<http::Route> audit_routes();
  std::vector<http::Route> rules_routes();
  std::vector<http::Route> triage_routes();
  std::vector<http::Route> sensor_routes();

 private:
  bool login_locked(const std::string& name, int64_t now);
  void login_failed(const std::string& name, int64_t now);
  void login_succeeded(const std::string& name);
  Result<storage::Suppression> suppression_from(const boost::json::object& body, const http::Caller& c);

  storage::Storage& storage_;
  storage::Database& db_;
  ConsoleOptions options_;
  storage::UserStore users_;
  storage::SessionStore sessions_;
  storage::ApiTokenStore tokens_;
  storage::AuditLog audit_;
  storage::RuleStore rules_;
  storage::SuppressionStore suppressions_;
  storage::AlertNotes notes_;
  RuleManager rule_manager_;

  struct Failures {
    int count = 0;
    int64_t window_start_ms = 0;
  };
  std::mutex failures_mu_;
  std::unordered_map<std::string, Failures> failures_;
};

}  // namespace canh::console
