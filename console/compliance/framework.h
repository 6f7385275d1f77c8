// A compliance framework as data: the regulation a dossier is assessed under (Decree 331/2026 with
// TCVN 14423:2026 now, Decree 85/2016 with TCVN 11930:2017 for legacy dossiers). Everything that is
// law or policy — classification questions and criteria with their articles, who appraises and
// approves at each level, deadlines, re-assessment cycles, retention minimums, the control catalogue
// and the dossier workflow — is read from a YAML file (console/compliance/frameworks/*.yaml, built
// in; DATA/frameworks/*.yaml overrides or adds). A new framework or a changed deadline is a data
// change, never a code change. What stays in code is the closed vocabulary those files may use:
// question types, live-evidence checks, workflow requirements and effects, duties.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "console/compliance/expr.h"

namespace canh::compliance {

inline constexpr int kMinLevel = 1;
inline constexpr int kMaxLevel = 5;

// Text a person reads, in both console languages.
struct Text {
  std::string vi, en;
};

enum class QuestionType : uint8_t { kBool, kInt, kEnum, kMulti };

struct Option {
  std::string id;
  Text text;
};

struct Question {
  std::string id;
  QuestionType type = QuestionType::kBool;
  Text text;
  std::vector<Option> options;  // kEnum, kMulti
  int64_t min = 0, max = INT64_MAX;  // kInt
  bool nullable = false;        // may stay unanswered at submission (kInt only)
};

struct Criterion {
  int level = 0;            // 1..5; 0 when level_from is used
  size_t level_from = SIZE_MAX;  // question index whose (int) answer is the level, e.g. a PM decision
  std::string article;      // "Art 13.2"
  Text text;                // the criterion in words
  Expr when;
  int line = 0;             // in the framework file, for messages
};

struct DossierPart {
  std::string id;
  int min_level = kMinLevel;
  Text text;
};

struct Group {
  std::string id;
  std::string kind;  // management, technical, legal
  Text text;
};

enum class EvidenceKind : uint8_t { kManual, kLive, kMixed };
std::string_view evidence_kind_name(EvidenceKind k);

// The measurements Canh can make by itself. Each control of kind live/mixed may name one, with its
// thresholds as data.
enum class CheckKind : uint8_t {
  kNone,
  kSensorCoverage,     // a sensor watching the system has a recent heartbeat, drops and rule age in bounds
  kSensorsReporting,   // every sensor watching the system reports centrally, none silent too long
  kTriageTime,         // high-severity alerts on the system acknowledged within the level's time
  kCategoryTriage,     // alerts of given categories/signature families on the system triaged in time
  kRetention,          // configured alert retention >= the level's minimum
  kReassessmentCycle,  // the last approval is within the framework's re-assessment cycle
  kDossierApproved,    // an approved dossier is in force
};
std::string_view check_kind_name(CheckKind k);
std::optional<CheckKind> parse_check_kind(std::string_view name);

struct LiveCheck {
  CheckKind kind = CheckKind::kNone;
  int heartbeat_max_minutes = 5;
  double max_drop_ratio = 0.01;
  int ruleset_max_age_days = 30;
  int silence_max_minutes = 60;
  int max_severity = 1;                     // severities 1..max_severity count as high
  std::array<int, kMaxLevel + 1> ack_minutes_by_level{};  // 0: no requirement at that level
  std::vector<std::string> categories;        // alert.category values, exact
  std::vector<std::string> signature_prefixes;  // "ET MALWARE", ...
  int period_days = 30;                       // alerts considered by triage checks
};

struct Control {
  std::string id;     // stable: MGMT.OPS.MONITORING
  std::string group;  // a Group id
  int min_level = kMinLevel;
  EvidenceKind evidence = EvidenceKind::kManual;
  Text text;
  std::array<std::string, kMaxLevel + 1> clause;  // standard clause per level, "" when none
  std::array<Text, kMaxLevel + 1> by_level;       // how the requirement tightens, when it does
  std::optional<Text> conditional;                // "applies only if ..."
  LiveCheck live;
  Text measure;                                   // what Canh measures, in words
};

// --- the dossier workflow (states, transitions, who may do each) --------------------------------

enum class Duty : uint8_t { kOperator, kExpert, kAppraiser, kApprover, kAuditor, kSystem };
inline constexpr Duty kPersonDuties[] = {Duty::kOperator, Duty::kExpert, Duty::kAppraiser, Duty::kApprover,
                                         Duty::kAuditor};
std::string_view duty_name(Duty d);
std::optional<Duty> parse_duty(std::string_view name);

// What must hold (or be given) before a transition runs. Closed set: each is a check in workflow.cc.
enum class Requirement : uint8_t {
  kQuestionnaire,          // every required question answered
  kProposedLevel,          // a proposed level 1..5
  kJustificationIfDiffers, // a written justification when proposed != suggested
  kDossierParts,           // every dossier part of the level has text or a file
  kExpertOpinion,          // input: opinion
  kReasons,                // input: reasons
  kAppraisalOpinion,       // input: opinion
  kControlStatuses,        // every control of the level has a status
  kRegulationApproved,     // the system's security regulation is recorded as approved
  kDecisionNumber,         // input: decision number
  kDecisionDate,           // input: decision date
  kPmListDecision,         // level 5 only: the PM's list decision is recorded (input)
  kPlanImplemented,        // the security plan is recorded as implemented
  kTrigger,                // input: why re-assessment is due (cycle, change, incident, request)
};
std::string_view requirement_name(Requirement r);
std::optional<Requirement> parse_requirement(std::string_view name);

enum class Effect : uint8_t {
  kNewVersion,         // the transition leaves this version as it is and opens a new one in `to`
  kFreezeSnapshot,     // control statuses, evidence verdicts and score are frozen into the version
  kSupersedePrevious,  // older approved versions of the system move to the superseded state
  kStartCycle,         // the re-assessment due date is set from the framework's cycle
};
std::string_view effect_name(Effect e);
std::optional<Effect> parse_effect(std::string_view name);

struct DeadlineRule {
  std::array<int, kMaxLevel + 1> value{};  // 0: none at that level
  bool working_days = false;
};

struct Transition {
  std::string action;  // "submit", "appraise", ...
  std::vector<std::string> from;
  std::string to;
  std::vector<Duty> duties;  // kSystem: applied by Canh itself when `when` holds
  std::vector<Requirement> needs;
  Expr when;                 // empty: always
  std::string deadline;      // a deadline name, counted from entering `from`
  std::vector<Effect> effects;
  // Actions whose performer on this version may not take this one: who submitted a dossier does not
  // appraise or approve it (Circular 12 Art 6; Decree 331 Art 18.4).
  std::vector<std::string> not_by;
  Text label;
  int line = 0;
};

struct Workflow {
  std::vector<std::string> states;
  std::map<std::string, Text> state_names;
  std::string initial;
  std::vector<std::string> editable;  // content may change (by the operator)
  std::vector<std::string> approved;  // the version's level is the system's approved level
  std::vector<std::string> closed;    // withdrawn, superseded: nothing more happens
  std::string superseded_state;       // where older approved versions go when a newer one is approved
  std::string overdue_state;          // an approved state meaning "re-assessment due"
  std::vector<Transition> transitions;

