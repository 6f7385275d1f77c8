#include "console/compliance/framework.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace canh::compliance {

namespace {

constexpr size_t kMaxFileBytes = 2 << 20;  // a framework file is ~60 KiB; anything huge is a mistake
constexpr size_t kMaxItems = 2000;         // questions, criteria, controls, transitions each
constexpr size_t kMaxTextBytes = 4000;

// Every parse error is thrown as this and turned into a Status naming source:line at the top: the
// loader is one long descent through the document, and an exception keeps each step one line.
struct LoadError {
  int line;
  std::string message;
};

int line_of(const YAML::Node& n) {
  auto m = n.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

[[noreturn]] void fail(const YAML::Node& n, const std::string& where, const std::string& what) {
  throw LoadError{line_of(n), where + ": " + what};
}

std::string scalar(const YAML::Node& n, const std::string& where) {
  if (!n || n.IsNull()) fail(n, where, "missing");
  if (!n.IsScalar()) fail(n, where, "must be a single value");
  std::string s = n.Scalar();
  if (s.size() > kMaxTextBytes) fail(n, where, "longer than " + std::to_string(kMaxTextBytes) + " bytes");
  return s;
}

std::string opt_scalar(const YAML::Node& n, const std::string& where) {
  if (!n || n.IsNull()) return "";
  return scalar(n, where);
}

int64_t integer(const YAML::Node& n, const std::string& where, int64_t lo, int64_t hi) {
  std::string s = scalar(n, where);
  int64_t v = 0;
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && s[0] == '-') neg = true, i = 1;
  if (i >= s.size()) fail(n, where, "\"" + s + "\" is not a whole number");
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) fail(n, where, "\"" + s + "\" is not a whole number");
    if (v > (INT64_MAX - 9) / 10) fail(n, where, "number too large");
    v = v * 10 + (s[i] - '0');
  }
  if (neg) v = -v;
  if (v < lo || v > hi) fail(n, where, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return v;
}

double real(const YAML::Node& n, const std::string& where, double lo, double hi) {
  std::string s = scalar(n, where);
  double v = 0;
  std::istringstream in(s);
  in.imbue(std::locale::classic());
  if (!(in >> v) || !in.eof()) fail(n, where, "\"" + s + "\" is not a number");
  if (!(v >= lo && v <= hi)) fail(n, where, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return v;
}

bool boolean(const YAML::Node& n, const std::string& where) {
  std::string s = scalar(n, where);
  if (s == "true") return true;
  if (s == "false") return false;
  fail(n, where, "must be true or false");
}

void expect_map(const YAML::Node& n, const std::string& where) {
  if (!n || !n.IsMap()) fail(n, where, "must be a mapping");
}

void expect_seq(const YAML::Node& n, const std::string& where) {
  if (!n || !n.IsSequence()) fail(n, where, "must be a list");
  if (n.size() > kMaxItems) fail(n, where, "more than " + std::to_string(kMaxItems) + " entries");
}

// Unknown keys are errors: a misspelt "min_levle" must not silently fall back to a default.
void only_keys(const YAML::Node& n, const std::string& where, std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : n) {
    std::string k = kv.first.IsScalar() ? kv.first.Scalar() : "?";
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) fail(kv.first, where, "unknown key \"" + k + "\"");
  }
}

Text text_of(const YAML::Node& n, const std::string& where) {
  expect_map(n, where);
  Text t;
  t.vi = scalar(n["vi"], where + ".vi");
  t.en = scalar(n["en"], where + ".en");
  return t;
}

// vi/en as siblings of other keys in the same mapping.
Text inline_text(const YAML::Node& n, const std::string& where) {
  Text t;
  t.vi = scalar(n["vi"], where + ".vi");
  t.en = scalar(n["en"], where + ".en");
  return t;
}

std::vector<std::string> string_list(const YAML::Node& n, const std::string& where) {
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  expect_seq(n, where);
  for (size_t i = 0; i < n.size(); ++i) out.push_back(scalar(n[i], where + "[" + std::to_string(i) + "]"));
  return out;
}

bool valid_id(std::string_view s, bool dots) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (dots && c == '.'))) return false;
  return true;
}

std::string id_field(const YAML::Node& n, const std::string& where, bool dots) {
  std::string s = scalar(n, where);
  if (!valid_id(s, dots))
    fail(n, where, "\"" + s + "\" is not a valid id (letters, digits, _" + std::string(dots ? ", ." : "") + "; at most 64)");
  return s;
}

bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

std::string date_field(const YAML::Node& n, const std::string& where) {
  std::string s = opt_scalar(n, where);
  if (!s.empty() && !valid_date(s)) fail(n, where, "\"" + s + "\" is not a date YYYY-MM-DD");
  return s;
}

