// The compliance API through the real router and server over loopback: the authorization matrix of
// its routes, every dossier workflow transition with the duties it is refused to, CSRF, evidence
// upload and download, the audit trail of every change, reports.
#include "console/compliance_api.h"

#include <gtest/gtest.h>

#include <set>

#include "console/api_util.h"
#include "console/test_harness.h"
#include "storage/audit_log.h"

namespace canh::console {
namespace {

namespace json = boost::json;
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

class ComplianceHarness {
 public:
  ComplianceHarness()
      : h_([this](Router& r, Console& c, storage::Storage& st) {
              ComplianceApiOptions o;
              o.retention_days = [] { return int64_t{365}; };
              auto api = ComplianceApi::open(st, c, o);
              if (!api) throw std::runtime_error(api.status().message());
              api_ = std::move(*api);
              Status s = r.mount(api_->routes());
              if (!s) throw std::runtime_error(s.message());
            },
            generous()) {
    // The parties of one system: operator (operating unit), expert and appraiser (security unit),
    // approver (owner), auditor (independent inspection).
    for (auto [n, role] : std::vector<std::pair<const char*, Role>>{
             {"lan", Role::kAnalyst}, {"minh", Role::kAnalyst}, {"tuan", Role::kAnalyst}, {"hoa", Role::kAuditor},
             {"an", Role::kAuditor}})
      if (!h_.console().users().add(n, role, kTestPassword)) throw std::runtime_error("add user");
  }
  ConsoleHarness& h() { return h_; }
  ComplianceApi& api() { return *api_; }
  Client login(const std::string& name) { return h_.login(name); }

 private:
  std::unique_ptr<ComplianceApi> api_;
  ConsoleHarness h_;
};

std::string system_body(const std::string& name, const std::string& extra = "") {
  return R"({"name":")" + name + R"(","owner":"UBND tỉnh","operating_unit":"Trung tâm CNTT",)"
         R"("description":"one-stop portal","ranges":["10.20.0.0/16","2001:db8:20::/48"],)"
         R"("contacts":[{"name":"Nguyễn Văn A","role":"head","email":"a@example.gov.vn","phone":"1"}])" +
         extra + "}";
}

const char* kAnswers = R"({"info_classes":["public","personal"],"system_types":["citizen_business"],
  "online_service":true,"conditional_business":false,"admin_procedures":true,"data_subjects_basic":50000,
  "data_subjects_sensitive":0,"infrastructure_scope":"none","national_egov_24x7":false,"ics_work_grade":"none",
  "secret_or_defence_impact":"none","strategic_defence":false,"national_data_store":false})";

// ---------------------------------------------------------------------------------------------
// Authorization matrix of the compliance routes (the router's part; duties are checked below).
// Roles: A admin, N analyst, U auditor, R read-only.
struct Expect {
  const char* route;
  const char* allowed;
};
const Expect kMatrix[] = {
    {"GET /api/v1/compliance/frameworks", "ANUR"},
    {"GET /api/v1/compliance/frameworks/{id}", "ANUR"},
    {"POST /api/v1/compliance/frameworks/reload", "A"},
    {"POST /api/v1/compliance/frameworks/{id}/suggest", "ANUR"},
    {"GET /api/v1/compliance/overview", "ANUR"},
    {"POST /api/v1/compliance/systems", "A"},
    {"GET /api/v1/compliance/systems/{id}", "ANUR"},
    {"PUT /api/v1/compliance/systems/{id}", "A"},
    {"PUT /api/v1/compliance/systems/{id}/duties", "A"},
    {"POST /api/v1/compliance/systems/{id}/dossiers", "ANU"},
    {"GET /api/v1/compliance/systems/{id}/dossiers/{v}", "ANUR"},
    {"PUT /api/v1/compliance/systems/{id}/dossiers/{v}", "ANU"},
    {"POST /api/v1/compliance/systems/{id}/dossiers/{v}/transitions", "ANU"},
    {"POST /api/v1/compliance/systems/{id}/dossiers/{v}/parts/{part}/files", "ANU"},
    {"DELETE /api/v1/compliance/systems/{id}/dossiers/{v}/parts/{part}/files/{sha}", "ANU"},
    {"GET /api/v1/compliance/systems/{id}/controls", "ANUR"},
    {"PUT /api/v1/compliance/systems/{id}/controls/{cid}", "ANU"},
    {"POST /api/v1/compliance/systems/{id}/controls/{cid}/links", "ANU"},
    {"POST /api/v1/compliance/systems/{id}/controls/{cid}/files", "ANU"},
    {"DELETE /api/v1/compliance/systems/{id}/controls/{cid}/evidence/{eid}", "ANU"},
    {"GET /api/v1/compliance/files/{sha}", "ANUR"},
    {"GET /api/v1/compliance/systems/{id}/report", "ANUR"},
    {"GET /api/v1/compliance/systems/{id}/report.csv", "ANUR"},
};

