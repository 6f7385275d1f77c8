#include "console/compliance/service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "storage/audit_log.h"
#include "storage/compliance_test_util.h"
#include "storage/user_store.h"

namespace canh::compliance {
namespace {

namespace json = boost::json;
using http::Role;

constexpr int64_t kNow = 1795402800000;  // 2026-11-23 10:00 Hanoi
constexpr int64_t kDay = 86400000;

// Evidence as the collector's stores would give it; the tests set what each case needs.
struct FixedEvidence : EvidenceSource {
  std::vector<SensorFacts> sensor_list;
  AlertFacts alerts;
  RetentionFacts kept;
  int alert_reads = 0;
  Result<std::vector<SensorFacts>> sensors() override { return sensor_list; }
  Result<AlertFacts> alerts_for(uint32_t, int64_t from, int64_t to, size_t) override {
    ++alert_reads;
    AlertFacts f = alerts;
    f.from_ms = from;
    f.to_ms = to;
    return f;
  }
  RetentionFacts retention() override { return kept; }
};

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = storage::testing::open_compliance_db(dir.str());
    ASSERT_TRUE(db);
    audit = std::make_unique<storage::AuditLog>(*db);
    users = std::make_unique<storage::UserStore>(*db, storage::PasswordHashing::fast_for_tests());
    for (auto [n, r] : std::vector<std::pair<const char*, Role>>{{"admin", Role::kAdmin},
                                                                  {"lan", Role::kAnalyst},
                                                                  {"minh", Role::kAnalyst},
                                                                  {"hoa", Role::kAuditor},
                                                                  {"an", Role::kAuditor},
                                                                  {"reader", Role::kReadOnly}})
      ASSERT_TRUE(users->add(n, r, "correct horse battery"));
    ServiceDeps deps;
    deps.db = db.get();
    deps.audit = audit.get();
    deps.users = users.get();
    deps.evidence = &evidence;
    deps.publish_ranges = [this](std::vector<std::pair<uint32_t, storage::Cidr>> r) { published = std::move(r); };
    ServiceOptions o;
    o.frameworks_dir = dir.str() + "/frameworks";
    auto s = Service::open(deps, o);
    ASSERT_TRUE(s) << s.status().message();
    svc = std::move(*s);
  }

  uint32_t make_system() {
    SystemInput in;
    in.name = "Cổng dịch vụ công";
    in.owner = "UBND tỉnh";
    in.operating_unit = "Trung tâm CNTT";
    in.ranges = {"10.20.0.0/16"};
    in.sensors = {1};
    auto s = svc->create_system(in, admin, kNow);
    EXPECT_TRUE(s) << s.status().message();
    auto d = svc->set_duties(s->value.id,
                             {{"lan", "operator"}, {"minh", "appraiser"}, {"hoa", "approver"}, {"an", "auditor"}},
                             s->value.revision, admin, kNow);
    EXPECT_TRUE(d) << d.status().message();
    return s->value.id;
  }