// {1: x, 2: y, ...} with levels as keys.
template <class F>
void per_level(const YAML::Node& n, const std::string& where, F&& f) {
  expect_map(n, where);
  for (const auto& kv : n) {
    int lv = static_cast<int>(integer(kv.first, where + " key", kMinLevel, kMaxLevel));
    f(lv, kv.second, where + "." + std::to_string(lv));
  }
}

std::array<int, kMaxLevel + 1> int_per_level(const YAML::Node& n, const std::string& where, int lo, int hi, bool all) {
  std::array<int, kMaxLevel + 1> out{};
  std::array<bool, kMaxLevel + 1> seen{};
  per_level(n, where, [&](int lv, const YAML::Node& v, const std::string& w) {
    out[lv] = static_cast<int>(integer(v, w, lo, hi));
    seen[lv] = true;
  });
  if (all)
    for (int lv = kMinLevel; lv <= kMaxLevel; ++lv)
      if (!seen[lv]) fail(n, where, "level " + std::to_string(lv) + " is missing");
  return out;
}

Question parse_question(const YAML::Node& n, const std::string& where) {
  expect_map(n, where);
  only_keys(n, where, {"id", "type", "vi", "en", "options", "min", "max", "nullable"});
  Question q;
  q.id = id_field(n["id"], where + ".id", false);
  std::string w = where + " (" + q.id + ")";
  std::string type = scalar(n["type"], w + ".type");
  if (type == "bool") q.type = QuestionType::kBool;
  else if (type == "int") q.type = QuestionType::kInt;
  else if (type == "enum") q.type = QuestionType::kEnum;
  else if (type == "multi") q.type = QuestionType::kMulti;
  else fail(n["type"], w + ".type", "\"" + type + "\" is not one of bool, int, enum, multi");
  q.text = inline_text(n, w);
  if (q.type == QuestionType::kEnum || q.type == QuestionType::kMulti) {
    const auto& o = n["options"];
    expect_seq(o, w + ".options");
    if (o.size() == 0) fail(o, w + ".options", "needs at least one option");
    std::set<std::string> seen;
    for (size_t i = 0; i < o.size(); ++i) {
      std::string ow = w + ".options[" + std::to_string(i) + "]";
      expect_map(o[i], ow);
      Option opt;
      opt.id = id_field(o[i]["id"], ow + ".id", false);
      opt.text = inline_text(o[i], ow);
      if (!seen.insert(opt.id).second) fail(o[i], ow, "option \"" + opt.id + "\" listed twice");
      q.options.push_back(std::move(opt));
    }
  } else if (n["options"]) {
    fail(n["options"], w + ".options", "only enum and multi questions have options");
  }
  if (q.type == QuestionType::kInt) {
    q.min = n["min"] ? integer(n["min"], w + ".min", 0, INT64_MAX / 2) : 0;
    q.max = n["max"] ? integer(n["max"], w + ".max", 0, INT64_MAX / 2) : INT64_MAX / 2;
    if (q.max < q.min) fail(n["max"], w + ".max", "is below min");
    if (n["nullable"]) q.nullable = boolean(n["nullable"], w + ".nullable");
  } else if (n["min"] || n["max"] || n["nullable"]) {
    fail(n, w, "min, max and nullable apply to int questions only");
  }
  return q;
}