TEST(ComplianceAuthorization, EveryRouteIsInTheTableAndEveryChangeIsAudited) {
  ComplianceHarness ch;
  std::set<std::string> mine;
  for (const auto& r : ch.api().routes()) {
    std::string key = r.method + " " + r.pattern;
    mine.insert(key);
    const Expect* x = nullptr;
    for (const auto& m : kMatrix)
      if (key == m.route) x = &m;
    ASSERT_NE(x, nullptr) << key << " is missing from the matrix";
    std::string allowed = x->allowed;
    EXPECT_FALSE(r.access.anonymous) << key;
    EXPECT_EQ(r.access.allows(Role::kAdmin), allowed.find('A') != std::string::npos) << key;
    EXPECT_EQ(r.access.allows(Role::kAnalyst), allowed.find('N') != std::string::npos) << key;
    EXPECT_EQ(r.access.allows(Role::kAuditor), allowed.find('U') != std::string::npos) << key;
    EXPECT_EQ(r.access.allows(Role::kReadOnly), allowed.find('R') != std::string::npos) << key;
    EXPECT_FALSE(r.access.allows(Role::kSensor)) << key;
    bool changes = r.method != "GET" && r.pattern.find("/suggest") == std::string::npos;
    if (changes) {
      EXPECT_FALSE(r.audit_action.empty()) << key << " changes state but is not audited";
    }
  }
  EXPECT_EQ(mine.size(), std::size(kMatrix));
}

