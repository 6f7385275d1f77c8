// Alert triage through the server: detail, state changes with reasons, assignment, comments, history,
// grouping, bulk actions on a whole filter, sensors, and escaping of hostile alert content.
#include <gtest/gtest.h>

#include <map>

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

// Thousands of alerts: the bulk action writes them in store batches of 5,000 (one audit record each),
// reports how many changed, leaves alone what already had the state, and writes every alert's
// history note with its change.
TEST(TriageApi, BulkWritesInBatchesWithNotesAndAnAuditRecordPerBatch) {
  ConsoleHarness h;
  int64_t t = base_us();
  constexpr int kNoisy = 11000, kOther = 1000;
  for (int b = 0; b < 12; ++b) {
    std::vector<storage::NewAlert> batch;
    for (int i = 0; i < 1000; ++i) {
      int n = b * 1000 + i;
      batch.push_back(n < kNoisy ? make_alert(t + n * 1000, 2001, "10.0.0.1", "192.0.2.1", "ET SCAN noisy")
                                 : make_alert(t + n * 1000, 2002, "10.0.0.2", "192.0.2.1", "keep me"));
    }
    h.ingest(std::move(batch), b + 1);
  }
  Client analyst = h.login(Role::kAnalyst);
  // One of them is closed already: matched, not changed, its history untouched by the bulk action.
  auto one = parse(analyst.get("/api/v1/alerts?sid=2001&limit=1").body).at("items").at(0);
  std::string closed_id(one.at("id").as_string());
  ASSERT_EQ(analyst.post("/api/v1/alerts/" + closed_id + "/triage", R"({"state":"closed","reason":"duplicate"})").status, 200);

  auto r = analyst.post("/api/v1/alerts/bulk",
                        R"({"filter":{"sid":2001},"state":"closed","reason":"benign","note":"lab scanner"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = parse(r.body);
  EXPECT_EQ(v.at("matched").as_int64(), kNoisy);
  EXPECT_EQ(v.at("changed").as_int64(), kNoisy - 1);
  EXPECT_EQ(v.at("batches").as_int64(), 3);  // 5,000 + 5,000 + 999
  EXPECT_FALSE(v.at("capped").as_bool());
  EXPECT_TRUE(v.at("next_cursor").is_null());

  auto by_state = [&](const std::string& q) {
    std::map<std::string, int64_t> m;
    auto v = parse(analyst.get("/api/v1/alerts/groups?by=signature" + q).body);
    for (auto& g : v.at("groups").as_array()) m[std::string(g.at("key").as_string())] = g.at("count").as_int64();
    return m;
  };
  EXPECT_EQ(by_state("&state=closed")["2001"], kNoisy);
  EXPECT_EQ(by_state("&state=new")["2001"], 0);
  EXPECT_EQ(by_state("&state=new")["2002"], kOther);

  // History: a note per changed alert, saying from what to what and why; the one closed before
  // keeps its own.
  auto sample = parse(analyst.get("/api/v1/alerts?sid=2001&limit=3&cursor=" + closed_id).body).at("items").as_array();
  ASSERT_EQ(sample.size(), 3u);
  for (auto& it : sample) {
    auto hist = parse(analyst.get("/api/v1/alerts/" + std::string(it.at("id").as_string())).body).at("history").as_array();
    ASSERT_EQ(hist.size(), 1u);
    EXPECT_EQ(hist[0].at("kind").as_string(), "state");
    EXPECT_EQ(hist[0].at("from").as_string(), "new");
    EXPECT_EQ(hist[0].at("to").as_string(), "closed");
    EXPECT_EQ(hist[0].at("reason").as_string(), "benign");
    EXPECT_EQ(hist[0].at("text").as_string(), "lab scanner");
    EXPECT_EQ(hist[0].at("by").as_string(), "analyst");
  }
  auto kept = parse(analyst.get("/api/v1/alerts/" + closed_id).body).at("history").as_array();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].at("reason").as_string(), "duplicate");

  // The audit trail: one record per store batch with its count and time span, then the summary.
  auto batches = h.console().audit().list(0, 100, [](const storage::AuditRecord& a) { return a.action == "alert.bulk.batch"; });
  ASSERT_TRUE(batches);
  ASSERT_EQ(batches->size(), 3u);
  EXPECT_NE((*batches)[0].detail.find("batch 1: 5000 of 5000 alerts changed -> closed (benign)"), std::string::npos)
      << (*batches)[0].detail;
  EXPECT_NE((*batches)[2].detail.find("batch 3: 999 of 999"), std::string::npos) << (*batches)[2].detail;
  EXPECT_EQ((*batches)[0].actor_name, "analyst");
  EXPECT_EQ((*batches)[0].actor_kind, "session");
  auto summary = h.console().audit().list(0, 100, [](const storage::AuditRecord& a) { return a.action == "alert.bulk"; });
  ASSERT_EQ(summary->size(), 1u);
  EXPECT_NE(summary->front().detail.find("10999 of 11000 matching alerts -> closed (benign) in 3 batches"), std::string::npos)
      << summary->front().detail;
  EXPECT_TRUE(h.console().audit().verify().ok);

  // Again: nothing differs, so nothing is written — no batch, no note.
  auto again = parse(analyst.post("/api/v1/alerts/bulk", R"({"filter":{"sid":2001},"state":"closed","reason":"benign"})").body);
  EXPECT_EQ(again.at("matched").as_int64(), kNoisy);
  EXPECT_EQ(again.at("changed").as_int64(), 0);
  EXPECT_EQ(again.at("batches").as_int64(), 0);
}