  // A complete level-3 draft (administrative procedures) ready to submit.
  storage::Dossier ready_draft(uint32_t id) {
    auto d = svc->start_dossier(id, "", lan, kNow);
    EXPECT_TRUE(d) << d.status().message();
    DossierEdit e;
    e.answers = json::parse(R"({"info_classes":["public","personal"],"system_types":["citizen_business"],
      "online_service":true,"conditional_business":false,"admin_procedures":true,"data_subjects_basic":50000,
      "data_subjects_sensitive":0,"infrastructure_scope":"none","national_egov_24x7":false,"ics_work_grade":"none",
      "secret_or_defence_impact":"none","strategic_defence":false,"national_data_store":false})").as_object();
    e.proposed_level = 3;
    e.part_texts = {{"overview", "portal"}, {"design", "approved design 2025"}, {"level_justification", "Art 13.2"},
                    {"security_plan", "plan v1"}};
    e.regulation_approved = true;
    e.regulation_ref = "QĐ 7/QĐ-UBND";
    e.system_running = true;
    auto r = svc->edit_dossier(id, d->value.version, e, d->value.revision, lan, kNow);
    EXPECT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->value.suggested_level, 3);
    return r->value;
  }

  Result<Done<storage::Dossier>> act(uint32_t id, uint32_t v, const Person& p, std::string action,
                                     std::function<void(TransitionInput&)> f = {}, int64_t at = kNow) {
    TransitionInput in;
    in.action = std::move(action);
    if (f) f(in);
    return svc->transition(id, v, in, 0, p, at);
  }

  void assess_all_controls(uint32_t id, const Person& p) {
    auto cj = svc->controls_json(id, kNow);
    ASSERT_TRUE(cj);
    for (const auto& c : cj->at("controls").as_array()) {
      const auto& o = c.as_object();
      if (o.at("evidence_kind").as_string() == "live") continue;
      ControlEdit e;
      e.status = "met";
      e.revision = static_cast<uint64_t>(o.at("state").as_object().at("revision").to_number<int64_t>());
      ASSERT_TRUE(svc->set_control(id, std::string(o.at("id").as_string()), e, p, kNow));
    }
  }

  storage::testing::TempDir dir;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<storage::AuditLog> audit;
  std::unique_ptr<storage::UserStore> users;
  FixedEvidence evidence;
  std::vector<std::pair<uint32_t, storage::Cidr>> published;
  std::unique_ptr<Service> svc;
  Person admin{"admin", Role::kAdmin}, lan{"lan", Role::kAnalyst}, minh{"minh", Role::kAnalyst},
      hoa{"hoa", Role::kAuditor}, an{"an", Role::kAuditor}, reader{"reader", Role::kReadOnly};
};

TEST_F(ServiceTest, OnlyAdminsRegisterSystemsAndRangesArePublishedForIngest) {
  SystemInput in;
  in.name = "Mail";
  in.owner = "Sở";
  in.operating_unit = "IT";
  in.ranges = {"192.0.2.0/24", "2001:db8::/48"};
  EXPECT_EQ(svc->create_system(in, lan, kNow).status().code(), Status::Code::kPermission);
  auto s = svc->create_system(in, admin, kNow);
  ASSERT_TRUE(s) << s.status().message();
  EXPECT_NE(s->detail.find("192.0.2.0/24 2001:db8::/48"), std::string::npos) << s->detail;
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[0].first, s->value.id);
  in.ranges = {"10.0.0.1/8"};
  auto bad = svc->update_system(s->value.id, in, s->value.revision, admin, kNow);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("ranges[0]"), std::string::npos);
  EXPECT_NE(bad.status().message().find("10.0.0.0/8"), std::string::npos);  // "did you mean"
}