LiveCheck parse_live(const YAML::Node& n, const std::string& where) {
  expect_map(n, where);
  LiveCheck c;
  std::string kind = scalar(n["check"], where + ".check");
  auto k = parse_check_kind(kind);
  if (!k || *k == CheckKind::kNone) fail(n["check"], where + ".check", "unknown check \"" + kind + "\"");
  c.kind = *k;
  // Each check accepts its own parameters and nothing else.
  switch (c.kind) {
    case CheckKind::kSensorCoverage:
      only_keys(n, where, {"check", "heartbeat_max_minutes", "max_drop_ratio", "ruleset_max_age_days"});
      break;
    case CheckKind::kSensorsReporting: only_keys(n, where, {"check", "silence_max_minutes"}); break;
    case CheckKind::kTriageTime:
      only_keys(n, where, {"check", "max_severity", "ack_minutes_by_level", "period_days"});
      if (!n["ack_minutes_by_level"]) fail(n, where, "triage_time needs ack_minutes_by_level");
      break;
    case CheckKind::kCategoryTriage:
      only_keys(n, where, {"check", "ack_minutes_by_level", "period_days", "categories", "signature_prefixes"});
      if (!n["ack_minutes_by_level"]) fail(n, where, "category_triage needs ack_minutes_by_level");
      if (!n["categories"] && !n["signature_prefixes"])
        fail(n, where, "category_triage needs categories or signature_prefixes");
      break;
    default: only_keys(n, where, {"check"}); break;
  }
  if (n["heartbeat_max_minutes"]) c.heartbeat_max_minutes = static_cast<int>(integer(n["heartbeat_max_minutes"], where + ".heartbeat_max_minutes", 1, 10080));
  if (n["max_drop_ratio"]) c.max_drop_ratio = real(n["max_drop_ratio"], where + ".max_drop_ratio", 0, 1);
  if (n["ruleset_max_age_days"]) c.ruleset_max_age_days = static_cast<int>(integer(n["ruleset_max_age_days"], where + ".ruleset_max_age_days", 1, 3650));
  if (n["silence_max_minutes"]) c.silence_max_minutes = static_cast<int>(integer(n["silence_max_minutes"], where + ".silence_max_minutes", 1, 10080));
  if (n["max_severity"]) c.max_severity = static_cast<int>(integer(n["max_severity"], where + ".max_severity", 1, 255));
  if (n["period_days"]) c.period_days = static_cast<int>(integer(n["period_days"], where + ".period_days", 1, 3650));
  if (n["ack_minutes_by_level"])
    c.ack_minutes_by_level = int_per_level(n["ack_minutes_by_level"], where + ".ack_minutes_by_level", 1, 525600, false);
  c.categories = string_list(n["categories"], where + ".categories");
  c.signature_prefixes = string_list(n["signature_prefixes"], where + ".signature_prefixes");
  return c;
}

Control parse_control(const YAML::Node& n, const std::string& where, const Framework& fw) {
  expect_map(n, where);
  only_keys(n, where, {"id", "group", "min_level", "evidence", "vi", "en", "clause", "by_level", "conditional", "measure", "live"});
  Control c;
  c.id = id_field(n["id"], where + ".id", true);
  std::string w = where + " (" + c.id + ")";
  c.group = scalar(n["group"], w + ".group");
  if (!fw.group(c.group)) fail(n["group"], w + ".group", "no group \"" + c.group + "\" in groups");
  c.min_level = static_cast<int>(integer(n["min_level"], w + ".min_level", kMinLevel, kMaxLevel));
  std::string ev = scalar(n["evidence"], w + ".evidence");
  if (ev == "manual") c.evidence = EvidenceKind::kManual;
  else if (ev == "live") c.evidence = EvidenceKind::kLive;
  else if (ev == "mixed") c.evidence = EvidenceKind::kMixed;
  else fail(n["evidence"], w + ".evidence", "\"" + ev + "\" is not one of manual, live, mixed");
  c.text = inline_text(n, w);
  if (n["clause"])
    per_level(n["clause"], w + ".clause", [&](int lv, const YAML::Node& v, const std::string& cw) { c.clause[lv] = scalar(v, cw); });
  if (n["by_level"])
    per_level(n["by_level"], w + ".by_level", [&](int lv, const YAML::Node& v, const std::string& cw) { c.by_level[lv] = text_of(v, cw); });
  if (n["conditional"]) c.conditional = text_of(n["conditional"], w + ".conditional");
  if (n["measure"]) c.measure = text_of(n["measure"], w + ".measure");
  if (n["live"]) {
    if (c.evidence == EvidenceKind::kManual) fail(n["live"], w + ".live", "a manual control has no live check");
    c.live = parse_live(n["live"], w + ".live");
  } else if (c.evidence == EvidenceKind::kLive) {
    // A live control without a measurement would sit "not evaluated" for ever.
    fail(n, w, "evidence is live but no live check is given");
  }
  return c;
}

template <class E, class P>
std::vector<E> enum_list(const YAML::Node& n, const std::string& where, P parse, std::string_view what) {
  std::vector<E> out;
  for (const auto& s : string_list(n, where)) {
    auto v = parse(s);
    if (!v) fail(n, where, "unknown " + std::string(what) + " \"" + s + "\"");
    out.push_back(*v);
  }
  return out;
}