// The page's way: steps of `limit` alerts, each continuing at the previous answer's next_cursor, so
// a person sees progress and may stop; the steps together change every matching alert once.
TEST(TriageApi, BulkInStepsFollowsTheCursorToTheEnd) {
  ConsoleHarness h;
  int64_t t = base_us();
  std::vector<storage::NewAlert> batch;
  for (int i = 0; i < 2500; ++i) batch.push_back(make_alert(t + i * 1000, 2001, "10.0.0.1", "192.0.2.1", "ET SCAN noisy"));
  h.ingest(std::move(batch), 1);
  Client analyst = h.login(Role::kAnalyst);
  std::string cursor;
  int64_t matched = 0, changed = 0;
  std::vector<int64_t> steps;
  for (int step = 0; step < 10; ++step) {
    std::string body = R"({"filter":{"state":"new"},"assignee":"analyst","state":"acknowledged","limit":1000)";
    if (!cursor.empty()) body += R"(,"cursor":")" + cursor + "\"";
    auto r = analyst.post("/api/v1/alerts/bulk", body + "}");
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = parse(r.body);
    matched += v.at("matched").as_int64();
    changed += v.at("changed").as_int64();
    steps.push_back(v.at("matched").as_int64());
    if (v.at("next_cursor").is_null()) {
      EXPECT_FALSE(v.at("capped").as_bool());
      break;
    }
    EXPECT_TRUE(v.at("capped").as_bool());
    cursor = std::string(v.at("next_cursor").as_string());
  }
  EXPECT_EQ(steps, (std::vector<int64_t>{1000, 1000, 500}));
  EXPECT_EQ(matched, 2500);
  EXPECT_EQ(changed, 2500);
  auto groups = parse(analyst.get("/api/v1/alerts/groups?state=acknowledged&assignee=me").body).at("groups").as_array();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].at("count").as_int64(), 2500);
  auto hist = parse(analyst.get("/api/v1/alerts/" + std::string(groups[0].at("sample").as_string())).body).at("history").as_array();
  ASSERT_EQ(hist.size(), 2u);  // the state, then the assignment
  EXPECT_EQ(hist[1].at("kind").as_string(), "assign");
  EXPECT_EQ(hist[1].at("to").as_string(), "analyst");
  EXPECT_EQ(analyst.post("/api/v1/alerts/bulk", R"({"filter":{"sid":2001},"state":"new","limit":0})").status, 400);
  EXPECT_EQ(analyst.post("/api/v1/alerts/bulk", R"({"filter":{"sid":2001},"state":"new","cursor":"x"})").status, 400);
}

