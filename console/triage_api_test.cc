// Alert triage through the server: detail, state changes with reasons, assignment, comments, history,
// grouping, bulk actions on a whole filter, sensors, and escaping of hostile alert content.
#include <gtest/gtest.h>

#include "console/test_harness.h"
#include "storage/alert_store.h"

namespace canh::console {
namespace {

using http::Role;
using testing::Client;
using testing::ConsoleHarness;
using testing::parse;

storage::NewAlert make_alert(int64_t ts_us, uint32_t sid, const std::string& src, const std::string& dst,
                             const std::string& msg, uint64_t flow_id = 1, std::string extra = "") {
  storage::NewAlert a;
  a.ts_us = ts_us;
  a.sid = sid;
  a.rev = 1;
  a.severity = 2;
  a.src = *storage::IpAddr::parse(src);
  a.dst = *storage::IpAddr::parse(dst);
  a.src_port = 40000;
  a.dst_port = 80;
  a.proto = "TCP";
  a.signature = msg;
  a.category = "Attempted Information Leak";
  a.eve = "{\"timestamp\":\"2026-11-23T10:00:00.000000+0000\",\"flow_id\":" + std::to_string(flow_id) +
          ",\"event_type\":\"alert\",\"src_ip\":\"" + src + "\",\"src_port\":40000,\"dest_ip\":\"" + dst +
          "\",\"dest_port\":80,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":" +
          std::to_string(sid) + ",\"rev\":1,\"signature\":" + http::json_quote(msg) +
          ",\"category\":\"Attempted Information Leak\",\"severity\":2}" + extra + "}";
  return a;
}

int64_t base_us() { return (testing::storage_now_ms() - 3600 * 1000) * 1000; }

std::string first_id(Client& c, const std::string& filter = "") {
  auto groups = parse(c.get("/api/v1/alerts/groups?by=signature" + filter).body);
  return std::string(groups.at("groups").as_array().at(0).at("sample").as_string());
}

TEST(TriageApi, DetailShowsEveHistoryFlowAndSensor) {
  ConsoleHarness h;
  int64_t t = base_us();
  h.ingest({make_alert(t, 2001, "10.0.0.5", "192.0.2.10", "ET SCAN one", 77),
            make_alert(t + 1000, 2002, "192.0.2.10", "10.0.0.5", "ET SCAN reply", 77),
            make_alert(t + 2000, 2003, "10.0.0.5", "192.0.2.10", "other flow", 78)},
           1);
  Client analyst = h.login(Role::kAnalyst);
  std::string id = first_id(analyst, "&sid=2001");
  auto r = analyst.get("/api/v1/alerts/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = parse(r.body);
  EXPECT_EQ(v.at("sid").as_int64(), 2001);
  EXPECT_EQ(v.at("state").as_string(), "new");
  EXPECT_EQ(v.at("eve").at("flow_id").as_int64(), 77);
  EXPECT_EQ(v.at("sensor_info").at("name").as_string(), "test-sensor");
  auto flow = v.at("flow_alerts").as_array();
  ASSERT_EQ(flow.size(), 1u);  // the reply in the same flow, not the other flow
  EXPECT_EQ(flow[0].at("sid").as_int64(), 2002);
  EXPECT_EQ(analyst.get("/api/v1/alerts/zz").status, 400);
  EXPECT_EQ(analyst.get("/api/v1/alerts/00000000000000000000000000000001").status, 404);
}

TEST(TriageApi, StatesReasonsAssignmentCommentsAndHistory) {
  ConsoleHarness h;
  h.ingest({make_alert(base_us(), 2001, "10.0.0.5", "192.0.2.10", "ET SCAN one")}, 1);
  Client analyst = h.login(Role::kAnalyst);
  std::string id = first_id(analyst);
  std::string p = "/api/v1/alerts/" + id;
  ASSERT_EQ(analyst.post(p + "/triage", R"({"state":"acknowledged","assignee":"analyst"})").status, 200);
  EXPECT_EQ(analyst.post(p + "/triage", R"({"assignee":"ghost"})").status, 400);
  EXPECT_EQ(analyst.post(p + "/triage", R"({"state":"closed"})").status, 400);  // no reason
  EXPECT_EQ(analyst.post(p + "/triage", R"({"state":"closed","reason":"bored"})").status, 400);
  EXPECT_EQ(analyst.post(p + "/triage", R"({"state":"false-positive","reason":"false-positive"})").status, 400);  // no note
  EXPECT_EQ(analyst.post(p + "/triage", R"({"state":"escalated","reason":"benign"})").status, 400);
  ASSERT_EQ(analyst.post(p + "/comments", R"({"text":"<img src=x onerror=alert(1)> seen before"})").status, 201);
  ASSERT_EQ(analyst.post(p + "/triage", R"({"state":"escalated"})").status, 200);
  auto closed = analyst.post(p + "/triage", R"({"state":"false-positive","note":"lab scanner 10.0.0.5"})");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(parse(closed.body).at("state").as_string(), "false-positive");
  EXPECT_EQ(parse(closed.body).at("triaged_by").as_string(), "analyst");
  auto v = parse(analyst.get(p).body);
  auto hist = v.at("history").as_array();
  ASSERT_EQ(hist.size(), 5u);
  EXPECT_EQ(hist[0].at("to").as_string(), "acknowledged");
  EXPECT_EQ(hist[1].at("kind").as_string(), "assign");
  EXPECT_EQ(hist[2].at("text").as_string(), "<img src=x onerror=alert(1)> seen before");
  EXPECT_EQ(hist[4].at("reason").as_string(), "false-positive");
  EXPECT_EQ(hist[4].at("text").as_string(), "lab scanner 10.0.0.5");
  EXPECT_EQ(hist[4].at("by").as_string(), "analyst");
  // Read-only people see it but cannot change it.
  Client reader = h.login(Role::kReadOnly);
  EXPECT_EQ(reader.get(p).status, 200);
  EXPECT_EQ(reader.post(p + "/triage", R"({"state":"new"})").status, 403);
  // The audit log names the change.
  auto recs = h.console().audit().list(0, 100, [](const storage::AuditRecord& r) {
    return r.action == "alert.triage" && r.status == 200;
  });
  ASSERT_TRUE(recs);
  ASSERT_GE(recs->size(), 3u);
  EXPECT_NE(recs->back().detail.find("escalated -> false-positive (false-positive)"), std::string::npos)
      << recs->back().detail;
}

TEST(TriageApi, GroupsCountWithFirstAndLastSeen) {
  ConsoleHarness h;
  int64_t t = base_us();
  std::vector<storage::NewAlert> batch;
  for (int i = 0; i < 6; ++i) batch.push_back(make_alert(t + i * 1000000, 2001, "10.0.0." + std::to_string(i % 2 + 1), "192.0.2.1", "ET SCAN noisy"));
  batch.push_back(make_alert(t + 500000, 2002, "10.0.0.9", "192.0.2.1", "ET rare"));
  h.ingest(batch, 1);
  Client c = h.login(Role::kReadOnly);
  auto g = parse(c.get("/api/v1/alerts/groups?by=signature").body);
  auto groups = g.at("groups").as_array();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].at("key").as_string(), "2001");
  EXPECT_EQ(groups[0].at("label").as_string(), "ET SCAN noisy");
  EXPECT_EQ(groups[0].at("count").as_int64(), 6);
  EXPECT_EQ(groups[0].at("first_us").as_int64(), t);
  EXPECT_EQ(groups[0].at("last_us").as_int64(), t + 5000000);
  auto bysrc = parse(c.get("/api/v1/alerts/groups?by=source&sid=2001").body).at("groups").as_array();
  ASSERT_EQ(bysrc.size(), 2u);
  EXPECT_EQ(bysrc[0].at("count").as_int64(), 3);
  auto either = parse(c.get("/api/v1/alerts/groups?by=signature&ip=10.0.0.9").body).at("groups").as_array();
  ASSERT_EQ(either.size(), 1u);
  EXPECT_EQ(either[0].at("key").as_string(), "2002");
  EXPECT_EQ(c.get("/api/v1/alerts/groups?by=colour").status, 400);
  EXPECT_EQ(c.get("/api/v1/alerts/groups?src=10.0.0.1/8").status, 400);  // host bits set
  EXPECT_EQ(c.get("/api/v1/alerts/groups?state=maybe").status, 400);
}

TEST(TriageApi, BulkActsOnEverythingMatchingNotJustAPage) {
  ConsoleHarness h;
  int64_t t = base_us();
  for (int b = 0; b < 3; ++b) {
    std::vector<storage::NewAlert> batch;
    for (int i = 0; i < 400; ++i) batch.push_back(make_alert(t + (b * 400 + i) * 1000, 2001, "10.0.0.1", "192.0.2.1", "ET SCAN noisy"));
    batch.push_back(make_alert(t + b, 2002, "10.0.0.1", "192.0.2.1", "keep me"));
    h.ingest(batch, b + 1);
  }
  Client analyst = h.login(Role::kAnalyst);
  auto r = analyst.post("/api/v1/alerts/bulk",
                        R"({"filter":{"sid":[2001],"state":"new"},"state":"closed","reason":"benign","note":"scanner"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = parse(r.body);
  EXPECT_EQ(v.at("matched").as_int64(), 1200);
  EXPECT_EQ(v.at("changed").as_int64(), 1200);
  auto left = parse(analyst.get("/api/v1/alerts/groups?state=new").body).at("groups").as_array();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at("key").as_string(), "2002");
  EXPECT_EQ(left[0].at("count").as_int64(), 3);
  EXPECT_EQ(analyst.post("/api/v1/alerts/bulk", R"({"filter":{},"state":"acknowledged"})").status, 400);
  auto recs = h.console().audit().list(0, 100, [](const storage::AuditRecord& r) { return r.action == "alert.bulk"; });
  ASSERT_EQ(recs->size(), 2u);
  EXPECT_NE(recs->front().detail.find("1200 of 1200"), std::string::npos);
}

TEST(SensorsApi, FleetWithHealthTokensAndDecommission) {
  ConsoleHarness h;
  Client sensor = h.sensor_client();
  for (int i = 1; i <= 2; ++i) {
    auto hb = sensor.post("/api/v1/sensor/heartbeat",
                          "{\"packets\":" + std::to_string(i * 1000) + ",\"bytes\":1,\"drops\":" + std::to_string(i * 10) +
                              ",\"alerts\":" + std::to_string(i * 5) +
                              ",\"flows\":1,\"uptime_seconds\":1,\"ruleset_version\":\"0\",\"software_version\":\"0.1.0\","
                              "\"spool_batches\":0,\"spool_bytes\":0,\"spool_dropped_alerts\":0}");
    ASSERT_EQ(hb.status, 200) << hb.body;
  }
  Client admin = h.login(Role::kAdmin);
  auto l = parse(admin.get("/api/v1/sensors").body).at("sensors").as_array();
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].at("name").as_string(), "test-sensor");
  EXPECT_EQ(l[0].at("state").as_string(), "active");
  EXPECT_EQ(l[0].at("health").at("software_version").as_string(), "0.1.0");
  EXPECT_NEAR(l[0].at("drop_percent").as_double(), 100.0 * 20 / 2020, 1e-9);
  EXPECT_FALSE(l[0].at("silent").as_bool());
  auto created = admin.post("/api/v1/sensors", R"({"name":"branch-office","description":"Hà Nội"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string token(parse(created.body).at("enrolment_token").as_string());
  EXPECT_EQ(token.rfind("canh_enrol_", 0), 0u);
  EXPECT_EQ(admin.post("/api/v1/sensors", R"({"name":"branch-office"})").status, 409);
  std::string sid = std::to_string(h.sensor_id());
  ASSERT_EQ(admin.post("/api/v1/sensors/" + sid + "/decommission", "{}").status, 200);
  EXPECT_EQ(sensor.post("/api/v1/sensor/heartbeat", "{}").status, 401);  // its credential is dead
  EXPECT_EQ(h.login(Role::kAnalyst).post("/api/v1/sensors", R"({"name":"x"})").status, 403);
  // Heartbeats are kept per millisecond: two sent within one may be one record.
  auto hist = parse(admin.get("/api/v1/sensors/" + sid + "/health").body).at("history").as_array();
  ASSERT_GE(hist.size(), 1u);
  EXPECT_EQ(hist.back().at("packets").as_int64(), 2000);
}