void parse_workflow(const YAML::Node& n, Framework& fw) {
  const std::string where = "workflow";
  expect_map(n, where);
  only_keys(n, where, {"states", "initial", "editable", "approved", "closed", "superseded", "overdue", "transitions"});
  Workflow& wf = fw.workflow;
  const auto& states = n["states"];
  expect_seq(states, where + ".states");
  for (size_t i = 0; i < states.size(); ++i) {
    std::string sw = where + ".states[" + std::to_string(i) + "]";
    expect_map(states[i], sw);
    std::string id = id_field(states[i]["id"], sw + ".id", false);
    if (wf.state_names.count(id)) fail(states[i], sw, "state \"" + id + "\" listed twice");
    wf.states.push_back(id);
    wf.state_names[id] = inline_text(states[i], sw);
  }
  auto state = [&](const YAML::Node& s, const std::string& w) {
    std::string v = scalar(s, w);
    if (!wf.state_names.count(v)) fail(s, w, "no state \"" + v + "\" in workflow.states");
    return v;
  };
  auto state_list = [&](const YAML::Node& s, const std::string& w) {
    std::vector<std::string> out;
    expect_seq(s, w);
    for (size_t i = 0; i < s.size(); ++i) out.push_back(state(s[i], w + "[" + std::to_string(i) + "]"));
    return out;
  };
  wf.initial = state(n["initial"], where + ".initial");
  wf.editable = state_list(n["editable"], where + ".editable");
  wf.approved = state_list(n["approved"], where + ".approved");
  wf.closed = state_list(n["closed"], where + ".closed");
  wf.superseded_state = state(n["superseded"], where + ".superseded");
  wf.overdue_state = state(n["overdue"], where + ".overdue");
  if (!wf.is_closed(wf.superseded_state)) fail(n["superseded"], where + ".superseded", "must be one of the closed states");
  if (!wf.is_approved(wf.overdue_state)) fail(n["overdue"], where + ".overdue", "must be one of the approved states");
  for (const auto& s : wf.approved)
    if (wf.is_closed(s)) fail(n["approved"], where + ".approved", "\"" + s + "\" is also closed");
  if (!wf.is_editable(wf.initial)) fail(n["initial"], where + ".initial", "the initial state must be editable");

  const auto& ts = n["transitions"];
  expect_seq(ts, where + ".transitions");
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < ts.size(); ++i) {
    const auto& tn = ts[i];
    std::string tw = where + ".transitions[" + std::to_string(i) + "]";
    expect_map(tn, tw);
    only_keys(tn, tw, {"action", "from", "to", "duties", "requires", "when", "deadline", "effects", "not_by", "vi", "en"});
    Transition t;
    t.line = line_of(tn);
    t.action = id_field(tn["action"], tw + ".action", false);
    tw += " (" + t.action + ")";
    t.from = state_list(tn["from"], tw + ".from");
    if (t.from.empty()) fail(tn["from"], tw + ".from", "needs at least one state");
    t.to = state(tn["to"], tw + ".to");
    t.duties = enum_list<Duty>(tn["duties"], tw + ".duties", parse_duty, "duty");
    if (t.duties.empty()) fail(tn, tw + ".duties", "needs at least one duty");
    bool system = std::find(t.duties.begin(), t.duties.end(), Duty::kSystem) != t.duties.end();
    if (system && t.duties.size() > 1) fail(tn["duties"], tw + ".duties", "system transitions are Canh's alone");
    t.needs = enum_list<Requirement>(tn["requires"], tw + ".requires", parse_requirement, "requirement");
    t.effects = enum_list<Effect>(tn["effects"], tw + ".effects", parse_effect, "effect");
    if (tn["when"]) {
      auto e = Expr::compile(scalar(tn["when"], tw + ".when"), workflow_schema());
      if (!e) fail(tn["when"], tw + ".when", e.status().message());
      t.when = std::move(*e);
    }
    if (system && t.when.empty()) fail(tn, tw, "a system transition needs a when condition");
    if (system && !t.needs.empty()) fail(tn["requires"], tw + ".requires", "a system transition cannot require input");
    t.deadline = opt_scalar(tn["deadline"], tw + ".deadline");
    if (!t.deadline.empty() && !fw.deadlines.count(t.deadline))
      fail(tn["deadline"], tw + ".deadline", "no deadline \"" + t.deadline + "\" in deadlines");
    t.not_by = string_list(tn["not_by"], tw + ".not_by");
    t.label = inline_text(tn, tw);
    for (const auto& f : t.from) {
      if (!seen.insert({t.action, f}).second) fail(tn, tw, "action \"" + t.action + "\" from \"" + f + "\" is defined twice");
      if (wf.is_closed(f)) fail(tn["from"], tw + ".from", "nothing leaves the closed state \"" + f + "\"");
    }
    wf.transitions.push_back(std::move(t));
  }
  for (const auto& t : wf.transitions)
    for (const auto& a : t.not_by)
      if (std::none_of(wf.transitions.begin(), wf.transitions.end(), [&](const Transition& o) { return o.action == a; }))
        fail(ts, where + ".transitions (" + t.action + ").not_by", "no action \"" + a + "\"");
}