// The assignee filter is the store's: pages are full whatever the share of matching alerts, "me" is
// whoever asks (an API token's owner too), "unassigned" and "-" are nobody.
TEST(AlertList, AssigneeFilterIsServerSideWithMeAndUnassigned) {
  ConsoleHarness h;
  int64_t t = base_us();
  std::vector<storage::NewAlert> batch;
  for (int i = 0; i < 300; ++i) batch.push_back(make_alert(t + i * 1000, 2001 + i % 3, "10.0.0.1", "192.0.2.1", "ET x"));
  h.ingest(std::move(batch), 1);
  Client analyst = h.login(Role::kAnalyst);
  Client admin = h.login(Role::kAdmin);
  // The oldest 20 alerts of sid 2001 (i = 0, 3, ..., 57) go to the analyst: the newest pages hold
  // none of them, so a filter of the page the client got would find nothing.
  ASSERT_EQ(analyst.post("/api/v1/alerts/bulk", "{\"filter\":{\"sid\":2001,\"to\":" + std::to_string(t / 1000 + 60) +
                                                    "},\"assignee\":\"analyst\"}").status, 200);
  auto list = [&](Client& c, const std::string& q) {
    auto r = c.get("/api/v1/alerts?limit=50&" + q);
    EXPECT_EQ(r.status, 200) << r.body;
    return parse(r.body);
  };
  ASSERT_EQ(admin.post("/api/v1/alerts/bulk", R"({"filter":{"sid":2002},"assignee":"admin"})").status, 200);
  auto mine = list(analyst, "assignee=me");
  EXPECT_EQ(mine.at("items").as_array().size(), 20u);
  for (auto& a : mine.at("items").as_array()) {
    EXPECT_EQ(a.at("assignee").as_string(), "analyst");
    EXPECT_EQ(a.at("sid").as_int64(), 2001);
  }
  EXPECT_TRUE(mine.at("next_cursor").is_null());
  EXPECT_EQ(list(analyst, "assignee=analyst").at("items").as_array().size(), 20u);
  auto admins = list(admin, "assignee=me&limit=500");
  EXPECT_EQ(admins.at("items").as_array().size(), 100u);
  for (auto& a : admins.at("items").as_array()) EXPECT_EQ(a.at("assignee").as_string(), "admin");
  // Unassigned: 300 - 20 - 100, counted over full pages.
  for (std::string word : {"unassigned", "-"}) {
    size_t n = 0;
    std::string cursor;
    for (int i = 0; i < 10; ++i) {
      auto p = list(analyst, "assignee=" + word + (cursor.empty() ? "" : "&cursor=" + cursor));
      for (auto& a : p.at("items").as_array()) EXPECT_EQ(a.at("assignee").as_string(), "");
      n += p.at("items").as_array().size();
      if (p.at("next_cursor").is_null()) break;
      EXPECT_EQ(p.at("items").as_array().size(), 50u);
      cursor = std::string(p.at("next_cursor").as_string());
    }
    EXPECT_EQ(n, 180u) << word;
  }
  // An API token's "me" is its owner.
  auto tok = analyst.post("/api/v1/tokens", R"({"label":"script","role":"read-only"})");
  ASSERT_EQ(tok.status, 201) << tok.body;
  Client script = h.client();
  script.set_bearer(std::string(parse(tok.body).at("secret").as_string()));
  EXPECT_EQ(list(script, "assignee=me").at("items").as_array().size(), 20u);
  EXPECT_EQ(analyst.get("/api/v1/alerts?assignee=" + std::string(65, 'a')).status, 400);
}

// The list carries what the inbox shows; the full EVE record is the detail route's.
TEST(AlertList, ItemsAreSummariesAndTheDetailHasTheEveRecord) {
  ConsoleHarness h;
  h.ingest({make_alert(base_us(), 2001, "10.0.0.5", "192.0.2.10", "ET SCAN one", 9,
                       ",\"payload_printable\":\"" + std::string(2000, 'x') + "\"")},
           1);
  Client c = h.login(Role::kReadOnly);
  auto list = c.get("/api/v1/alerts");
  ASSERT_EQ(list.status, 200);
  EXPECT_LT(list.body.size(), 1000u);
  auto item = parse(list.body).at("items").at(0).as_object();
  EXPECT_FALSE(item.contains("eve"));
  for (const char* k : {"id", "timestamp", "severity", "signature", "sid", "src_ip", "src_port", "dest_ip", "dest_port",
                        "proto", "sensor", "sensor_name", "state", "assignee"})
    EXPECT_TRUE(item.contains(k)) << k;
  auto d = parse(c.get("/api/v1/alerts/" + std::string(item.at("id").as_string())).body);
  EXPECT_EQ(d.at("eve").at("flow_id").as_int64(), 9);
  EXPECT_EQ(d.at("eve").at("payload_printable").as_string().size(), 2000u);
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