TEST(ComplianceAuthorization, RouterEnforcesTheMatrixForEveryRole) {
  ComplianceHarness ch;
  int checked = 0;
  for (const auto& m : kMatrix) {
    std::string route = m.route, allowed = m.allowed;
    std::string method = route.substr(0, route.find(' '));
    std::string path = route.substr(route.find(' ') + 1);
    for (size_t p; (p = path.find('{')) != std::string::npos;) path.replace(p, path.find('}', p) - p + 1, "1");
    std::string body = method == "GET" ? "" : "{}";
    Client anon = ch.h().client();
    auto a = anon.request(method, path, body);
    EXPECT_EQ(a.status, 401) << route;
    for (auto [letter, role] : std::vector<std::pair<char, Role>>{
             {'A', Role::kAdmin}, {'N', Role::kAnalyst}, {'U', Role::kAuditor}, {'R', Role::kReadOnly}}) {
      Client c = ch.h().login(role);
      auto r = c.request(method, path, body);
      if (allowed.find(letter) != std::string::npos) {
        EXPECT_TRUE(r.header("x-canh-denied").empty()) << route << " as " << http::role_name(role) << ": " << r.body;
      } else {
        EXPECT_EQ(r.status, 403) << route << " as " << http::role_name(role);
        EXPECT_EQ(r.header("x-canh-denied"), "role") << route;
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(std::size(kMatrix)) * 4);
}

TEST(ComplianceApi, StateChangesNeedTheCsrfToken) {
  ComplianceHarness ch;
  Client admin = ch.login("admin");
  admin.set_csrf("");
  auto r = admin.post("/api/v1/compliance/systems", system_body("A"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("x-canh-denied"), "csrf");
}

// ---------------------------------------------------------------------------------------------
// The workflow over HTTP. Each step is first tried by every other party (refused: 403, recorded
// in the audit log with the reason), then done by the party it belongs to.

struct Flow {
  ComplianceHarness ch;
  Client admin = ch.login("admin");
  std::map<std::string, Client> party;
  uint32_t id = 0;

  Flow() {
    for (const char* n : {"lan", "minh", "tuan", "hoa", "an"}) party.emplace(n, ch.login(n));
    auto r = admin.post("/api/v1/compliance/systems", system_body("Cổng dịch vụ công"));
    EXPECT_EQ(r.status, 201) << r.body;
    auto v = parse(r.body);
    id = static_cast<uint32_t>(v.at("system").at("id").to_number<int64_t>());
    int64_t rev = v.at("system").at("revision").to_number<int64_t>();
    auto d = admin.request("PUT", sys() + "/duties",
                           R"({"revision":)" + std::to_string(rev) +
                               R"(,"duties":[{"user":"lan","duty":"operator"},{"user":"tuan","duty":"expert"},
                               {"user":"minh","duty":"appraiser"},{"user":"hoa","duty":"approver"},
                               {"user":"an","duty":"auditor"}]})");
    EXPECT_EQ(d.status, 200) << d.body;
  }
  std::string sys() const { return "/api/v1/compliance/systems/" + std::to_string(id); }
  std::string dossier(int v) const { return sys() + "/dossiers/" + std::to_string(v); }

  testing::ClientResponse act(const std::string& who, int v, const std::string& body) {
    return party.at(who).post(dossier(v) + "/transitions", body);
  }
  // `action` by `who` succeeds after every other party was refused it.
  json::value step(const std::string& who, int v, const std::string& body, const std::string& expect_state,
                   std::set<std::string> also_allowed = {}) {
    for (auto& [name, c] : party) {
      if (name == who || also_allowed.count(name)) continue;
      auto r = c.post(dossier(v) + "/transitions", body);
      EXPECT_EQ(r.status, 403) << body << " by " << name << ": " << r.body;
    }
    auto r = act(who, v, body);
    EXPECT_EQ(r.status, 200) << body << " by " << who << ": " << r.body;
    auto j = parse(r.body);
    EXPECT_EQ(j.at("state").as_string(), expect_state) << body;
    return j;
  }
  void draft(int level = 3) {
    auto c = party.at("lan").post(sys() + "/dossiers", "{}");
    ASSERT_EQ(c.status, 201) << c.body;
    auto j = parse(c.body);
    std::string parts = R"({"overview":"portal","design":"design 2025","level_justification":"Art 13.2","security_plan":"plan")";
    if (level >= 4) parts += R"(,"expert_opinion":"attached","l45_extra":"risk report")";
    parts += "}";
    auto e = party.at("lan").request("PUT", dossier(1),
                                     R"({"revision":)" + std::to_string(j.at("revision").to_number<int64_t>()) +
                                         R"(,"answers":)" + kAnswers + R"(,"proposed_level":)" + std::to_string(level) +
                                         R"(,"justification":"the national platform","parts":)" + parts +
                                         R"(,"regulation_approved":true,"regulation_ref":"QĐ 7","system_running":true})");
    ASSERT_EQ(e.status, 200) << e.body;
  }
  void assess_controls(const std::string& who) {
    auto cj = party.at(who).get(sys() + "/controls");
    ASSERT_EQ(cj.status, 200);
    json::value controls = parse(cj.body);
    for (const auto& c : controls.at("controls").as_array()) {
      const auto& o = c.as_object();
      std::string cid(o.at("id").as_string());
      bool live = o.at("evidence_kind").as_string() == "live";
      std::string body = live ? R"({"status":"not_applicable","reason":"covered by the provincial SOC")"
                              : R"({"status":"met","notes":"checked on site")";
      body += ",\"revision\":" + std::to_string(o.at("state").at("revision").to_number<int64_t>()) + "}";
      auto r = party.at(who).request("PUT", sys() + "/controls/" + cid, body);
      ASSERT_EQ(r.status, 200) << cid << ": " << r.body;
    }
  }
};

TEST(ComplianceWorkflowApi, Level3FromDraftToInForceEachStepRefusedToTheOtherParties) {
  Flow f;
  f.draft(3);
  // A read-only account may look but not act (the router refuses its role).
  Client reader = f.ch.h().login(Role::kReadOnly);
  EXPECT_EQ(reader.get(f.dossier(1)).status, 200);
  EXPECT_EQ(reader.post(f.dossier(1) + "/transitions", R"({"action":"submit"})").status, 403);
  // An admin without a duty on the system is refused too: admins manage, parties act.
  EXPECT_EQ(f.admin.post(f.dossier(1) + "/transitions", R"({"action":"submit"})").status, 403);

  f.step("lan", 1, R"({"action":"submit"})", "submitted");
  f.step("minh", 1, R"({"action":"accept"})", "under_appraisal");
  auto early = f.act("minh", 1, R"({"action":"appraise","opinion":"meets level 3"})");
  EXPECT_EQ(early.status, 400);
  EXPECT_NE(early.body.find("controls have no status"), std::string::npos) << early.body;
  f.assess_controls("minh");
  f.step("minh", 1, R"({"action":"appraise","opinion":"Form 04: meets level 3"})", "appraised");
  f.step("lan", 1, R"({"action":"request_approval"})", "awaiting_approval");
  auto bad_date = f.act("hoa", 1, R"({"action":"approve","decision_number":"123/QĐ-UBND","decision_date":"20/11/2026"})");
  EXPECT_EQ(bad_date.status, 400);
  // Yesterday in Hanoi: a decision date may not be in the future.
  const auto* fw = f.ch.api().service().frameworks()->get("nd331_2026");
  std::string yesterday = compliance::local_date(*fw, now_ms() - 86400000);
  auto j = f.step("hoa", 1, R"({"action":"approve","decision_number":"123/QĐ-UBND","decision_date":")" + yesterday + "\"}",
                  "in_force");
  EXPECT_TRUE(j.at("frozen").as_bool());
  EXPECT_EQ(j.at("due_status").as_string(), "ok");
  EXPECT_TRUE(j.at("snapshot").is_object());
  // Immutable now.
  auto edit = f.party.at("lan").request("PUT", f.dossier(1), R"({"justification":"later edit"})");
  EXPECT_EQ(edit.status, 409) << edit.body;

  // Re-assessment: flagged by the auditor (with a trigger), started by the operator as version 2.
  EXPECT_EQ(f.act("an", 1, R"({"action":"request_reassessment"})").status, 400);  // no trigger
  // The operator may ask for it too (a change of function or scope, Art 10.2).
  f.step("an", 1, R"j({"action":"request_reassessment","trigger":"new interconnection (Art 10.2)"})j", "reassessment_due",
         {"lan"});
  auto re = f.act("lan", 1, R"({"action":"start_reassessment"})");
  ASSERT_EQ(re.status, 200) << re.body;
  auto v2 = parse(re.body);
  EXPECT_EQ(v2.at("version").to_number<int64_t>(), 2);
  EXPECT_EQ(v2.at("state").as_string(), "draft");
  EXPECT_EQ(v2.at("trigger").as_string(), "new interconnection (Art 10.2)");

  // Every step is in the hash-chained audit log, refusals included, with who and what.
  auto recs = f.ch.h().console().audit().list(0, 10000, [](const storage::AuditRecord& r) {
    return r.action == "compliance.dossier.transition";
  });
  ASSERT_TRUE(recs);
  int ok = 0, refused = 0;
  std::set<std::string> details;
  for (const auto& r : *recs) {
    if (r.status == 200) ++ok;
    if (r.status == 403) ++refused;
    details.insert(r.actor_name + ": " + r.detail);
  }
  EXPECT_EQ(ok, 7);
  EXPECT_GE(refused, 25);
  bool saw_approve = false;
  for (const auto& d : details)
    if (d.rfind("hoa: ", 0) == 0 && d.find("approve awaiting_approval -> approved; canh: enter_into_force -> in_force") != std::string::npos)
      saw_approve = true;
  EXPECT_TRUE(saw_approve);
  auto verify = f.ch.h().console().audit().verify();
  EXPECT_TRUE(verify.ok) << verify.problem;
}

