#include "console/compliance/workflow.h"

#include <gtest/gtest.h>

namespace canh::compliance {
namespace {

// 2026-11-23 10:00 in Hanoi (UTC+7), a Monday.
constexpr int64_t kMonday = 1795402800000;
constexpr int64_t kDay = 86400000;

class WorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = FrameworkSet::load("");
    ASSERT_TRUE(s) << s.status().message();
    set = *s;
    fw = set->get("nd331_2026");
  }

  storage::Dossier dossier(std::string state, int level = 3) {
    storage::Dossier d;
    d.system = 1;
    d.version = 1;
    d.framework = fw->id;
    d.state = std::move(state);
    d.state_since_ms = kMonday;
    d.proposed_level = level;
    d.suggested_level = level;
    d.regulation_approved = true;
    d.regulation_ref = "QĐ 12/QĐ-UBND";
    return d;
  }
  DossierFacts facts(int suggested = 3) {
    DossierFacts f;
    f.suggested_level = suggested;
    f.now_ms = kMonday + 3 * kDay;
    return f;
  }
  // Every input an action could need, valid.
  TransitionInput input(std::string action) {
    TransitionInput in;
    in.action = std::move(action);
    in.reasons = "section 3 is missing the IP plan";
    in.opinion = "meets level 3";
    in.decision_number = "123/QĐ-UBND";
    in.decision_date = "2026-11-20";
    in.pm_decision = "QĐ 45/QĐ-TTg";
    in.trigger = "new interconnection with the national platform";
    in.confirmed = true;
    return in;
  }
  Actor actor(std::string name, std::vector<Duty> duties) { return {std::move(name), std::move(duties)}; }

  std::shared_ptr<const FrameworkSet> set;
  const Framework* fw = nullptr;
};

// The matrix the issue asks for: every person transition of the workflow, from every state it
// leaves, tried by a holder of each duty alone. Exactly the duties the framework names may take it.
TEST_F(WorkflowTest, EveryTransitionIsAllowedToItsDutiesAndRefusedToEveryOther) {
  int allowed = 0, refused = 0;
  for (const auto& t : fw->workflow.transitions) {
    if (t.duties.front() == Duty::kSystem) continue;
    for (const auto& from : t.from) {
      // A level where the transition's condition holds (accept: <= 3; expert review only at 4-5).
      int level = t.when.empty() || t.when.text().find("<= 3") != std::string::npos ? 3 : 4;
      for (Duty duty : kPersonDuties) {
        auto d = dossier(from, level);
        auto f = facts(level);
        auto r = check_transition(*fw, d, f, actor("someone", {duty}), input(t.action));
        bool expect = std::find(t.duties.begin(), t.duties.end(), duty) != t.duties.end();
        std::string what = t.action + " from " + from + " by " + std::string(duty_name(duty));
        if (expect) {
          ASSERT_TRUE(r) << what << ": " << r.status().message();
          EXPECT_EQ(*r, &t) << what;
          ++allowed;
        } else {
          ASSERT_FALSE(r) << what << " should be refused";
          EXPECT_EQ(r.status().code(), Status::Code::kPermission) << what << ": " << r.status().message();
          EXPECT_NE(r.status().message().find("duty"), std::string::npos) << r.status().message();
          ++refused;
        }
      }
    }
  }
  EXPECT_GT(allowed, 15);
  EXPECT_GT(refused, 60);
}

TEST_F(WorkflowTest, SystemTransitionsCannotBeTakenByPeople) {
  auto d = dossier("submitted", 4);
  auto r = check_transition(*fw, d, facts(4), actor("lan", {Duty::kOperator, Duty::kAppraiser, Duty::kExpert}),
                            input("route_to_expert"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), Status::Code::kConflict);
}