std::shared_ptr<Framework> parse_document(const YAML::Node& root) {
  auto fw = std::make_shared<Framework>();
  expect_map(root, "document");
  only_keys(root, "document",
            {"schema", "id", "status", "name", "basis", "in_force_from", "superseded_by", "migration_due", "standard",
             "utc_offset_minutes", "levels", "authority", "deadlines", "non_working_days", "reassessment",
             "alert_retention_days_by_level", "questions", "criteria", "criteria_rule", "dossier_parts", "groups",
             "controls", "workflow"});
  integer(root["schema"], "schema", 1, 1);
  fw->id = id_field(root["id"], "id", false);
  fw->status = scalar(root["status"], "status");
  if (fw->status != "current" && fw->status != "legacy")
    fail(root["status"], "status", "\"" + fw->status + "\" is not current or legacy");
  fw->name = text_of(root["name"], "name");
  fw->basis = string_list(root["basis"], "basis");
  fw->in_force_from = date_field(root["in_force_from"], "in_force_from");
  fw->superseded_by = opt_scalar(root["superseded_by"], "superseded_by");
  fw->migration_due = date_field(root["migration_due"], "migration_due");
  fw->standard = text_of(root["standard"], "standard");
  if (root["utc_offset_minutes"])
    fw->utc_offset_minutes = static_cast<int>(integer(root["utc_offset_minutes"], "utc_offset_minutes", -720, 840));

  std::array<bool, kMaxLevel + 1> have_level{};
  per_level(root["levels"], "levels", [&](int lv, const YAML::Node& v, const std::string& w) {
    expect_map(v, w);
    only_keys(v, w, {"vi", "en", "impact_vi", "impact_en"});
    fw->levels[lv].name = inline_text(v, w);
    fw->levels[lv].impact = {scalar(v["impact_vi"], w + ".impact_vi"), scalar(v["impact_en"], w + ".impact_en")};
    have_level[lv] = true;
  });
  for (int lv = kMinLevel; lv <= kMaxLevel; ++lv)
    if (!have_level[lv]) fail(root["levels"], "levels", "level " + std::to_string(lv) + " is missing");

  const auto& auth = root["authority"];
  expect_map(auth, "authority");
  for (const auto& kv : auth) {
    std::string k = scalar(kv.first, "authority key");
    if (k == "note") {
      fw->authority_note = text_of(kv.second, "authority.note");
      continue;
    }
    int lv = static_cast<int>(integer(kv.first, "authority key", kMinLevel, kMaxLevel));
    std::string w = "authority." + std::to_string(lv);
    const auto& v = kv.second;
    expect_map(v, w);
    only_keys(v, w, {"drafts", "expert_opinion", "appraises", "approves"});
    auto t = [&](const char* key) {
      const auto& x = v[key];
      return !x || x.IsNull() ? Text{} : text_of(x, w + "." + key);
    };
    fw->authority[lv] = {t("drafts"), t("expert_opinion"), t("appraises"), t("approves")};
  }

  const auto& dl = root["deadlines"];
  expect_map(dl, "deadlines");
  for (const auto& kv : dl) {
    std::string name = id_field(kv.first, "deadlines key", false);
    std::string w = "deadlines." + name;
    const auto& v = kv.second;
    DeadlineRule r;
    if (!v || v.IsNull()) {
      fw->deadlines[name] = r;  // named but not set in this framework: no deadline
      continue;
    }
    expect_map(v, w);
    only_keys(v, w, {"value", "unit", "by_level"});
    std::string unit = scalar(v["unit"], w + ".unit");
    if (unit == "working_days") r.working_days = true;
    else if (unit != "days") fail(v["unit"], w + ".unit", "\"" + unit + "\" is not days or working_days");
    if (v["value"] && v["by_level"]) fail(v, w, "give value or by_level, not both");
    if (v["value"]) {
      int d = static_cast<int>(integer(v["value"], w + ".value", 1, 3650));
      for (int lv = kMinLevel; lv <= kMaxLevel; ++lv) r.value[lv] = d;
    } else if (v["by_level"]) {
      r.value = int_per_level(v["by_level"], w + ".by_level", 1, 3650, false);
    } else {
      fail(v, w, "needs value or by_level");
    }
    fw->deadlines[name] = r;
  }
  for (const auto& d : string_list(root["non_working_days"], "non_working_days"))
    if (!valid_date(d)) fail(root["non_working_days"], "non_working_days", "\"" + d + "\" is not a date YYYY-MM-DD");
  fw->non_working_days = string_list(root["non_working_days"], "non_working_days");
  std::sort(fw->non_working_days.begin(), fw->non_working_days.end());

  const auto& re = root["reassessment"];
  expect_map(re, "reassessment");
  only_keys(re, "reassessment", {"months_by_level", "notice_days"});
  fw->reassessment_months = int_per_level(re["months_by_level"], "reassessment.months_by_level", 1, 120, true);
  if (re["notice_days"]) fw->reassessment_notice_days = static_cast<int>(integer(re["notice_days"], "reassessment.notice_days", 0, 365));
  fw->alert_retention_days =
      int_per_level(root["alert_retention_days_by_level"], "alert_retention_days_by_level", 1, 36500, true);

  const auto& qs = root["questions"];
  expect_seq(qs, "questions");
  for (size_t i = 0; i < qs.size(); ++i) {
    auto q = parse_question(qs[i], "questions[" + std::to_string(i) + "]");
    if (fw->question(q.id)) fail(qs[i], "questions[" + std::to_string(i) + "]", "question \"" + q.id + "\" defined twice");
    VarInfo v;
    v.name = q.id;
    v.type = q.type == QuestionType::kBool ? VarType::kBool
             : q.type == QuestionType::kInt ? VarType::kInt
             : q.type == QuestionType::kEnum ? VarType::kEnum
                                             : VarType::kSet;
    for (const auto& o : q.options) v.options.push_back(o.id);
    fw->schema.push_back(std::move(v));
    fw->questions.push_back(std::move(q));
  }

  const auto& cs = root["criteria"];
  expect_seq(cs, "criteria");
  for (size_t i = 0; i < cs.size(); ++i) {
    std::string w = "criteria[" + std::to_string(i) + "]";
    const auto& cn = cs[i];
    expect_map(cn, w);
    only_keys(cn, w, {"level", "level_from", "article", "vi", "en", "when"});
    Criterion c;
    c.line = line_of(cn);
    c.article = scalar(cn["article"], w + ".article");
    w += " (" + c.article + ")";
    if (cn["level"] && cn["level_from"]) fail(cn, w, "give level or level_from, not both");
    if (cn["level"]) {
      c.level = static_cast<int>(integer(cn["level"], w + ".level", kMinLevel, kMaxLevel));
    } else {
      std::string q = scalar(cn["level_from"], w + ".level_from");
      c.level_from = fw->question_index(q);
      if (c.level_from == SIZE_MAX) fail(cn["level_from"], w + ".level_from", "no question \"" + q + "\"");
      const auto& qq = fw->questions[c.level_from];
      if (qq.type != QuestionType::kInt || qq.min < kMinLevel || qq.max > kMaxLevel)
        fail(cn["level_from"], w + ".level_from", "\"" + q + "\" must be an int question with min >= 1 and max <= 5");
    }
    c.text = inline_text(cn, w);
    auto e = Expr::compile(scalar(cn["when"], w + ".when"), fw->schema);
    if (!e) fail(cn["when"], w + ".when", e.status().message());
    c.when = std::move(*e);
    fw->criteria.push_back(std::move(c));
  }
  if (root["criteria_rule"]) fw->criteria_rule = text_of(root["criteria_rule"], "criteria_rule");

  const auto& ps = root["dossier_parts"];
  expect_seq(ps, "dossier_parts");
  for (size_t i = 0; i < ps.size(); ++i) {
    std::string w = "dossier_parts[" + std::to_string(i) + "]";
    expect_map(ps[i], w);
    only_keys(ps[i], w, {"id", "min_level", "vi", "en"});
    DossierPart p;
    p.id = id_field(ps[i]["id"], w + ".id", false);
    p.min_level = static_cast<int>(integer(ps[i]["min_level"], w + ".min_level", kMinLevel, kMaxLevel));
    p.text = inline_text(ps[i], w);
    for (const auto& o : fw->dossier_parts)
      if (o.id == p.id) fail(ps[i], w, "part \"" + p.id + "\" defined twice");
    fw->dossier_parts.push_back(std::move(p));
  }

  const auto& gs = root["groups"];
  expect_seq(gs, "groups");
  for (size_t i = 0; i < gs.size(); ++i) {
    std::string w = "groups[" + std::to_string(i) + "]";
    expect_map(gs[i], w);
    only_keys(gs[i], w, {"id", "kind", "vi", "en"});
    Group g;
    g.id = id_field(gs[i]["id"], w + ".id", true);
    g.kind = scalar(gs[i]["kind"], w + ".kind");
    if (g.kind != "management" && g.kind != "technical" && g.kind != "legal")
      fail(gs[i]["kind"], w + ".kind", "\"" + g.kind + "\" is not management, technical or legal");
    g.text = inline_text(gs[i], w);
    if (fw->group(g.id)) fail(gs[i], w, "group \"" + g.id + "\" defined twice");
    fw->groups.push_back(std::move(g));
  }

  const auto& ctl = root["controls"];
  expect_seq(ctl, "controls");
  for (size_t i = 0; i < ctl.size(); ++i) {
    auto c = parse_control(ctl[i], "controls[" + std::to_string(i) + "]", *fw);
    if (fw->control(c.id)) fail(ctl[i], "controls[" + std::to_string(i) + "]", "control \"" + c.id + "\" defined twice");
    fw->controls.push_back(std::move(c));
  }
  if (fw->controls.empty()) fail(ctl, "controls", "the catalogue is empty");

  parse_workflow(root["workflow"], *fw);
  return fw;
}

}  // namespace

