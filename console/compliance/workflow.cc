#include "console/compliance/workflow.h"

#include <algorithm>
#include <chrono>

namespace canh::compliance {

namespace {

using namespace std::chrono;

constexpr int64_t kDayMs = 86400000;

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t local_day(const Framework& fw, int64_t ms) { return floor_div(ms + fw.utc_offset_minutes * 60000ll, kDayMs); }
int64_t day_start_ms(const Framework& fw, int64_t day) { return day * kDayMs - fw.utc_offset_minutes * 60000ll; }

year_month_day ymd_of_day(int64_t day) { return year_month_day{sys_days{days{day}}}; }

std::string format_day(int64_t day) {
  auto ymd = ymd_of_day(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

bool working_day(const Framework& fw, int64_t day) {
  weekday wd{sys_days{days{day}}};
  if (wd == Saturday || wd == Sunday) return false;
  return !std::binary_search(fw.non_working_days.begin(), fw.non_working_days.end(), format_day(day));
}

bool has_duty(const Actor& a, const std::vector<Duty>& duties) {
  for (Duty d : duties)
    if (std::find(a.duties.begin(), a.duties.end(), d) != a.duties.end()) return true;
  return false;
}

bool is_person_transition(const Transition& t) {
  return std::find(t.duties.begin(), t.duties.end(), Duty::kSystem) == t.duties.end();
}

Values guard_values(const storage::Dossier& d, const DossierFacts& f) {
  Values v(workflow_schema().size());
  v[kWfProposedLevel] = Value::of_int(d.proposed_level);
  v[kWfSystemRunning] = Value::of_bool(d.system_running);
  v[kWfCycleElapsed] = Value::of_bool(f.cycle_elapsed);
  return v;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Unmet requirements that the record (not the request's inputs) decides.
void record_requirements(const Transition& t, const storage::Dossier& d, const DossierFacts& f,
                         std::vector<std::string>* unmet) {
  for (Requirement r : t.needs) {
    switch (r) {
      case Requirement::kQuestionnaire:
        if (!f.unanswered.empty()) unmet->push_back("questionnaire: unanswered " + join(f.unanswered));
        break;
      case Requirement::kProposedLevel:
        if (d.proposed_level < kMinLevel || d.proposed_level > kMaxLevel) unmet->push_back("proposed_level: choose a level 1 to 5");
        break;
      case Requirement::kJustificationIfDiffers:
        if (d.proposed_level != f.suggested_level && blank(d.justification))
          unmet->push_back("justification: the proposed level " + std::to_string(d.proposed_level) +
                           " differs from the suggested " + std::to_string(f.suggested_level) +
                           " and needs a written justification");
        break;
      case Requirement::kDossierParts:
        if (!f.missing_parts.empty()) unmet->push_back("dossier_parts: nothing given for " + join(f.missing_parts));
        break;
      case Requirement::kControlStatuses:
        if (!f.controls_without_status.empty())
          unmet->push_back("control_statuses: " + std::to_string(f.controls_without_status.size()) +
                           " controls have no status (first: " + f.controls_without_status.front() + ")");
        break;
      case Requirement::kRegulationApproved:
        if (!d.regulation_approved || blank(d.regulation_ref))
          unmet->push_back("regulation_approved: record the approved security regulation (its reference) first");
        break;
      default: break;  // inputs: checked against the request
    }
  }
}

void input_requirements(const Transition& t, const storage::Dossier& d, const TransitionInput& in, int64_t now_ms,
                        const Framework& fw, std::vector<std::string>* unmet) {
  for (Requirement r : t.needs) {
    switch (r) {
      case Requirement::kExpertOpinion:
      case Requirement::kAppraisalOpinion:
        if (blank(in.opinion)) unmet->push_back("opinion: required");
        break;
      case Requirement::kReasons:
        if (blank(in.reasons)) unmet->push_back("reasons: required");
        break;
      case Requirement::kDecisionNumber:
        if (blank(in.decision_number)) unmet->push_back("decision_number: required");
        break;
      case Requirement::kDecisionDate:
        if (!valid_date(in.decision_date)) unmet->push_back("decision_date: required as YYYY-MM-DD");
        else if (date_start_ms(fw, in.decision_date) > now_ms) unmet->push_back("decision_date: is in the future");
        break;
      case Requirement::kPmListDecision:
        if (d.proposed_level == kMaxLevel && blank(in.pm_decision))
          unmet->push_back("pm_decision: a level-5 approval needs the Prime Minister's list decision");
        break;
      case Requirement::kPlanImplemented:
        if (!in.confirmed) unmet->push_back("confirmed: confirm that the approved plan is implemented");
        break;
      case Requirement::kTrigger:
        if (blank(in.trigger)) unmet->push_back("trigger: say why re-assessment is due");
        break;
      default: break;
    }
  }
}

}  // namespace

Result<const Transition*> check_transition(const Framework& fw, const storage::Dossier& d, const DossierFacts& facts,
                                           const Actor& actor, const TransitionInput& in) {
  const Workflow& wf = fw.workflow;
  std::string name = "dossier version " + std::to_string(d.version);
  if (wf.is_closed(d.state)) return Status::conflict(name + " is " + d.state + ": nothing more can happen to it");
  const Transition* found = nullptr;
  bool action_exists = false;
  for (const auto& t : wf.transitions) {
    if (t.action != in.action) continue;
    action_exists = true;
    if (std::find(t.from.begin(), t.from.end(), d.state) != t.from.end()) found = &t;
  }
  if (!action_exists) return Status::invalid("action: \"" + in.action + "\" is not an action of framework " + fw.id);
  if (!found) return Status::conflict("cannot " + in.action + " " + name + " in state " + d.state);
  const Transition& t = *found;
  if (!is_person_transition(t)) return Status::conflict(in.action + " is done by Canh itself, not by a person");
  if (!has_duty(actor, t.duties)) {
    std::string need;
    for (Duty x : t.duties) need += (need.empty() ? "" : " or ") + std::string(duty_name(x));
    return Status::permission(in.action + " needs the " + need + " duty on this system; " + actor.name + " does not hold it");
  }
  if (!t.when.empty() && !t.when.eval(guard_values(d, facts)))
    return Status::conflict(in.action + " does not apply to " + name + " (condition: " + t.when.text() + ")");
  for (const auto& e : d.history)
    if (e.actor == actor.name && std::find(t.not_by.begin(), t.not_by.end(), e.action) != t.not_by.end())
      return Status::permission(in.action + " must be done by someone independent of who did \"" + e.action + "\" on " +
                                name + " (" + actor.name + ")");
  std::vector<std::string> unmet;
  record_requirements(t, d, facts, &unmet);
  input_requirements(t, d, in, facts.now_ms, fw, &unmet);
  if (!unmet.empty()) {
    std::string m = in.action + " " + name + ": ";
    for (size_t i = 0; i < unmet.size(); ++i) m += (i ? "; " : "") + unmet[i];
    return Status::invalid(m);
  }
  return &t;
}

void apply_transition(const Framework& fw, const Transition& t, storage::Dossier& d, const TransitionInput& in,
                      const std::string& actor, Duty duty, int64_t now_ms) {
  (void)fw;
  storage::DossierEvent e;
  e.time_ms = now_ms;
  e.actor = actor;
  e.duty = std::string(duty_name(duty));
  e.action = t.action;
  e.from = d.state;
  bool new_version = std::find(t.effects.begin(), t.effects.end(), Effect::kNewVersion) != t.effects.end();
  e.to = new_version ? d.state : t.to;
  for (Requirement r : t.needs) {
    switch (r) {
      case Requirement::kReasons:
        d.return_reasons = in.reasons;
        e.note = in.reasons;
        break;
      case Requirement::kExpertOpinion:
        d.expert_opinion = in.opinion;
        e.note = in.opinion;
        break;
      case Requirement::kAppraisalOpinion:
        d.appraisal_opinion = in.opinion;
        e.note = in.opinion;
        break;
      case Requirement::kDecisionNumber:
        d.decision_number = in.decision_number;
        e.note = "decision " + in.decision_number + (in.decision_date.empty() ? "" : " of " + in.decision_date);
        break;
      case Requirement::kDecisionDate: d.decision_date = in.decision_date; break;
      case Requirement::kPmListDecision:
        if (!in.pm_decision.empty()) d.pm_decision = in.pm_decision;
        break;
      case Requirement::kTrigger: e.note = in.trigger; break;
      case Requirement::kPlanImplemented: e.note = "plan implemented (confirmed)"; break;
      default: break;
    }
  }
  if (new_version && !in.trigger.empty()) e.note = in.trigger;
  if (!new_version) {
    d.state = t.to;
    d.state_since_ms = now_ms;
  }
  d.updated_ms = now_ms;
  d.history.push_back(std::move(e));
}

std::vector<const Transition*> run_system_transitions(const Framework& fw, storage::Dossier& d,
                                                      const DossierFacts& facts) {
  std::vector<const Transition*> applied;
  for (int step = 0; step < 8; ++step) {
    const Transition* next = nullptr;
    for (const auto& t : fw.workflow.transitions) {
      if (is_person_transition(t)) continue;
      if (std::find(t.from.begin(), t.from.end(), d.state) == t.from.end()) continue;
      if (t.when.eval(guard_values(d, facts))) {
        next = &t;
        break;
      }
    }
    if (!next) break;
    apply_transition(fw, *next, d, {}, "canh", Duty::kSystem, facts.now_ms);
    applied.push_back(next);
  }
  return applied;
}

std::vector<ActionOption> action_options(const Framework& fw, const storage::Dossier& d, const DossierFacts& facts,
                                         const Actor& actor) {
  std::vector<ActionOption> out;
  if (fw.workflow.is_closed(d.state)) return out;
  for (const auto& t : fw.workflow.transitions) {
    if (!is_person_transition(t)) continue;
    if (std::find(t.from.begin(), t.from.end(), d.state) == t.from.end()) continue;
    if (!t.when.empty() && !t.when.eval(guard_values(d, facts))) continue;
    ActionOption o;
    o.transition = &t;
    o.has_duty = has_duty(actor, t.duties);
    record_requirements(t, d, facts, &o.unmet);
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<RunningDeadline> running_deadlines(const Framework& fw, const storage::Dossier& d) {
  std::vector<RunningDeadline> out;
  int level = std::clamp(d.proposed_level, kMinLevel, kMaxLevel);
  for (const auto& t : fw.workflow.transitions) {
    if (t.deadline.empty()) continue;
    if (std::find(t.from.begin(), t.from.end(), d.state) == t.from.end()) continue;
    auto it = fw.deadlines.find(t.deadline);
    if (it == fw.deadlines.end() || it->second.value[level] == 0) continue;
    bool seen = std::any_of(out.begin(), out.end(), [&](const RunningDeadline& r) { return r.name == t.deadline; });
    if (seen) continue;  // "return" and "accept" share one deadline
    RunningDeadline r;
    r.name = t.deadline;
    r.action = t.action;
    r.days = it->second.value[level];
    r.working_days = it->second.working_days;
    r.due_ms = deadline_after(fw, d.state_since_ms, r.days, r.working_days);
    out.push_back(std::move(r));
  }
  return out;
}

std::string_view due_status_name(DueStatus s) {
  switch (s) {
    case DueStatus::kNone: return "none";
    case DueStatus::kOk: return "ok";
    case DueStatus::kDue: return "due";
    case DueStatus::kOverdue: return "overdue";
  }
  return "none";
}

DueStatus due_status(const Framework& fw, const storage::Dossier& d, int64_t now_ms) {
  if (!fw.workflow.is_approved(d.state) || d.reassessment_due_ms == 0) return DueStatus::kNone;
  if (d.state == fw.workflow.overdue_state) return now_ms >= d.reassessment_due_ms ? DueStatus::kOverdue : DueStatus::kDue;
  if (now_ms >= d.reassessment_due_ms) return DueStatus::kOverdue;
  if (now_ms >= d.reassessment_due_ms - fw.reassessment_notice_days * kDayMs) return DueStatus::kDue;
  return DueStatus::kOk;
}

int64_t deadline_after(const Framework& fw, int64_t from_ms, int n, bool working_days) {
  int64_t day = local_day(fw, from_ms);
  if (!working_days) {
    day += n;
  } else {
    // 10 years of days bounds the loop even for a calendar full of holidays.
    for (int counted = 0, guard = 0; counted < n && guard < 3660; ++guard)
      if (working_day(fw, ++day)) ++counted;
  }
  return day_start_ms(fw, day + 1) - 1;
}

int64_t months_after(const Framework& fw, int64_t from_ms, int n) {
  auto ymd = ymd_of_day(local_day(fw, from_ms));
  year_month_day target = ymd + months{n};
  if (!target.ok()) target = year_month_day{target.year() / target.month() / last};
  return day_start_ms(fw, sys_days{target}.time_since_epoch().count());
}

std::string local_date(const Framework& fw, int64_t ms) { return format_day(local_day(fw, ms)); }

bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  unsigned m = (s[5] - '0') * 10 + (s[6] - '0'), dd = (s[8] - '0') * 10 + (s[9] - '0');
  return y >= 1970 && year_month_day{year{y} / month{m} / day{dd}}.ok();
}

int64_t date_start_ms(const Framework& fw, std::string_view s) {
  if (!valid_date(s)) return -1;
  int y = std::stoi(std::string(s.substr(0, 4)));
  unsigned m = static_cast<unsigned>(std::stoi(std::string(s.substr(5, 2))));
  unsigned dd = static_cast<unsigned>(std::stoi(std::string(s.substr(8, 2))));
  return day_start_ms(fw, sys_days{year{y} / month{m} / day{dd}}.time_since_epoch().count());
}

}  // namespace canh::compliance
