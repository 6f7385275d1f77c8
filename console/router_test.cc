#include "console/router.h"

#include <gtest/gtest.h>

namespace canh::console {
namespace {

using http::Access;
using http::Caller;
using http::Request;
using http::Response;
using http::Role;

http::Route route(std::string method, std::string pattern, Access access, std::string audit = "") {
  return {std::move(method), std::move(pattern), access,
          [](const Request& r, const Caller& c) {
            std::string params;
            for (auto& [k, v] : r.path_params) params += k + "=" + v + ";";
            return Response::json(200, "{\"who\":" + http::json_quote(c.name) + ",\"params\":" + http::json_quote(params) + "}");
          },
          std::move(audit)};
}

Request req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.remote = "10.0.0.1";
  r.headers.emplace_back("host", "console.example:8443");
  return r;
}

// Hooks that know one session ("s1", analyst, CSRF token "t1") and one API token.
RouterHooks test_hooks(std::vector<AuditEvent>* audit) {
  RouterHooks h;
  h.session = [](std::string_view id) -> Result<std::optional<SessionAuth>> {
    if (id != "s1") return std::optional<SessionAuth>();
    SessionAuth a;
    a.caller = {Caller::Kind::kSession, "u1", "lan", Role::kAnalyst};
    a.csrf_token = "t1";
    return std::optional<SessionAuth>(a);
  };
  h.api_token = [](std::string_view tok) -> Result<std::optional<Caller>> {
    if (tok != "canh_at_good") return std::optional<Caller>();
    return std::optional<Caller>(Caller{Caller::Kind::kApiToken, "t9", "script", Role::kReadOnly});
  };
  h.sensor = [](const Request& r) -> Result<std::optional<Caller>> {
    auto a = r.header("authorization");
    if (a.empty()) return std::optional<Caller>();
    if (a != "Bearer sensor-secret") return Status::permission("sensor credentials rejected");
    return std::optional<Caller>(Caller{Caller::Kind::kSensor, "sn1", "hq-sensor", Role::kSensor});
  };
  h.audit = [audit](const AuditEvent& e) {
    audit->push_back(e);
    return Status::ok();
  };
  return h;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router = std::make_unique<Router>(test_hooks(&audit));
    ASSERT_TRUE(router->mount({route("GET", "/api/v1/alerts", Access::people()),
                               route("GET", "/api/v1/alerts/{id}", Access::people()),
                               route("GET", "/api/v1/alerts/stats", Access::people()),
                               route("POST", "/api/v1/alerts/{id}/state", Access::of({Role::kAnalyst, Role::kAdmin}),
                                     "alert.state"),
                               route("POST", "/api/v1/login", Access::anyone(), "login"),
                               route("POST", "/api/v1/ingest", Access::sensors())}));
  }
  std::vector<AuditEvent> audit;
  std::unique_ptr<Router> router;
};

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  EXPECT_EQ(router->handle(req("GET", "/nope")).status, 404);
  EXPECT_EQ(router->handle(req("DELETE", "/api/v1/alerts")).status, 405);
}

TEST_F(RouterTest, NoCredentialsIs401) {
  auto r = router->handle(req("GET", "/api/v1/alerts"));
  EXPECT_EQ(r.status, 401);
}

TEST_F(RouterTest, SessionCookieAuthenticates) {
  auto q = req("GET", "/api/v1/alerts/42");
  q.headers.emplace_back("cookie", "lang=vi; canh_session=s1");
  auto r = router->handle(q);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"who\":\"lan\""), std::string::npos);
  EXPECT_NE(r.body.find("id=42;"), std::string::npos);
}

TEST_F(RouterTest, LiteralSegmentBeatsParameterWhateverTheMountOrder) {
  auto q = req("GET", "/api/v1/alerts/stats");
  q.headers.emplace_back("cookie", "canh_session=s1");
  auto r = router->handle(q);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"params\":\"\""), std::string::npos) << r.body;
}