// An alert whose payload, URL, hostname and signature message carry HTML and script: the API returns
// them as JSON strings (never interpreted), with the characters intact for the page to insert as
// text; the browser test checks the page shows them inert.
TEST(Xss, HostileAlertFieldsComeBackAsPlainJsonStrings) {
  ConsoleHarness h;
  std::string msg = "ET WEB <script>alert('sig')</script> \"quoted\"";
  std::string extra =
      ",\"app_proto\":\"http\",\"http\":{\"hostname\":\"<img src=x onerror=alert('host')>.example\","
      "\"url\":\"/index.php?q=<script>alert('url')</script>\",\"http_user_agent\":\"</td><b>ua</b>\"},"
      "\"payload_printable\":\"GET /<svg onload=alert('payload')>\",\"payload\":\"R0VUIC88c3ZnIG9ubG9hZD1hbGVydCgncGF5bG9hZCcpPg==\"";
  h.ingest({make_alert(base_us(), 2666, "10.0.0.5", "192.0.2.10", msg, 5, extra)}, 1);
  Client c = h.login(Role::kReadOnly);
  auto groups = c.get("/api/v1/alerts/groups");
  EXPECT_EQ(groups.header("Content-Type"), "application/json");
  EXPECT_EQ(groups.header("X-Content-Type-Options"), "nosniff");
  auto g = parse(groups.body).at("groups").as_array();
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].at("label").as_string(), msg);
  auto d = c.get("/api/v1/alerts/" + std::string(g[0].at("sample").as_string()));
  ASSERT_EQ(d.status, 200);
  EXPECT_EQ(d.header("Content-Type"), "application/json");
  auto v = parse(d.body);
  EXPECT_EQ(v.at("signature").as_string(), msg);
  EXPECT_EQ(v.at("eve").at("http").at("hostname").as_string(), "<img src=x onerror=alert('host')>.example");
  EXPECT_EQ(v.at("eve").at("http").at("url").as_string(), "/index.php?q=<script>alert('url')</script>");
  // The Content-Security-Policy forbids inline script, so even a missed escape would not run.
  EXPECT_NE(d.header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
}

}  // namespace
}  // namespace canh::console