TEST_F(ServiceTest, DutiesRespectRolesAndIndependence) {
  uint32_t id = make_system();
  auto sys = svc->systems().get(id).value().value();
  auto r = svc->set_duties(id, {{"lan", "operator"}, {"lan", "appraiser"}}, sys.revision, admin, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("independent of the operating unit"), std::string::npos) << r.status().message();
  r = svc->set_duties(id, {{"reader", "operator"}}, sys.revision, admin, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("read-only and cannot hold the operator duty"), std::string::npos);
  r = svc->set_duties(id, {{"lan", "auditor"}}, sys.revision, admin, kNow);
  ASSERT_FALSE(r);  // auditors are auditor-role accounts
  r = svc->set_duties(id, {{"ghost", "operator"}}, sys.revision, admin, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("no account \"ghost\""), std::string::npos);
  r = svc->set_duties(id, {{"lan", "owner"}}, sys.revision, admin, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(svc->set_duties(id, {}, sys.revision, lan, kNow).status().code(), Status::Code::kPermission);
  // Appraiser and approver may be one person (levels 1-2: one unit, two recorded acts).
  EXPECT_TRUE(svc->set_duties(id, {{"minh", "appraiser"}, {"minh", "approver"}}, sys.revision, admin, kNow));
}

TEST_F(ServiceTest, ADossierWalksFromDraftToInForceWithEveryStepRecorded) {
  uint32_t id = make_system();
  storage::Dossier d = ready_draft(id);
  EXPECT_EQ(act(id, d.version, minh, "submit").status().code(), Status::Code::kPermission);
  auto sub = act(id, d.version, lan, "submit");
  ASSERT_TRUE(sub) << sub.status().message();
  EXPECT_EQ(sub->value.state, "submitted");
  EXPECT_EQ(act(id, d.version, lan, "accept").status().code(), Status::Code::kPermission);
  auto acc = act(id, d.version, minh, "accept");
  ASSERT_TRUE(acc) << acc.status().message();
  EXPECT_EQ(acc->value.state, "under_appraisal");
  // Appraisal needs every control of level 3 assessed.
  auto early = act(id, d.version, minh, "appraise", [](auto& in) { in.opinion = "Form 04: meets level 3"; });
  ASSERT_FALSE(early);
  EXPECT_NE(early.status().message().find("controls have no status"), std::string::npos) << early.status().message();
  assess_all_controls(id, minh);
  // Live controls with no sensor evidence still lack a status: the appraiser marks them.
  auto cj = svc->controls_json(id, kNow);
  for (const auto& c : cj->at("controls").as_array()) {
    const auto& o = c.as_object();
    if (o.at("evidence_kind").as_string() != "live") continue;
    ControlEdit e;
    e.status = "not_applicable";
    e.reason = "monitoring by the provincial SOC";
    ASSERT_TRUE(svc->set_control(id, std::string(o.at("id").as_string()), e, minh, kNow));
  }
  auto appr = act(id, d.version, minh, "appraise", [](auto& in) { in.opinion = "Form 04: meets level 3"; });
  ASSERT_TRUE(appr) << appr.status().message();
  EXPECT_EQ(appr->value.appraisal_opinion, "Form 04: meets level 3");
  EXPECT_TRUE(act(id, d.version, lan, "request_approval"));
  EXPECT_EQ(act(id, d.version, minh, "approve", [](auto& in) {
              in.decision_number = "1";
              in.decision_date = "2026-11-20";
            }).status().code(),
            Status::Code::kPermission);
  auto ok = act(id, d.version, hoa, "approve", [](auto& in) {
    in.decision_number = "123/QĐ-UBND";
    in.decision_date = "2026-11-20";
  });
  ASSERT_TRUE(ok) << ok.status().message();
  // The system was already running: approved -> in_force by Canh in the same step.
  EXPECT_EQ(ok->value.state, "in_force");
  EXPECT_NE(ok->detail.find("approve awaiting_approval -> approved; canh: enter_into_force -> in_force"), std::string::npos)
      << ok->detail;
  EXPECT_TRUE(ok->value.frozen);
  EXPECT_FALSE(ok->value.snapshot_json.empty());
  // Level 3 under Decree 331: re-assessed after 12 months, counted from the decision date.
  EXPECT_EQ(ok->value.reassessment_due_ms, date_start_ms(*svc->frameworks()->get("nd331_2026"), "2027-11-20"));
  std::vector<std::string> actions;
  for (const auto& e : ok->value.history) actions.push_back(e.action + ":" + e.actor);
  EXPECT_EQ(actions, (std::vector<std::string>{"create:lan", "submit:lan", "accept:minh", "appraise:minh",
                                               "request_approval:lan", "approve:hoa", "enter_into_force:canh"}));
  // Approved content is immutable: the operator can no longer edit it.
  DossierEdit e;
  e.proposed_level = 2;
  auto edit = svc->edit_dossier(id, d.version, e, ok->value.revision, lan, kNow);
  ASSERT_FALSE(edit);
  EXPECT_EQ(edit.status().code(), Status::Code::kConflict);
}

TEST_F(ServiceTest, ReturnsCarryReasonsAndTheOperatorReworksTheDraft) {
  uint32_t id = make_system();
  storage::Dossier d = ready_draft(id);
  ASSERT_TRUE(act(id, d.version, lan, "submit"));
  EXPECT_FALSE(act(id, d.version, minh, "return"));  // no reasons
  auto r = act(id, d.version, minh, "return", [](auto& in) { in.reasons = "the IP plan is missing"; });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value.state, "returned");
  EXPECT_EQ(r->value.return_reasons, "the IP plan is missing");
  EXPECT_NE(r->detail.find("the IP plan is missing"), std::string::npos);
  DossierEdit e;
  e.justification = "x";
  EXPECT_EQ(svc->edit_dossier(id, d.version, e, r->value.revision, lan, kNow).status().code(), Status::Code::kConflict);
  auto back = act(id, d.version, lan, "redraft");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->value.state, "draft");
  EXPECT_TRUE(svc->edit_dossier(id, d.version, e, back->value.revision, lan, kNow));
}

