#include "console/compliance/evidence.h"

#include <gtest/gtest.h>

namespace canh::compliance {
namespace {

constexpr int64_t kNow = 1795402800000;
constexpr int64_t kMin = 60000;

Control live_control(CheckKind k) {
  Control c;
  c.id = "X";
  c.evidence = EvidenceKind::kLive;
  c.live.kind = k;
  c.live.ack_minutes_by_level = {0, 0, 1440, 240, 60, 30};
  c.live.signature_prefixes = {"ET WEB_SERVER"};
  return c;
}

EvidenceInput input_with_sensors(std::vector<SensorFacts> s, std::vector<uint32_t> declared) {
  EvidenceInput in;
  in.level = 3;
  in.now_ms = kNow;
  in.sensors = std::move(s);
  in.sensors_known = true;
  in.declared_sensors = std::move(declared);
  return in;
}

TEST(Evidence, NoDeclaredSensorIsNotEvaluatedNotFailed) {
  auto r = evaluate_live(live_control(CheckKind::kSensorCoverage), input_with_sensors({{1, "s"}}, {}));
  EXPECT_EQ(r.verdict, Verdict::kNotEvaluated);
  EXPECT_EQ(r.reason, "no_sensor_declared");
  EXPECT_EQ(evaluate_live(live_control(CheckKind::kSensorCoverage), EvidenceInput{}).reason, "sensors_unknown");
}

TEST(Evidence, CoverageNeedsOneHealthySensorAndSaysWhyOthersAreNot) {
  std::vector<SensorFacts> s = {{1, "silent", false, kNow - 10 * kMin, 100, 0, "v1", {}},
                                {2, "dropping", false, kNow - kMin, 100, 5, "v1", {}},
                                {3, "old rules", false, kNow - kMin, 100, 0, "v0", 45},
                                {4, "gone", true, kNow, 100, 0, "v1", {}}};
  auto r = evaluate_live(live_control(CheckKind::kSensorCoverage), input_with_sensors(s, {1, 2, 3, 4}));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.figures.at("sensors_declared").to_number<int64_t>(), 3);  // decommissioned ones do not count
  const auto& list = r.figures.at("sensors").as_array();
  EXPECT_EQ(list[0].as_object().at("problem").as_string(), "sensor_silent");
  EXPECT_EQ(list[1].as_object().at("problem").as_string(), "drops_high");
  EXPECT_EQ(list[2].as_object().at("problem").as_string(), "ruleset_old");
  s.push_back({5, "good", false, kNow - kMin, 1000, 1, "v1", 3});
  r = evaluate_live(live_control(CheckKind::kSensorCoverage), input_with_sensors(s, {1, 5}));
  EXPECT_EQ(r.verdict, Verdict::kPass);
  EXPECT_NE(r.summary.find("1 of 2 sensors"), std::string::npos) << r.summary;
}

TEST(Evidence, ReportingNeedsEveryDeclaredSensor) {
  std::vector<SensorFacts> s = {{1, "a", false, kNow - 30 * kMin}, {2, "b", false, kNow - 61 * kMin}};
  auto r = evaluate_live(live_control(CheckKind::kSensorsReporting), input_with_sensors(s, {1, 2}));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.figures.at("silent").as_array().at(0).as_string(), "b");
  r = evaluate_live(live_control(CheckKind::kSensorsReporting), input_with_sensors(s, {1}));
  EXPECT_EQ(r.verdict, Verdict::kPass);
}

TEST(Evidence, TriageCountsOpenAlertsPastTheirTimeAndIgnoresOnesStillWithinIt) {
  EvidenceInput in = input_with_sensors({}, {});
  in.alerts_known = true;
  AlertItem web{kNow - 1000 * kMin, kNow - 1000 * kMin, 2, "", "ET WEB_SERVER probe", false, 0, 1};
  AlertItem fresh = web;
  fresh.received_ms = fresh.ts_ms = kNow - 10 * kMin;
  AlertItem other = web;
  other.signature = "ET SCAN nmap";
  in.alerts.items = {fresh, other};
  auto r = evaluate_live(live_control(CheckKind::kCategoryTriage), in);
  EXPECT_EQ(r.verdict, Verdict::kNotEvaluated);  // one in family, still within its 240 min
  EXPECT_EQ(r.reason, "none_due_yet");
  in.alerts.items.push_back(web);
  r = evaluate_live(live_control(CheckKind::kCategoryTriage), in);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.figures.at("open_overdue").to_number<int64_t>(), 1);
  EXPECT_EQ(r.figures.at("alerts").to_number<int64_t>(), 2);
  in.alerts.items = {};
  EXPECT_EQ(evaluate_live(live_control(CheckKind::kCategoryTriage), in).reason, "no_alerts");
  in.alerts_known = false;
  EXPECT_EQ(evaluate_live(live_control(CheckKind::kCategoryTriage), in).reason, "alerts_unknown");
}

TEST(Evidence, EffectiveStatusCombinesPaperworkAndMeasurement) {
  LiveResult pass, fail, none;
  pass.verdict = Verdict::kPass;
  fail.verdict = Verdict::kFail;
  EXPECT_EQ(effective_status(EvidenceKind::kManual, "met", nullptr), Effective::kMet);
  EXPECT_EQ(effective_status(EvidenceKind::kManual, "", nullptr), Effective::kNotAssessed);
  EXPECT_EQ(effective_status(EvidenceKind::kLive, "met", &none), Effective::kNotEvaluated);
  EXPECT_EQ(effective_status(EvidenceKind::kLive, "", &pass), Effective::kMet);
  EXPECT_EQ(effective_status(EvidenceKind::kLive, "not_applicable", &fail), Effective::kNotApplicable);
  EXPECT_EQ(effective_status(EvidenceKind::kMixed, "met", &fail), Effective::kNotMet);
  EXPECT_EQ(effective_status(EvidenceKind::kMixed, "partly_met", &pass), Effective::kPartlyMet);
  EXPECT_EQ(effective_status(EvidenceKind::kMixed, "", &pass), Effective::kNotAssessed);
}

TEST(Evidence, ScoreStatesItsDenominatorAndNeverRoundsUpToAHundred) {
  auto s = score_of({Effective::kMet, Effective::kPartlyMet, Effective::kNotApplicable, Effective::kNotEvaluated});
  EXPECT_EQ(s.applicable, 3u);
  ASSERT_TRUE(s.percent);
  EXPECT_DOUBLE_EQ(*s.percent, 50.0);
  EXPECT_EQ(s.denominator, "of 3 applicable controls (1 not applicable excluded; 1 not assessed or not evaluated count as 0)");
  std::vector<Effective> many(1999, Effective::kMet);
  many.push_back(Effective::kNotEvaluated);
  EXPECT_LT(*score_of(many).percent, 100.0);
  EXPECT_FALSE(score_of({Effective::kNotApplicable}).percent);
  EXPECT_FALSE(score_of({}).percent);
}

}  // namespace
}  // namespace canh::compliance
