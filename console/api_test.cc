// API tests through the real server over loopback: accounts, sessions, CSRF, tokens, rate limits,
// the audit trail, and the authorization matrix of every console route.
#include <gtest/gtest.h>

#include <set>

#include "console/test_harness.h"

namespace canh::console {
namespace {

using http::Role;
using testing::Client;
using testing::ConsoleHarness;
using testing::kTestPassword;
using testing::parse;

RouterOptions generous() {
  RouterOptions o;
  o.anonymous_burst = 1000;
  return o;
}

TEST(AuthApi, LoginSetsAHardenedSessionCookieAndReturnsTheCsrfToken) {
  ConsoleHarness h;
  Client c = h.client();
  auto r = c.post("/api/v1/login", R"({"name":"analyst","password":"correct horse battery"})");
  ASSERT_EQ(r.status, 200) << r.body;
  std::string cookie = r.header("Set-Cookie");
  EXPECT_NE(cookie.find("canh_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP here; see ServesHttps for TLS
  auto v = parse(r.body);
  EXPECT_EQ(v.at("role").as_string(), "analyst");
  EXPECT_EQ(v.at("csrf").as_string().size(), 64u);
  auto me = c.get("/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(parse(me.body).at("name").as_string(), "analyst");
  EXPECT_EQ(parse(me.body).at("csrf").as_string(), v.at("csrf").as_string());
}

TEST(AuthApi, WrongPasswordIs401AndIsAudited) {
  ConsoleHarness h;
  Client c = h.client();
  auto r = c.post("/api/v1/login", R"({"name":"analyst","password":"not the password"})");
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(c.cookie().empty());
  auto recs = h.console().audit().list_newest(0, 1);
  ASSERT_TRUE(recs && recs->size() == 1);
  EXPECT_EQ(recs->front().action, "auth.login");
  EXPECT_EQ(recs->front().status, 401);
  EXPECT_NE(recs->front().detail.find("failed sign-in as \"analyst\""), std::string::npos);
  EXPECT_EQ(recs->front().raw.find("not the password"), std::string::npos);  // never the password
}

TEST(AuthApi, LoginNeedsJsonContentType) {
  ConsoleHarness h;
  Client c = h.client();
  auto r = c.request("POST", "/api/v1/login", "name=analyst&password=correct+horse+battery",
                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("application/json"), std::string::npos);
}

TEST(AuthApi, RepeatedFailuresLockTheAccountButNotOthers) {
  ConsoleHarness h({}, generous());
  Client c = h.client();
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(c.post("/api/v1/login", R"({"name":"analyst","password":"guess guess guess"})").status, 401);
  // Even the right password is refused while the account is locked.
  auto locked = c.post("/api/v1/login", R"({"name":"analyst","password":"correct horse battery"})");
  EXPECT_EQ(locked.status, 429);
  EXPECT_FALSE(locked.header("Retry-After").empty());
  EXPECT_EQ(c.post("/api/v1/login", R"({"name":"admin","password":"correct horse battery"})").status, 200);
}

TEST(AuthApi, LoginIsRateLimitedPerAddress) {
  RouterOptions o;
  o.anonymous_burst = 3;
  o.anonymous_refill = std::chrono::hours(1);
  ConsoleHarness h({}, o);
  Client c = h.client();
  int limited = 0;
  for (int i = 0; i < 5; ++i) {
    auto r = c.post("/api/v1/login", "{\"name\":\"u" + std::to_string(i) + "\",\"password\":\"xxxxxxxxxxxx\"}");
    if (r.status == 429) {
      ++limited;
      EXPECT_EQ(r.header("x-canh-denied"), "rate");
    }
  }
  EXPECT_EQ(limited, 2);
}

TEST(AuthApi, LogoutEndsTheSession) {
  ConsoleHarness h;
  Client c = h.login(Role::kAnalyst);
  std::string cookie = c.cookie();
  auto r = c.post("/api/v1/logout", "{}");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  Client stale = h.client();
  stale.set_cookie(cookie);
  EXPECT_EQ(stale.get("/api/v1/me").status, 401);
}

TEST(Csrf, SessionStateChangeWithoutTokenIsRejected) {
  ConsoleHarness h;
  Client c = h.login(Role::kAdmin);
  std::string token = c.csrf();
  c.set_csrf("");
  auto r = c.post("/api/v1/users", R"({"name":"eve","role":"admin","password":"a long password"})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("x-canh-denied"), "csrf");
  c.set_csrf(std::string(64, 'a'));
  EXPECT_EQ(c.post("/api/v1/users", R"({"name":"eve","role":"admin","password":"a long password"})").status, 403);
  EXPECT_FALSE(h.console().users().get("eve").value());
  c.set_csrf(token);
  EXPECT_EQ(c.post("/api/v1/users", R"({"name":"eve","role":"admin","password":"a long password"})").status, 201);
}

TEST(Csrf, AnotherSessionsTokenDoesNotWork) {
  ConsoleHarness h;
  Client a = h.login(Role::kAdmin);
  Client b = h.login(Role::kAdmin);
  a.set_csrf(b.csrf());
  EXPECT_EQ(a.post("/api/v1/users", R"({"name":"eve","role":"admin","password":"a long password"})").status, 403);
}

TEST(Csrf, CrossOriginPostIsRejected) {
  ConsoleHarness h;
  Client c = h.login(Role::kAdmin);
  auto r = c.request("POST", "/api/v1/users", R"({"name":"eve","role":"admin","password":"a long password"})",
                     {{"Origin", "http://evil.example"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("x-canh-denied"), "origin");
}

TEST(ApiTokens, TokenWorksWithoutCookieOrCsrfAndCanBeRevoked) {
  ConsoleHarness h;
  Client admin = h.login(Role::kAdmin);
  auto r = admin.post("/api/v1/tokens", R"({"label":"export","role":"read-only","expires_days":1})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto v = parse(r.body);
  std::string secret(v.at("secret").as_string()), id(v.at("id").as_string());
  Client script = h.client();
  script.set_bearer(secret);
  auto me = script.get("/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(parse(me.body).at("role").as_string(), "read-only");
  EXPECT_EQ(parse(me.body).at("via").as_string(), "api-token");
  // Read-only: cannot administer users.
  EXPECT_EQ(script.get("/api/v1/users").status, 403);
  // A token cannot mint tokens.
  EXPECT_EQ(script.post("/api/v1/tokens", "{}").status, 403);
  EXPECT_EQ(admin.request("DELETE", "/api/v1/tokens/" + id).status, 200);
  EXPECT_EQ(script.get("/api/v1/me").status, 401);
}

TEST(ApiTokens, RoleIsTheOwnersOrReadOnly) {
  ConsoleHarness h;
  Client analyst = h.login(Role::kAnalyst);
  EXPECT_EQ(analyst.post("/api/v1/tokens", R"({"role":"admin"})").status, 403);
  EXPECT_EQ(analyst.post("/api/v1/tokens", R"({"role":"auditor"})").status, 403);
  EXPECT_EQ(analyst.post("/api/v1/tokens", R"({"role":"analyst"})").status, 201);
  EXPECT_EQ(analyst.post("/api/v1/tokens", R"({"role":"superuser"})").status, 400);
}

TEST(ApiTokens, OwnerDemotionInvalidatesAFullRoleToken) {
  ConsoleHarness h;
  Client analyst = h.login(Role::kAnalyst);
  auto t = analyst.post("/api/v1/tokens", R"({"label":"x"})");
  ASSERT_EQ(t.status, 201);
  Client script = h.client();
  script.set_bearer(std::string(parse(t.body).at("secret").as_string()));
  EXPECT_EQ(script.get("/api/v1/me").status, 200);
  ASSERT_TRUE(h.console().users().set_role("analyst", Role::kReadOnly));
  EXPECT_EQ(script.get("/api/v1/me").status, 401);
}

TEST(Users, AdminAddsChangesAndDisablesUsersAndSessionsEnd) {
  ConsoleHarness h;
  Client admin = h.login(Role::kAdmin);
  auto add = admin.post("/api/v1/users", R"({"name":"minh","role":"analyst","password":"minh's long password"})");
  ASSERT_EQ(add.status, 201) << add.body;
  EXPECT_EQ(admin.post("/api/v1/users", R"({"name":"minh","role":"analyst","password":"minh's long password"})").status,
            409);
  EXPECT_EQ(admin.post("/api/v1/users", R"({"name":"x","role":"analyst","password":"short"})").status, 400);
  Client minh = h.login("minh", "minh's long password");
  EXPECT_EQ(minh.get("/api/v1/me").status, 200);
  EXPECT_EQ(admin.post("/api/v1/users/minh", R"({"role":"auditor"})").status, 200);
  EXPECT_EQ(minh.get("/api/v1/me").status, 401);  // sessions ended on role change
  EXPECT_EQ(admin.post("/api/v1/users/minh", R"({"disabled":true})").status, 200);
  Client again = h.client();
  auto refused = again.post("/api/v1/login", R"({"name":"minh","password":"minh's long password"})");
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("disabled"), std::string::npos);
  auto list = admin.get("/api/v1/users");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(parse(list.body).at("users").as_array().size(), 5u);
  // An admin cannot lock themself out.
  EXPECT_EQ(admin.post("/api/v1/users/admin", R"({"role":"analyst"})").status, 409);
  EXPECT_EQ(admin.post("/api/v1/users/admin", R"({"disabled":true})").status, 409);
  EXPECT_EQ(admin.post("/api/v1/users/ghost", R"({"disabled":true})").status, 404);
}

TEST(Users, ChangingOwnPasswordNeedsTheOldOneAndEndsSessions) {
  ConsoleHarness h;
  Client c = h.login(Role::kAuditor);
  Client other = h.login(Role::kAuditor);
  EXPECT_EQ(c.post("/api/v1/me/password", R"({"old_password":"wrong wrong","new_password":"new long password"})").status,
            403);
  EXPECT_EQ(c.post("/api/v1/me/password",
                   R"({"old_password":"correct horse battery","new_password":"new long password"})")
                .status,
            200);
  EXPECT_EQ(other.get("/api/v1/me").status, 401);
  EXPECT_NO_THROW(h.login("auditor", "new long password"));
}

TEST(Audit, EveryActionIsRecordedInAVerifiableChain) {
  ConsoleHarness h;
  Client admin = h.login(Role::kAdmin);
  ASSERT_EQ(admin.post("/api/v1/users", R"({"name":"minh","role":"analyst","password":"minh's long password"})").status,
            201);
  ASSERT_EQ(admin.post("/api/v1/users/minh", R"({"role":"auditor"})").status, 200);
  Client auditor = h.login(Role::kAuditor);
  auto list = auditor.get("/api/v1/audit?limit=10");
  ASSERT_EQ(list.status, 200);
  auto recs = parse(list.body).at("records").as_array();
  ASSERT_GE(recs.size(), 4u);
  // Newest first: the auditor's sign-in, the role change, the user creation, the admin's sign-in.
  EXPECT_EQ(recs[0].at("action").as_string(), "auth.login");
  EXPECT_EQ(recs[1].at("action").as_string(), "user.update");
  EXPECT_EQ(recs[1].at("actor_name").as_string(), "admin");
  EXPECT_NE(std::string(recs[1].at("detail").as_string()).find("role analyst -> auditor"), std::string::npos);
  EXPECT_EQ(recs[2].at("action").as_string(), "user.add");
  EXPECT_EQ(recs[1].at("prev").as_string(), recs[2].at("hash").as_string());
  auto v = auditor.get("/api/v1/audit/verify");
  ASSERT_EQ(v.status, 200);
  EXPECT_TRUE(parse(v.body).at("ok").as_bool());
  auto filtered = auditor.get("/api/v1/audit?action=user.");
  EXPECT_EQ(parse(filtered.body).at("records").as_array().size(), 2u);
  auto exp = auditor.get("/api/v1/audit/export");
  ASSERT_EQ(exp.status, 200);
  EXPECT_EQ(exp.header("Content-Type"), "application/x-ndjson");
  EXPECT_NE(exp.body.find("\"action\":\"user.add\""), std::string::npos);
}

TEST(Audit, ReadersOnlyAndBadQueryIs400) {
  ConsoleHarness h;
  EXPECT_EQ(h.login(Role::kAnalyst).get("/api/v1/audit").status, 403);
  EXPECT_EQ(h.login(Role::kAdmin).get("/api/v1/audit?limit=abc").status, 400);
}

TEST(Assets, PageAndScriptsAreServedWithTheirTypes) {
  ConsoleHarness h;
  Client c = h.client();
  auto page = c.get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/assets/app.js"), std::string::npos);
  auto js = c.get("/assets/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(c.get("/assets/nope.js").status, 404);
  EXPECT_EQ(c.get("/assets/pages/audit.js").status, 200);
}

// ---------------------------------------------------------------------------------------------
// Authorization matrix: every mounted route × every kind of caller, checked against this explicit
// table (not derived from the routes' own Access, so a changed Access fails here until reviewed).
// Roles: A admin, N analyst, U auditor, R read-only, S sensor; "*" anyone, including anonymous.
struct Expect {
  const char* route;
  const char* allowed;
};
const Expect kMatrix[] = {
    {"GET /", "*"},
    {"GET /assets/{file}", "*"},
    {"GET /assets/{dir}/{file}", "*"},
    {"POST /api/v1/login", "*"},
    {"POST /api/v1/logout", "ANUR"},
    {"GET /api/v1/me", "ANUR"},
    {"POST /api/v1/me/password", "ANUR"},
    {"GET /api/v1/tokens", "ANUR"},
    {"POST /api/v1/tokens", "ANUR"},
    {"DELETE /api/v1/tokens/{id}", "ANUR"},
    {"GET /api/v1/users", "A"},
    {"POST /api/v1/users", "A"},
    {"POST /api/v1/users/{name}", "A"},
    {"GET /api/v1/audit", "AU"},
    {"GET /api/v1/audit/verify", "AU"},
    {"GET /api/v1/audit/export", "AU"},
    {"GET /api/v1/rules", "ANUR"},
    {"GET /api/v1/rules/{sid}", "ANUR"},
    {"POST /api/v1/rules/{sid}/enabled", "AN"},
    {"GET /api/v1/rulesets", "ANUR"},
    {"GET /api/v1/rulesets/{version}", "ANUR"},
    {"POST /api/v1/rulesets/validate", "AN"},
    {"POST /api/v1/rulesets", "A"},
    {"POST /api/v1/rulesets/{version}/activate", "A"},
    {"GET /api/v1/suppressions", "ANUR"},
    {"POST /api/v1/suppressions", "AN"},
    {"DELETE /api/v1/suppressions/{id}", "AN"},
    {"GET /api/v1/sensor/ruleset", "S"},
    {"GET /api/v1/sensor/rulefile/{sha256}", "S"},
    {"GET /api/v1/alerts", "ANUR"},
    {"GET /api/v1/alerts/stats", "ANUR"},
    {"GET /api/v1/alerts/{id}", "ANUR"},
    {"POST /api/v1/alerts/{id}/triage", "AN"},
    {"POST /api/v1/alerts/{id}/comments", "AN"},
    {"POST /api/v1/alerts/bulk", "AN"},
    {"GET /api/v1/alerts/groups", "ANUR"},
    {"GET /api/v1/sensors", "ANUR"},
    {"GET /api/v1/sensors/{id}/health", "ANUR"},
    {"POST /api/v1/sensors", "A"},
    {"POST /api/v1/sensors/{id}/token", "A"},
    {"POST /api/v1/sensors/{id}/decommission", "A"},
    // The collector's routes (collector/collector.h), mounted on the same router.
    {"POST /api/v1/sensors/enrol", "*"},
    {"POST /api/v1/sensor/alerts", "S"},
    {"POST /api/v1/sensor/heartbeat", "S"},
};

TEST(AuthorizationMatrix, EveryRouteIsInTheTableWithTheSameRoles) {
  ConsoleHarness h;
  std::set<std::string> mounted;
  for (const auto& e : h.router().routes()) {
    std::string key = e.route.method + " " + e.route.pattern;
    mounted.insert(key);
    const Expect* x = nullptr;
    for (const auto& m : kMatrix)
      if (key == m.route) x = &m;
    ASSERT_NE(x, nullptr) << key << " is mounted but missing from the authorization matrix";
    std::string allowed = x->allowed;
    EXPECT_EQ(e.route.access.anonymous, allowed == "*") << key;
    if (allowed != "*") {
      EXPECT_EQ(e.route.access.allows(Role::kAdmin), allowed.find('A') != std::string::npos) << key;
      EXPECT_EQ(e.route.access.allows(Role::kAnalyst), allowed.find('N') != std::string::npos) << key;
      EXPECT_EQ(e.route.access.allows(Role::kAuditor), allowed.find('U') != std::string::npos) << key;
      EXPECT_EQ(e.route.access.allows(Role::kReadOnly), allowed.find('R') != std::string::npos) << key;
      EXPECT_EQ(e.route.access.allows(Role::kSensor), allowed.find('S') != std::string::npos) << key;
    }
    // Every state-changing route a person can call leaves an audit record.
    if (e.route.method != "GET" && allowed.find('S') == std::string::npos) {
      EXPECT_FALSE(e.route.audit_action.empty()) << key << " has no audit action";
    }
  }
  for (const auto& m : kMatrix) {
    EXPECT_TRUE(mounted.count(m.route)) << m.route << " is in the matrix but not mounted";
  }
}

TEST(AuthorizationMatrix, ServerEnforcesItForEveryRoleOverHttp) {
  ConsoleHarness h({}, generous());
  const std::pair<char, Role> roles[] = {{'A', Role::kAdmin},
                                         {'N', Role::kAnalyst},
                                         {'U', Role::kAuditor},
                                         {'R', Role::kReadOnly},
                                         {'S', Role::kSensor}};
  int checked = 0;
  for (const auto& m : kMatrix) {
    std::string route = m.route, allowed = m.allowed;
    std::string method = route.substr(0, route.find(' '));
    std::string path = route.substr(route.find(' ') + 1);
    // Fill path parameters with something plausible; the handler may 404, the router must not deny.
    for (size_t p; (p = path.find('{')) != std::string::npos;) path.replace(p, path.find('}', p) - p + 1, "x1");
    std::string body = method == "GET" ? "" : "{}";
    // Anonymous.
    {
      Client c = h.client();
      auto r = c.request(method, path, body);
      if (allowed == "*") {
        EXPECT_TRUE(r.header("x-canh-denied").empty()) << route << " anonymous: " << r.status << " " << r.body;
      } else {
        EXPECT_EQ(r.status, 401) << route << " anonymous";
        EXPECT_EQ(r.header("x-canh-denied"), "auth") << route;
      }
      ++checked;
    }
    for (auto [letter, role] : roles) {
      Client c = role == Role::kSensor ? h.sensor_client() : h.login(role);  // fresh session per request
      auto r = c.request(method, path, body);
      bool ok = allowed == "*" || allowed.find(letter) != std::string::npos;
      if (ok) {
        EXPECT_TRUE(r.header("x-canh-denied").empty())
            << route << " as " << http::role_name(role) << ": " << r.status << " " << r.body;
        EXPECT_NE(r.status, 401) << route << " as " << http::role_name(role);
      } else {
        EXPECT_EQ(r.status, 403) << route << " as " << http::role_name(role) << ": " << r.body;
        EXPECT_EQ(r.header("x-canh-denied"), "role") << route << " as " << http::role_name(role);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(std::size(kMatrix)) * 6);
}

}  // namespace
}  // namespace canh::console
