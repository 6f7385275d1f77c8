#include "console/alerts_api.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "storage/alert_store.h"
#include "storage/alert_test_util.h"

namespace canh::console {
namespace {

using storage::testing::make_alert;
using storage::testing::open_storage;
using storage::testing::TempDir;
namespace json = boost::json;

constexpr int64_t kT0 = 1795448010000000;  // 2026-11-23T15:33:30Z

class AlertsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    st_ = open_storage(dir_.str());
    auto c = st_->sensors().create("hanoi-1", "", 1, 1ll << 50);
    ASSERT_TRUE(c.is_ok());
    storage::IngestBatch b;
    b.sensor = c->sensor.id;
    b.stream = 1;
    b.number = 1;
    for (int i = 0; i < 30; ++i) {
      auto a = make_alert(kT0 + i * 1000000, i % 3 == 0 ? 2001 : 2002, "10.0.0." + std::to_string(i % 5),
                          "192.168.1.1", i % 2 ? 1 : 3, i % 3 == 0 ? "ET SCAN <script>alert(1)</script>" : "ET POLICY x");
      a.eve = R"({"event_type":"alert","n":)" + std::to_string(i) + "}";
      b.alerts.push_back(a);
    }
    std::vector<storage::IngestBatch*> p{&b};
    ASSERT_TRUE(st_->alerts().ingest(p, true, 5).is_ok());
    routes_ = alert_routes(st_->alerts(), &st_->sensors());
  }

  http::Response get(const std::string& pattern, http::Fields query) {
    http::Request req;
    req.method = "GET";
    req.query = std::move(query);
    for (auto& r : routes_)
      if (r.pattern == pattern) return r.handler(req, http::Caller{http::Caller::Kind::kSession, "u", "u", http::Role::kReadOnly});
    ADD_FAILURE() << pattern;
    return {};
  }

  TempDir dir_;
  std::unique_ptr<storage::Storage> st_;
  std::vector<http::Route> routes_;
};

TEST_F(AlertsApi, RoutesAreForPeople) {
  ASSERT_EQ(routes_.size(), 2u);
  for (auto& r : routes_) {
    EXPECT_EQ(r.access.roles, http::Access::people().roles);
    EXPECT_FALSE(r.access.anonymous);
  }
}