std::string_view evidence_kind_name(EvidenceKind k) {
  switch (k) {
    case EvidenceKind::kManual: return "manual";
    case EvidenceKind::kLive: return "live";
    case EvidenceKind::kMixed: return "mixed";
  }
  return "manual";
}

namespace {
constexpr std::pair<CheckKind, std::string_view> kChecks[] = {
    {CheckKind::kSensorCoverage, "sensor_coverage"}, {CheckKind::kSensorsReporting, "sensors_reporting"},
    {CheckKind::kTriageTime, "triage_time"},         {CheckKind::kCategoryTriage, "category_triage"},
    {CheckKind::kRetention, "retention"},            {CheckKind::kReassessmentCycle, "reassessment_cycle"},
    {CheckKind::kDossierApproved, "dossier_approved"}};
constexpr std::pair<Duty, std::string_view> kDuties[] = {
    {Duty::kOperator, "operator"}, {Duty::kExpert, "expert"},   {Duty::kAppraiser, "appraiser"},
    {Duty::kApprover, "approver"}, {Duty::kAuditor, "auditor"}, {Duty::kSystem, "system"}};
constexpr std::pair<Requirement, std::string_view> kRequirements[] = {
    {Requirement::kQuestionnaire, "questionnaire"},
    {Requirement::kProposedLevel, "proposed_level"},
    {Requirement::kJustificationIfDiffers, "justification_if_differs"},
    {Requirement::kDossierParts, "dossier_parts"},
    {Requirement::kExpertOpinion, "expert_opinion"},
    {Requirement::kReasons, "reasons"},
    {Requirement::kAppraisalOpinion, "appraisal_opinion"},
    {Requirement::kControlStatuses, "control_statuses"},
    {Requirement::kRegulationApproved, "regulation_approved"},
    {Requirement::kDecisionNumber, "decision_number"},
    {Requirement::kDecisionDate, "decision_date"},
    {Requirement::kPmListDecision, "pm_list_decision"},
    {Requirement::kPlanImplemented, "plan_implemented"},
    {Requirement::kTrigger, "trigger"}};
constexpr std::pair<Effect, std::string_view> kEffects[] = {{Effect::kNewVersion, "new_version"},
                                                            {Effect::kFreezeSnapshot, "freeze_snapshot"},
                                                            {Effect::kSupersedePrevious, "supersede_previous"},
                                                            {Effect::kStartCycle, "start_cycle"}};

template <class E, size_t N>
std::string_view name_in(const std::pair<E, std::string_view> (&table)[N], E v) {
  for (const auto& [e, n] : table)
    if (e == v) return n;
  return "";
}
template <class E, size_t N>
std::optional<E> parse_in(const std::pair<E, std::string_view> (&table)[N], std::string_view s) {
  for (const auto& [e, n] : table)
    if (n == s) return e;
  return std::nullopt;
}
}  // namespace