TEST_F(ServiceTest, ProposingAnotherLevelNeedsAJustification) {
  uint32_t id = make_system();
  storage::Dossier d = ready_draft(id);
  DossierEdit e;
  e.proposed_level = 2;
  auto r = svc->edit_dossier(id, d.version, e, d.revision, lan, kNow);
  ASSERT_TRUE(r);
  auto sub = act(id, d.version, lan, "submit");
  ASSERT_FALSE(sub);
  EXPECT_NE(sub.status().message().find("differs from the suggested 3"), std::string::npos) << sub.status().message();
  e = {};
  e.justification = "the procedures are only informational; see risk assessment";
  ASSERT_TRUE(svc->edit_dossier(id, d.version, e, r->value.revision, lan, kNow));
  EXPECT_TRUE(act(id, d.version, lan, "submit"));
}

TEST_F(ServiceTest, LevelFourGoesThroughTheExpertOpinion) {
  uint32_t id = make_system();
  auto sys = svc->systems().get(id).value().value();
  ASSERT_TRUE(svc->set_duties(id, {{"lan", "operator"}, {"minh", "expert"}, {"hoa", "appraiser"}}, sys.revision, admin, kNow));
  storage::Dossier d = ready_draft(id);
  DossierEdit e;
  e.proposed_level = 4;
  e.justification = "national platform";
  e.part_texts = {{"expert_opinion", "attached"}, {"l45_extra", "risk report"}};
  ASSERT_TRUE(svc->edit_dossier(id, d.version, e, d.revision, lan, kNow));
  auto sub = act(id, d.version, lan, "submit");
  ASSERT_TRUE(sub) << sub.status().message();
  EXPECT_EQ(sub->value.state, "expert_review");
  EXPECT_EQ(act(id, d.version, hoa, "give_opinion", [](auto& in) { in.opinion = "ok"; }).status().code(),
            Status::Code::kPermission);
  auto op = act(id, d.version, minh, "give_opinion", [](auto& in) { in.opinion = "Form 03: level 4 is right"; });
  ASSERT_TRUE(op) << op.status().message();
  EXPECT_EQ(op->value.state, "under_appraisal");
  EXPECT_EQ(op->value.expert_opinion, "Form 03: level 4 is right");
}

