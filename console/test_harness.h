// Test-only: a console on a temporary data folder, served over loopback, with one user per role.
// Used by the API tests (console/api_test.cc) so every endpoint is exercised through the real
// router and server, not by calling handlers directly.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "console/console.h"
#include "console/server.h"
#include "console/test_client.h"
#include "storage/database.h"
#include "storage/test_util.h"

namespace canh::console::testing {

inline const char* kTestPassword = "correct horse battery";
// Stands in for the collector's sensor authenticator (collector/): the router's sensor hook is
// theirs; these tests check the router and console routes around it.
inline const char* kTestSensorToken = "test-sensor-credential";

class ConsoleHarness {
 public:
  // `extra_routes` lets a test mount more routes (the collector's, fakes of nothing: real stores).
  explicit ConsoleHarness(std::function<void(Router&, Console&, storage::Database&)> setup = {},
                          RouterOptions router_options = {}) {
    db_ = storage::testing::open_test_db(dir_.str());
    if (!db_) throw std::runtime_error("cannot open test database");
    ConsoleOptions co;
    co.hashing = storage::PasswordHashing::fast_for_tests();
    console_ = std::make_unique<Console>(*db_, co);
    RouterHooks hooks = console_->hooks();
    hooks.sensor = [](const http::Request& r) -> Result<std::optional<http::Caller>> {
      auto a = r.header("authorization");
      if (a.empty()) return std::optional<http::Caller>();
      if (a != std::string("Bearer ") + kTestSensorToken) return Status::permission("sensor credentials rejected");
      return std::optional<http::Caller>(http::Caller{http::Caller::Kind::kSensor, "1", "test-sensor", http::Role::kSensor});
    };
    router_ = std::make_unique<Router>(hooks, router_options);
    Status s = router_->mount(console_->routes());
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

  Console& console() { return *console_; }
  Router& router() { return *router_; }
  storage::Database& db() { return *db_; }
  const std::string& dir() const { return dir_.str_ref(); }

 private:
  struct Dir : storage::testing::TempDir {
    const std::string& str_ref() const {
      s_ = str();
      return s_;
    }
    mutable std::string s_;
  } dir_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<Console> console_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<Server> server_;
};

inline boost::json::value parse(const std::string& body) { return boost::json::parse(body); }

}  // namespace canh::console::testing
