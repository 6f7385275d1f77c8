// The collector's handlers, called as the router would call them (no socket): enrolment, alert
// batches and heartbeats. The router's own checks (roles, CSRF) are tested
// with the router; here the handlers must hold on their own: malformed input stores nothing.
#include "collector/collector.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "storage/alert_test_util.h"

namespace canh::collector {
namespace {

using http::Caller;
using http::Request;
using http::Response;
using storage::testing::open_storage;
using storage::testing::TempDir;

std::string alert_line(int i, uint32_t sid = 2001) {
  return R"({"timestamp":"2026-11-23T15:33:)" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
         R"(.000001+0000","event_type":"alert","src_ip":"10.0.0.)" + std::to_string(1 + i % 200) +
         R"(","src_port":1000,"dest_ip":"192.168.1.1","dest_port":80,"proto":"TCP","alert":{"signature_id":)" +
         std::to_string(sid) + R"(,"rev":1,"signature":"ET TEST )" + std::to_string(sid) +
         R"(","category":"Test","severity":2}})";
}

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    st_ = open_storage(dir_.str());
    CollectorOptions o;
    o.current_ruleset = [] { return uint64_t{12}; };
    collector_ = std::make_unique<Collector>(st_->alerts(), st_->sensors(), o);
    for (auto& r : collector_->routes()) routes_.push_back(std::move(r));
  }

  Response call(const std::string& method, const std::string& pattern, Request req, const Caller& c = {}) {
    for (auto& r : routes_)
      if (r.method == method && r.pattern == pattern) {
        req.method = method;
        return r.handler(req, c);
      }
    ADD_FAILURE() << "no route " << method << " " << pattern;
    return {};
  }

  Request json_req(const std::string& body) {
    Request r;
    r.headers = {{"content-type", "application/json"}};
    r.body = body;
    return r;
  }

  // Creates and enrols a sensor; returns its Caller as the router would authenticate it.
  Caller enrolled(const std::string& name, std::string* credential = nullptr) {
    auto created = st_->sensors().create(name, "", 1, 1ll << 50);
    EXPECT_TRUE(created.is_ok());
    auto r = call("POST", protocol::kEnrolPath, json_req(R"({"token":")" + created->enrolment_token + R"(","hostname":"h"})"));
    EXPECT_EQ(r.status, 200) << r.body;
    auto v = boost::json::parse(r.body).as_object();
    std::string cred(v.at("credential").as_string());
    if (credential) *credential = cred;
    Request auth;
    auth.headers = {{"authorization", "Bearer " + cred}};
    auto c = collector_->authenticate(auth);
    EXPECT_TRUE(c.is_ok() && c->has_value());
    return **c;
  }

  Request batch_req(const std::string& body, uint64_t number, const std::string& stream = "00000000000000ab") {
    Request r;
    r.headers = {{"content-type", "application/x-ndjson"},
                 {protocol::kStreamHeader, stream},
                 {protocol::kBatchHeader, std::to_string(number)}};
    r.body = body;
    return r;
  }

  size_t stored() {
    size_t n = 0;
    storage::AlertQuery q;
    q.limit = 1000;
    for (;;) {
      auto p = st_->alerts().list(q);
      EXPECT_TRUE(p.is_ok());
      n += p->items.size();
      if (!p->next) return n;
      q.after = p->next;
    }
  }

  TempDir dir_;
  std::unique_ptr<storage::Storage> st_;
  std::unique_ptr<Collector> collector_;
  std::vector<http::Route> routes_;
};

TEST_F(CollectorTest, EnrolmentIsAnonymousAndEverythingElseIsForSensorsOnly) {
  ASSERT_EQ(routes_.size(), 3u);
  for (const auto& r : routes_) {
    if (r.pattern == protocol::kEnrolPath) {
      EXPECT_TRUE(r.access.anonymous);
      EXPECT_FALSE(r.audit_action.empty());
    } else {
      EXPECT_FALSE(r.access.anonymous) << r.pattern;
      EXPECT_EQ(r.access.roles, http::Access::sensors().roles) << r.pattern;
    }
  }
}

TEST_F(CollectorTest, ABatchIsStoredOnceAndAcknowledged) {
  Caller s = enrolled("s1");
  std::string body;
  for (int i = 0; i < 25; ++i) body += alert_line(i) + "\n";
  auto r = call("POST", protocol::kAlertsPath, batch_req(body, 1), s);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = boost::json::parse(r.body).as_object();
  EXPECT_EQ(v.at("stored").as_int64(), 25);
  EXPECT_FALSE(v.at("duplicate").as_bool());
  auto again = call("POST", protocol::kAlertsPath, batch_req(body, 1), s);
  ASSERT_EQ(again.status, 200);
  EXPECT_TRUE(boost::json::parse(again.body).at("duplicate").as_bool());
  EXPECT_EQ(stored(), 25u);
  // The stored alert is the line as sent, and carries the sensor.
  storage::AlertQuery q;
  q.limit = 1;
  auto p = st_->alerts().list(q);
  ASSERT_TRUE(p.is_ok());
  ASSERT_EQ(p->items.size(), 1u);
  EXPECT_EQ(std::to_string(p->items[0].sensor), s.id);
  EXPECT_NE(body.find(p->items[0].eve + "\n"), std::string::npos);
}