TEST(ComplianceWorkflowApi, ReturnsWithdrawalAndTheExpertRouteForLevel4) {
  Flow f;
  f.draft(4);
  f.step("lan", 1, R"({"action":"submit"})", "expert_review");  // Canh routes level 4 to the expert
  EXPECT_EQ(f.act("tuan", 1, R"({"action":"return"})").status, 400);  // reasons required
  f.step("tuan", 1, R"({"action":"return","reasons":"the risk report is missing"})", "returned");
  f.step("lan", 1, R"({"action":"redraft"})", "draft");
  f.step("lan", 1, R"({"action":"submit"})", "expert_review");
  f.step("tuan", 1, R"({"action":"give_opinion","opinion":"Form 03: level 4 is right"})", "under_appraisal");
  f.step("minh", 1, R"({"action":"return","reasons":"the IP plan is incomplete"})", "returned");
  f.step("lan", 1, R"({"action":"redraft"})", "draft");
  f.step("lan", 1, R"({"action":"submit"})", "expert_review");
  f.step("tuan", 1, R"({"action":"give_opinion","opinion":"ok"})", "under_appraisal");
  f.assess_controls("minh");
  f.step("minh", 1, R"({"action":"appraise","opinion":"MPS opinion entered"})", "appraised");
  f.step("lan", 1, R"({"action":"request_approval"})", "awaiting_approval");
  f.step("hoa", 1, R"({"action":"return","reasons":"decision template changed"})", "returned");
  f.step("lan", 1, R"({"action":"withdraw","reasons":"system is being merged"})", "withdrawn");
  auto after = f.act("lan", 1, R"({"action":"redraft"})");
  EXPECT_EQ(after.status, 409) << after.body;
}

