#include "console/compliance/evidence.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "console/compliance/workflow.h"

namespace canh::compliance {

namespace json = boost::json;

namespace {

constexpr int64_t kMinuteMs = 60000;
constexpr int64_t kDayMs = 86400000;

LiveResult result(Verdict v, std::string reason, std::string summary) {
  LiveResult r;
  r.verdict = v;
  r.reason = std::move(reason);
  r.summary = std::move(summary);
  return r;
}

std::string num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::vector<const SensorFacts*> declared(const EvidenceInput& in) {
  std::vector<const SensorFacts*> out;
  for (uint32_t id : in.declared_sensors)
    for (const auto& s : in.sensors)
      if (s.id == id && !s.decommissioned) out.push_back(&s);
  return out;
}

json::object sensor_json(const SensorFacts& s, int64_t now_ms) {
  json::object o{{"id", s.id}, {"name", s.name}, {"last_heartbeat_ms", s.last_heartbeat_ms}};
  if (s.last_heartbeat_ms > 0) o["heartbeat_age_minutes"] = (now_ms - s.last_heartbeat_ms) / kMinuteMs;
  if (s.packets > 0) o["drop_ratio"] = static_cast<double>(s.drops) / static_cast<double>(s.packets);
  o["ruleset_version"] = s.ruleset_version;
  if (s.ruleset_age_days) o["ruleset_age_days"] = *s.ruleset_age_days;
  return o;
}

LiveResult sensor_coverage(const LiveCheck& c, const EvidenceInput& in) {
  if (!in.sensors_known) return result(Verdict::kNotEvaluated, "sensors_unknown", "the sensor list could not be read");
  auto ds = declared(in);
  if (ds.empty())
    return result(Verdict::kNotEvaluated, "no_sensor_declared", "no Canh sensor is declared as watching this system's ranges");
  json::array list;
  size_t healthy = 0;
  std::string problem;
  for (const SensorFacts* s : ds) {
    json::object o = sensor_json(*s, in.now_ms);
    std::string why;
    if (s->last_heartbeat_ms == 0 || in.now_ms - s->last_heartbeat_ms > c.heartbeat_max_minutes * kMinuteMs)
      why = "sensor_silent";
    else if (s->packets > 0 && static_cast<double>(s->drops) / static_cast<double>(s->packets) > c.max_drop_ratio)
      why = "drops_high";
    else if (s->ruleset_age_days && *s->ruleset_age_days > c.ruleset_max_age_days)
      why = "ruleset_old";
    o["ok"] = why.empty();
    if (!why.empty()) o["problem"] = why;
    if (why.empty()) ++healthy;
    else if (problem.empty()) problem = why;
    list.push_back(std::move(o));
  }
  LiveResult r;
  r.figures = {{"sensors_declared", ds.size()},
               {"sensors_healthy", healthy},
               {"heartbeat_max_minutes", c.heartbeat_max_minutes},
               {"max_drop_ratio", c.max_drop_ratio},
               {"ruleset_max_age_days", c.ruleset_max_age_days},
               {"sensors", std::move(list)}};
  if (healthy > 0) {
    r.verdict = Verdict::kPass;
    r.reason = "ok";
    r.summary = std::to_string(healthy) + " of " + std::to_string(ds.size()) +
                " sensors watching the system are healthy (heartbeat within " + std::to_string(c.heartbeat_max_minutes) +
                " min, drops at most " + num(c.max_drop_ratio * 100, 1) + "%)";
  } else {
    r.verdict = Verdict::kFail;
    r.reason = problem;
    r.summary = "none of the " + std::to_string(ds.size()) + " sensors watching the system is healthy (" + problem + ")";
  }
  return r;
}

LiveResult sensors_reporting(const LiveCheck& c, const EvidenceInput& in) {
  if (!in.sensors_known) return result(Verdict::kNotEvaluated, "sensors_unknown", "the sensor list could not be read");
  auto ds = declared(in);
  if (ds.empty())
    return result(Verdict::kNotEvaluated, "no_sensor_declared", "no Canh sensor is declared as watching this system's ranges");
  json::array list, silent;
  for (const SensorFacts* s : ds) {
    json::object o = sensor_json(*s, in.now_ms);
    bool ok = s->last_heartbeat_ms > 0 && in.now_ms - s->last_heartbeat_ms <= c.silence_max_minutes * kMinuteMs;
    o["ok"] = ok;
    if (!ok) silent.emplace_back(s->name);
    list.push_back(std::move(o));
  }
  LiveResult r;
  size_t reporting = ds.size() - silent.size();
  r.figures = {{"sensors_declared", ds.size()},
               {"sensors_reporting", reporting},
               {"silence_max_minutes", c.silence_max_minutes},
               {"silent", silent},
               {"sensors", std::move(list)}};
  if (silent.empty()) {
    r.verdict = Verdict::kPass;
    r.reason = "ok";
    r.summary = "all " + std::to_string(ds.size()) + " sensors watching the system reported within " +
                std::to_string(c.silence_max_minutes) + " min";
  } else {
    r.verdict = Verdict::kFail;
    r.reason = "sensor_silent";
    r.summary = std::to_string(silent.size()) + " of " + std::to_string(ds.size()) + " sensors silent for more than " +
                std::to_string(c.silence_max_minutes) + " min";
  }
  return r;
}

bool in_family(const LiveCheck& c, const AlertItem& a) {
  if (std::find(c.categories.begin(), c.categories.end(), a.category) != c.categories.end()) return true;
  for (const auto& p : c.signature_prefixes)
    if (a.signature.compare(0, p.size(), p) == 0) return true;
  return false;
}

// Triage within the level's time for the alerts `pick` selects, over the check's period.
template <class Pick>
LiveResult triage(const LiveCheck& c, const EvidenceInput& in, Pick pick, std::string_view what) {
  int ack = c.ack_minutes_by_level[std::clamp(in.level, kMinLevel, kMaxLevel)];
  if (ack == 0)
    return result(Verdict::kNotEvaluated, "no_time_for_level", "the framework sets no triage time at level " + std::to_string(in.level));
  if (!in.alerts_known) return result(Verdict::kNotEvaluated, "alerts_unknown", "the alert store could not be read");
  const int64_t from = in.now_ms - c.period_days * kDayMs;
  const int64_t limit = ack * kMinuteMs;
  size_t n = 0, in_time = 0, late = 0, open_overdue = 0, open_waiting = 0;
  std::vector<int64_t> latencies;
  for (const auto& a : in.alerts.items) {
    if (a.ts_ms < from || !pick(a)) continue;
    ++n;
    if (a.triaged) {
      int64_t lat = std::max<int64_t>(0, a.triaged_ms - a.received_ms);
      latencies.push_back(lat);
      if (lat <= limit) ++in_time;
      else ++late;
    } else if (in.now_ms - a.received_ms > limit) {
      ++open_overdue;
    } else {
      ++open_waiting;  // still within its time: neither good nor bad yet
    }
  }
  LiveResult r;
  r.figures = {{"period_days", c.period_days}, {"ack_minutes", ack},       {"alerts", n},
               {"triaged_in_time", in_time},   {"triaged_late", late},     {"open_overdue", open_overdue},
               {"open_within_time", open_waiting}, {"partial", in.alerts.truncated}};
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    r.figures["max_minutes"] = num(static_cast<double>(latencies.back()) / kMinuteMs, 1);
    r.figures["p90_minutes"] = num(static_cast<double>(latencies[(latencies.size() - 1) * 9 / 10]) / kMinuteMs, 1);
  }
  std::string period = " in the last " + std::to_string(c.period_days) + " days";
  if (n == 0) {
    // Nothing to triage proves nothing about triage.
    r.verdict = Verdict::kNotEvaluated;
    r.reason = "no_alerts";
    r.summary = "no " + std::string(what) + " alerts on the system" + period;
  } else if (late == 0 && open_overdue == 0) {
    r.verdict = in_time > 0 ? Verdict::kPass : Verdict::kNotEvaluated;
    r.reason = in_time > 0 ? "ok" : "none_due_yet";
    r.summary = std::to_string(in_time) + " of " + std::to_string(n) + " " + std::string(what) +
                " alerts triaged within " + std::to_string(ack) + " min" + period +
                (open_waiting ? ", " + std::to_string(open_waiting) + " still within their time" : "");
  } else {
    r.verdict = Verdict::kFail;
    r.reason = "triage_late";
    r.summary = std::to_string(late) + " triaged late and " + std::to_string(open_overdue) + " open past " +
                std::to_string(ack) + " min, of " + std::to_string(n) + " " + std::string(what) + " alerts" + period;
  }
  if (in.alerts.truncated) r.summary += " (partial: only the newest alerts were read)";
  return r;
}

LiveResult retention(const EvidenceInput& in) {
  if (!in.retention.known)
    return result(Verdict::kNotEvaluated, "retention_unknown", "the configured alert retention is not known");
  int required = in.framework->alert_retention_days[std::clamp(in.level, kMinLevel, kMaxLevel)];
  LiveResult r;
  r.figures = {{"configured_days", in.retention.configured_days}, {"required_days", required}};
  if (in.retention.floor_ms > 0) r.figures["removed_before_ms"] = in.retention.floor_ms;
  if (in.retention.configured_days == 0 || in.retention.configured_days >= required) {
    r.verdict = Verdict::kPass;
    r.reason = "ok";
    r.summary = "alerts are kept " +
                (in.retention.configured_days == 0 ? std::string("without an age limit")
                                                   : std::to_string(in.retention.configured_days) + " days") +
                "; level " + std::to_string(in.level) + " needs " + std::to_string(required);
  } else {
    r.verdict = Verdict::kFail;
    r.reason = "retention_short";
    r.summary = "alerts are kept " + std::to_string(in.retention.configured_days) + " days; level " +
                std::to_string(in.level) + " needs " + std::to_string(required);
  }
  return r;
}

LiveResult reassessment_cycle(const EvidenceInput& in) {
  if (!in.approved)
    return result(Verdict::kNotEvaluated, "never_approved", "no approved dossier yet: the cycle starts at approval");
  const Framework& fw = *in.framework;
  DueStatus due = due_status(fw, *in.approved, in.now_ms);
  LiveResult r;
  r.figures = {{"approved_ms", in.approved->approved_ms},
               {"reassessment_due_ms", in.approved->reassessment_due_ms},
               {"cycle_months", fw.reassessment_months[std::clamp(in.approved->proposed_level, kMinLevel, kMaxLevel)]},
               {"due_status", std::string(due_status_name(due))}};
  if (due == DueStatus::kOverdue) {
    r.verdict = Verdict::kFail;
    r.reason = "overdue";
    r.summary = "re-assessment was due on " + local_date(fw, in.approved->reassessment_due_ms);
  } else {
    r.verdict = Verdict::kPass;
    r.reason = "ok";
    r.summary = "approved on " + local_date(fw, in.approved->approved_ms) + "; next re-assessment due " +
                local_date(fw, in.approved->reassessment_due_ms);
  }
  return r;
}

LiveResult dossier_approved(const EvidenceInput& in) {
  if (!in.approved) return result(Verdict::kFail, "not_approved", "no approved level dossier is in force");
  LiveResult r = result(Verdict::kPass, "ok",
                        "version " + std::to_string(in.approved->version) + " approved by decision " +
                            in.approved->decision_number + " of " + in.approved->decision_date);
  r.figures = {{"version", in.approved->version},
               {"decision_number", in.approved->decision_number},
               {"decision_date", in.approved->decision_date},
               {"level", in.approved->proposed_level}};
  return r;
}

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kNotEvaluated: return "not_evaluated";
    case Verdict::kPass: return "pass";
    case Verdict::kFail: return "fail";
  }
  return "not_evaluated";
}