TEST_F(ServiceTest, CycleSweepFlagsDueVersionsAsCanhInTheAuditLog) {
  uint32_t id = make_system();
  storage::Dossier d = ready_draft(id);
  ASSERT_TRUE(act(id, d.version, lan, "submit"));
  ASSERT_TRUE(act(id, d.version, minh, "accept"));
  assess_all_controls(id, minh);
  auto cj = svc->controls_json(id, kNow);
  for (const auto& c : cj->at("controls").as_array())
    if (c.as_object().at("evidence_kind").as_string() == "live") {
      ControlEdit e;
      e.status = "not_applicable";
      e.reason = "r";
      ASSERT_TRUE(svc->set_control(id, std::string(c.as_object().at("id").as_string()), e, minh, kNow));
    }
  ASSERT_TRUE(act(id, d.version, minh, "appraise", [](auto& in) { in.opinion = "ok"; }));
  ASSERT_TRUE(act(id, d.version, lan, "request_approval"));
  auto ok = act(id, d.version, hoa, "approve", [](auto& in) {
    in.decision_number = "9";
    in.decision_date = "2026-11-20";
  });
  ASSERT_TRUE(ok);
  auto ov = svc->overview_json(kNow);
  ASSERT_TRUE(ov);
  EXPECT_EQ(ov->at("systems").as_array()[0].as_object().at("due_status").as_string(), "ok");
  int64_t later = ok->value.reassessment_due_ms - 10 * kDay;
  ov = svc->overview_json(later);
  EXPECT_EQ(ov->at("systems").as_array()[0].as_object().at("due_status").as_string(), "due");
  EXPECT_EQ(ov->at("due").to_number<int64_t>(), 1);
  uint64_t before = audit->last_seq();
  int64_t after_due = ok->value.reassessment_due_ms + kDay;
  auto moved = svc->sweep(after_due);
  ASSERT_TRUE(moved);
  EXPECT_EQ(*moved, 1u);
  EXPECT_EQ(svc->dossiers().get(id, d.version).value()->state, "reassessment_due");
  auto recs = audit->list(before, 10);
  ASSERT_TRUE(recs);
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].actor, "canh");
  EXPECT_EQ((*recs)[0].action, "compliance.dossier.cycle");
  EXPECT_NE((*recs)[0].detail.find("in_force -> reassessment_due"), std::string::npos);
  EXPECT_EQ(*svc->sweep(after_due), 0u);  // nothing more to move
  ov = svc->overview_json(after_due);
  EXPECT_EQ(ov->at("overdue").to_number<int64_t>(), 1);

  // Re-assessment: a new version, the old one untouched until the new one is approved.
  auto re = act(id, d.version, lan, "start_reassessment", {}, after_due);
  ASSERT_TRUE(re) << re.status().message();
  EXPECT_EQ(re->value.version, 2u);
  EXPECT_EQ(re->value.state, "draft");
  EXPECT_EQ(re->value.proposed_level, 3);
  EXPECT_EQ(re->value.trigger, "cycle_due");
  EXPECT_EQ(svc->dossiers().get(id, 1).value()->state, "reassessment_due");
  EXPECT_EQ(act(id, 1, lan, "start_reassessment", {}, after_due).status().code(), Status::Code::kConflict);
  ASSERT_TRUE(act(id, 2, lan, "submit", {}, after_due));
  ASSERT_TRUE(act(id, 2, minh, "accept", {}, after_due));
  ASSERT_TRUE(act(id, 2, minh, "appraise", [](auto& in) { in.opinion = "ok"; }, after_due));
  ASSERT_TRUE(act(id, 2, lan, "request_approval", {}, after_due));
  auto ok2 = act(id, 2, hoa, "approve", [](auto& in) {
    in.decision_number = "10";
    in.decision_date = "2027-11-25";
  }, after_due + 5 * kDay);
  ASSERT_TRUE(ok2) << ok2.status().message();
  EXPECT_NE(ok2->detail.find("v1 superseded"), std::string::npos) << ok2->detail;
  auto v1 = svc->dossiers().get(id, 1).value().value();
  EXPECT_EQ(v1.state, "superseded");
  EXPECT_EQ(v1.decision_number, "9");  // content untouched
}

