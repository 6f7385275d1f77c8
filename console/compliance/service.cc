#include "console/compliance/service.h"

#include <algorithm>
#include <cctype>

#include "common/log.h"
#include "console/compliance/criteria.h"
#include "storage/audit_log.h"
#include "storage/user_store.h"

namespace canh::compliance {

namespace json = boost::json;

namespace {

constexpr int64_t kDayMs = 86400000;
constexpr std::string_view kCanh = "canh";

std::string sys_name(const storage::InfoSystem& s) { return "system " + std::to_string(s.id) + " (" + s.name + ")"; }

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

json::object text_json(const Text& t) { return {{"vi", t.vi}, {"en", t.en}}; }

json::array strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

// A file name for display and Content-Disposition only: no directories, no control bytes, bounded.
std::string clean_name(std::string_view raw) {
  auto slash = raw.find_last_of("/\\");
  if (slash != std::string_view::npos) raw = raw.substr(slash + 1);
  std::string out;
  for (unsigned char c : raw)
    if (c >= 0x20 && c != 0x7f && c != '"') out.push_back(static_cast<char>(c));
  if (out.size() > 200) out.resize(200);
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
  return out.empty() ? "evidence" : out;
}

Status check_text(std::string_view field, std::string_view v, size_t max) {
  if (v.size() > max) return Status::invalid(std::string(field) + ": longer than " + std::to_string(max) + " bytes");
  for (unsigned char c : v)
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
      return Status::invalid(std::string(field) + ": control characters are not allowed");
  return Status::ok();
}

json::object system_record_json(const storage::InfoSystem& s) {
  json::array ranges, contacts, sensors, duties;
  for (const auto& r : s.ranges) ranges.emplace_back(r.to_string());
  for (const auto& c : s.contacts)
    contacts.push_back(json::object{{"name", c.name}, {"role", c.role}, {"email", c.email}, {"phone", c.phone}});
  for (auto id : s.sensors) sensors.emplace_back(id);
  for (const auto& d : s.duties) duties.push_back(json::object{{"user", d.user}, {"duty", d.duty}});
  return {{"id", s.id},
          {"name", s.name},
          {"owner", s.owner},
          {"operating_unit", s.operating_unit},
          {"description", s.description},
          {"ranges", std::move(ranges)},
          {"contacts", std::move(contacts)},
          {"sensors", std::move(sensors)},
          {"duties", std::move(duties)},
          {"archived", s.archived},
          {"created_ms", s.created_ms},
          {"updated_ms", s.updated_ms},
          {"created_by", s.created_by},
          {"updated_by", s.updated_by},
          {"revision", s.revision}};
}

json::object control_state_json(const storage::ControlState& s) {
  json::array ev;
  for (const auto& e : s.evidence)
    ev.push_back(json::object{{"id", e.id},     {"kind", e.kind},         {"ref", e.ref},          {"label", e.label},
                              {"size", e.size}, {"added_by", e.added_by}, {"added_ms", e.added_ms}});
  return {{"status", s.status},         {"reason", s.reason},         {"notes", s.notes},
          {"evidence", std::move(ev)},  {"updated_by", s.updated_by}, {"updated_ms", s.updated_ms},
          {"revision", s.revision}};
}

json::object live_json(const LiveResult& r) {
  return {{"verdict", std::string(verdict_name(r.verdict))},
          {"reason", r.reason},
          {"summary", r.summary},
          {"figures", r.figures}};
}

std::string new_evidence_id(const storage::ControlState& s) {
  uint64_t n = 1;
  for (const auto& e : s.evidence)
    if (e.id.size() > 1 && e.id[0] == 'e') n = std::max<uint64_t>(n, std::strtoull(e.id.c_str() + 1, nullptr, 10) + 1);
  return "e" + std::to_string(n);
}

Status check_url(std::string_view u) {
  if (u.size() > 2000) return Status::invalid("ref: URL longer than 2000 bytes");
  if (u.rfind("https://", 0) != 0 && u.rfind("http://", 0) != 0)
    return Status::invalid("ref: a link must be an http:// or https:// URL");
  for (unsigned char c : u)
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>') return Status::invalid("ref: the URL holds a character it may not");
  return Status::ok();
}

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

int64_t max_period_days(const Framework& fw) {
  int64_t d = 30;
  for (const auto& c : fw.controls)
    if (c.live.kind == CheckKind::kTriageTime || c.live.kind == CheckKind::kCategoryTriage)
      d = std::max<int64_t>(d, c.live.period_days);
  return d;
}

}  // namespace

std::string csv_field(std::string_view s) {
  std::string v(s);
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
    v.insert(v.begin(), '\'');
  bool quote = v.find_first_of(",\"\r\n") != std::string::npos || (!v.empty() && (v.front() == ' ' || v.back() == ' '));
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

bool Service::role_may_hold(http::Role role, Duty duty) {
  using R = http::Role;
  switch (duty) {
    case Duty::kOperator:
    case Duty::kExpert: return role == R::kAnalyst || role == R::kAdmin;
    case Duty::kAppraiser:
    case Duty::kApprover: return role == R::kAnalyst || role == R::kAuditor || role == R::kAdmin;
    case Duty::kAuditor: return role == R::kAuditor || role == R::kAdmin;
    case Duty::kSystem: return false;
  }
  return false;
}

bool Service::incompatible(Duty a, Duty b) {
  // The operating unit drafts; who gives the expert opinion, appraises, approves or audits must be
  // someone else (Circular 12 Art 6, Decree 331 Art 18.4; the auditor is independent of the operator).
  if (a == b) return false;
  return a == Duty::kOperator || b == Duty::kOperator;
}

Service::Service(ServiceDeps deps, ServiceOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      systems_(*deps_.db),
      dossiers_(*deps_.db),
      controls_(*deps_.db),
      blobs_(*deps_.db) {}

Result<std::unique_ptr<Service>> Service::open(ServiceDeps deps, ServiceOptions options) {
  if (!deps.db || !deps.audit || !deps.users) return Status::internal("compliance service: missing dependency");
  std::unique_ptr<Service> s(new Service(std::move(deps), std::move(options)));
  auto set = FrameworkSet::load(s->options_.frameworks_dir);
  if (!set) return set.status();
  s->frameworks_ = *set;
  auto probe = s->systems_.list();  // also proves the families are there
  if (!probe) return probe.status();
  s->publish_ranges();
  std::string ids;
  for (const auto& f : s->frameworks_->all()) ids += (ids.empty() ? "" : ",") + f->id;
  log::info("compliance", "frameworks loaded").kv("frameworks", ids).kv("systems", probe->size());
  return s;
}

std::shared_ptr<const FrameworkSet> Service::frameworks() const {
  std::lock_guard lock(frameworks_mu_);
  return frameworks_;
}

Result<std::string> Service::reload_frameworks() {
  auto set = FrameworkSet::load(options_.frameworks_dir);
  if (!set) return set.status();
  std::string ids;
  for (const auto& f : (*set)->all()) ids += (ids.empty() ? "" : ", ") + f->id + " (" + f->source + ")";
  {
    std::lock_guard lock(frameworks_mu_);
    frameworks_ = *set;
  }
  log::info("compliance", "frameworks reloaded").kv("frameworks", ids);
  return "frameworks reloaded: " + ids;
}

void Service::publish_ranges() {
  if (deps_.publish_ranges) deps_.publish_ranges(systems_.all_ranges());
}

Status Service::audit_system_change(const std::string& path, const std::string& action, const std::string& detail,
                                    int64_t now) {
  storage::AuditRecord r;
  r.time_ms = now;
  r.actor_kind = "system";
  r.actor = std::string(kCanh);
  r.actor_name = std::string(kCanh);
  r.role = "system";
  r.action = action;
  r.method = "-";
  r.path = path;
  r.status = 200;
  r.detail = detail;
  auto a = deps_.audit->append(std::move(r));
  return a ? Status::ok() : a.status();
}

Result<storage::InfoSystem> Service::system_or_error(uint32_t id) {
  auto s = systems_.get(id);
  if (!s) return s.status();
  if (!s.value()) return Status::not_found("no information system " + std::to_string(id));
  return std::move(*s.value());
}

std::vector<Duty> Service::duties_of(const storage::InfoSystem& s, const Person& p) const {
  std::vector<Duty> out;
  for (const auto& d : s.duties) {
    if (d.user != p.name) continue;
    auto duty = parse_duty(d.duty);
    // A duty whose holder's console role no longer allows it is not used: demoting an account
    // takes its duties away at once, without editing every system.
    if (duty && role_may_hold(p.role, *duty)) out.push_back(*duty);
  }
  return out;
}

Status Service::need_duty(const storage::InfoSystem& s, const Person& p, std::initializer_list<Duty> any_of,
                          std::string_view what) const {
  auto mine = duties_of(s, p);
  for (Duty d : any_of)
    if (std::find(mine.begin(), mine.end(), d) != mine.end()) return Status::ok();
  std::string need;
  for (Duty d : any_of) need += (need.empty() ? "" : " or ") + std::string(duty_name(d));
  return Status::permission(std::string(what) + " needs the " + need + " duty on " + sys_name(s) + "; " + p.name +
                            " does not hold it");
}

// --- systems -------------------------------------------------------------------------------------

namespace {

Result<storage::InfoSystem> to_record(const SystemInput& in) {
  storage::InfoSystem s;
  s.name = in.name;
  s.owner = in.owner;
  s.operating_unit = in.operating_unit;
  s.description = in.description;
  for (size_t i = 0; i < in.ranges.size(); ++i) {
    auto c = storage::Cidr::parse(in.ranges[i]);
    if (!c) return Status::invalid("ranges[" + std::to_string(i) + "]: " + c.status().message());
    s.ranges.push_back(*c);
  }
  s.contacts = in.contacts;
  s.sensors = in.sensors;
  std::sort(s.sensors.begin(), s.sensors.end());
  s.sensors.erase(std::unique(s.sensors.begin(), s.sensors.end()), s.sensors.end());
  s.archived = in.archived;
  return s;
}

std::string ranges_text(const storage::InfoSystem& s) {
  std::string r;
  for (const auto& c : s.ranges) r += (r.empty() ? "" : " ") + c.to_string();
  return r.empty() ? "none" : r;
}

}  // namespace

Result<Done<storage::InfoSystem>> Service::create_system(const SystemInput& in, const Person& by, int64_t now) {
  if (by.role != http::Role::kAdmin) return Status::permission("only an admin registers information systems");
  auto rec = to_record(in);
  if (!rec) return rec.status();
  if (rec->archived) return Status::invalid("archived: a new system cannot start archived");
  std::lock_guard lock(write_mu_);
  auto s = systems_.create(std::move(*rec), by.name, now);
  if (!s) return s.status();
  publish_ranges();
  return Done<storage::InfoSystem>{*s, "created " + sys_name(*s) + " ranges " + ranges_text(*s)};
}

Result<Done<storage::InfoSystem>> Service::update_system(uint32_t id, const SystemInput& in, uint64_t revision,
                                                         const Person& by, int64_t now) {
  if (by.role != http::Role::kAdmin) return Status::permission("only an admin edits information systems");
  auto rec = to_record(in);
  if (!rec) return rec.status();
  std::lock_guard lock(write_mu_);
  auto cur = system_or_error(id);
  if (!cur) return cur.status();
  rec->id = id;
  rec->duties = cur->duties;  // duties change through set_duties only
  auto s = systems_.update(std::move(*rec), revision, by.name, now);
  if (!s) return s.status();
  publish_ranges();
  std::string detail = "updated " + sys_name(*s);
  if (ranges_text(*cur) != ranges_text(*s)) detail += " ranges " + ranges_text(*cur) + " -> " + ranges_text(*s);
  if (cur->archived != s->archived) detail += s->archived ? " archived" : " restored";
  return Done<storage::InfoSystem>{*s, detail};
}

Result<Done<storage::InfoSystem>> Service::set_duties(uint32_t id, std::vector<storage::DutyAssignment> duties,
                                                      uint64_t revision, const Person& by, int64_t now) {
  if (by.role != http::Role::kAdmin) return Status::permission("only an admin assigns duties");
  std::map<std::string, std::vector<Duty>> per_user;
  for (size_t i = 0; i < duties.size(); ++i) {
    std::string f = "duties[" + std::to_string(i) + "]";
    auto duty = parse_duty(duties[i].duty);
    if (!duty || *duty == Duty::kSystem)
      return Status::invalid(f + ".duty: \"" + duties[i].duty + "\" is not one of operator, expert, appraiser, approver, auditor");
    auto u = deps_.users->get(duties[i].user);
    if (!u) return u.status();
    if (!u.value()) return Status::invalid(f + ".user: no account \"" + duties[i].user + "\"");
    if (u.value()->disabled) return Status::invalid(f + ".user: the account \"" + duties[i].user + "\" is disabled");
    if (!role_may_hold(u.value()->role, *duty))
      return Status::invalid(f + ": " + duties[i].user + " is " + std::string(http::role_name(u.value()->role)) +
                             " and cannot hold the " + duties[i].duty + " duty");
    for (Duty other : per_user[duties[i].user])
      if (incompatible(other, *duty))
        return Status::invalid(f + ": " + duties[i].user + " cannot be both " + std::string(duty_name(other)) + " and " +
                               duties[i].duty + " of one system: appraisal, approval and audit must be independent of the operating unit");
    per_user[duties[i].user].push_back(*duty);
  }
  std::lock_guard lock(write_mu_);
  auto cur = system_or_error(id);
  if (!cur) return cur.status();
  storage::InfoSystem s = *cur;
  s.duties = std::move(duties);
  auto r = systems_.update(std::move(s), revision, by.name, now);
  if (!r) return r.status();
  std::string list;
  for (const auto& d : r->duties) list += (list.empty() ? "" : ", ") + d.user + "=" + d.duty;
  return Done<storage::InfoSystem>{*r, "duties of " + sys_name(*r) + ": " + (list.empty() ? "none" : list)};
}

// --- assessment state ----------------------------------------------------------------------------

Result<Service::Assessment> Service::assessment(uint32_t system, const FrameworkSet& set) {
  Assessment a;
  auto versions = dossiers_.list(system);
  if (!versions) return versions.status();
  a.versions = std::move(*versions);
  for (auto it = a.versions.rbegin(); it != a.versions.rend(); ++it) {
    const Framework* f = set.get(it->framework);
    if (!f) continue;  // a framework removed from the data folder: its versions are shown, not assessed
    if (!a.working && !f->workflow.is_closed(it->state)) a.working = *it;
    if (!a.approved && f->workflow.is_approved(it->state)) a.approved = *it;
  }
  const storage::Dossier* basis = a.working ? &*a.working : a.approved ? &*a.approved : nullptr;
  a.fw = basis ? set.get(basis->framework) : set.default_framework();
  if (basis) a.level = basis->proposed_level;
  return a;
}

EvidenceInput Service::evidence_input(const storage::InfoSystem& s, const Framework& fw, int level,
                                      const storage::Dossier* approved, int64_t now, int64_t period_from_ms) {
  EvidenceInput in;
  in.level = level;
  in.now_ms = now;
  in.framework = &fw;
  in.approved = approved;
  in.declared_sensors = s.sensors;
  if (!deps_.evidence) return in;
  auto sensors = deps_.evidence->sensors();
  if (sensors) {
    in.sensors = std::move(*sensors);
    in.sensors_known = true;
  } else {
    log::warn("compliance", "sensor list unavailable for live evidence").kv("error", sensors.status().message());
  }
  in.retention = deps_.evidence->retention();
  {
    std::lock_guard lock(cache_mu_);
    auto it = alert_cache_.find(s.id);
    if (it != alert_cache_.end() && it->second.ok && now - it->second.at_ms < options_.evidence_cache_ms &&
        now >= it->second.at_ms && it->second.from_ms <= period_from_ms) {
      in.alerts = it->second.facts;
      in.alerts_known = true;
      return in;
    }
  }
  auto alerts = deps_.evidence->alerts_for(s.id, period_from_ms, now + 1, options_.max_alert_items);
  if (alerts) {
    in.alerts = std::move(*alerts);
    in.alerts_known = true;
    std::lock_guard lock(cache_mu_);
    alert_cache_[s.id] = {now, period_from_ms, in.alerts, true};
  } else {
    log::warn("compliance", "alerts unavailable for live evidence").kv("system", s.id).kv("error", alerts.status().message());
  }
  return in;
}

Result<Service::ControlsEval> Service::evaluate_controls(const storage::InfoSystem& s, const Assessment& a, int64_t now) {
  ControlsEval ev;
  if (!a.fw || a.level < kMinLevel) return ev;
  const Framework& fw = *a.fw;
  ev.input = evidence_input(s, fw, a.level, a.approved ? &*a.approved : nullptr, now, now - max_period_days(fw) * kDayMs);
  auto states = controls_.list(s.id, fw.id);
  if (!states) return states.status();
  std::vector<Effective> eff;
  for (const Control* c : fw.controls_for(a.level)) {
    ControlRow row;
    row.control = c;
    for (auto& st : *states)
      if (st.control == c->id) row.state = st;
    if (c->evidence != EvidenceKind::kManual) row.live = evaluate_live(*c, ev.input);
    row.effective = effective_status(c->evidence, row.state ? row.state->status : "", row.live ? &*row.live : nullptr);
    eff.push_back(row.effective);
    ev.rows.push_back(std::move(row));
  }
  ev.score = score_of(eff);
  return ev;
}

Result<DossierFacts> Service::facts_for(const storage::InfoSystem& s, const storage::Dossier& d, const Framework& fw,
                                        int64_t now) {
  DossierFacts f;
  f.now_ms = now;
  boost::system::error_code ec;
  auto av = json::parse(d.answers_json.empty() ? "{}" : d.answers_json, ec);
  Values values(fw.questions.size());
  if (!ec && av.is_object()) {
    auto parsed = parse_answers(fw, av.get_object());
    if (parsed) values = std::move(*parsed);
  }
  f.suggested_level = suggest(fw, values).level;
  f.unanswered = unanswered(fw, values);
  int level = std::clamp(d.proposed_level, kMinLevel, kMaxLevel);
  for (const DossierPart* p : fw.parts_for(level)) {
    bool given = false;
    for (const auto& dp : d.parts)
      if (dp.id == p->id && (!blank(dp.text) || !dp.files.empty())) given = true;
    if (!given) f.missing_parts.push_back(p->id);
  }
  f.cycle_elapsed = fw.workflow.is_approved(d.state) && d.reassessment_due_ms > 0 && now >= d.reassessment_due_ms;
  // Control statuses matter from appraisal on: only then is the evaluation worth its cost.
  bool needs_controls = false;
  for (const auto& t : fw.workflow.transitions)
    if (std::find(t.from.begin(), t.from.end(), d.state) != t.from.end() &&
        std::find(t.needs.begin(), t.needs.end(), Requirement::kControlStatuses) != t.needs.end())
      needs_controls = true;
  if (needs_controls && d.proposed_level >= kMinLevel) {
    Assessment a;
    a.fw = &fw;
    a.level = d.proposed_level;
    auto ev = evaluate_controls(s, a, now);
    if (!ev) return ev.status();
    for (const auto& r : ev->rows)
      if (r.effective == Effective::kNotAssessed || r.effective == Effective::kNotEvaluated)
        f.controls_without_status.push_back(r.control->id);
  }
  return f;
}

// --- dossiers ------------------------------------------------------------------------------------

Result<Done<storage::Dossier>> Service::start_dossier(uint32_t system, std::string framework, const Person& by,
                                                      int64_t now) {
  auto set = frameworks();
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  if (s->archived) return Status::conflict(sys_name(*s) + " is archived");
  CANH_RETURN_IF_ERROR(need_duty(*s, by, {Duty::kOperator}, "starting a dossier"));
  const Framework* fw = framework.empty() ? set->default_framework() : set->get(framework);
  if (!fw) return Status::invalid("framework: \"" + framework + "\" is not loaded");
  auto a = assessment(system, *set);
  if (!a) return a.status();
  if (a->working && !(a->fw && a->fw->workflow.is_approved(a->working->state)))
    return Status::conflict(sys_name(*s) + " already has dossier version " + std::to_string(a->working->version) +
                            " in progress (" + a->working->state + ")");
  if (a->approved)
    return Status::conflict(sys_name(*s) + " has an approved dossier: start a re-assessment from it instead");
  storage::Dossier d;
  d.system = system;
  d.framework = fw->id;
  d.state = fw->workflow.initial;
  d.state_since_ms = now;
  d.created_ms = d.updated_ms = now;
  d.created_by = by.name;
  d.history.push_back({now, by.name, "operator", "create", "", d.state, "framework " + fw->id});
  auto r = dossiers_.create(std::move(d));
  if (!r) return r.status();
  return Done<storage::Dossier>{*r, sys_name(*s) + " v" + std::to_string(r->version) + ": dossier started under " + fw->id};
}

Result<Done<storage::Dossier>> Service::edit_dossier(uint32_t system, uint32_t version, const DossierEdit& e,
                                                     uint64_t revision, const Person& by, int64_t now) {
  auto set = frameworks();
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  CANH_RETURN_IF_ERROR(need_duty(*s, by, {Duty::kOperator}, "editing a dossier"));
  auto cur = dossiers_.get(system, version);
  if (!cur) return cur.status();
  if (!cur.value()) return Status::not_found(sys_name(*s) + " has no dossier version " + std::to_string(version));
  storage::Dossier d = *cur.value();
  const Framework* fw = set->get(d.framework);
  if (!fw) return Status::conflict("framework " + d.framework + " is not loaded");
  if (!fw->workflow.is_editable(d.state))
    return Status::conflict("dossier version " + std::to_string(version) + " is " + d.state + ": only a " +
                            fw->workflow.initial + " can be edited");
  d.revision = revision;
  std::vector<std::string> changed;
  if (e.framework && *e.framework != d.framework) {
    const Framework* nf = set->get(*e.framework);
    if (!nf) return Status::invalid("framework: \"" + *e.framework + "\" is not loaded");
    if (!nf->workflow.is_editable(d.state)) return Status::invalid("framework: its workflow has no state " + d.state);
    fw = nf;
    d.framework = nf->id;
    changed.push_back("framework=" + nf->id);
  }
  if (e.answers) {
    auto v = parse_answers(*fw, *e.answers);
    if (!v) return v.status();
    d.answers_json = json::serialize(answers_to_json(*fw, *v));
    changed.push_back("answers");
  } else if (e.framework) {
    // Answers are re-read under the new framework; the ones it does not ask are dropped.
    boost::system::error_code ec;
    auto old = json::parse(d.answers_json, ec);
    json::object kept;
    if (!ec && old.is_object())
      for (const auto& [k, v] : old.get_object())
        if (fw->question(k)) kept[k] = v;
    auto v = parse_answers(*fw, kept);
    d.answers_json = v ? json::serialize(answers_to_json(*fw, *v)) : "{}";
  }
  if (e.proposed_level) {
    if (*e.proposed_level < kMinLevel || *e.proposed_level > kMaxLevel)
      return Status::invalid("proposed_level: must be between 1 and 5");
    d.proposed_level = *e.proposed_level;
    changed.push_back("proposed_level=" + std::to_string(d.proposed_level));
  }
  if (e.justification) {
    CANH_RETURN_IF_ERROR(check_text("justification", *e.justification, storage::DossierLimits::kText));
    d.justification = *e.justification;
    changed.push_back("justification");
  }
  for (const auto& [id, text] : e.part_texts) {
    bool known = std::any_of(fw->dossier_parts.begin(), fw->dossier_parts.end(), [&](const auto& p) { return p.id == id; });
    if (!known) return Status::invalid("parts." + id + ": no such dossier part in framework " + fw->id);
    CANH_RETURN_IF_ERROR(check_text("parts." + id, text, storage::DossierLimits::kText));
    auto it = std::find_if(d.parts.begin(), d.parts.end(), [&](const auto& p) { return p.id == id; });
    if (it == d.parts.end()) d.parts.push_back({id, text, {}});
    else it->text = text;
    changed.push_back("parts." + id);
  }
  if (e.regulation_approved) {
    d.regulation_approved = *e.regulation_approved;
    changed.push_back(std::string("regulation_approved=") + (d.regulation_approved ? "yes" : "no"));
  }
  if (e.regulation_ref) {
    CANH_RETURN_IF_ERROR(check_text("regulation_ref", *e.regulation_ref, storage::DossierLimits::kShort));
    d.regulation_ref = *e.regulation_ref;
    changed.push_back("regulation_ref");
  }
  if (e.system_running) {
    d.system_running = *e.system_running;
    changed.push_back(std::string("system_running=") + (d.system_running ? "yes" : "no"));
  }
  auto facts = facts_for(*s, d, *fw, now);
  if (!facts) return facts.status();
  d.suggested_level = facts->suggested_level;
  d.updated_ms = now;
  auto r = dossiers_.update({d});
  if (!r) return r.status();
  std::string list;
  for (const auto& c : changed) list += (list.empty() ? "" : ", ") + c;
  return Done<storage::Dossier>{r->front(), sys_name(*s) + " v" + std::to_string(version) + ": edited " +
                                                (list.empty() ? "nothing" : list)};
}

Result<Done<storage::Dossier>> Service::add_part_file(uint32_t system, uint32_t version, const std::string& part,
                                                      const std::string& name, std::string_view bytes,
                                                      const Person& by, int64_t now) {
  auto set = frameworks();
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  CANH_RETURN_IF_ERROR(need_duty(*s, by, {Duty::kOperator}, "attaching a file to a dossier"));
  auto cur = dossiers_.get(system, version);
  if (!cur) return cur.status();
  if (!cur.value()) return Status::not_found(sys_name(*s) + " has no dossier version " + std::to_string(version));
  storage::Dossier d = *cur.value();
  const Framework* fw = set->get(d.framework);
  if (!fw) return Status::conflict("framework " + d.framework + " is not loaded");
  if (!fw->workflow.is_editable(d.state))
    return Status::conflict("dossier version " + std::to_string(version) + " is " + d.state + " and cannot change");
  if (std::none_of(fw->dossier_parts.begin(), fw->dossier_parts.end(), [&](const auto& p) { return p.id == part; }))
    return Status::invalid("part: no dossier part \"" + part + "\" in framework " + fw->id);
  auto sha = blobs_.put(bytes);
  if (!sha) return sha.status();
  auto it = std::find_if(d.parts.begin(), d.parts.end(), [&](const auto& p) { return p.id == part; });
  if (it == d.parts.end()) {
    d.parts.push_back({part, "", {}});
    it = d.parts.end() - 1;
  }
  std::string file = clean_name(name);
  if (std::none_of(it->files.begin(), it->files.end(), [&](const auto& f) { return f.sha256 == *sha; }))
    it->files.push_back({*sha, file, bytes.size()});
  d.updated_ms = now;
  auto r = dossiers_.update({d});
  if (!r) return r.status();
  return Done<storage::Dossier>{r->front(), sys_name(*s) + " v" + std::to_string(version) + ": file \"" + file + "\" (" +
                                                std::to_string(bytes.size()) + " bytes, sha256 " + *sha + ") added to " + part};
}

Result<Done<storage::Dossier>> Service::remove_part_file(uint32_t system, uint32_t version, const std::string& part,
                                                         const std::string& sha256, const Person& by, int64_t now) {
  auto set = frameworks();
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  CANH_RETURN_IF_ERROR(need_duty(*s, by, {Duty::kOperator}, "removing a file from a dossier"));
  auto cur = dossiers_.get(system, version);
  if (!cur) return cur.status();
  if (!cur.value()) return Status::not_found(sys_name(*s) + " has no dossier version " + std::to_string(version));
  storage::Dossier d = *cur.value();
  const Framework* fw = set->get(d.framework);
  if (!fw || !fw->workflow.is_editable(d.state))
    return Status::conflict("dossier version " + std::to_string(version) + " is " + d.state + " and cannot change");
  auto it = std::find_if(d.parts.begin(), d.parts.end(), [&](const auto& p) { return p.id == part; });
  if (it == d.parts.end()) return Status::not_found("part " + part + " has no files");
  auto f = std::find_if(it->files.begin(), it->files.end(), [&](const auto& x) { return x.sha256 == sha256; });
  if (f == it->files.end()) return Status::not_found("part " + part + " has no file " + sha256);
  std::string removed = f->name;
  it->files.erase(f);
  d.updated_ms = now;
  auto r = dossiers_.update({d});
  if (!r) return r.status();
  return Done<storage::Dossier>{r->front(), sys_name(*s) + " v" + std::to_string(version) + ": file \"" + removed +
                                                "\" (sha256 " + sha256 + ") removed from " + part};
}

Result<Done<storage::Dossier>> Service::transition(uint32_t system, uint32_t version, const TransitionInput& in,
                                                   uint64_t revision, const Person& by, int64_t now) {
  auto set = frameworks();
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  if (s->archived) return Status::conflict(sys_name(*s) + " is archived");
  auto cur = dossiers_.get(system, version);
  if (!cur) return cur.status();
  if (!cur.value()) return Status::not_found(sys_name(*s) + " has no dossier version " + std::to_string(version));
  storage::Dossier d = *cur.value();
  if (revision != 0 && revision != d.revision)
    return Status::conflict("dossier version " + std::to_string(version) + " changed since you read it: reload and retry");
  const Framework* fw = set->get(d.framework);
  if (!fw) return Status::conflict("framework " + d.framework + " is not loaded");
  CANH_RETURN_IF_ERROR(check_text("reasons", in.reasons, storage::DossierLimits::kText));
  CANH_RETURN_IF_ERROR(check_text("opinion", in.opinion, storage::DossierLimits::kText));
  CANH_RETURN_IF_ERROR(check_text("decision_number", in.decision_number, storage::DossierLimits::kShort));
  CANH_RETURN_IF_ERROR(check_text("pm_decision", in.pm_decision, storage::DossierLimits::kShort));
  CANH_RETURN_IF_ERROR(check_text("trigger", in.trigger, storage::DossierLimits::kText));
  auto facts = facts_for(*s, d, *fw, now);
  if (!facts) return facts.status();
  Actor actor{by.name, duties_of(*s, by)};
  auto t = check_transition(*fw, d, *facts, actor, in);
  if (!t) return t.status();
  const Transition& tr = **t;
  Duty used = Duty::kOperator;
  for (Duty x : tr.duties)
    if (std::find(actor.duties.begin(), actor.duties.end(), x) != actor.duties.end()) {
      used = x;
      break;
    }
  std::string from = d.state;
  auto has = [&](Effect e) { return std::find(tr.effects.begin(), tr.effects.end(), e) != tr.effects.end(); };

  if (has(Effect::kNewVersion)) {
    auto all = dossiers_.list(system);
    if (!all) return all.status();
    for (const auto& o : *all)
      if (o.version > d.version && set->get(o.framework) && set->get(o.framework)->workflow.is_open(o.state))
        return Status::conflict("version " + std::to_string(o.version) + " is already in progress (" + o.state + ")");
    std::string trigger = in.trigger;
    if (trigger.empty())
      for (auto it = d.history.rbegin(); it != d.history.rend() && trigger.empty(); ++it)
        if (it->to == fw->workflow.overdue_state) trigger = it->note.empty() ? it->action : it->note;
    apply_transition(*fw, tr, d, in, by.name, used, now);
    storage::Dossier n;
    n.system = system;
    // A legacy framework's dossier is re-assessed under the framework that supersedes it.
    n.framework = !fw->superseded_by.empty() && set->get(fw->superseded_by) ? fw->superseded_by : fw->id;
    const Framework* target = set->get(n.framework);
    n.state = tr.to;
    n.state_since_ms = now;
    n.created_ms = n.updated_ms = now;
    n.created_by = by.name;
    n.answers_json = d.answers_json;
    n.proposed_level = d.proposed_level;
    n.justification = d.justification;
    n.parts = d.parts;
    n.regulation_approved = d.regulation_approved;
    n.regulation_ref = d.regulation_ref;
    n.system_running = true;  // it was approved and in force: it runs
    n.trigger = trigger;
    if (target && target != fw) {
      // Keep the answers the new framework also asks.
      boost::system::error_code ec;
      auto old = json::parse(d.answers_json, ec);
      json::object kept;
      if (!ec && old.is_object())
        for (const auto& [k, v] : old.get_object())
          if (target->question(k)) kept[k] = v;
      auto v = parse_answers(*target, kept);
      n.answers_json = v ? json::serialize(answers_to_json(*target, *v)) : "{}";
    }
    n.history.push_back({now, by.name, std::string(duty_name(used)), tr.action, "", n.state,
                         "re-assessment of version " + std::to_string(d.version) + (trigger.empty() ? "" : ": " + trigger)});
    auto upd = dossiers_.update({d});
    if (!upd) return upd.status();
    auto created = dossiers_.create(std::move(n));
    if (!created) return created.status();
    return Done<storage::Dossier>{*created, sys_name(*s) + " v" + std::to_string(version) + ": " + tr.action +
                                                " -> new version " + std::to_string(created->version) + " (" +
                                                created->framework + ")" + (trigger.empty() ? "" : ": " + trigger)};
  }

  apply_transition(*fw, tr, d, in, by.name, used, now);
  std::vector<storage::Dossier> writes;
  if (has(Effect::kFreezeSnapshot)) {
    Assessment a;
    a.fw = fw;
    a.level = d.proposed_level;
    auto ev = evaluate_controls(*s, a, now);
    if (!ev) return ev.status();
    json::array rows;
    for (const auto& r : ev->rows) {
      json::object o{{"id", r.control->id},
                     {"status", r.state ? r.state->status : ""},
                     {"effective", std::string(effective_name(r.effective))},
                     {"evidence_items", r.state ? r.state->evidence.size() : 0}};
      if (r.live) {
        o["verdict"] = std::string(verdict_name(r.live->verdict));
        o["summary"] = r.live->summary;
      }
      rows.push_back(std::move(o));
    }
    json::object snap{{"computed_ms", now},
                      {"framework", fw->id},
                      {"level", d.proposed_level},
                      {"score", score_json(ev->score)},
                      {"controls", std::move(rows)},
                      {"alerts_total", ev->input.alerts.total},
                      {"alerts_known", ev->input.alerts_known}};
    d.snapshot_json = json::serialize(snap);
    d.approved_ms = now;
    d.frozen = true;
  }
  if (has(Effect::kStartCycle)) {
    int64_t base = valid_date(d.decision_date) ? date_start_ms(*fw, d.decision_date) : now;
    d.reassessment_due_ms = months_after(*fw, base, fw->reassessment_months[std::clamp(d.proposed_level, kMinLevel, kMaxLevel)]);
  }
  std::string detail = sys_name(*s) + " v" + std::to_string(version) + ": " + tr.action + " " + from + " -> " + d.state;
  if (has(Effect::kSupersedePrevious)) {
    auto all = dossiers_.list(system);
    if (!all) return all.status();
    for (auto o : *all) {
      if (o.version == d.version) continue;
      const Framework* ofw = set->get(o.framework);
      if (!ofw || !ofw->workflow.is_approved(o.state)) continue;
      o.history.push_back({now, std::string(kCanh), "system", "supersede", o.state, ofw->workflow.superseded_state,
                           "version " + std::to_string(d.version) + " approved"});
      o.state = ofw->workflow.superseded_state;
      o.state_since_ms = now;
      o.updated_ms = now;
      detail += "; v" + std::to_string(o.version) + " superseded";
      writes.push_back(std::move(o));
    }
  }
  DossierFacts after = *facts;
  after.cycle_elapsed = fw->workflow.is_approved(d.state) && d.reassessment_due_ms > 0 && now >= d.reassessment_due_ms;
  for (const Transition* st : run_system_transitions(*fw, d, after))
    detail += "; canh: " + st->action + " -> " + st->to;
  writes.insert(writes.begin(), d);
  auto r = dossiers_.update(std::move(writes));
  if (!r) return r.status();
  if (!in.reasons.empty() && tr.to != d.state) detail += " (" + in.reasons.substr(0, 200) + ")";
  else if (!in.reasons.empty()) detail += ": " + in.reasons.substr(0, 200);
  return Done<storage::Dossier>{r->front(), detail};
}

Result<size_t> Service::sweep(int64_t now) {
  auto set = frameworks();
  std::lock_guard lock(write_mu_);
  auto latest = dossiers_.latest_per_system();
  if (!latest) return latest.status();
  size_t moved = 0;
  for (const auto& newest : *latest) {
    auto all = dossiers_.list(newest.system);
    if (!all) return all.status();
    for (auto d : *all) {
      const Framework* fw = set->get(d.framework);
      if (!fw || !fw->workflow.is_approved(d.state) || d.reassessment_due_ms == 0 || now < d.reassessment_due_ms) continue;
      DossierFacts f;
      f.now_ms = now;
      f.cycle_elapsed = true;
      std::string from = d.state;
      auto applied = run_system_transitions(*fw, d, f);
      if (applied.empty()) continue;
      auto r = dossiers_.update({d});
      if (!r) return r.status();
      ++moved;
      std::string detail = "system " + std::to_string(d.system) + " v" + std::to_string(d.version) + ": ";
      for (const Transition* t : applied) detail += t->action + " ";
      detail += from + " -> " + d.state + " (re-assessment was due " + local_date(*fw, d.reassessment_due_ms) + ")";
      CANH_RETURN_IF_ERROR(audit_system_change("/api/v1/compliance/systems/" + std::to_string(d.system) + "/dossiers/" +
                                                   std::to_string(d.version),
                                               "compliance.dossier.cycle", detail, now));
      log::info("compliance", "re-assessment due").kv("system", d.system).kv("version", d.version);
    }
  }
  return moved;
}

// --- controls ------------------------------------------------------------------------------------

namespace {

Status control_of_level(const Framework* fw, int level, const std::string& id) {
  if (!fw || level < kMinLevel) return Status::conflict("the system has no level yet: start its dossier and propose one");
  const Control* c = fw->control(id);
  if (!c) return Status::not_found("no control \"" + id + "\" in framework " + fw->id);
  if (c->min_level > level)
    return Status::invalid("control " + id + " applies from level " + std::to_string(c->min_level) + "; the system is at " +
                           std::to_string(level));
  return Status::ok();
}

}  // namespace

Result<Done<storage::ControlState>> Service::set_control(uint32_t system, const std::string& control,
                                                         const ControlEdit& e, const Person& by, int64_t now) {
  auto set = frameworks();
  if (!valid_manual_status(e.status))
    return Status::invalid("status: \"" + e.status + "\" is not one of met, partly_met, not_met, not_applicable");
  if (e.status == "not_applicable" && blank(e.reason))
    return Status::invalid("reason: say why the control does not apply");
  CANH_RETURN_IF_ERROR(check_text("reason", e.reason, storage::ControlStore::kMaxNotes));
  CANH_RETURN_IF_ERROR(check_text("notes", e.notes, storage::ControlStore::kMaxNotes));
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  if (s->archived) return Status::conflict(sys_name(*s) + " is archived");
  CANH_RETURN_IF_ERROR(need_duty(*s, by, {Duty::kOperator, Duty::kAppraiser, Duty::kAuditor}, "assessing a control"));
  auto a = assessment(system, *set);
  if (!a) return a.status();
  CANH_RETURN_IF_ERROR(control_of_level(a->fw, a->level, control));
  auto cur = controls_.get(system, a->fw->id, control);
  if (!cur) return cur.status();
  storage::ControlState st = cur.value().value_or(storage::ControlState{});
  std::string before = st.status.empty() ? "unset" : st.status;
  st.system = system;
  st.framework = a->fw->id;
  st.control = control;
  st.status = e.status;
  st.reason = e.status == "not_applicable" ? e.reason : "";
  st.notes = e.notes;
  st.updated_by = by.name;
  st.updated_ms = now;
  auto r = controls_.put(std::move(st), e.revision);
  if (!r) return r.status();
  return Done<storage::ControlState>{*r, sys_name(*s) + " " + a->fw->id + " " + control + ": " + before + " -> " +
                                             (r->status.empty() ? "unset" : r->status)};
}

Result<Done<storage::ControlState>> Service::add_control_link(uint32_t system, const std::string& control,
                                                              const std::string& kind, const std::string& ref,
                                                              const std::string& label, const Person& by, int64_t now) {
  auto set = frameworks();
  if (kind == "url") {
    CANH_RETURN_IF_ERROR(check_url(ref));
  } else if (kind == "alert") {
    if (ref.size() != 32 || !is_hex(ref)) return Status::invalid("ref: an alert id is 32 hex digits");
  } else {
    return Status::invalid("kind: \"" + kind + "\" is not alert or url (files are uploaded)");
  }
  CANH_RETURN_IF_ERROR(check_text("label", label, 200));
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  CANH_RETURN_IF_ERROR(need_duty(*s, by, {Duty::kOperator, Duty::kAppraiser, Duty::kAuditor}, "adding evidence"));
  auto a = assessment(system, *set);
  if (!a) return a.status();
  CANH_RETURN_IF_ERROR(control_of_level(a->fw, a->level, control));
  auto cur = controls_.get(system, a->fw->id, control);
  if (!cur) return cur.status();
  storage::ControlState st = cur.value().value_or(storage::ControlState{});
  uint64_t rev = st.revision;
  st.system = system;
  st.framework = a->fw->id;
  st.control = control;
  std::string id = new_evidence_id(st);
  st.evidence.push_back({id, kind, ref, label, 0, by.name, now});
  st.updated_by = by.name;
  st.updated_ms = now;
  auto r = controls_.put(std::move(st), rev);
  if (!r) return r.status();
  return Done<storage::ControlState>{*r, sys_name(*s) + " " + control + ": evidence " + id + " " + kind + " " + ref};
}

Result<Done<storage::ControlState>> Service::add_control_file(uint32_t system, const std::string& control,
                                                              const std::string& name, std::string_view bytes,
                                                              const Person& by, int64_t now) {
  auto set = frameworks();
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  CANH_RETURN_IF_ERROR(need_duty(*s, by, {Duty::kOperator, Duty::kAppraiser, Duty::kAuditor}, "adding evidence"));
  auto a = assessment(system, *set);
  if (!a) return a.status();
  CANH_RETURN_IF_ERROR(control_of_level(a->fw, a->level, control));
  auto sha = blobs_.put(bytes);
  if (!sha) return sha.status();
  auto cur = controls_.get(system, a->fw->id, control);
  if (!cur) return cur.status();
  storage::ControlState st = cur.value().value_or(storage::ControlState{});
  uint64_t rev = st.revision;
  st.system = system;
  st.framework = a->fw->id;
  st.control = control;
  std::string id = new_evidence_id(st);
  std::string file = clean_name(name);
  st.evidence.push_back({id, "file", *sha, file, bytes.size(), by.name, now});
  st.updated_by = by.name;
  st.updated_ms = now;
  auto r = controls_.put(std::move(st), rev);
  if (!r) return r.status();
  return Done<storage::ControlState>{*r, sys_name(*s) + " " + control + ": evidence " + id + " file \"" + file + "\" (" +
                                             std::to_string(bytes.size()) + " bytes, sha256 " + *sha + ")"};
}

Result<Done<storage::ControlState>> Service::remove_control_evidence(uint32_t system, const std::string& control,
                                                                     const std::string& evidence_id, const Person& by,
                                                                     int64_t now) {
  auto set = frameworks();
  std::lock_guard lock(write_mu_);
  auto s = system_or_error(system);
  if (!s) return s.status();
  CANH_RETURN_IF_ERROR(need_duty(*s, by, {Duty::kOperator, Duty::kAppraiser, Duty::kAuditor}, "removing evidence"));
  auto a = assessment(system, *set);
  if (!a) return a.status();
  CANH_RETURN_IF_ERROR(control_of_level(a->fw, a->level, control));
  auto cur = controls_.get(system, a->fw->id, control);
  if (!cur) return cur.status();
  if (!cur.value()) return Status::not_found("control " + control + " has no evidence");
  storage::ControlState st = *cur.value();
  auto it = std::find_if(st.evidence.begin(), st.evidence.end(), [&](const auto& e) { return e.id == evidence_id; });
  if (it == st.evidence.end()) return Status::not_found("control " + control + " has no evidence " + evidence_id);
  std::string what = it->kind + " " + (it->kind == "file" ? "\"" + it->label + "\" sha256 " + it->ref : it->ref);
  st.evidence.erase(it);
  st.updated_by = by.name;
  st.updated_ms = now;
  auto r = controls_.put(st, st.revision);
  if (!r) return r.status();
  // The blob stays: an approved version's snapshot or another control may refer to the same file.
  return Done<storage::ControlState>{*r, sys_name(*s) + " " + control + ": evidence " + evidence_id + " removed (" + what + ")"};
}

Result<std::optional<std::string>> Service::file(std::string_view sha256) const { return blobs_.get(sha256); }

// --- views ---------------------------------------------------------------------------------------

json::object Service::dossier_view(const storage::InfoSystem& s, const storage::Dossier& d, const Framework* fw,
                                   const Person& viewer, int64_t now) {
  json::array parts, history;
  for (const auto& p : d.parts) {
    json::array files;
    for (const auto& f : p.files) files.push_back(json::object{{"sha256", f.sha256}, {"name", f.name}, {"size", f.size}});
    parts.push_back(json::object{{"id", p.id}, {"text", p.text}, {"files", std::move(files)}});
  }
  for (const auto& e : d.history)
    history.push_back(json::object{{"time_ms", e.time_ms}, {"actor", e.actor}, {"duty", e.duty}, {"action", e.action},
                                   {"from", e.from},       {"to", e.to},       {"note", e.note}});
  boost::system::error_code ec;
  json::value answers = json::parse(d.answers_json.empty() ? "{}" : d.answers_json, ec);
  if (ec) answers = json::object();
  json::object o{{"system", d.system},
                 {"version", d.version},
                 {"framework", d.framework},
                 {"state", d.state},
                 {"state_since_ms", d.state_since_ms},
                 {"answers", answers},
                 {"suggested_level", d.suggested_level},
                 {"proposed_level", d.proposed_level},
                 {"justification", d.justification},
                 {"parts", std::move(parts)},
                 {"regulation_approved", d.regulation_approved},
                 {"regulation_ref", d.regulation_ref},
                 {"system_running", d.system_running},
                 {"expert_opinion", d.expert_opinion},
                 {"appraisal_opinion", d.appraisal_opinion},
                 {"return_reasons", d.return_reasons},
                 {"decision_number", d.decision_number},
                 {"decision_date", d.decision_date},
                 {"pm_decision", d.pm_decision},
                 {"trigger", d.trigger},
                 {"history", std::move(history)},
                 {"frozen", d.frozen},
                 {"revision", d.revision},
                 {"created_ms", d.created_ms},
                 {"created_by", d.created_by},
                 {"approved_ms", d.approved_ms},
                 {"reassessment_due_ms", d.reassessment_due_ms}};
  if (!d.snapshot_json.empty()) {
    auto snap = json::parse(d.snapshot_json, ec);
    if (!ec) o["snapshot"] = std::move(snap);
  }
  if (!fw) {
    o["framework_missing"] = true;
    return o;
  }
  o["editable"] = fw->workflow.is_editable(d.state);
  o["due_status"] = std::string(due_status_name(due_status(*fw, d, now)));
  // The suggestion with its reasoning, from the answers as they are now.
  Values values(fw->questions.size());
  if (answers.is_object()) {
    auto v = parse_answers(*fw, answers.get_object());
    if (v) values = std::move(*v);
  }
  Suggestion sug = suggest(*fw, values);
  json::array matched;
  for (const auto& m : sug.matched)
    matched.push_back(json::object{{"level", m.level}, {"article", m.criterion->article}, {"text", text_json(m.criterion->text)}});
  o["suggestion"] = json::object{{"level", sug.level}, {"matched", std::move(matched)}, {"missing", strings(sug.missing)}};
  json::array deadlines;
  for (const auto& dl : running_deadlines(*fw, d))
    deadlines.push_back(json::object{{"name", dl.name},           {"action", dl.action},
                                     {"days", dl.days},           {"working_days", dl.working_days},
                                     {"due_ms", dl.due_ms},       {"due_date", local_date(*fw, dl.due_ms)},
                                     {"overdue", now > dl.due_ms}});
  o["deadlines"] = std::move(deadlines);
  auto facts = facts_for(s, d, *fw, now);
  json::array actions;
  if (facts) {
    Actor actor{viewer.name, duties_of(s, viewer)};
    for (const auto& opt : action_options(*fw, d, *facts, actor)) {
      const Transition& t = *opt.transition;
      json::array duties, needs;
      for (Duty x : t.duties) duties.emplace_back(duty_name(x));
      for (Requirement r : t.needs) needs.emplace_back(requirement_name(r));
      bool independent = true;
      for (const auto& e : d.history)
        if (e.actor == viewer.name && std::find(t.not_by.begin(), t.not_by.end(), e.action) != t.not_by.end())
          independent = false;
      actions.push_back(json::object{{"action", t.action},
                                     {"to", t.to},
                                     {"label", text_json(t.label)},
                                     {"duties", std::move(duties)},
                                     {"needs", std::move(needs)},
                                     {"has_duty", opt.has_duty},
                                     {"independent", independent},
                                     {"unmet", strings(opt.unmet)}});
    }
    o["unanswered"] = strings(facts->unanswered);
    o["missing_parts"] = strings(facts->missing_parts);
  }
  o["actions"] = std::move(actions);
  int level = std::clamp(d.proposed_level, kMinLevel, kMaxLevel);
  const Authority& au = fw->authority[level];
  o["authority"] = json::object{{"drafts", text_json(au.drafts)},
                                {"expert_opinion", text_json(au.expert_opinion)},
                                {"appraises", text_json(au.appraises)},
                                {"approves", text_json(au.approves)},
                                {"note", text_json(fw->authority_note)}};
  return o;
}

json::object Service::controls_view(const ControlsEval& ev, const Assessment& a) {
  json::array rows;
  for (const auto& r : ev.rows) {
    const Control& c = *r.control;
    json::object o{{"id", c.id},
                   {"group", c.group},
                   {"min_level", c.min_level},
                   {"evidence_kind", std::string(evidence_kind_name(c.evidence))},
                   {"text", text_json(c.text)},
                   {"clause", c.clause[a.level]},
                   {"effective", std::string(effective_name(r.effective))}};
    if (!c.by_level[a.level].en.empty()) o["at_level"] = text_json(c.by_level[a.level]);
    if (c.conditional) o["conditional"] = text_json(*c.conditional);
    if (!c.measure.en.empty()) o["measure"] = text_json(c.measure);
    if (r.state) o["state"] = control_state_json(*r.state);
    else o["state"] = json::object{{"status", ""}, {"reason", ""}, {"notes", ""}, {"evidence", json::array()}, {"revision", 0}};
    if (r.live) o["live"] = live_json(*r.live);
    rows.push_back(std::move(o));
  }
  json::array groups;
  if (a.fw)
    for (const auto& g : a.fw->groups)
      groups.push_back(json::object{{"id", g.id}, {"kind", g.kind}, {"text", text_json(g.text)}});
  return {{"framework", a.fw ? a.fw->id : ""},
          {"level", a.level},
          {"score", score_json(ev.score)},
          {"groups", std::move(groups)},
          {"controls", std::move(rows)},
          {"sensors_known", ev.input.sensors_known},
          {"alerts_known", ev.input.alerts_known}};
}

Result<json::object> Service::system_json(uint32_t id, const Person& viewer, int64_t now) {
  auto swept = sweep(now);
  if (!swept) return swept.status();
  auto set = frameworks();
  auto s = system_or_error(id);
  if (!s) return s.status();
  auto a = assessment(id, *set);
  if (!a) return a.status();
  json::array versions, mine;
  for (const auto& v : a->versions)
    versions.push_back(json::object{{"version", v.version}, {"state", v.state}, {"framework", v.framework},
                                    {"proposed_level", v.proposed_level}, {"approved_ms", v.approved_ms},
                                    {"created_ms", v.created_ms}});
  for (Duty d : duties_of(*s, viewer)) mine.emplace_back(duty_name(d));
  json::object o{{"system", system_record_json(*s)}, {"my_duties", std::move(mine)}, {"versions", std::move(versions)}};
  o["approved_level"] = a->approved ? json::value(a->approved->proposed_level) : json::value(nullptr);
  o["assessed_level"] = a->level;
  o["framework"] = a->fw ? a->fw->id : "";
  const storage::Dossier* shown = a->working ? &*a->working : a->approved ? &*a->approved : nullptr;
  if (!shown && !a->versions.empty()) shown = &a->versions.back();
  o["dossier"] = shown ? json::value(dossier_view(*s, *shown, set->get(shown->framework), viewer, now)) : json::value(nullptr);
  return o;
}

Result<json::object> Service::dossier_json(uint32_t system, uint32_t version, const Person& viewer, int64_t now) {
  auto set = frameworks();
  auto s = system_or_error(system);
  if (!s) return s.status();
  auto d = dossiers_.get(system, version);
  if (!d) return d.status();
  if (!d.value()) return Status::not_found(sys_name(*s) + " has no dossier version " + std::to_string(version));
  return dossier_view(*s, *d.value(), set->get(d.value()->framework), viewer, now);
}

Result<json::object> Service::controls_json(uint32_t system, int64_t now) {
  auto set = frameworks();
  auto s = system_or_error(system);
  if (!s) return s.status();
  auto a = assessment(system, *set);
  if (!a) return a.status();
  auto ev = evaluate_controls(*s, *a, now);
  if (!ev) return ev.status();
  return controls_view(*ev, *a);
}

Result<json::object> Service::overview_json(int64_t now) {
  auto swept = sweep(now);
  if (!swept) return swept.status();
  auto set = frameworks();
  auto all = systems_.list();
  if (!all) return all.status();
  json::array rows;
  std::array<uint64_t, kMaxLevel + 1> by_level{};
  uint64_t due = 0, overdue = 0, deadline_overdue = 0, unassessed = 0;
  for (const auto& s : *all) {
    if (s.archived) continue;
    auto a = assessment(s.id, *set);
    if (!a) return a.status();
    json::object o{{"id", s.id}, {"name", s.name}, {"owner", s.owner}, {"operating_unit", s.operating_unit},
                   {"ranges", s.ranges.size()}, {"sensors", s.sensors.size()}};
    o["framework"] = a->fw ? a->fw->id : "";
    o["approved_level"] = a->approved ? json::value(a->approved->proposed_level) : json::value(nullptr);
    o["assessed_level"] = a->level;
    if (a->level >= kMinLevel) ++by_level[a->level];
    else ++unassessed;
    const storage::Dossier* shown = a->working ? &*a->working : a->approved ? &*a->approved : nullptr;
    if (shown) {
      o["version"] = shown->version;
      o["state"] = shown->state;
    } else {
      o["state"] = nullptr;
    }
    std::string ds = "none";
    if (a->approved) {
      const Framework* afw = set->get(a->approved->framework);
      DueStatus st = afw ? due_status(*afw, *a->approved, now) : DueStatus::kNone;
      ds = std::string(due_status_name(st));
      if (st == DueStatus::kDue) ++due;
      if (st == DueStatus::kOverdue) ++overdue;
      o["reassessment_due_ms"] = a->approved->reassessment_due_ms;
    }
    o["due_status"] = ds;
    bool late = false;
    if (a->working && a->fw)
      for (const auto& dl : running_deadlines(*a->fw, *a->working))
        if (now > dl.due_ms) late = true;
    o["deadline_overdue"] = late;
    if (late) ++deadline_overdue;
    auto ev = evaluate_controls(s, *a, now);
    if (!ev) return ev.status();
    o["score"] = score_json(ev->score);
    rows.push_back(std::move(o));
  }
  json::object levels;
  for (int lv = kMinLevel; lv <= kMaxLevel; ++lv) levels[std::to_string(lv)] = by_level[lv];
  return json::object{{"systems", std::move(rows)},
                      {"by_level", std::move(levels)},
                      {"unassessed", unassessed},
                      {"due", due},
                      {"overdue", overdue},
                      {"deadline_overdue", deadline_overdue}};
}

Result<json::object> Service::report_json(uint32_t system, int64_t from_ms, int64_t to_ms, int64_t now) {
  if (to_ms <= from_ms) return Status::invalid("to: must be after from");
  if (to_ms - from_ms > 400 * kDayMs) return Status::invalid("period: at most 400 days");
  auto set = frameworks();
  auto s = system_or_error(system);
  if (!s) return s.status();
  auto a = assessment(system, *set);
  if (!a) return a.status();
  auto ev = evaluate_controls(*s, *a, now);
  if (!ev) return ev.status();
  Person nobody{"", http::Role::kReadOnly};
  json::object o{{"generated_ms", now},       {"from_ms", from_ms},          {"to_ms", to_ms},
                 {"system", system_record_json(*s)}, {"controls", controls_view(*ev, *a)}};
  if (a->fw) o["framework_name"] = text_json(a->fw->name);
  const storage::Dossier* shown = a->working ? &*a->working : a->approved ? &*a->approved : nullptr;
  o["dossier"] = shown ? json::value(dossier_view(*s, *shown, set->get(shown->framework), nobody, now)) : json::value(nullptr);
  o["approved"] = a->approved ? json::value(dossier_view(*s, *a->approved, set->get(a->approved->framework), nobody, now))
                              : json::value(nullptr);
  // Alert statistics for the period asked, not the checks' window.
  json::object stats{{"known", false}};
  if (deps_.evidence) {
    auto al = deps_.evidence->alerts_for(system, from_ms, to_ms, options_.max_report_items);
    if (al) {
      json::object cats;
      std::vector<std::pair<uint64_t, std::string>> top;
      for (const auto& [k, v] : al->by_category) top.emplace_back(v, k);
      std::sort(top.rbegin(), top.rend());
      if (top.size() > 20) top.resize(20);
      json::array cat_list;
      for (const auto& [v, k] : top) cat_list.push_back(json::object{{"category", k}, {"count", v}});
      json::array sev;
      for (auto v : al->by_severity) sev.emplace_back(v);
      json::object sensors;
      for (const auto& [id, n] : al->by_sensor) sensors[std::to_string(id)] = n;
      std::vector<int64_t> lat;
      uint64_t triaged = 0;
      for (const auto& it : al->items)
        if (it.triaged) {
          ++triaged;
          lat.push_back(std::max<int64_t>(0, it.triaged_ms - it.received_ms));
        }
      std::sort(lat.begin(), lat.end());
      stats = {{"known", true},           {"total", al->total},       {"open", al->open},
               {"by_severity", std::move(sev)}, {"top_categories", std::move(cat_list)}, {"by_sensor", std::move(sensors)},
               {"triaged", triaged},      {"partial", al->truncated}};
      if (!lat.empty()) {
        stats["median_triage_minutes"] = static_cast<double>(lat[lat.size() / 2]) / 60000.0;
        stats["p90_triage_minutes"] = static_cast<double>(lat[(lat.size() - 1) * 9 / 10]) / 60000.0;
      }
    } else {
      stats["error"] = al.status().message();
    }
  }
  o["alerts"] = std::move(stats);
  return o;
}

Result<std::string> Service::report_csv(uint32_t system, int64_t from_ms, int64_t to_ms, int64_t now) {
  auto rep = report_json(system, from_ms, to_ms, now);
  if (!rep) return rep.status();
  const json::object& r = *rep;
  std::string out = "section,id,title,status,value,detail\r\n";
  auto row = [&](std::string_view section, std::string_view id, std::string_view title, std::string_view status,
                 std::string_view value, std::string_view detail) {
    out += csv_field(section) + "," + csv_field(id) + "," + csv_field(title) + "," + csv_field(status) + "," +
           csv_field(value) + "," + csv_field(detail) + "\r\n";
  };
  auto str = [](const json::value* v) -> std::string {
    if (!v || v->is_null()) return "";
    if (v->is_string()) return std::string(v->get_string());
    return json::serialize(*v);
  };
  const auto& sys = r.at("system").as_object();
  row("report", "period", "", "", str(r.if_contains("from_ms")) + ".." + str(r.if_contains("to_ms")),
      "alert event times, milliseconds since 1970 UTC");
  row("report", "generated", "", "", str(r.if_contains("generated_ms")), "");
  row("system", "name", "", "", str(sys.if_contains("name")), "");
  row("system", "owner", "", "", str(sys.if_contains("owner")), "");
  row("system", "operating_unit", "", "", str(sys.if_contains("operating_unit")), "");
  std::string ranges;
  for (const auto& x : sys.at("ranges").as_array()) ranges += (ranges.empty() ? "" : " ") + std::string(x.as_string());
  row("system", "ranges", "", "", ranges, "");
  if (auto* d = r.if_contains("dossier"); d && d->is_object()) {
    const auto& o = d->as_object();
    row("dossier", "version", "", str(o.if_contains("state")), str(o.if_contains("version")), str(o.if_contains("framework")));
    row("dossier", "proposed_level", "", "", str(o.if_contains("proposed_level")), "suggested " + str(o.if_contains("suggested_level")));
    row("dossier", "decision", "", "", str(o.if_contains("decision_number")), str(o.if_contains("decision_date")));
    for (const auto& h : o.at("history").as_array()) {
      const auto& e = h.as_object();
      row("history", str(e.if_contains("action")), str(e.if_contains("actor")),
          str(e.if_contains("from")) + " -> " + str(e.if_contains("to")), str(e.if_contains("time_ms")), str(e.if_contains("note")));
    }
  }
  if (auto* d = r.if_contains("approved"); d && d->is_object()) {
    const auto& o = d->as_object();
    row("approved", "version", "", str(o.if_contains("state")), str(o.if_contains("version")),
        "level " + str(o.if_contains("proposed_level")) + ", decision " + str(o.if_contains("decision_number")) + " of " +
            str(o.if_contains("decision_date")));
    row("approved", "reassessment_due", "", str(o.if_contains("due_status")), str(o.if_contains("reassessment_due_ms")), "");
  }
  const auto& controls = r.at("controls").as_object();
  const auto& score = controls.at("score").as_object();
  row("score", "percent", "", "", str(score.if_contains("percent")), str(score.if_contains("denominator")));
  for (const char* k : {"met", "partly_met", "not_met", "not_applicable", "not_assessed", "not_evaluated"})
    row("score", k, "", "", str(score.if_contains(k)), "");
  for (const auto& cv : controls.at("controls").as_array()) {
    const auto& c = cv.as_object();
    const auto& st = c.at("state").as_object();
    std::string detail = str(st.if_contains("notes"));
    if (auto* l = c.if_contains("live"); l && l->is_object())
      detail = "live " + str(l->as_object().if_contains("verdict")) + ": " + str(l->as_object().if_contains("summary")) +
               (detail.empty() ? "" : " | " + detail);
    if (!str(st.if_contains("reason")).empty()) detail += " | not applicable: " + str(st.if_contains("reason"));
    std::string title = str(c.at("text").as_object().if_contains("en"));
    row("control", str(c.if_contains("id")), title, str(c.if_contains("effective")),
        std::to_string(st.at("evidence").as_array().size()) + " evidence", detail);
    for (const auto& ev : st.at("evidence").as_array()) {
      const auto& e = ev.as_object();
      row("evidence", str(c.if_contains("id")), str(e.if_contains("label")), str(e.if_contains("kind")),
          str(e.if_contains("ref")), "added by " + str(e.if_contains("added_by")));
    }
  }
  const auto& al = r.at("alerts").as_object();
  if (al.at("known").as_bool()) {
    row("alerts", "total", "", "", str(al.if_contains("total")), al.at("partial").as_bool() ? "partial" : "");
    row("alerts", "open", "", "", str(al.if_contains("open")), "not yet triaged");
    const auto& sev = al.at("by_severity").as_array();
    for (size_t i = 1; i < sev.size(); ++i) row("alerts", "severity " + std::to_string(i), "", "", str(&sev[i]), "");
    for (const auto& cv : al.at("top_categories").as_array())
      row("alerts", "category", str(cv.as_object().if_contains("category")), "", str(cv.as_object().if_contains("count")), "");
    if (al.if_contains("median_triage_minutes"))
      row("alerts", "triage_minutes", "", "", str(al.if_contains("median_triage_minutes")),
          "median; p90 " + str(al.if_contains("p90_triage_minutes")));
  } else {
    row("alerts", "total", "", "not_evaluated", "", "alert statistics unavailable");
  }
  return out;
}

}  // namespace canh::compliance