LiveResult evaluate_live(const Control& c, const EvidenceInput& in) {
  const LiveCheck& lc = c.live;
  switch (lc.kind) {
    case CheckKind::kNone:
      return result(Verdict::kNotEvaluated, "no_measurement", "Canh has no measurement for this control");
    case CheckKind::kSensorCoverage: return sensor_coverage(lc, in);
    case CheckKind::kSensorsReporting: return sensors_reporting(lc, in);
    case CheckKind::kTriageTime:
      return triage(lc, in, [&](const AlertItem& a) { return a.severity >= 1 && a.severity <= lc.max_severity; },
                    "high-severity");
    case CheckKind::kCategoryTriage:
      return triage(lc, in, [&](const AlertItem& a) { return in_family(lc, a); }, "matching");
    case CheckKind::kRetention: return retention(in);
    case CheckKind::kReassessmentCycle: return reassessment_cycle(in);
    case CheckKind::kDossierApproved: return dossier_approved(in);
  }
  return {};
}

std::string_view effective_name(Effective e) {
  switch (e) {
    case Effective::kMet: return "met";
    case Effective::kPartlyMet: return "partly_met";
    case Effective::kNotMet: return "not_met";
    case Effective::kNotApplicable: return "not_applicable";
    case Effective::kNotAssessed: return "not_assessed";
    case Effective::kNotEvaluated: return "not_evaluated";
  }
  return "not_assessed";
}

