// The dossier workflow: which transitions a dossier version may take from its state, who may take
// them, what each needs, and what taking one records. The states and transitions are framework
// data (framework.h, Workflow); this file is the closed vocabulary behind them — requirement checks,
// duties, guards — and the calendar arithmetic for deadlines and re-assessment dates.
//
// Pure functions over records: no storage, no clock, no HTTP. The service (service.h) reads the
// records, asks here, writes the result and the audit record.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "console/compliance/framework.h"
#include "storage/assessment_store.h"

namespace canh::compliance {

// What a person asks for: an action on one dossier version, with the inputs the action needs.
struct TransitionInput {
  std::string action;
  std::string reasons;          // returns, withdrawals
  std::string opinion;          // expert opinion (Form 03), appraisal opinion (Form 04)
  std::string decision_number;  // approval (Form 06/07)
  std::string decision_date;    // YYYY-MM-DD
  std::string pm_decision;      // level 5: the Prime Minister's list decision
  std::string trigger;          // re-assessment: cycle, change (Art 10.2), incident, request
  bool confirmed = false;       // the plan is implemented (LEGAL.PRE_GO_LIVE)
};

struct Actor {
  std::string name;           // user name; "canh" for system transitions
  std::vector<Duty> duties;   // the person's duties on this system
};

// What the workflow needs to know beyond the dossier record itself.
struct DossierFacts {
  int suggested_level = 0;
  std::vector<std::string> unanswered;               // required questions without an answer
  std::vector<std::string> missing_parts;            // dossier parts of the level with no text and no file
  std::vector<std::string> controls_without_status;  // controls of the level nobody has assessed
  bool cycle_elapsed = false;                        // the re-assessment date has passed
  int64_t now_ms = 0;
};

// The transition `in.action` from the version's state, if `actor` may take it now. Errors:
// kConflict (no such action from this state, or the version is closed), kPermission (the actor lacks
// the duty, or took an earlier step this one must be independent of), kInvalid (a requirement is not
// met; the message lists every unmet one).
Result<const Transition*> check_transition(const Framework& fw, const storage::Dossier& d, const DossierFacts& facts,
                                           const Actor& actor, const TransitionInput& in);

// Records a checked transition: state, time, history, and the inputs it carries (opinions, reasons,
// decision). Effects (new version, snapshot, supersede, cycle) are left to the caller: they touch
// other records. For a kNewVersion transition the version's own state does not change.
void apply_transition(const Framework& fw, const Transition& t, storage::Dossier& d, const TransitionInput& in,
                      const std::string& actor, Duty duty, int64_t now_ms);

// Applies the system transitions whose condition holds, repeatedly (a chain such as approved ->
// in_force), and returns those applied in order. At most 8 steps: a data cycle cannot spin.
std::vector<const Transition*> run_system_transitions(const Framework& fw, storage::Dossier& d,
                                                      const DossierFacts& facts);

// Every transition out of the version's state that a person may take, with whether `actor` holds a
// duty for it and what is still missing — for the page to show the buttons that can work and say
// why the others cannot.
struct ActionOption {
  const Transition* transition = nullptr;
  bool has_duty = false;
  std::vector<std::string> unmet;  // requirement names not met by the record (inputs excluded)
};
std::vector<ActionOption> action_options(const Framework& fw, const storage::Dossier& d, const DossierFacts& facts,
                                         const Actor& actor);

// Deadlines running in the version's current state (from the transitions out of it that carry one).
struct RunningDeadline {
  std::string name;    // completeness_check, appraisal, approval
  std::string action;  // the transition that must happen in time
  int days = 0;
  bool working_days = false;
  int64_t due_ms = 0;  // end of the last allowed day, in the framework's zone
};
std::vector<RunningDeadline> running_deadlines(const Framework& fw, const storage::Dossier& d);

// Re-assessment status of an approved version at `now_ms`: none (not approved or no date), ok,
// due (within the framework's notice days), overdue.
enum class DueStatus : uint8_t { kNone, kOk, kDue, kOverdue };
std::string_view due_status_name(DueStatus s);
DueStatus due_status(const Framework& fw, const storage::Dossier& d, int64_t now_ms);

// --- calendar, in the framework's zone (Asia/Ho_Chi_Minh for the built-in ones) ------------------

// The end (last millisecond) of the day `days` calendar or working days after the day of `from_ms`.
// Working days skip Saturdays, Sundays and the framework's non_working_days.
int64_t deadline_after(const Framework& fw, int64_t from_ms, int days, bool working_days);
// The start of the same calendar day `months` later (the 31st becomes the month's last day).
int64_t months_after(const Framework& fw, int64_t from_ms, int months);
// "2026-11-23" for a time, in the framework's zone.
std::string local_date(const Framework& fw, int64_t ms);
bool valid_date(std::string_view yyyy_mm_dd);
// Milliseconds of the start of that local day; nullopt-like -1 when the text is not a date.
int64_t date_start_ms(const Framework& fw, std::string_view yyyy_mm_dd);

}  // namespace canh::compliance