// canh server mounts several tables (console, collector, alert list, compliance, ...) one after the
// other; whatever the order, a path must reach the route whose literal segments match it, not a
// parameter route. Routes of different lengths in between once made the ordering non-transitive
// (GET /api/v1/alerts/stats reached /api/v1/alerts/{id}).
TEST(Router, EveryLiteralPathReachesItsOwnRouteWhateverTheMounts) {
  std::vector<std::vector<std::string>> tables = {
      {"/api/v1/alerts/{id}", "/api/v1/alerts/groups", "/api/v1/alerts/{id}/triage", "/api/v1/alerts/bulk",
       "/api/v1/sensors", "/api/v1/sensors/{id}", "/api/v1/sensors/{id}/health", "/api/v1/rules", "/api/v1/rules/{sid}",
       "/api/v1/rules/{sid}/enabled", "/api/v1/rulesets/{version}", "/api/v1/rulesets/validate", "/api/v1/users",
       "/api/v1/users/{name}", "/api/v1/me", "/api/v1/me/password", "/api/v1/audit", "/api/v1/audit/export",
       "/assets/{file}", "/", "/api/v1/sensor/rulefile/{sha256}", "/api/v1/sensor/ruleset"},
      {"/api/v1/sensors/enrol", "/api/v1/sensor/alerts", "/api/v1/sensor/heartbeat"},
      {"/api/v1/alerts", "/api/v1/alerts/stats"},
      {"/api/v1/systems", "/api/v1/systems/{id}", "/api/v1/systems/{id}/dossier", "/metrics", "/api/v1/health"}};
  Router r;
  for (const auto& t : tables) {
    std::vector<http::Route> routes;
    for (const auto& pattern : t)
      routes.push_back({"GET", pattern, Access::anyone(),
                        [pattern](const Request&, const Caller&) { return http::Response::json(200, pattern); }, ""});
    ASSERT_TRUE(r.mount(std::move(routes)).is_ok());
  }
  for (const auto& t : tables)
    for (const auto& pattern : t) {
      if (pattern.find('{') != std::string::npos) continue;
      auto resp = r.handle(req("GET", pattern));
      EXPECT_EQ(resp.body, pattern) << "GET " << pattern << " reached " << resp.body;
    }
  EXPECT_EQ(r.handle(req("GET", "/api/v1/alerts/42")).body, "/api/v1/alerts/{id}");
  EXPECT_EQ(r.handle(req("GET", "/api/v1/sensors/3/health")).body, "/api/v1/sensors/{id}/health");
}

TEST_F(RouterTest, UnknownSessionIs401WithReason) {
  auto q = req("GET", "/api/v1/alerts");
  q.headers.emplace_back("cookie", "canh_session=stale");
  auto r = router->handle(q);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("sign in again"), std::string::npos);
}

TEST_F(RouterTest, StateChangeWithoutCsrfTokenIsRejectedAndAudited) {
  auto q = req("POST", "/api/v1/alerts/7/state");
  q.headers.emplace_back("cookie", "canh_session=s1");
  auto r = router->handle(q);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(r.body.find("CSRF"), std::string::npos);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].status, 403);
  EXPECT_EQ(audit[0].action, "alert.state");
  EXPECT_EQ(audit[0].actor_name, "lan");
}

TEST_F(RouterTest, StateChangeWithWrongCsrfTokenIsRejected) {
  auto q = req("POST", "/api/v1/alerts/7/state");
  q.headers.emplace_back("cookie", "canh_session=s1");
  q.headers.emplace_back("x-csrf-token", "t2");
  EXPECT_EQ(router->handle(q).status, 403);
}

TEST_F(RouterTest, StateChangeWithCsrfTokenRunsAndIsAudited) {
  auto q = req("POST", "/api/v1/alerts/7/state");
  q.headers.emplace_back("cookie", "canh_session=s1");
  q.headers.emplace_back("x-csrf-token", "t1");
  EXPECT_EQ(router->handle(q).status, 200);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].status, 200);
  EXPECT_EQ(audit[0].path, "/api/v1/alerts/7/state");
  EXPECT_EQ(audit[0].actor_kind, "session");
  EXPECT_EQ(audit[0].role, "analyst");
}