TEST_F(ServiceTest, ControlEvidenceFilesAndLinks) {
  uint32_t id = make_system();
  ready_draft(id);
  auto f = svc->add_control_file(id, "MGMT.POLICY.DEFINE", "../../etc/policy.pdf", "%PDF-1.7 policy", lan, kNow);
  ASSERT_TRUE(f) << f.status().message();
  ASSERT_EQ(f->value.evidence.size(), 1u);
  const auto& e = f->value.evidence[0];
  EXPECT_EQ(e.kind, "file");
  EXPECT_EQ(e.label, "policy.pdf");  // no directories in a stored name
  EXPECT_EQ(e.ref, storage::EvidenceStore::sha256_hex("%PDF-1.7 policy"));
  EXPECT_NE(f->detail.find("sha256 " + e.ref), std::string::npos);
  auto blob = svc->file(e.ref);
  ASSERT_TRUE(blob && blob.value());
  EXPECT_EQ(*blob.value(), "%PDF-1.7 policy");
  EXPECT_TRUE(svc->add_control_link(id, "MGMT.POLICY.DEFINE", "url", "https://intranet.example/policy", "policy page", minh, kNow));
  EXPECT_FALSE(svc->add_control_link(id, "MGMT.POLICY.DEFINE", "url", "javascript:alert(1)", "x", minh, kNow));
  EXPECT_FALSE(svc->add_control_link(id, "MGMT.POLICY.DEFINE", "alert", "not-an-id", "x", minh, kNow));
  EXPECT_TRUE(svc->add_control_link(id, "MGMT.POLICY.DEFINE", "alert", std::string(32, 'a'), "the scan", an, kNow));
  EXPECT_EQ(svc->add_control_link(id, "MGMT.POLICY.DEFINE", "url", "https://x", "x", reader, kNow).status().code(),
            Status::Code::kPermission);
  EXPECT_EQ(svc->add_control_link(id, "NOPE", "url", "https://x", "x", lan, kNow).status().code(), Status::Code::kNotFound);
  // Level 3 does not require level-4 controls.
  EXPECT_EQ(svc->add_control_link(id, "TECH.DESIGN.PAM", "url", "https://x", "x", lan, kNow).status().code(),
            Status::Code::kInvalid);
  auto rm = svc->remove_control_evidence(id, "MGMT.POLICY.DEFINE", "e1", lan, kNow);
  ASSERT_TRUE(rm);
  EXPECT_EQ(rm->value.evidence.size(), 2u);
  EXPECT_TRUE(svc->file(e.ref).value());  // the blob stays for snapshots that cite it
  ControlEdit na;
  na.status = "not_applicable";
  na.revision = rm->value.revision;
  EXPECT_FALSE(svc->set_control(id, "MGMT.POLICY.DEFINE", na, lan, kNow));  // no reason
}

TEST_F(ServiceTest, NoEvidenceNeverScoresAHundredAndLiveChecksShowTheirFigures) {
  uint32_t id = make_system();
  ready_draft(id);
  auto cj = svc->controls_json(id, kNow);
  ASSERT_TRUE(cj);
  const auto& score = cj->at("score").as_object();
  EXPECT_EQ(score.at("percent").as_double(), 0.0);
  EXPECT_GT(score.at("not_assessed").to_number<int64_t>(), 0);
  EXPECT_NE(score.at("denominator").as_string().find("applicable controls"), std::string::npos);

  // Mark every manual control met: live controls without evidence keep it below 100%.
  assess_all_controls(id, lan);
  cj = svc->controls_json(id, kNow);
  EXPECT_LT(cj->at("score").as_object().at("percent").as_double(), 100.0);
  EXPECT_GT(cj->at("score").as_object().at("not_evaluated").to_number<int64_t>(), 0);

  // A healthy declared sensor makes the intrusion check pass, with its figures.
  evidence.sensor_list = {{1, "edge-1", false, kNow - 60000, 1000000, 10, "2026.11.1", std::nullopt}};
  cj = svc->controls_json(id, kNow);
  const json::object* intrusion = nullptr;
  for (const auto& c : cj->at("controls").as_array())
    if (c.as_object().at("id").as_string() == "TECH.NET.INTRUSION") intrusion = &c.as_object();
  ASSERT_TRUE(intrusion);
  const auto& live = intrusion->at("live").as_object();
  EXPECT_EQ(live.at("verdict").as_string(), "pass");
  EXPECT_EQ(live.at("figures").as_object().at("sensors_healthy").to_number<int64_t>(), 1);
  EXPECT_EQ(intrusion->at("effective").as_string(), "met");

  // The same sensor silent for an hour fails it.
  evidence.sensor_list[0].last_heartbeat_ms = kNow - 3600000;
  cj = svc->controls_json(id, kNow);
  for (const auto& c : cj->at("controls").as_array())
    if (c.as_object().at("id").as_string() == "TECH.NET.INTRUSION") {
      EXPECT_EQ(c.as_object().at("live").as_object().at("verdict").as_string(), "fail");
      EXPECT_EQ(c.as_object().at("live").as_object().at("reason").as_string(), "sensor_silent");
    }
}

