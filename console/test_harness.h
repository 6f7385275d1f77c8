// Test-only: a console on a temporary data folder, served over loopback, with one user per role.
// Used by the API tests (console/api_test.cc) so every endpoint is exercised through the real
// router and server, not by calling handlers directly.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <functional>
#include <span>
#include <map>
#include <memory>
#include <string>

#include "collector/collector.h"
#include "console/alerts_api.h"
#include "console/console.h"
#include "console/server.h"
#include "console/test_client.h"
#include "storage/storage.h"
#include "storage/test_util.h"

namespace canh::console::testing {

inline int64_t storage_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline const char* kTestPassword = "correct horse battery";


class ConsoleHarness {
 public:
  // `extra_routes` lets a test mount more routes (the collector's, fakes of nothing: real stores).
  explicit ConsoleHarness(std::function<void(Router&, Console&, storage::Storage&)> setup = {},
                          RouterOptions router_options = {}) {
    storage::StorageOptions so_;
    so_.data_dir = dir_.str();
    so_.block_cache_mb = 8;
    auto st = storage::Storage::open(so_);
    if (!st) throw std::runtime_error("cannot open test storage: " + st.status().message());
    db_ = std::move(st).value();
    ConsoleOptions co;
    co.hashing = storage::PasswordHashing::fast_for_tests();
    console_ = std::make_unique<Console>(*db_, co);
    // The whole server as canh server mounts it: the console's routes and the collector's, with
    // the collector authenticating sensors.
    collector::CollectorOptions cop;
    cop.current_ruleset = [c = console_.get()] { return c->rule_store().current_version(); };
    collector_ = std::make_unique<collector::Collector>(db_->alerts(), db_->sensors(), cop);
    RouterHooks hooks = console_->hooks();
    hooks.sensor = [c = collector_.get()](const http::Request& r) { return c->authenticate(r); };
    router_ = std::make_unique<Router>(hooks, router_options);
    Status s = router_->mount(console_->routes());
    if (s) s = router_->mount(collector_->routes());
    // The alert list and dashboard aggregates (alerts_api.h), mounted beside the console's routes.
    if (s) s = router_->mount(alert_routes(db_->alerts(), &db_->sensors()));
    if (!s) throw std::runtime_error(s.message());
    if (setup) setup(*router_, *console_, *db_);
    ServerOptions so;
    so.port = 0;
    so.threads = 2;
    auto srv = Server::start(so, *router_);
    if (!srv) throw std::runtime_error(srv.status().message());
    server_ = std::move(srv).value();
    for (auto role : {http::Role::kAdmin, http::Role::kAnalyst, http::Role::kAuditor, http::Role::kReadOnly}) {
      std::string name = user_for(role);
      Status a = console_->users().add(name, role, kTestPassword);
      if (!a) throw std::runtime_error(a.message());
    }
    auto sn = db_->sensors().create("test-sensor", "enrolled by the harness", storage_now_ms(), 3600 * 1000);
    if (!sn) throw std::runtime_error(sn.status().message());
    auto en = db_->sensors().enrol(sn->enrolment_token, "sensor.test", storage_now_ms());
    if (!en) throw std::runtime_error(en.status().message());
    sensor_id_ = en->sensor.id;
    sensor_credential_ = en->credential;
  }
  ~ConsoleHarness() { server_->stop(); }

  static std::string user_for(http::Role r) {
    std::string n(http::role_name(r));
    if (n == "read-only") n = "reader";
    return n;
  }

  uint16_t port() const { return server_->port(); }
  Client client() const { return Client(port()); }

  // A client signed in as `name`, holding its session cookie and CSRF token as the page does.
  Client login(const std::string& name, const std::string& password = kTestPassword) {
    Client c = client();
    auto r = c.post("/api/v1/login", "{\"name\":\"" + name + "\",\"password\":\"" + password + "\"}");
    if (r.status != 200) throw std::runtime_error("login " + name + ": " + std::to_string(r.status) + " " + r.body);
    auto v = boost::json::parse(r.body);
    c.set_csrf(std::string(v.at("csrf").as_string()));
    return c;
  }
  Client login(http::Role role) { return login(user_for(role)); }
  // A client holding the enrolled test sensor's credential.
  Client sensor_client() const {
    Client c = client();
    c.set_bearer(sensor_credential_);
    return c;
  }
  uint32_t sensor_id() const { return sensor_id_; }
  const std::string& sensor_credential() const { return sensor_credential_; }

  // Stores alerts as if the test sensor had sent them (the store's own ingest, durable).
  void ingest(std::vector<storage::NewAlert> alerts, uint64_t batch) {
    storage::IngestBatch b;
    b.sensor = sensor_id_;
    b.stream = 1;
    b.number = batch;
    b.alerts = std::move(alerts);
    storage::IngestBatch* p = &b;
    auto r = db_->alerts().ingest(std::span<storage::IngestBatch* const>(&p, 1), true, storage_now_ms());
    if (!r) throw std::runtime_error(r.status().message());
  }

  Console& console() { return *console_; }
  Router& router() { return *router_; }
  storage::Storage& storage() { return *db_; }
  const std::string& dir() const { return dir_.str_ref(); }

 private:
  struct Dir : storage::testing::TempDir {
    const std::string& str_ref() const {
      s_ = str();
      return s_;
    }
    mutable std::string s_;
  } dir_;
  std::unique_ptr<storage::Storage> db_;
  std::unique_ptr<Console> console_;
  std::unique_ptr<collector::Collector> collector_;
  uint32_t sensor_id_ = 0;
  std::string sensor_credential_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Server> server_;
};

inline boost::json::value parse(const std::string& body) { return boost::json::parse(body); }

}  // namespace canh::console::testing