TEST_F(CollectorTest, MalformedOrOversizedBatchesAreRefusedAndStoreNothing) {
  Caller s = enrolled("s1");
  std::string good = alert_line(1) + "\n";
  struct Case {
    Request req;
    int status;
    const char* needle;
  } cases[] = {
      {batch_req(good + "{\"event_type\":\"alert\"}\n", 1), 400, "record 2: timestamp"},
      {batch_req(good + "not json\n", 2), 400, "record 2: not valid JSON"},
      {batch_req("", 3), 400, "no alerts"},
      {batch_req(good, 0), 400, "X-Canh-Batch"},
      {batch_req(good, 4, "xyz"), 400, "X-Canh-Stream"},
      {batch_req(std::string(9u << 20, ' '), 5), 413, "limit"},
      {batch_req(std::string(300u << 10, ' ') + "x\n", 6), 400, "exceeds"},
  };
  for (auto& c : cases) {
    auto r = call("POST", protocol::kAlertsPath, c.req, s);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_NE(r.body.find(c.needle), std::string::npos) << r.body;
  }
  auto rec = call("POST", protocol::kAlertsPath, batch_req(good + good + "{}\n", 9), s);
  EXPECT_EQ(boost::json::parse(rec.body).at("record").as_int64(), 3);
  Request wrong_type = batch_req(good, 7);
  wrong_type.headers[0].second = "text/plain";
  EXPECT_EQ(call("POST", protocol::kAlertsPath, wrong_type, s).status, 415);
  EXPECT_EQ(stored(), 0u);
  // A person (or anyone not a sensor) cannot post a batch even if a route table lets them through.
  Caller person{Caller::Kind::kSession, "admin", "admin", http::Role::kAdmin};
  EXPECT_EQ(call("POST", protocol::kAlertsPath, batch_req(good, 8), person).status, 403);
  EXPECT_EQ(stored(), 0u);
}

TEST_F(CollectorTest, AuthenticationRefusesUnknownReplacedAndDecommissionedSensors) {
  std::string cred;
  Caller s = enrolled("s1", &cred);
  Request req;
  req.headers = {{"authorization", "Bearer canh_sn_0000"}};
  EXPECT_FALSE(collector_->authenticate(req).is_ok());
  req.headers = {{"authorization", "Bearer canh_at_x_y"}};  // a person's API token: not ours
  auto other = collector_->authenticate(req);
  ASSERT_TRUE(other.is_ok());
  EXPECT_FALSE(other->has_value());
  req.headers = {};
  ASSERT_TRUE(collector_->authenticate(req).is_ok());

  ASSERT_TRUE(st_->sensors().decommission(static_cast<uint32_t>(std::stoul(s.id)), 2).is_ok());
  req.headers = {{"authorization", "Bearer " + cred}};
  auto refused = collector_->authenticate(req);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("decommissioned"), std::string::npos);
}

TEST_F(CollectorTest, EnrolmentTokensWorkOnceAndAReissuedTokenReplacesTheCredential) {
  auto created = st_->sensors().create("s9", "", 1, 1ll << 50);
  ASSERT_TRUE(created.is_ok());
  std::string body = R"({"token":")" + created->enrolment_token + R"("})";
  EXPECT_EQ(call("POST", protocol::kEnrolPath, json_req(body)).status, 200);
  auto second = call("POST", protocol::kEnrolPath, json_req(body));
  EXPECT_EQ(second.status, 403);
  EXPECT_EQ(call("POST", protocol::kEnrolPath, json_req("{}")).status, 400);
  EXPECT_EQ(call("POST", protocol::kEnrolPath, json_req("[")).status, 400);
  auto reissued = st_->sensors().issue_token(created->sensor.id, 2, 1ll << 50);
  ASSERT_TRUE(reissued.is_ok());
  auto r = call("POST", protocol::kEnrolPath, json_req(R"({"token":")" + *reissued + R"("})"));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(CollectorTest, HeartbeatsStoreCountersAndAnswerTheCurrentRuleset) {
  Caller s = enrolled("s1");
  auto r = call("POST", protocol::kHeartbeatPath,
                json_req(R"({"packets":1000,"bytes":50000,"drops":3,"alerts":7,"flows":20,"uptime_seconds":60,)"
                         R"("ruleset_version":"11","software_version":"0.1.0","spool_batches":2})"),
                s);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = boost::json::parse(r.body).as_object();
  EXPECT_EQ(v.at("ruleset").at("version").as_int64(), 12);
  EXPECT_GT(v.at("interval_seconds").as_int64(), 0);
  auto got = st_->sensors().get(static_cast<uint32_t>(std::stoul(s.id)));
  ASSERT_TRUE(got.is_ok() && got->has_value() && (*got)->health);
  EXPECT_EQ((*got)->health->packets, 1000u);
  EXPECT_EQ((*got)->health->drops, 3u);
  EXPECT_EQ((*got)->health->ruleset_version, "11");
  EXPECT_EQ(call("POST", protocol::kHeartbeatPath, json_req(R"({"packets":-1})"), s).status, 400);

}

}  // namespace
}  // namespace canh::collector