TEST_F(ServiceTest, TriageAndRetentionChecks) {
  uint32_t id = make_system();
  ready_draft(id);
  auto find = [&](const json::object& cj, std::string_view cid) -> const json::object& {
    for (const auto& c : cj.at("controls").as_array())
      if (c.as_object().at("id").as_string() == cid) return c.as_object();
    ADD_FAILURE() << cid;
    static json::object none;
    return none;
  };
  // Level 3: high-severity alerts acknowledged within 240 min.
  AlertItem quick{kNow - 5 * kDay, kNow - 5 * kDay, 1, "A Network Trojan was detected", "ET MALWARE x", true,
                  kNow - 5 * kDay + 10 * 60000, 1};
  AlertItem slow = quick;
  slow.triaged_ms = slow.received_ms + 300 * 60000;
  evidence.alerts.items = {quick};
  evidence.alerts.total = 1;
  evidence.kept = {true, 60, 0};
  auto cj = svc->controls_json(id, kNow);
  ASSERT_TRUE(cj);
  EXPECT_EQ(find(*cj, "MGMT.OPS.INCIDENT").at("live").as_object().at("verdict").as_string(), "pass");
  EXPECT_EQ(find(*cj, "TECH.NET.MALWARE").at("live").as_object().at("verdict").as_string(), "pass");
  const auto& ret = find(*cj, "TECH.NET.LOG").at("live").as_object();
  EXPECT_EQ(ret.at("verdict").as_string(), "fail");  // 60 days kept, level 3 needs 90
  EXPECT_EQ(ret.at("figures").as_object().at("required_days").to_number<int64_t>(), 90);
  evidence.alerts.items = {quick, slow};
  evidence.kept = {true, 365, 0};
  cj = svc->controls_json(id, kNow + 31000);  // past the 30 s evidence cache
  const auto& inc = find(*cj, "MGMT.OPS.INCIDENT");
  EXPECT_EQ(inc.at("live").as_object().at("verdict").as_string(), "fail");
  EXPECT_EQ(inc.at("live").as_object().at("figures").as_object().at("triaged_late").to_number<int64_t>(), 1);
  // A mixed control whose measurement fails is not met, whatever the paperwork says.
  EXPECT_EQ(inc.at("effective").as_string(), "not_met");
  EXPECT_EQ(find(*cj, "TECH.NET.LOG").at("live").as_object().at("verdict").as_string(), "pass");
}

TEST_F(ServiceTest, ReportsCoverDossierControlsAndAlertsAndCsvIsSafe) {
  uint32_t id = make_system();
  ready_draft(id);
  evidence.alerts.total = 2;
  evidence.alerts.by_severity = {0, 1, 1, 0, 0};
  evidence.alerts.by_category = {{"=HYPERLINK(\"http://evil\")", 2}};
  auto rep = svc->report_json(id, kNow - 30 * kDay, kNow, kNow);
  ASSERT_TRUE(rep) << rep.status().message();
  EXPECT_EQ(rep->at("alerts").as_object().at("total").to_number<int64_t>(), 2);
  auto csv = svc->report_csv(id, kNow - 30 * kDay, kNow, kNow);
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->rfind("section,id,title,status,value,detail\r\n", 0), 0u);
  EXPECT_NE(csv->find("system,name,,,Cổng dịch vụ công,"), std::string::npos);
  EXPECT_NE(csv->find("control,MGMT.POLICY.DEFINE,"), std::string::npos);
  // A formula from the network is neutralised and quoted.
  EXPECT_NE(csv->find("\"'=HYPERLINK(\"\"http://evil\"\")\""), std::string::npos) << *csv;
  EXPECT_EQ(csv->find(",=HYPERLINK"), std::string::npos);
  EXPECT_FALSE(svc->report_json(id, kNow, kNow - 1, kNow));
}

TEST(CsvField, QuotesAndNeutralises) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("=1+2"), "'=1+2");
  EXPECT_EQ(csv_field("-2"), "'-2");
  EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_field("line\nbreak"), "\"line\nbreak\"");
}

TEST_F(ServiceTest, ABrokenOverrideKeepsTheLoadedFrameworks) {
  std::filesystem::create_directories(dir.str() + "/frameworks");
  std::ofstream(dir.str() + "/frameworks/bad.yaml") << "schema: 2\n";
  auto r = svc->reload_frameworks();
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("bad.yaml:"), std::string::npos);
  EXPECT_TRUE(svc->frameworks()->get("nd331_2026"));
}

}  // namespace
}  // namespace canh::compliance
