#include "console/compliance/framework.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "storage/test_util.h"

namespace canh::compliance {
namespace {

std::string builtin(std::string_view name) {
  for (size_t i = 0; i < kBuiltinFrameworkCount; ++i)
    if (kBuiltinFrameworks[i].name == name)
      return std::string(reinterpret_cast<const char*>(kBuiltinFrameworks[i].data), kBuiltinFrameworks[i].size);
  ADD_FAILURE() << "no built-in " << name;
  return "";
}

std::string replace(std::string s, std::string_view from, std::string_view to) {
  auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

TEST(Framework, BuiltInFrameworksLoadWithTheCurrentOneAsDefault) {
  auto set = FrameworkSet::load("");
  ASSERT_TRUE(set) << set.status().message();
  const Framework* cur = (*set)->get("nd331_2026");
  const Framework* old = (*set)->get("nd85_2016");
  ASSERT_TRUE(cur && old);
  EXPECT_EQ((*set)->default_framework(), cur);
  EXPECT_EQ(old->status, "legacy");
  EXPECT_EQ(old->superseded_by, "nd331_2026");
  EXPECT_EQ(cur->source, "built-in nd331_2026.yaml");
  // Decree 331 Art 23.2: completeness reply within 5 working days; Art 24.2: approval within 7.
  EXPECT_EQ(cur->deadlines.at("completeness_check").value[3], 5);
  EXPECT_TRUE(cur->deadlines.at("completeness_check").working_days);
  EXPECT_EQ(cur->deadlines.at("appraisal").value[4], 25);
  EXPECT_EQ(cur->deadlines.at("appraisal").value[2], 0);  // none at levels 1-2
  // Decree 85 Art 20.2.c: L3-4 yearly, L5 every 6 months.
  EXPECT_EQ(old->reassessment_months[3], 12);
  EXPECT_EQ(old->reassessment_months[5], 6);
  EXPECT_EQ(cur->alert_retention_days[4], 180);
  // The controls a level requires grow with the level.
  size_t prev = 0;
  for (int lv = 1; lv <= 5; ++lv) {
    size_t n = cur->controls_for(lv).size();
    EXPECT_GE(n, prev);
    prev = n;
  }
  EXPECT_LT(cur->controls_for(1).size(), cur->controls_for(3).size());
  EXPECT_EQ(cur->controls_for(5).size(), cur->controls.size());
  // Decree 331 only.
  EXPECT_TRUE(cur->control("LEGAL.RISK_ASSESSMENT"));
  EXPECT_FALSE(old->control("LEGAL.RISK_ASSESSMENT"));
  EXPECT_TRUE(cur->question("admin_procedures"));
  EXPECT_FALSE(old->question("admin_procedures"));
}

TEST(Framework, LiveChecksCarryTheirThresholdsFromData) {
  auto set = FrameworkSet::load("");
  ASSERT_TRUE(set);
  const Framework* f = (*set)->get("nd331_2026");
  const Control* intrusion = f->control("TECH.NET.INTRUSION");
  ASSERT_TRUE(intrusion);
  EXPECT_EQ(intrusion->live.kind, CheckKind::kSensorCoverage);
  EXPECT_EQ(intrusion->live.heartbeat_max_minutes, 5);
  EXPECT_DOUBLE_EQ(intrusion->live.max_drop_ratio, 0.01);
  const Control* incident = f->control("MGMT.OPS.INCIDENT");
  ASSERT_TRUE(incident);
  EXPECT_EQ(incident->evidence, EvidenceKind::kMixed);
  EXPECT_EQ(incident->live.ack_minutes_by_level[3], 240);
  EXPECT_EQ(f->control("TECH.NET.LOG")->live.kind, CheckKind::kRetention);
  for (const auto& c : f->controls) {
    if (c.evidence == EvidenceKind::kLive) {
      EXPECT_NE(c.live.kind, CheckKind::kNone) << c.id;
    }
  }
}

// The catalogue's ids are the domain reference's (stable IDs), and every reference control is there.
TEST(Framework, ControlIdsMatchTheDomainReference) {
  std::string path = std::string(CANH_SHARED_DIR) + "/domain/security-levels.yaml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is not here: skipping the cross-check";
  YAML::Node ref = YAML::LoadFile(path);
  auto set = FrameworkSet::load("");
  ASSERT_TRUE(set);
  for (const char* id : {"nd331_2026", "nd85_2016"}) {
    const Framework* f = (*set)->get(id);
    std::set<std::string> ours, theirs;
    for (const auto& c : f->controls) ours.insert(c.id);
    for (const auto& c : ref["controls"]) {
      bool applies = true;
      if (c["frameworks"]) {
        applies = false;
        for (const auto& x : c["frameworks"]) applies |= x.as<std::string>() == id;
      }
      if (applies) theirs.insert(c["id"].as<std::string>());
      if (applies && f->control(c["id"].as<std::string>())) {
        EXPECT_EQ(f->control(c["id"].as<std::string>())->min_level, c["min_level"].as<int>()) << c["id"].as<std::string>();
      }
    }
    EXPECT_EQ(ours, theirs) << id;
  }
}

void expect_load_error(const std::string& yaml, std::string_view fragment) {
  auto fw = parse_framework(yaml, "edited.yaml");
  ASSERT_FALSE(fw) << "expected an error containing: " << fragment;
  EXPECT_NE(fw.status().message().find(fragment), std::string::npos) << fw.status().message();
  EXPECT_EQ(fw.status().message().rfind("edited.yaml:", 0), 0u) << fw.status().message();
}

TEST(Framework, ErrorsNameTheFileTheLineAndTheKey) {
  std::string base = builtin("nd331_2026.yaml");
  auto bad = replace(base, "  - id: MGMT.POLICY.DEFINE\n    group: MGMT.POLICY\n    min_level: 1",
                     "  - id: MGMT.POLICY.DEFINE\n    group: MGMT.POLICY\n    min_level: 7");
  auto fw = parse_framework(bad, "edited.yaml");
  ASSERT_FALSE(fw);
  // The line of the offending value.
  size_t line = 1 + std::count(bad.begin(), bad.begin() + bad.find("min_level: 7"), '\n');
  EXPECT_EQ(fw.status().message(), "edited.yaml:" + std::to_string(line) +
                                       ": controls[0] (MGMT.POLICY.DEFINE).min_level: must be between 1 and 5");
}

TEST(Framework, RefusesWhatWouldSilentlyMisbehave) {
  std::string base = builtin("nd331_2026.yaml");
  expect_load_error(replace(base, "    min_level: 1\n    evidence: manual", "    min_levle: 1\n    evidence: manual"),
                    "unknown key \"min_levle\"");
  expect_load_error(replace(base, "when: \"admin_procedures or", "when: \"admin_procedure or"),
                    "unknown variable \"admin_procedure\"");
  expect_load_error(replace(base, "when: \"infrastructure_scope == one_agency\"", "when: \"infrastructure_scope == one_agnecy\""),
                    "\"one_agnecy\" is not an option");
  expect_load_error(replace(base, "live: {check: retention}", "live: {check: retension}"), "unknown check \"retension\"");
  expect_load_error(replace(base, "live: {check: retention}", "live: {check: retention, heartbeat_max_minutes: 5}"),
                    "unknown key \"heartbeat_max_minutes\"");
  expect_load_error(replace(base, "requires: [regulation_approved]", "requires: [regulation]"),
                    "unknown requirement \"regulation\"");
  expect_load_error(replace(base, "deadline: approval,", "deadline: aproval,"), "no deadline \"aproval\"");
  expect_load_error(replace(base, "to: appraised, duties: [appraiser]", "to: apraised, duties: [appraiser]"),
                    "no state \"apraised\"");
  expect_load_error(replace(base, "duties: [approver]", "duties: [owner]"), "unknown duty \"owner\"");
  expect_load_error(replace(base, "    group: TECH.NET\n    min_level: 1\n    evidence: live",
                            "    group: TECH.NETWORK\n    min_level: 1\n    evidence: live"),
                    "no group \"TECH.NETWORK\"");
  expect_load_error(replace(base, "reassessment:\n  # Decree 331", "reassessment_typo:\n  # Decree 331"),
                    "unknown key \"reassessment_typo\"");
  expect_load_error(replace(base, "months_by_level: {1: 12, 2: 12, 3: 12, 4: 6, 5: 6}", "months_by_level: {1: 12, 2: 12, 3: 12, 4: 6}"),
                    "level 5 is missing");
  expect_load_error("id: [unclosed", "edited.yaml:");
  expect_load_error("", "document: must be a mapping");
  expect_load_error(std::string(3 << 20, '#'), "larger than");
}

TEST(Framework, OverridesFromTheDataFolderReplaceAndAdd) {
  storage::testing::TempDir dir;
  std::string changed = replace(builtin("nd331_2026.yaml"), "approval: {value: 7, unit: working_days}",
                                "approval: {value: 10, unit: working_days}");
  std::ofstream(dir.str() + "/nd331_2026.yaml") << changed;
  std::string added = replace(replace(builtin("nd331_2026.yaml"), "id: nd331_2026", "id: future_2030"),
                              "status: current", "status: legacy");
  std::ofstream(dir.str() + "/future.yaml") << added;
  std::ofstream(dir.str() + "/notes.txt") << "not a framework";
  auto set = FrameworkSet::load(dir.str());
  ASSERT_TRUE(set) << set.status().message();
  EXPECT_EQ((*set)->all().size(), 3u);
  EXPECT_EQ((*set)->get("nd331_2026")->deadlines.at("approval").value[3], 10);
  EXPECT_EQ((*set)->get("nd331_2026")->source, dir.str() + "/nd331_2026.yaml");
  ASSERT_TRUE((*set)->get("future_2030"));
}

TEST(Framework, ABadOverrideFailsTheLoadNamingTheFile) {
  storage::testing::TempDir dir;
  std::ofstream(dir.str() + "/broken.yaml") << "schema: 1\nid: x\n";
  auto set = FrameworkSet::load(dir.str());
  ASSERT_FALSE(set);
  EXPECT_NE(set.status().message().find(dir.str() + "/broken.yaml:"), std::string::npos) << set.status().message();
}

TEST(Framework, WorkflowStatesHaveTheirRoles) {
  auto set = FrameworkSet::load("");
  ASSERT_TRUE(set);
  const Workflow& wf = (*set)->get("nd331_2026")->workflow;
  EXPECT_EQ(wf.initial, "draft");
  EXPECT_TRUE(wf.is_editable("draft"));
  EXPECT_FALSE(wf.is_editable("submitted"));
  EXPECT_TRUE(wf.is_approved("in_force"));
  EXPECT_TRUE(wf.is_closed("superseded"));
  EXPECT_TRUE(wf.is_open("under_appraisal"));
  EXPECT_EQ(wf.superseded_state, "superseded");
  EXPECT_EQ(wf.overdue_state, "reassessment_due");
  ASSERT_TRUE(wf.state_name("awaiting_approval"));
  EXPECT_EQ(wf.state_name("awaiting_approval")->vi, "Chờ phê duyệt");
}

}  // namespace
}  // namespace canh::compliance