  bool is_editable(std::string_view s) const;
  bool is_approved(std::string_view s) const;
  bool is_closed(std::string_view s) const;
  // Open: neither approved nor closed (a dossier on its way).
  bool is_open(std::string_view s) const { return !is_approved(s) && !is_closed(s); }
  const Text* state_name(std::string_view s) const;
};

// The variables workflow guards may read, in this order (Schema indexes).
const Schema& workflow_schema();
enum WorkflowVar : size_t { kWfProposedLevel = 0, kWfSystemRunning, kWfCycleElapsed };

struct Authority {
  Text drafts, expert_opinion, appraises, approves;  // empty text: nobody at this level
};

struct LevelInfo {
  Text name, impact;
};

struct Framework {
  std::string id;       // nd331_2026
  std::string status;   // current, legacy
  Text name;
  std::vector<std::string> basis;
  std::string in_force_from;  // YYYY-MM-DD
  std::string superseded_by;
  std::string migration_due;
  Text standard;
  std::string source;   // where it was loaded from: "built-in nd331_2026.yaml" or a file path
  int utc_offset_minutes = 420;  // deadlines and due dates are counted in this zone's calendar days

  std::array<LevelInfo, kMaxLevel + 1> levels;
  std::array<Authority, kMaxLevel + 1> authority;
  Text authority_note;
  std::map<std::string, DeadlineRule> deadlines;
  std::vector<std::string> non_working_days;  // YYYY-MM-DD, besides Saturdays and Sundays
  std::array<int, kMaxLevel + 1> reassessment_months{};
  int reassessment_notice_days = 30;
  std::array<int, kMaxLevel + 1> alert_retention_days{};

  std::vector<Question> questions;
  Schema schema;  // questions as expression variables, same order
  std::vector<Criterion> criteria;
  Text criteria_rule;
  std::vector<DossierPart> dossier_parts;
  std::vector<Group> groups;
  std::vector<Control> controls;
  Workflow workflow;

  const Question* question(std::string_view id) const;
  size_t question_index(std::string_view id) const;  // SIZE_MAX when absent
  const Control* control(std::string_view id) const;
  const Group* group(std::string_view id) const;
  // The controls a system of `level` must meet, in catalogue order.
  std::vector<const Control*> controls_for(int level) const;
  std::vector<const DossierPart*> parts_for(int level) const;
};

// Parses one framework file. `source` names it in every error: "nd331_2026.yaml:212: controls[14]
// (MGMT.OPS.INCIDENT).live.check: unknown check \"triage\"".
Result<std::shared_ptr<const Framework>> parse_framework(std::string_view yaml, std::string_view source);

// The frameworks in use: the built-in files, then every DATA/frameworks/*.yaml (a file whose id is
// a built-in one replaces it; a new id adds a framework). Immutable once built; the service swaps
// the whole set on reload.
class FrameworkSet {
 public:
  // `override_dir` may be empty or missing. Any bad file fails the whole load, naming the file.
  static Result<std::shared_ptr<const FrameworkSet>> load(const std::string& override_dir);
  static Result<std::shared_ptr<const FrameworkSet>> from_texts(
      const std::vector<std::pair<std::string, std::string>>& source_and_yaml);

  const Framework* get(std::string_view id) const;
  // The framework new dossiers use: the one with status "current" (the first if several).
  const Framework* default_framework() const;
  const std::vector<std::shared_ptr<const Framework>>& all() const { return all_; }

 private:
  std::vector<std::shared_ptr<const Framework>> all_;
};

// The framework files compiled into the binary (generated from console/compliance/frameworks/).
struct BuiltinFramework {
  const char* name;  // "nd331_2026.yaml"
  const unsigned char* data;
  size_t size;
};
extern const BuiltinFramework kBuiltinFrameworks[];
extern const size_t kBuiltinFrameworkCount;

}  // namespace canh::compliance