std::string_view check_kind_name(CheckKind k) { return k == CheckKind::kNone ? "" : name_in(kChecks, k); }
std::optional<CheckKind> parse_check_kind(std::string_view s) { return parse_in(kChecks, s); }
std::string_view duty_name(Duty d) { return name_in(kDuties, d); }
std::optional<Duty> parse_duty(std::string_view s) { return parse_in(kDuties, s); }
std::string_view requirement_name(Requirement r) { return name_in(kRequirements, r); }
std::optional<Requirement> parse_requirement(std::string_view s) { return parse_in(kRequirements, s); }
std::string_view effect_name(Effect e) { return name_in(kEffects, e); }
std::optional<Effect> parse_effect(std::string_view s) { return parse_in(kEffects, s); }

const Schema& workflow_schema() {
  static const Schema s = {{"proposed_level", VarType::kInt, {}},
                           {"system_running", VarType::kBool, {}},
                           {"cycle_elapsed", VarType::kBool, {}}};
  return s;
}

bool Workflow::is_editable(std::string_view s) const {
  return std::find(editable.begin(), editable.end(), s) != editable.end();
}
bool Workflow::is_approved(std::string_view s) const {
  return std::find(approved.begin(), approved.end(), s) != approved.end();
}
bool Workflow::is_closed(std::string_view s) const { return std::find(closed.begin(), closed.end(), s) != closed.end(); }
const Text* Workflow::state_name(std::string_view s) const {
  auto it = state_names.find(std::string(s));
  return it == state_names.end() ? nullptr : &it->second;
}