TEST_F(RouterTest, CrossOriginPostIsRejectedEvenWithToken) {
  auto q = req("POST", "/api/v1/alerts/7/state");
  q.headers.emplace_back("cookie", "canh_session=s1");
  q.headers.emplace_back("x-csrf-token", "t1");
  q.headers.emplace_back("origin", "https://evil.example");
  EXPECT_EQ(router->handle(q).status, 403);
  auto same = req("POST", "/api/v1/alerts/7/state");
  same.headers.emplace_back("cookie", "canh_session=s1");
  same.headers.emplace_back("x-csrf-token", "t1");
  same.headers.emplace_back("origin", "https://console.example:8443");
  EXPECT_EQ(router->handle(same).status, 200);
}

TEST_F(RouterTest, ApiTokenNeedsNoCsrfButKeepsItsRole) {
  auto q = req("GET", "/api/v1/alerts");
  q.headers.emplace_back("authorization", "Bearer canh_at_good");
  EXPECT_EQ(router->handle(q).status, 200);
  auto p = req("POST", "/api/v1/alerts/7/state");
  p.headers.emplace_back("authorization", "Bearer canh_at_good");
  auto r = router->handle(p);
  EXPECT_EQ(r.status, 403);  // read-only token
  EXPECT_NE(r.body.find("read-only"), std::string::npos);
}

TEST_F(RouterTest, ExplicitAuthorizationWinsOverTheBrowsersCookie) {
  // A sensor request that also carries a person's cookie is the sensor's, not the person's.
  auto q = req("POST", "/api/v1/ingest");
  q.headers.emplace_back("cookie", "canh_session=s1");
  q.headers.emplace_back("authorization", "Bearer sensor-secret");
  EXPECT_EQ(router->handle(q).status, 200);
  auto t = req("GET", "/api/v1/alerts");
  t.headers.emplace_back("cookie", "canh_session=s1");
  t.headers.emplace_back("authorization", "Bearer canh_at_good");
  auto r = router->handle(t);
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"who\":\"script\""), std::string::npos);
}

TEST_F(RouterTest, RevokedApiTokenIs401) {
  auto q = req("GET", "/api/v1/alerts");
  q.headers.emplace_back("authorization", "Bearer canh_at_revoked");
  EXPECT_EQ(router->handle(q).status, 401);
}

TEST_F(RouterTest, SensorHookAuthenticatesSensorsOnly) {
  auto q = req("POST", "/api/v1/ingest");
  q.headers.emplace_back("authorization", "Bearer sensor-secret");
  EXPECT_EQ(router->handle(q).status, 200);
  auto bad = req("POST", "/api/v1/ingest");
  bad.headers.emplace_back("authorization", "Bearer wrong");
  auto r = router->handle(bad);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("sensor credentials rejected"), std::string::npos);
  // A sensor cannot read the console API.
  auto read = req("GET", "/api/v1/alerts");
  read.headers.emplace_back("authorization", "Bearer sensor-secret");
  EXPECT_EQ(router->handle(read).status, 403);
  // And a person cannot post a sensor batch.
  auto person = req("POST", "/api/v1/ingest");
  person.headers.emplace_back("cookie", "canh_session=s1");
  person.headers.emplace_back("x-csrf-token", "t1");
  EXPECT_EQ(router->handle(person).status, 403);
}

TEST_F(RouterTest, AnonymousStateChangesAreRateLimitedPerAddress) {
  Router limited(test_hooks(&audit), RouterOptions{3, std::chrono::milliseconds(3600 * 1000), 100});
  ASSERT_TRUE(limited.mount({route("POST", "/api/v1/login", Access::anyone(), "login")}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limited.handle(req("POST", "/api/v1/login")).status, 200) << i;
  auto r = limited.handle(req("POST", "/api/v1/login"));
  EXPECT_EQ(r.status, 429);
  bool retry_after = false;
  for (auto& [k, v] : r.headers) retry_after |= k == "retry-after";
  EXPECT_EQ(r.headers.front().second, "rate");
  EXPECT_TRUE(retry_after);
  auto other = req("POST", "/api/v1/login");
  other.remote = "10.0.0.2";
  EXPECT_EQ(limited.handle(other).status, 200);
}

TEST_F(RouterTest, AuditDetailHeaderGoesToTheRecordNotTheClient) {
  Router r(test_hooks(&audit));
  ASSERT_TRUE(r.mount({{"POST", "/x", Access::people(),
                        [](const Request&, const Caller&) {
                          auto resp = Response::json(200, "{}");
                          resp.headers.emplace_back(std::string(kAuditDetailHeader), "alert 7: new -> closed");
                          return resp;
                        },
                        "x.do"}}));
  auto q = req("POST", "/x");
  q.headers.emplace_back("authorization", "Bearer canh_at_good");
  auto resp = r.handle(q);
  EXPECT_EQ(resp.status, 200);
  EXPECT_TRUE(resp.headers.empty());  // neither the audit detail nor a denial marker
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].detail, "alert 7: new -> closed");
}