TEST(ComplianceWorkflowApi, DutyAssignmentsAreCheckedOnTheServer) {
  Flow f;
  auto sysj = parse(f.admin.get(f.sys()).body);
  int64_t rev = sysj.at("system").at("revision").to_number<int64_t>();
  auto r = f.admin.request("PUT", f.sys() + "/duties",
                           R"({"revision":)" + std::to_string(rev) +
                               R"(,"duties":[{"user":"lan","duty":"operator"},{"user":"lan","duty":"approver"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("independent"), std::string::npos) << r.body;
  r = f.admin.request("PUT", f.sys() + "/duties", R"({"revision":1,"duties":[]})");
  EXPECT_EQ(r.status, 409) << r.body;  // stale revision
  EXPECT_EQ(parse(f.party.at("lan").get(f.sys()).body).at("my_duties").as_array().at(0).as_string(), "operator");
}

TEST(ComplianceApi, EvidenceFilesAreStoredByHashAndServedAsAttachments) {
  Flow f;
  f.draft(3);
  std::string html = "<html><script>alert(1)</script></html>";
  auto up = f.party.at("lan").request("POST", f.sys() + "/controls/MGMT.POLICY.DEFINE/files?name=../pol%C3%ADcy%20v1.html", html,
                                      {{"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(up.status, 201) << up.body;
  auto u = parse(up.body);
  std::string sha(u.at("sha256").as_string());
  EXPECT_EQ(sha, storage::AuditLog::sha256_hex(html));
  auto dl = f.party.at("an").get("/api/v1/compliance/files/" + sha + "?name=pol%C3%ADcy%20v1.html");
  ASSERT_EQ(dl.status, 200);
  EXPECT_EQ(dl.body, html);
  EXPECT_EQ(dl.header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(dl.header("Content-Disposition"), "attachment; filename=\"pol__cy_v1.html\"; filename*=UTF-8''pol%C3%ADcy%20v1.html");
  EXPECT_EQ(dl.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(f.party.at("an").get("/api/v1/compliance/files/" + std::string(64, '0')).status, 404);
  EXPECT_EQ(f.party.at("an").get("/api/v1/compliance/files/..%2f..%2fetc").status, 400);
  auto cj = parse(f.party.at("lan").get(f.sys() + "/controls").body);
  for (const auto& c : cj.at("controls").as_array())
    if (c.at("id").as_string() == "MGMT.POLICY.DEFINE") {
      EXPECT_EQ(c.at("state").at("evidence").at(0).at("label").as_string(), "polícy v1.html");
    }
  // JSON is not an upload; an empty file is refused.
  EXPECT_EQ(f.party.at("lan").post(f.sys() + "/controls/MGMT.POLICY.DEFINE/files", "{}").status, 400);
  EXPECT_EQ(f.party.at("lan")
                .request("POST", f.sys() + "/controls/MGMT.POLICY.DEFINE/files", "", {{"Content-Type", "application/octet-stream"}})
                .status,
            400);
  // Links to an alert and to a report.
  auto link = f.party.at("minh").post(f.sys() + "/controls/TECH.NET.INTRUSION/links",
                                      R"({"kind":"url","ref":"https://soc.example/report/42","label":"pentest"})");
  EXPECT_EQ(link.status, 201) << link.body;
  EXPECT_EQ(f.party.at("minh")
                .post(f.sys() + "/controls/TECH.NET.INTRUSION/links", R"j({"kind":"url","ref":"javascript:alert(1)"})j")
                .status,
            400);
}

TEST(ComplianceApi, OverviewReportAndCsv) {
  Flow f;
  f.draft(3);
  auto ov = f.party.at("an").get("/api/v1/compliance/overview");
  ASSERT_EQ(ov.status, 200);
  auto o = parse(ov.body);
  ASSERT_EQ(o.at("systems").as_array().size(), 1u);
  const auto& row = o.at("systems").at(0);
  EXPECT_EQ(row.at("assessed_level").to_number<int64_t>(), 3);
  EXPECT_EQ(row.at("state").as_string(), "draft");
  EXPECT_TRUE(row.at("approved_level").is_null());
  // Nothing assessed yet: only the live retention check (365 days kept) can pass.
  EXPECT_EQ(row.at("score").at("met").to_number<int64_t>(), 1);
  EXPECT_LT(row.at("score").at("percent").as_double(), 5.0);
  auto rep = f.party.at("an").get(f.sys() + "/report");
  ASSERT_EQ(rep.status, 200) << rep.body;
  EXPECT_EQ(parse(rep.body).at("alerts").at("known").as_bool(), true);
  auto csv = f.party.at("an").get(f.sys() + "/report.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(csv.header("Content-Disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBFsection,id,title,status,value,detail\r\n", 0), 0u);
  auto recs = f.ch.h().console().audit().list_newest(0, 1);
  ASSERT_TRUE(recs && !recs->empty());
  EXPECT_EQ(recs->front().action, "compliance.report.export");
  EXPECT_EQ(f.party.at("an").get(f.sys() + "/report?from_ms=10&to_ms=5").status, 400);
  EXPECT_EQ(f.party.at("an").get("/api/v1/compliance/systems/99/report").status, 404);
  EXPECT_EQ(f.party.at("an").get("/api/v1/compliance/systems/abc").status, 404);
}

// A system registered through the API attributes alerts at ingest from then on, in both families.
TEST(ComplianceApi, SystemRangesAttributeAlertsAtIngest) {
  Flow f;
  auto& alerts = f.ch.h().storage().alerts();
  auto mk = [](const char* src, const char* dst) {
    storage::NewAlert a;
    a.ts_us = now_ms() * 1000;
    a.sid = 2001;
    a.severity = 1;
    a.src = *storage::IpAddr::parse(src);
    a.dst = *storage::IpAddr::parse(dst);
    a.proto = "TCP";
    a.signature = "ET TEST";
    a.category = "test";
    a.eve = "{}";
    return a;
  };
  storage::IngestBatch b;
  b.sensor = 1;
  b.stream = 7;
  b.number = 1;
  b.alerts = {mk("203.0.113.9", "10.20.1.2"), mk("2001:db8:20::5", "2001:db8:99::1"), mk("203.0.113.9", "10.21.0.1")};
  storage::IngestBatch* bp = &b;
  ASSERT_TRUE(alerts.ingest(std::span<storage::IngestBatch* const>(&bp, 1), true, now_ms()));
  storage::AlertQuery q;
  q.systems = {f.id};
  auto page = alerts.list(q);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 2u);
  for (const auto& a : page->items) EXPECT_EQ(a.systems, std::vector<uint32_t>{f.id});
  // Narrowing the ranges applies to alerts stored from then on; earlier ones keep their system.
  auto sysj = parse(f.admin.get(f.sys()).body);
  auto r = f.admin.request("PUT", f.sys(),
                           R"({"name":"Cổng dịch vụ công","owner":"UBND tỉnh","operating_unit":"Trung tâm CNTT",)"
                           R"("ranges":["10.20.0.0/24"],"revision":)" +
                               std::to_string(sysj.at("system").at("revision").to_number<int64_t>()) + "}");
  ASSERT_EQ(r.status, 200) << r.body;
  b.number = 2;
  b.alerts = {mk("203.0.113.9", "10.20.1.2"), mk("203.0.113.9", "10.20.0.7")};
  ASSERT_TRUE(alerts.ingest(std::span<storage::IngestBatch* const>(&bp, 1), true, now_ms()));
  page = alerts.list(q);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->items.size(), 3u);
}

TEST(ComplianceApi, FrameworksAreServedAndSuggestionsComputed) {
  ComplianceHarness ch;
  Client c = ch.h().login(Role::kReadOnly);
  auto l = c.get("/api/v1/compliance/frameworks");
  ASSERT_EQ(l.status, 200);
  EXPECT_EQ(parse(l.body).at("default").as_string(), "nd331_2026");
  auto f = c.get("/api/v1/compliance/frameworks/nd85_2016");
  ASSERT_EQ(f.status, 200);
  EXPECT_EQ(parse(f.body).at("levels").at(4).at("reassessment_months").to_number<int64_t>(), 6);
  auto s = c.post("/api/v1/compliance/frameworks/nd331_2026/suggest", std::string(R"({"answers":)") + kAnswers + "}");
  ASSERT_EQ(s.status, 200) << s.body;
  auto sj = parse(s.body);
  EXPECT_EQ(sj.at("level").to_number<int64_t>(), 3);
  EXPECT_EQ(sj.at("matched").at(1).at("article").as_string(), "Art 13.2");
  EXPECT_EQ(c.post("/api/v1/compliance/frameworks/nd331_2026/suggest", R"({"answers":{"nope":1}})").status, 400);
}

}  // namespace
}  // namespace canh::console