TEST_F(WorkflowTest, ActionsOnlyFromTheirStates) {
  auto r = check_transition(*fw, dossier("approved"), facts(), actor("lan", {Duty::kOperator}), input("submit"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), Status::Code::kConflict);
  EXPECT_EQ(r.status().message(), "cannot submit dossier version 1 in state approved");
  r = check_transition(*fw, dossier("draft"), facts(), actor("lan", {Duty::kOperator}), input("teleport"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
  r = check_transition(*fw, dossier("withdrawn"), facts(), actor("lan", {Duty::kOperator}), input("redraft"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("nothing more can happen"), std::string::npos);
}

TEST_F(WorkflowTest, SubmitListsEverythingStillMissing) {
  auto d = dossier("draft", 2);
  d.justification = "";
  auto f = facts(3);
  f.unanswered = {"online_service", "ics_work_grade"};
  f.missing_parts = {"design"};
  auto r = check_transition(*fw, d, f, actor("lan", {Duty::kOperator}), input("submit"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
  const auto& m = r.status().message();
  EXPECT_NE(m.find("unanswered online_service, ics_work_grade"), std::string::npos) << m;
  EXPECT_NE(m.find("proposed level 2 differs from the suggested 3"), std::string::npos) << m;
  EXPECT_NE(m.find("nothing given for design"), std::string::npos) << m;
  d.justification = "the risk assessment shows the data is less exposed";
  f.unanswered.clear();
  f.missing_parts.clear();
  EXPECT_TRUE(check_transition(*fw, d, f, actor("lan", {Duty::kOperator}), input("submit")));
}

TEST_F(WorkflowTest, SubmissionRoutesLevels4And5ToExpertOpinion) {
  for (int level : {3, 4}) {
    auto d = dossier("draft", level);
    auto t = check_transition(*fw, d, facts(level), actor("lan", {Duty::kOperator}), input("submit"));
    ASSERT_TRUE(t);
    apply_transition(*fw, **t, d, input("submit"), "lan", Duty::kOperator, kMonday + kDay);
    EXPECT_EQ(d.state, "submitted");
    auto applied = run_system_transitions(*fw, d, facts(level));
    if (level == 3) {
      EXPECT_TRUE(applied.empty());
      EXPECT_EQ(d.state, "submitted");
    } else {
      ASSERT_EQ(applied.size(), 1u);
      EXPECT_EQ(applied[0]->action, "route_to_expert");
      EXPECT_EQ(d.state, "expert_review");
      EXPECT_EQ(d.history.back().actor, "canh");
      EXPECT_EQ(d.history.back().duty, "system");
    }
  }
  // "accept" is for levels up to 3 only; a level-4 dossier goes through the expert.
  auto r = check_transition(*fw, dossier("submitted", 4), facts(4), actor("minh", {Duty::kAppraiser}), input("accept"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), Status::Code::kConflict);
}

TEST_F(WorkflowTest, WhoSubmittedCannotAppraiseOrApprove) {
  auto d = dossier("draft");
  auto sub = check_transition(*fw, d, facts(), actor("lan", {Duty::kOperator, Duty::kAppraiser}), input("submit"));
  ASSERT_TRUE(sub);
  apply_transition(*fw, **sub, d, input("submit"), "lan", Duty::kOperator, kMonday);
  auto r = check_transition(*fw, d, facts(), actor("lan", {Duty::kOperator, Duty::kAppraiser}), input("accept"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), Status::Code::kPermission);
  EXPECT_NE(r.status().message().find("independent"), std::string::npos);
  EXPECT_TRUE(check_transition(*fw, d, facts(), actor("minh", {Duty::kAppraiser}), input("accept")));
  // Levels 1-2: the same security unit appraises and approves, as two recorded acts.
  auto d2 = dossier("awaiting_approval", 2);
  d2.history.push_back({kMonday, "minh", "appraiser", "appraise", "under_appraisal", "appraised", "ok"});
  EXPECT_TRUE(check_transition(*fw, d2, facts(2), actor("minh", {Duty::kAppraiser, Duty::kApprover}), input("approve")));
}

TEST_F(WorkflowTest, InputsAreRequiredAndRecorded) {
  auto d = dossier("under_appraisal");
  auto in = input("appraise");
  in.opinion = "  ";
  auto f = facts();
  f.controls_without_status = {"MGMT.OPS.VULN", "TECH.DATA.BACKUP"};
  auto r = check_transition(*fw, d, f, actor("minh", {Duty::kAppraiser}), in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("opinion: required"), std::string::npos);
  EXPECT_NE(r.status().message().find("2 controls have no status (first: MGMT.OPS.VULN)"), std::string::npos);
  f.controls_without_status.clear();
  in.opinion = "Form 04: meets the level-3 requirements";
  auto ok = check_transition(*fw, d, f, actor("minh", {Duty::kAppraiser}), in);
  ASSERT_TRUE(ok);
  apply_transition(*fw, **ok, d, in, "minh", Duty::kAppraiser, kMonday + kDay);
  EXPECT_EQ(d.state, "appraised");
  EXPECT_EQ(d.appraisal_opinion, in.opinion);
  EXPECT_EQ(d.state_since_ms, kMonday + kDay);
  ASSERT_EQ(d.history.size(), 1u);
  EXPECT_EQ(d.history[0].from, "under_appraisal");
  EXPECT_EQ(d.history[0].to, "appraised");
  EXPECT_EQ(d.history[0].note, in.opinion);

  auto ret = input("return");
  ret.reasons = "";
  EXPECT_FALSE(check_transition(*fw, dossier("under_appraisal"), facts(), actor("minh", {Duty::kAppraiser}), ret));
}

TEST_F(WorkflowTest, RequestingApprovalNeedsTheApprovedRegulation) {
  auto d = dossier("appraised");
  d.regulation_approved = false;
  auto r = check_transition(*fw, d, facts(), actor("lan", {Duty::kOperator}), input("request_approval"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("regulation"), std::string::npos);
}

TEST_F(WorkflowTest, ApprovalNeedsADecisionNotInTheFutureAndAtLevel5ThePrimeMinistersList) {
  auto in = input("approve");
  in.decision_date = "2026-13-01";
  auto r = check_transition(*fw, dossier("awaiting_approval"), facts(), actor("hoa", {Duty::kApprover}), in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("decision_date: required as YYYY-MM-DD"), std::string::npos);
  in.decision_date = "2027-01-01";
  r = check_transition(*fw, dossier("awaiting_approval"), facts(), actor("hoa", {Duty::kApprover}), in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("in the future"), std::string::npos);
  in = input("approve");
  in.pm_decision = "";
  EXPECT_TRUE(check_transition(*fw, dossier("awaiting_approval", 4), facts(4), actor("hoa", {Duty::kApprover}), in));
  r = check_transition(*fw, dossier("awaiting_approval", 5), facts(5), actor("hoa", {Duty::kApprover}), in);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("Prime Minister"), std::string::npos);
}

TEST_F(WorkflowTest, ApprovedRunningSystemGoesIntoForceAndComesDueOnItsCycle) {
  auto d = dossier("awaiting_approval");
  d.system_running = true;
  auto t = check_transition(*fw, d, facts(), actor("hoa", {Duty::kApprover}), input("approve"));
  ASSERT_TRUE(t);
  EXPECT_NE(std::find((*t)->effects.begin(), (*t)->effects.end(), Effect::kFreezeSnapshot), (*t)->effects.end());
  apply_transition(*fw, **t, d, input("approve"), "hoa", Duty::kApprover, kMonday);
  EXPECT_EQ(d.decision_number, "123/QĐ-UBND");
  EXPECT_EQ(d.state, "approved");
  auto f = facts();
  auto applied = run_system_transitions(*fw, d, f);
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(d.state, "in_force");
  f.cycle_elapsed = true;
  applied = run_system_transitions(*fw, d, f);
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0]->action, "cycle_due");
  EXPECT_EQ(d.state, "reassessment_due");
  EXPECT_TRUE(run_system_transitions(*fw, d, f).empty());
}

TEST_F(WorkflowTest, ANewSystemWaitsForTheOperatorToConfirmThePlan) {
  auto d = dossier("approved");
  d.system_running = false;
  EXPECT_TRUE(run_system_transitions(*fw, d, facts()).empty());
  auto in = input("declare_implemented");
  in.confirmed = false;
  EXPECT_FALSE(check_transition(*fw, d, facts(), actor("lan", {Duty::kOperator}), in));
  in.confirmed = true;
  EXPECT_TRUE(check_transition(*fw, d, facts(), actor("lan", {Duty::kOperator}), in));
}

TEST_F(WorkflowTest, ReassessmentStartsANewVersionAndLeavesTheOldOneAsItIs) {
  auto d = dossier("reassessment_due");
  auto t = check_transition(*fw, d, facts(), actor("lan", {Duty::kOperator}), input("start_reassessment"));
  ASSERT_TRUE(t);
  EXPECT_EQ((*t)->to, "draft");
  EXPECT_NE(std::find((*t)->effects.begin(), (*t)->effects.end(), Effect::kNewVersion), (*t)->effects.end());
  apply_transition(*fw, **t, d, input("start_reassessment"), "lan", Duty::kOperator, kMonday);
  EXPECT_EQ(d.state, "reassessment_due");
  EXPECT_EQ(d.history.back().action, "start_reassessment");
  // An auditor flags a version in force for re-assessment, with the reason.
  auto in = input("request_reassessment");
  in.trigger = "";
  EXPECT_FALSE(check_transition(*fw, dossier("in_force"), facts(), actor("an", {Duty::kAuditor}), in));
  EXPECT_TRUE(check_transition(*fw, dossier("in_force"), facts(), actor("an", {Duty::kAuditor}), input("request_reassessment")));
}

TEST_F(WorkflowTest, OptionsShowWhatEachDutyCanDoAndWhatIsMissing) {
  auto d = dossier("draft");
  auto f = facts();
  f.missing_parts = {"security_plan"};
  auto opts = action_options(*fw, d, f, actor("lan", {Duty::kOperator}));
  std::vector<std::string> names;
  for (const auto& o : opts) names.push_back(o.transition->action);
  EXPECT_EQ(names, (std::vector<std::string>{"submit", "withdraw"}));
  EXPECT_TRUE(opts[0].has_duty);
  ASSERT_EQ(opts[0].unmet.size(), 1u);
  EXPECT_NE(opts[0].unmet[0].find("security_plan"), std::string::npos);
  auto theirs = action_options(*fw, d, f, actor("minh", {Duty::kAppraiser}));
  EXPECT_FALSE(theirs[0].has_duty);
  EXPECT_TRUE(action_options(*fw, dossier("superseded"), f, actor("lan", {Duty::kOperator})).empty());
}

TEST_F(WorkflowTest, DeadlinesCountWorkingDaysInHanoi) {
  // Submitted Monday 2026-11-23: 5 working days -> end of Monday 2026-11-30 (local).
  auto d = dossier("submitted");
  auto dl = running_deadlines(*fw, d);
  ASSERT_EQ(dl.size(), 1u);
  EXPECT_EQ(dl[0].name, "completeness_check");
  EXPECT_EQ(dl[0].days, 5);
  EXPECT_TRUE(dl[0].working_days);
  EXPECT_EQ(local_date(*fw, dl[0].due_ms), "2026-11-30");
  EXPECT_EQ(local_date(*fw, dl[0].due_ms + 1), "2026-12-01");
  // Friday 2026-11-27 + 1 working day -> Monday.
  EXPECT_EQ(local_date(*fw, deadline_after(*fw, kMonday + 4 * kDay, 1, true)), "2026-11-30");
  // Appraisal at level 4: 25 working days; at levels 1-2 none.
  auto u4 = dossier("under_appraisal", 4);
  ASSERT_EQ(running_deadlines(*fw, u4).size(), 1u);
  EXPECT_EQ(running_deadlines(*fw, u4)[0].days, 25);
  EXPECT_TRUE(running_deadlines(*fw, dossier("under_appraisal", 2)).empty());
  // Decree 85 counts appraisal in (calendar) days.
  const Framework* old = set->get("nd85_2016");
  auto u3 = dossier("under_appraisal", 3);
  auto odl = running_deadlines(*old, u3);
  ASSERT_EQ(odl.size(), 1u);
  EXPECT_FALSE(odl[0].working_days);
  EXPECT_EQ(local_date(*old, odl[0].due_ms), "2026-12-08");
}

TEST_F(WorkflowTest, HolidaysFromTheFrameworkAreNotWorkingDays) {
  Framework copy = *fw;
  copy.non_working_days = {"2026-11-24", "2026-11-25"};
  EXPECT_EQ(local_date(copy, deadline_after(copy, kMonday, 1, true)), "2026-11-26");
}

TEST_F(WorkflowTest, CyclesAddCalendarMonths) {
  EXPECT_EQ(local_date(*fw, months_after(*fw, kMonday, 12)), "2027-11-23");
  EXPECT_EQ(local_date(*fw, months_after(*fw, kMonday, 6)), "2027-05-23");
  int64_t jan31 = date_start_ms(*fw, "2027-01-31");
  EXPECT_EQ(local_date(*fw, months_after(*fw, jan31, 1)), "2027-02-28");
  // 23:30 in Hanoi is still the same local day although UTC has moved on.
  int64_t late = date_start_ms(*fw, "2026-11-23") + 23 * 3600000ll + 1800000;
  EXPECT_EQ(local_date(*fw, late), "2026-11-23");
}

TEST_F(WorkflowTest, DueStatusUsesTheNoticeWindow) {
  auto d = dossier("in_force");
  d.reassessment_due_ms = kMonday + 100 * kDay;
  EXPECT_EQ(due_status(*fw, d, kMonday), DueStatus::kOk);
  EXPECT_EQ(due_status(*fw, d, kMonday + 71 * kDay), DueStatus::kDue);
  EXPECT_EQ(due_status(*fw, d, kMonday + 100 * kDay), DueStatus::kOverdue);
  EXPECT_EQ(due_status(*fw, dossier("draft"), kMonday), DueStatus::kNone);
}

TEST_F(WorkflowTest, DatesAreValidated) {
  EXPECT_TRUE(valid_date("2024-02-29"));
  EXPECT_FALSE(valid_date("2023-02-29"));
  EXPECT_FALSE(valid_date("2026-1-01"));
  EXPECT_FALSE(valid_date("20261101"));
  EXPECT_EQ(date_start_ms(*fw, "nope"), -1);
}

}  // namespace
}  // namespace canh::compliance