TEST_F(RouterTest, FailedAuditFailsTheRequest) {
  RouterHooks h = test_hooks(&audit);
  h.audit = [](const AuditEvent&) { return Status::io("disk full"); };
  Router r(h);
  ASSERT_TRUE(r.mount({route("POST", "/x", Access::people(), "x.do")}));
  auto q = req("POST", "/x");
  q.headers.emplace_back("authorization", "Bearer canh_at_good");
  auto resp = r.handle(q);
  EXPECT_EQ(resp.status, 500);
  EXPECT_NE(resp.body.find("audit"), std::string::npos);
}

TEST_F(RouterTest, HandlerExceptionBecomes500) {
  Router r(test_hooks(&audit));
  ASSERT_TRUE(r.mount({{"GET", "/boom", Access::anyone(),
                        [](const Request&, const Caller&) -> Response { throw std::runtime_error("bug"); }, ""}}));
  EXPECT_EQ(r.handle(req("GET", "/boom")).status, 500);
}

TEST(RouterMount, DuplicateAndMalformedRoutesAreRefusedByName) {
  Router r;
  auto h = [](const Request&, const Caller&) { return Response::json(200, "{}"); };
  ASSERT_TRUE(r.mount({{"GET", "/a/{id}", Access::anyone(), h, ""}}));
  Status dup = r.mount({{"GET", "/a/{id}", Access::anyone(), h, ""}});
  EXPECT_FALSE(dup);
  EXPECT_NE(dup.message().find("GET /a/{id}"), std::string::npos);
  EXPECT_FALSE(r.mount({{"GET", "/a/{id", Access::anyone(), h, ""}}));
  EXPECT_FALSE(r.mount({{"GET", "nope", Access::anyone(), h, ""}}));
}

TEST(ParseTarget, SplitsAndDecodesPathAndQuery) {
  Request r;
  ASSERT_TRUE(parse_target("/api/v1/alerts?sid=1&q=a%20b+c&sid=2&empty", &r));
  EXPECT_EQ(r.path, "/api/v1/alerts");
  ASSERT_EQ(r.query.size(), 4u);
  EXPECT_EQ(r.query[1].second, "a b c");
  EXPECT_EQ(r.query_params("sid").size(), 2u);
  EXPECT_EQ(r.query[3].first, "empty");
}

TEST(ParseTarget, RefusesDotSegmentsControlBytesAndBadEscapes) {
  Request r;
  EXPECT_FALSE(parse_target("/assets/../etc/passwd", &r));
  EXPECT_FALSE(parse_target("/assets/%2e%2e/x", &r));
  EXPECT_FALSE(parse_target("/a%00b", &r));
  EXPECT_FALSE(parse_target("/a?x=%zz", &r));
  EXPECT_FALSE(parse_target("/a%4", &r));
  EXPECT_FALSE(parse_target("http://host/a", &r));
  EXPECT_FALSE(parse_target(std::string(9000, '/'), &r));
}

TEST(SessionCookie, IsHttpOnlyStrictAndSecureUnderTls) {
  auto plain = session_cookie("abc", false, 3600);
  EXPECT_NE(plain.find("HttpOnly"), std::string::npos);
  EXPECT_NE(plain.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(plain.find("Secure"), std::string::npos);
  EXPECT_NE(session_cookie("abc", true, 3600).find("; Secure"), std::string::npos);
}

}  // namespace
}  // namespace canh::console