TEST_F(AlertsApi, ListsWithFiltersAndPagesThroughCursors) {
  auto r = get("/api/v1/alerts", {{"sid", "2001"}, {"limit", "4"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  auto& items = v.at("items").as_array();
  ASSERT_EQ(items.size(), 4u);
  auto first = items[0].as_object();
  EXPECT_EQ(first.at("sid").as_int64(), 2001);
  EXPECT_EQ(first.at("timestamp").as_string(), "2026-11-23T15:33:57.000000Z");
  EXPECT_EQ(first.at("sensor_name").as_string(), "hanoi-1");
  EXPECT_EQ(first.at("state").as_string(), "new");
  EXPECT_FALSE(first.contains("eve"));  // the summary the inbox shows; the EVE record is the detail's
  auto full = json::parse(get("/api/v1/alerts", {{"sid", "2001"}, {"limit", "1"}, {"eve", "1"}}).body);
  EXPECT_EQ(full.at("items").at(0).at("eve").at("n").as_int64(), 27);  // asked for: the record as an object
  // Attacker-controlled text comes back as JSON string data, escaped by the serializer.
  EXPECT_NE(r.body.find("<script>alert(1)</script>"), std::string::npos);
  EXPECT_FALSE(v.at("next_cursor").is_null());
  int total = 4;
  auto cursor = std::string(v.at("next_cursor").as_string());
  for (;;) {
    auto p = json::parse(get("/api/v1/alerts", {{"sid", "2001"}, {"limit", "4"}, {"cursor", cursor}}).body).as_object();
    total += static_cast<int>(p.at("items").as_array().size());
    if (p.at("next_cursor").is_null()) break;
    cursor = std::string(p.at("next_cursor").as_string());
  }
  EXPECT_EQ(total, 10);

  auto combo = json::parse(get("/api/v1/alerts", {{"severity", "1"}, {"severity", "3"}, {"src", "10.0.0.0/30"}, {"q", "policy"},
                                                   {"from", "2026-11-23T15:33:40Z"}, {"to", std::to_string(kT0 / 1000 + 20000)}})
                               .body)
                   .as_object();
  for (auto& it : combo.at("items").as_array()) {
    auto& o = it.as_object();
    EXPECT_EQ(o.at("sid").as_int64(), 2002);
    std::string src(o.at("src_ip").as_string());
    EXPECT_TRUE(src == "10.0.0.0" || src == "10.0.0.1" || src == "10.0.0.2" || src == "10.0.0.3") << src;
  }
  EXPECT_EQ(combo.at("items").as_array().size(), 5u);  // i = 10..19, sid 2002 (i%3 != 0), src i%5 < 4
}

TEST_F(AlertsApi, AssigneeFilterReadsTheIndexWithMeAndUnassigned) {
  // The store's own triage write: alerts 0..4 (the oldest) to "u", the caller here; 5 to "v".
  for (int i = 0; i < 6; ++i) {
    auto page = json::parse(get("/api/v1/alerts", {{"to", std::to_string(kT0 / 1000 + i * 1000 + 1)}, {"limit", "1"}}).body);
    auto id = storage::AlertId::parse(std::string(page.at("items").at(0).at("id").as_string()));
    ASSERT_TRUE(id);
    storage::TriageChange ch;
    ch.assignee = i < 5 ? "u" : "v";
    ASSERT_TRUE(st_->alerts().set_triage(*id, ch, "test", 1).is_ok());
  }
  auto count = [&](const std::string& who) {
    auto v = json::parse(get("/api/v1/alerts", {{"assignee", who}, {"limit", "100"}}).body);
    for (auto& it : v.at("items").as_array()) {
      if (who == "me") {
        EXPECT_EQ(it.at("assignee").as_string(), "u");
      }
    }
    return v.at("items").as_array().size();
  };
  EXPECT_EQ(count("me"), 5u);
  EXPECT_EQ(count("u"), 5u);
  EXPECT_EQ(count("v"), 1u);
  EXPECT_EQ(count("unassigned"), 24u);
  EXPECT_EQ(count("-"), 24u);
  EXPECT_EQ(count("nobody-here"), 0u);
  // One assignee filter: the last given wins, "me" included.
  auto items = [&](http::Fields q) { return json::parse(get("/api/v1/alerts", q).body).at("items").as_array().size(); };
  EXPECT_EQ(items({{"assignee", "me"}, {"assignee", "v"}}), 1u);
  EXPECT_EQ(items({{"assignee", "v"}, {"assignee", "me"}}), 5u);
}

// The list writes its summaries without a JSON tree; with eve=1 it builds them from alert_brief_json.
// Apart from the record itself the two must say the same, escaping included.
TEST_F(AlertsApi, SummaryWriterMatchesTheJsonTree) {
  st_->alerts().set_system_ranges({{7, *storage::Cidr::parse("10.9.0.0/16")}, {9, *storage::Cidr::parse("192.168.1.0/24")}});
  storage::IngestBatch b;
  b.sensor = 1;
  b.stream = 2;
  b.number = 1;
  auto a = make_alert(kT0 + 100000000, 2003, "10.9.8.7", "192.168.1.1", 2, "Cảnh báo \"quoted\" \\ \x01 </script>");
  a.eve = R"({"event_type":"alert"})";
  b.alerts.push_back(a);
  std::vector<storage::IngestBatch*> p{&b};
  ASSERT_TRUE(st_->alerts().ingest(p, true, 5).is_ok());
  for (http::Fields q : {http::Fields{{"limit", "500"}}, http::Fields{{"limit", "500"}, {"sid", "2003"}}}) {
    auto lean = json::parse(get("/api/v1/alerts", q).body).as_object();
    q.push_back({"eve", "1"});
    auto full = json::parse(get("/api/v1/alerts", q).body).as_object();
    auto& li = lean.at("items").as_array();
    auto& fi = full.at("items").as_array();
    ASSERT_EQ(li.size(), fi.size());
    ASSERT_GE(li.size(), 1u);
    for (size_t i = 0; i < li.size(); ++i) {
      json::object want = fi[i].as_object();
      EXPECT_TRUE(want.erase("eve"));
      EXPECT_EQ(li[i].as_object(), want) << json::serialize(li[i]) << "\n" << json::serialize(want);
    }
    EXPECT_EQ(lean.at("next_cursor"), full.at("next_cursor"));
    EXPECT_EQ(lean.at("partial"), full.at("partial"));
  }
  auto newest = json::parse(get("/api/v1/alerts", {{"sid", "2003"}}).body).at("items").at(0);
  EXPECT_EQ(newest.at("signature").as_string(), "Cảnh báo \"quoted\" \\ \x01 </script>");
  EXPECT_EQ(newest.at("systems"), (json::array{7, 9}));
}

// "All but this": a clicked value excluded from the inbox, kept in the URL as not_*.
TEST_F(AlertsApi, ExclusionsNarrowTheList) {
  auto count = [&](http::Fields q) {
    q.push_back({"limit", "500"});
    auto r = get("/api/v1/alerts", q);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).at("items").as_array().size();
  };
  EXPECT_EQ(count({}), 30u);
  EXPECT_EQ(count({{"not_sid", "2001"}}), 20u);
  EXPECT_EQ(count({{"not_sid", "2001"}, {"not_sid", "2002"}}), 0u);
  EXPECT_EQ(count({{"not_src", "10.0.0.0/31"}}), 18u);  // i % 5 in {0, 1}: 12 of 30
  EXPECT_EQ(count({{"not_src", "10.0.0.0/31"}, {"sid", "2002"}}), 12u);
  EXPECT_EQ(count({{"not_ip", "192.168.1.1"}}), 0u);
  EXPECT_EQ(count({{"not_dst", "192.168.1.0/24"}}), 0u);
  EXPECT_EQ(count({{"not_sensor", "1"}}), 0u);
  EXPECT_EQ(count({{"not_sensor", "2"}}), 30u);
  auto bad = get("/api/v1/alerts", {{"not_src", "10.0.0.1/8"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("not_src"), std::string::npos) << bad.body;
}

TEST_F(AlertsApi, BadParametersAre400sThatNameTheParameter) {
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{{"sid", "x"},
                                                                     {"severity", "5"},
                                                                     {"src", "10.0.0.1/8"},
                                                                     {"state", "maybe"},
                                                                     {"limit", "501"},
                                                                     {"cursor", "zz"},
                                                                     {"from", "yesterday"}}) {
    auto r = get("/api/v1/alerts", {{k, v}});
    EXPECT_EQ(r.status, 400) << k;
    EXPECT_NE(r.body.find(k), std::string::npos) << r.body;
  }
}

TEST_F(AlertsApi, StatsGiveSeriesTopListsAndSensorNames) {
  auto r = get("/api/v1/alerts/stats", {{"from", "2026-11-23T15:00:00Z"}, {"to", "2026-11-23T16:00:00Z"}, {"top", "3"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = json::parse(r.body).as_object();
  EXPECT_EQ(v.at("total").as_int64(), 30);
  auto sev = v.at("by_severity").as_array();
  EXPECT_EQ(sev[0].as_int64(), 15);  // severity 1
  EXPECT_EQ(sev[2].as_int64(), 15);  // severity 3
  int64_t sum = 0;
  for (auto& b : v.at("series").as_array()) sum += b.at("count").as_int64();
  EXPECT_EQ(sum, 30);
  auto top = v.at("top_signatures").as_array();
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].at("sid").as_string(), "2002");
  EXPECT_EQ(top[0].at("count").as_int64(), 20);
  EXPECT_EQ(top[0].at("signature").as_string(), "ET POLICY x");
  EXPECT_EQ(v.at("top_sources").as_array().size(), 3u);
  EXPECT_EQ(v.at("by_sensor").as_array()[0].at("name").as_string(), "hanoi-1");
  EXPECT_EQ(v.at("by_state").at("new").as_int64(), 30);
  EXPECT_EQ(get("/api/v1/alerts/stats", {{"bucket", "61"}}).status, 400);
  EXPECT_EQ(get("/api/v1/alerts/stats", {{"from", "2026-11-23T16:00:00Z"}, {"to", "2026-11-23T15:00:00Z"}}).status, 400);
}

}  // namespace
}  // namespace canh::console