bool valid_manual_status(std::string_view s) {
  return s.empty() || s == "met" || s == "partly_met" || s == "not_met" || s == "not_applicable";
}

Effective effective_status(EvidenceKind kind, std::string_view manual, const LiveResult* live) {
  if (manual == "not_applicable") return Effective::kNotApplicable;
  auto from_manual = [&]() {
    if (manual == "met") return Effective::kMet;
    if (manual == "partly_met") return Effective::kPartlyMet;
    if (manual == "not_met") return Effective::kNotMet;
    return Effective::kNotAssessed;
  };
  Verdict v = live ? live->verdict : Verdict::kNotEvaluated;
  switch (kind) {
    case EvidenceKind::kManual: return from_manual();
    case EvidenceKind::kLive:
      return v == Verdict::kPass ? Effective::kMet : v == Verdict::kFail ? Effective::kNotMet : Effective::kNotEvaluated;
    case EvidenceKind::kMixed:
      if (v == Verdict::kFail) return Effective::kNotMet;
      return from_manual();
  }
  return Effective::kNotAssessed;
}

Score score_of(const std::vector<Effective>& statuses) {
  Score s;
  s.total = statuses.size();
  for (Effective e : statuses) {
    switch (e) {
      case Effective::kMet: ++s.met; break;
      case Effective::kPartlyMet: ++s.partly_met; break;
      case Effective::kNotMet: ++s.not_met; break;
      case Effective::kNotApplicable: ++s.not_applicable; break;
      case Effective::kNotAssessed: ++s.not_assessed; break;
      case Effective::kNotEvaluated: ++s.not_evaluated; break;
    }
  }
  s.applicable = s.total - s.not_applicable;
  if (s.applicable > 0) {
    double v = (static_cast<double>(s.met) + 0.5 * static_cast<double>(s.partly_met)) / static_cast<double>(s.applicable);
    s.percent = std::floor(v * 1000.0) / 10.0;  // rounded down: 99.95% is not 100%
  }
  s.denominator = "of " + std::to_string(s.applicable) + " applicable controls (" + std::to_string(s.not_applicable) +
                  " not applicable excluded; " + std::to_string(s.not_assessed + s.not_evaluated) +
                  " not assessed or not evaluated count as 0)";
  return s;
}

json::object score_json(const Score& s) {
  json::object o{{"total", s.total},           {"applicable", s.applicable},       {"not_applicable", s.not_applicable},
                 {"met", s.met},               {"partly_met", s.partly_met},       {"not_met", s.not_met},
                 {"not_assessed", s.not_assessed}, {"not_evaluated", s.not_evaluated}, {"denominator", s.denominator}};
  if (s.percent) o["percent"] = *s.percent;
  else o["percent"] = nullptr;
  return o;
}

}  // namespace canh::compliance