const Question* Framework::question(std::string_view id) const {
  for (const auto& q : questions)
    if (q.id == id) return &q;
  return nullptr;
}
size_t Framework::question_index(std::string_view id) const {
  for (size_t i = 0; i < questions.size(); ++i)
    if (questions[i].id == id) return i;
  return SIZE_MAX;
}
const Control* Framework::control(std::string_view id) const {
  for (const auto& c : controls)
    if (c.id == id) return &c;
  return nullptr;
}
const Group* Framework::group(std::string_view id) const {
  for (const auto& g : groups)
    if (g.id == id) return &g;
  return nullptr;
}
std::vector<const Control*> Framework::controls_for(int level) const {
  std::vector<const Control*> out;
  for (const auto& c : controls)
    if (c.min_level <= level) out.push_back(&c);
  return out;
}
std::vector<const DossierPart*> Framework::parts_for(int level) const {
  std::vector<const DossierPart*> out;
  for (const auto& p : dossier_parts)
    if (p.min_level <= level) out.push_back(&p);
  return out;
}

Result<std::shared_ptr<const Framework>> parse_framework(std::string_view yaml, std::string_view source) {
  std::string src(source);
  if (yaml.size() > kMaxFileBytes) return Status::invalid(src + ": larger than " + std::to_string(kMaxFileBytes) + " bytes");
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    auto fw = parse_document(root);
    fw->source = src;
    return std::shared_ptr<const Framework>(std::move(fw));
  } catch (const LoadError& e) {
    return Status::invalid(src + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return Status::invalid(src + ":" + std::to_string(e.mark.is_null() ? 0 : e.mark.line + 1) + ": " + e.msg);
  }
}

Result<std::shared_ptr<const FrameworkSet>> FrameworkSet::from_texts(
    const std::vector<std::pair<std::string, std::string>>& files) {
  auto set = std::make_shared<FrameworkSet>();
  for (const auto& [source, text] : files) {
    auto fw = parse_framework(text, source);
    if (!fw) return fw.status();
    auto& all = set->all_;
    auto same = std::find_if(all.begin(), all.end(), [&](const auto& f) { return f->id == (*fw)->id; });
    if (same != all.end()) *same = *fw;  // a later file with the same id (an override) replaces it
    else all.push_back(*fw);
  }
  for (const auto& f : set->all_)
    if (!f->superseded_by.empty() && !set->get(f->superseded_by))
      return Status::invalid(f->source + ": superseded_by: no framework \"" + f->superseded_by + "\"");
  if (!set->default_framework()) return Status::invalid("no framework has status: current");
  return std::shared_ptr<const FrameworkSet>(set);
}

Result<std::shared_ptr<const FrameworkSet>> FrameworkSet::load(const std::string& override_dir) {
  std::vector<std::pair<std::string, std::string>> files;
  for (size_t i = 0; i < kBuiltinFrameworkCount; ++i) {
    const auto& b = kBuiltinFrameworks[i];
    files.emplace_back(std::string("built-in ") + b.name, std::string(reinterpret_cast<const char*>(b.data), b.size));
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!override_dir.empty() && fs::is_directory(override_dir, ec)) {
    std::vector<fs::path> paths;
    for (const auto& e : fs::directory_iterator(override_dir, ec))
      if (e.is_regular_file() && e.path().extension() == ".yaml") paths.push_back(e.path());
    if (ec) return Status::io(override_dir + ": " + ec.message());
    std::sort(paths.begin(), paths.end());
    for (const auto& p : paths) {
      auto size = fs::file_size(p, ec);
      if (ec) return Status::io(p.string() + ": " + ec.message());
      if (size > kMaxFileBytes) return Status::invalid(p.string() + ": larger than " + std::to_string(kMaxFileBytes) + " bytes");
      std::ifstream in(p, std::ios::binary);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) return Status::io(p.string() + ": cannot read");
      files.emplace_back(p.string(), std::move(text));
    }
  }
  return from_texts(files);
}

const Framework* FrameworkSet::get(std::string_view id) const {
  for (const auto& f : all_)
    if (f->id == id) return f.get();
  return nullptr;
}

const Framework* FrameworkSet::default_framework() const {
  for (const auto& f : all_)
    if (f->status == "current") return f.get();
  return nullptr;
}

}  // namespace canh::compliance
