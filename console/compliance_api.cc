#include "console/compliance_api.h"

#include <charconv>

#include "console/api_util.h"
#include "console/compliance/criteria.h"
#include "console/console.h"
#include "storage/evidence_store.h"
#include "storage/storage.h"

namespace canh::console {

using http::Access;
using http::Caller;
using http::Request;
using http::Response;
using http::Role;

namespace {

constexpr int64_t kDayMs = 86400000;

compliance::Person person(const Caller& c) { return {c.name, c.role}; }

// Path parameters are numbers or catalogue ids; anything else is a 404, not a 500.
Result<uint32_t> id_param(const Request& req, std::string_view name) {
  std::string_view v = req.path_param(name);
  uint32_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n == 0)
    return Status::not_found(std::string(name) + " \"" + std::string(v.substr(0, 40)) + "\" does not exist");
  return n;
}

// The refusal goes into the audit record too: who tried what and why it was not allowed.
Response fail(const Status& s) {
  Response r = error_response(s);
  audit_detail(r, "refused: " + s.message().substr(0, 500));
  return r;
}

template <class T>
Response done(const compliance::Done<T>& d, json::value body, int status = 200) {
  Response r = json_ok(body, status);
  audit_detail(r, d.detail);
  return r;
}

Result<std::vector<std::string>> string_array(const json::object& o, std::string_view key, size_t max_items,
                                              size_t max_len) {
  std::vector<std::string> out;
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return out;
  if (!v->is_array()) return Status::invalid("field \"" + std::string(key) + "\" must be a list");
  if (v->get_array().size() > max_items)
    return Status::invalid("field \"" + std::string(key) + "\": more than " + std::to_string(max_items) + " entries");
  for (const auto& x : v->get_array()) {
    if (!x.is_string() || x.get_string().size() > max_len)
      return Status::invalid("field \"" + std::string(key) + "\": entries must be strings of at most " +
                             std::to_string(max_len) + " bytes");
    out.emplace_back(x.get_string());
  }
  return out;
}

Result<compliance::SystemInput> system_input(const json::object& o) {
  compliance::SystemInput in;
  auto name = get_string(o, "name", 200);
  auto owner = get_string(o, "owner", 200);
  auto unit = get_string(o, "operating_unit", 200);
  auto desc = get_string(o, "description", 8000, false);
  for (auto* r : {&name, &owner, &unit, &desc})
    if (!*r) return r->status();
  in.name = *name;
  in.owner = *owner;
  in.operating_unit = *unit;
  in.description = *desc;
  auto ranges = string_array(o, "ranges", 512, 64);
  if (!ranges) return ranges.status();
  in.ranges = std::move(*ranges);
  if (auto* c = o.if_contains("contacts"); c && !c->is_null()) {
    if (!c->is_array() || c->get_array().size() > 32) return Status::invalid("field \"contacts\" must be a list of at most 32");
    for (size_t i = 0; i < c->get_array().size(); ++i) {
      const auto& x = c->get_array()[i];
      if (!x.is_object()) return Status::invalid("contacts[" + std::to_string(i) + "] must be an object");
      storage::SystemContact sc;
      auto n = get_string(x.get_object(), "name", 200);
      auto role = get_string(x.get_object(), "role", 200, false);
      auto email = get_string(x.get_object(), "email", 200, false);
      auto phone = get_string(x.get_object(), "phone", 64, false);
      for (auto* r : {&n, &role, &email, &phone})
        if (!*r) return r->status().with_context("contacts[" + std::to_string(i) + "]");
      in.contacts.push_back({*n, *role, *email, *phone});
    }
  }
  if (auto* s = o.if_contains("sensors"); s && !s->is_null()) {
    if (!s->is_array() || s->get_array().size() > 256) return Status::invalid("field \"sensors\" must be a list of at most 256");
    for (const auto& x : s->get_array()) {
      if (!x.is_int64() || x.get_int64() <= 0 || x.get_int64() > UINT32_MAX)
        return Status::invalid("field \"sensors\": entries must be sensor ids");
      in.sensors.push_back(static_cast<uint32_t>(x.get_int64()));
    }
  }
  in.archived = get_bool(o, "archived").value_or(false);
  return in;
}

uint64_t revision_of(const json::object& o) {
  auto r = get_int(o, "revision", 0, INT64_MAX, 0);
  return r ? static_cast<uint64_t>(*r) : 0;
}

bool octet_stream(const Request& req) {
  return req.header("content-type").substr(0, 24) == "application/octet-stream";
}

Result<std::pair<int64_t, int64_t>> period(const Request& req, int64_t now) {
  auto to = query_int(req, "to_ms", 0, INT64_MAX / 2, now);
  if (!to) return to.status();
  auto from = query_int(req, "from_ms", 0, INT64_MAX / 2, *to - 30 * kDayMs);
  if (!from) return from.status();
  return std::make_pair(*from, *to);
}

json::object framework_summary(const compliance::Framework& f) {
  return {{"id", f.id},
          {"status", f.status},
          {"name", json::object{{"vi", f.name.vi}, {"en", f.name.en}}},
          {"standard", json::object{{"vi", f.standard.vi}, {"en", f.standard.en}}},
          {"in_force_from", f.in_force_from},
          {"superseded_by", f.superseded_by},
          {"migration_due", f.migration_due},
          {"source", f.source}};
}

json::object text(const compliance::Text& t) { return {{"vi", t.vi}, {"en", t.en}}; }

json::object framework_full(const compliance::Framework& f) {
  using namespace compliance;
  json::object o = framework_summary(f);
  json::array levels, questions, criteria, parts, states, transitions, deadlines;
  for (int lv = kMinLevel; lv <= kMaxLevel; ++lv)
    levels.push_back(json::object{{"level", lv},
                                  {"name", text(f.levels[lv].name)},
                                  {"impact", text(f.levels[lv].impact)},
                                  {"reassessment_months", f.reassessment_months[lv]},
                                  {"alert_retention_days", f.alert_retention_days[lv]},
                                  {"controls", f.controls_for(lv).size()}});
  for (const auto& q : f.questions) {
    json::array opts;
    for (const auto& op : q.options) opts.push_back(json::object{{"id", op.id}, {"text", text(op.text)}});
    std::string_view type = q.type == QuestionType::kBool ? "bool"
                            : q.type == QuestionType::kInt ? "int"
                            : q.type == QuestionType::kEnum ? "enum"
                                                            : "multi";
    json::object jq{{"id", q.id}, {"type", type}, {"text", text(q.text)}, {"options", std::move(opts)}, {"nullable", q.nullable}};
    if (q.type == QuestionType::kInt) {
      jq["min"] = q.min;
      jq["max"] = q.max;
    }
    questions.push_back(std::move(jq));
  }
  for (const auto& c : f.criteria)
    criteria.push_back(json::object{{"level", c.level}, {"article", c.article}, {"text", text(c.text)}, {"when", c.when.text()}});
  for (const auto& p : f.dossier_parts)
    parts.push_back(json::object{{"id", p.id}, {"min_level", p.min_level}, {"text", text(p.text)}});
  for (const auto& s : f.workflow.states)
    states.push_back(json::object{{"id", s},
                                  {"name", text(*f.workflow.state_name(s))},
                                  {"editable", f.workflow.is_editable(s)},
                                  {"approved", f.workflow.is_approved(s)},
                                  {"closed", f.workflow.is_closed(s)}});
  for (const auto& t : f.workflow.transitions) {
    json::array duties, needs, from;
    for (Duty d : t.duties) duties.emplace_back(duty_name(d));
    for (Requirement r : t.needs) needs.emplace_back(requirement_name(r));
    for (const auto& s : t.from) from.emplace_back(s);
    transitions.push_back(json::object{{"action", t.action}, {"from", std::move(from)}, {"to", t.to},
                                       {"duties", std::move(duties)}, {"needs", std::move(needs)},
                                       {"when", t.when.text()}, {"deadline", t.deadline}, {"label", text(t.label)}});
  }
  for (const auto& [name, d] : f.deadlines) {
    json::object byl;
    for (int lv = kMinLevel; lv <= kMaxLevel; ++lv)
      if (d.value[lv]) byl[std::to_string(lv)] = d.value[lv];
    deadlines.push_back(json::object{{"name", name}, {"working_days", d.working_days}, {"by_level", std::move(byl)}});
  }
  o["levels"] = std::move(levels);
  o["questions"] = std::move(questions);
  o["criteria"] = std::move(criteria);
  o["criteria_rule"] = text(f.criteria_rule);
  o["dossier_parts"] = std::move(parts);
  o["states"] = std::move(states);
  o["transitions"] = std::move(transitions);
  o["deadlines"] = std::move(deadlines);
  json::array groups;
  for (const auto& g : f.groups) groups.push_back(json::object{{"id", g.id}, {"kind", g.kind}, {"text", text(g.text)}});
  o["groups"] = std::move(groups);
  return o;
}

}  // namespace

std::string attachment_disposition(std::string_view name) {
  std::string ascii, encoded;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    ascii += plain ? static_cast<char>(c) : '_';
    if (plain) encoded += static_cast<char>(c);
    else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  if (ascii.empty()) ascii = encoded = "evidence";
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

Result<std::unique_ptr<ComplianceApi>> ComplianceApi::open(storage::Storage& storage, Console& console,
                                                           ComplianceApiOptions options) {
  std::unique_ptr<ComplianceApi> api(new ComplianceApi());
  api->evidence_ = std::make_unique<compliance::StorageEvidence>(storage, options.retention_days);
  compliance::ServiceDeps deps;
  deps.db = &storage.db();
  deps.audit = &console.audit();
  deps.users = &console.users();
  deps.evidence = api->evidence_.get();
  storage::AlertStore* alerts = &storage.alerts();
  deps.publish_ranges = [alerts](std::vector<std::pair<uint32_t, storage::Cidr>> r) { alerts->set_system_ranges(std::move(r)); };
  compliance::ServiceOptions so;
  if (!options.data_dir.empty()) so.frameworks_dir = options.data_dir + "/frameworks";
  auto svc = compliance::Service::open(std::move(deps), so);
  if (!svc) return svc.status();
  api->service_ = std::move(*svc);
  return api;
}

std::vector<http::Route> ComplianceApi::routes() {
  using compliance::Service;
  std::vector<http::Route> r;
  Service* svc = service_.get();
  const Access people = Access::people();
  const Access admin = Access::of({Role::kAdmin});
  // Duties are held by analysts, auditors and admins; the service checks which duty on which system.
  const Access workers = Access::of({Role::kAnalyst, Role::kAuditor, Role::kAdmin});
  const std::string base = "/api/v1/compliance";

  // --- frameworks
  r.push_back({"GET", base + "/frameworks", people,
               [svc](const Request&, const Caller&) {
                 auto set = svc->frameworks();
                 json::array a;
                 for (const auto& f : set->all()) a.push_back(framework_summary(*f));
                 return json_ok(json::object{{"frameworks", std::move(a)},
                                             {"default", set->default_framework()->id}});
               },
               ""});
  r.push_back({"GET", base + "/frameworks/{id}", people,
               [svc](const Request& req, const Caller&) {
                 auto set = svc->frameworks();
                 const auto* f = set->get(req.path_param("id"));
                 if (!f) return error_response(Status::not_found("no framework \"" + std::string(req.path_param("id")) + "\""));
                 return json_ok(framework_full(*f));
               },
               ""});
  r.push_back({"POST", base + "/frameworks/reload", admin,
               [svc](const Request&, const Caller&) {
                 auto s = svc->reload_frameworks();
                 if (!s) return fail(s.status());
                 Response resp = json_ok(json::object{{"message", *s}});
                 audit_detail(resp, *s);
                 return resp;
               },
               "compliance.frameworks.reload"});
  r.push_back({"POST", base + "/frameworks/{id}/suggest", people,
               [svc](const Request& req, const Caller&) {
                 auto set = svc->frameworks();
                 const auto* f = set->get(req.path_param("id"));
                 if (!f) return error_response(Status::not_found("no framework \"" + std::string(req.path_param("id")) + "\""));
                 auto body = json_body(req, 256 * 1024);
                 if (!body) return error_response(body.status());
                 json::object answers;
                 if (auto* a = body->if_contains("answers"); a && a->is_object()) answers = a->get_object();
                 auto v = compliance::parse_answers(*f, answers);
                 if (!v) return error_response(v.status());
                 auto s = compliance::suggest(*f, *v);
                 json::array matched;
                 for (const auto& m : s.matched)
                   matched.push_back(json::object{{"level", m.level}, {"article", m.criterion->article}, {"text", text(m.criterion->text)}});
                 json::array missing;
                 for (const auto& m : s.missing) missing.emplace_back(m);
                 return json_ok(json::object{{"level", s.level}, {"matched", std::move(matched)}, {"missing", std::move(missing)}});
               },
               ""});

  // --- overview and systems
  r.push_back({"GET", base + "/overview", people,
               [svc](const Request&, const Caller&) {
                 auto o = svc->overview_json(now_ms());
                 if (!o) return error_response(o.status());
                 return json_ok(*o);
               },
               ""});
  r.push_back({"POST", base + "/systems", admin,
               [svc](const Request& req, const Caller& c) {
                 auto body = json_body(req, 256 * 1024);
                 if (!body) return fail(body.status());
                 auto in = system_input(*body);
                 if (!in) return fail(in.status());
                 auto d = svc->create_system(*in, person(c), now_ms());
                 if (!d) return fail(d.status());
                 auto view = svc->system_json(d->value.id, person(c), now_ms());
                 if (!view) return fail(view.status());
                 return done(*d, *view, 201);
               },
               "compliance.system.create"});
  r.push_back({"GET", base + "/systems/{id}", people,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 if (!id) return error_response(id.status());
                 auto v = svc->system_json(*id, person(c), now_ms());
                 if (!v) return error_response(v.status());
                 return json_ok(*v);
               },
               ""});
  r.push_back({"PUT", base + "/systems/{id}", admin,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 if (!id) return fail(id.status());
                 auto body = json_body(req, 256 * 1024);
                 if (!body) return fail(body.status());
                 auto in = system_input(*body);
                 if (!in) return fail(in.status());
                 auto d = svc->update_system(*id, *in, revision_of(*body), person(c), now_ms());
                 if (!d) return fail(d.status());
                 auto view = svc->system_json(*id, person(c), now_ms());
                 if (!view) return fail(view.status());
                 return done(*d, *view);
               },
               "compliance.system.update"});
  r.push_back({"PUT", base + "/systems/{id}/duties", admin,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 if (!id) return fail(id.status());
                 auto body = json_body(req, 64 * 1024);
                 if (!body) return fail(body.status());
                 std::vector<storage::DutyAssignment> duties;
                 if (auto* a = body->if_contains("duties"); a && !a->is_null()) {
                   if (!a->is_array() || a->get_array().size() > 200)
                     return fail(Status::invalid("field \"duties\" must be a list of at most 200"));
                   for (const auto& x : a->get_array()) {
                     if (!x.is_object()) return fail(Status::invalid("field \"duties\": entries must be {user, duty}"));
                     auto u = get_string(x.get_object(), "user", 64);
                     auto du = get_string(x.get_object(), "duty", 32);
                     if (!u) return fail(u.status());
                     if (!du) return fail(du.status());
                     duties.push_back({*u, *du});
                   }
                 }
                 auto d = svc->set_duties(*id, std::move(duties), revision_of(*body), person(c), now_ms());
                 if (!d) return fail(d.status());
                 auto view = svc->system_json(*id, person(c), now_ms());
                 if (!view) return fail(view.status());
                 return done(*d, *view);
               },
               "compliance.system.duties"});

  // --- dossiers
  r.push_back({"POST", base + "/systems/{id}/dossiers", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 if (!id) return fail(id.status());
                 auto body = json_body(req, 4096);
                 if (!body) return fail(body.status());
                 auto fw = get_string(*body, "framework", 64, false);
                 if (!fw) return fail(fw.status());
                 auto d = svc->start_dossier(*id, *fw, person(c), now_ms());
                 if (!d) return fail(d.status());
                 auto view = svc->dossier_json(*id, d->value.version, person(c), now_ms());
                 if (!view) return fail(view.status());
                 return done(*d, *view, 201);
               },
               "compliance.dossier.create"});
  r.push_back({"GET", base + "/systems/{id}/dossiers/{v}", people,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 auto v = id_param(req, "v");
                 if (!id) return error_response(id.status());
                 if (!v) return error_response(v.status());
                 auto o = svc->dossier_json(*id, *v, person(c), now_ms());
                 if (!o) return error_response(o.status());
                 return json_ok(*o);
               },
               ""});
  r.push_back({"PUT", base + "/systems/{id}/dossiers/{v}", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 auto v = id_param(req, "v");
                 if (!id) return fail(id.status());
                 if (!v) return fail(v.status());
                 auto body = json_body(req, 1 << 20);
                 if (!body) return fail(body.status());
                 compliance::DossierEdit e;
                 if (body->contains("framework")) {
                   auto f = get_string(*body, "framework", 64);
                   if (!f) return fail(f.status());
                   e.framework = *f;
                 }
                 if (auto* a = body->if_contains("answers"); a && !a->is_null()) {
                   if (!a->is_object()) return fail(Status::invalid("field \"answers\" must be an object"));
                   e.answers = a->get_object();
                 }
                 if (auto* p = body->if_contains("proposed_level"); p && !p->is_null()) {
                   auto n = get_int(*body, "proposed_level", 1, 5, std::nullopt);
                   if (!n) return fail(n.status());
                   e.proposed_level = static_cast<int>(*n);
                 }
                 for (const char* k : {"justification", "regulation_ref"}) {
                   if (!body->contains(k)) continue;
                   auto s = get_string(*body, k, storage::DossierLimits::kText, false);
                   if (!s) return fail(s.status());
                   (std::string_view(k) == "justification" ? e.justification : e.regulation_ref) = *s;
                 }
                 if (auto* p = body->if_contains("parts"); p && !p->is_null()) {
                   if (!p->is_object() || p->get_object().size() > 32)
                     return fail(Status::invalid("field \"parts\" must be an object of part id -> text"));
                   for (const auto& [k, t] : p->get_object()) {
                     if (!t.is_string()) return fail(Status::invalid("parts." + std::string(k) + ": must be text"));
                     e.part_texts.emplace_back(std::string(k), std::string(t.get_string()));
                   }
                 }
                 if (auto b = get_bool(*body, "regulation_approved")) e.regulation_approved = *b;
                 if (auto b = get_bool(*body, "system_running")) e.system_running = *b;
                 auto d = svc->edit_dossier(*id, *v, e, revision_of(*body), person(c), now_ms());
                 if (!d) return fail(d.status());
                 auto view = svc->dossier_json(*id, *v, person(c), now_ms());
                 if (!view) return fail(view.status());
                 return done(*d, *view);
               },
               "compliance.dossier.edit"});
  r.push_back({"POST", base + "/systems/{id}/dossiers/{v}/transitions", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 auto v = id_param(req, "v");
                 if (!id) return fail(id.status());
                 if (!v) return fail(v.status());
                 auto body = json_body(req, 256 * 1024);
                 if (!body) return fail(body.status());
                 compliance::TransitionInput in;
                 auto action = get_string(*body, "action", 64);
                 if (!action) return fail(action.status());
                 in.action = *action;
                 struct Field {
                   const char* key;
                   std::string* out;
                   size_t max;
                 } fields[] = {{"reasons", &in.reasons, storage::DossierLimits::kText},
                               {"opinion", &in.opinion, storage::DossierLimits::kText},
                               {"decision_number", &in.decision_number, storage::DossierLimits::kShort},
                               {"decision_date", &in.decision_date, 32},
                               {"pm_decision", &in.pm_decision, storage::DossierLimits::kShort},
                               {"trigger", &in.trigger, storage::DossierLimits::kText}};
                 for (const auto& f : fields) {
                   auto s = get_string(*body, f.key, f.max, false);
                   if (!s) return fail(s.status());
                   *f.out = *s;
                 }
                 in.confirmed = get_bool(*body, "confirmed").value_or(false);
                 auto d = svc->transition(*id, *v, in, revision_of(*body), person(c), now_ms());
                 if (!d) return fail(d.status());
                 auto view = svc->dossier_json(*id, d->value.version, person(c), now_ms());
                 if (!view) return fail(view.status());
                 return done(*d, *view);
               },
               "compliance.dossier.transition"});
  r.push_back({"POST", base + "/systems/{id}/dossiers/{v}/parts/{part}/files", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 auto v = id_param(req, "v");
                 if (!id) return fail(id.status());
                 if (!v) return fail(v.status());
                 if (!octet_stream(req)) return fail(Status::invalid("upload with Content-Type application/octet-stream"));
                 std::string name(req.query_param("name").value_or("evidence"));
                 auto d = svc->add_part_file(*id, *v, std::string(req.path_param("part")), name, req.body, person(c), now_ms());
                 if (!d) return fail(d.status());
                 auto view = svc->dossier_json(*id, *v, person(c), now_ms());
                 if (!view) return fail(view.status());
                 return done(*d, *view, 201);
               },
               "compliance.dossier.file"});
  r.push_back({"DELETE", base + "/systems/{id}/dossiers/{v}/parts/{part}/files/{sha}", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 auto v = id_param(req, "v");
                 if (!id) return fail(id.status());
                 if (!v) return fail(v.status());
                 auto d = svc->remove_part_file(*id, *v, std::string(req.path_param("part")),
                                                std::string(req.path_param("sha")), person(c), now_ms());
                 if (!d) return fail(d.status());
                 auto view = svc->dossier_json(*id, *v, person(c), now_ms());
                 if (!view) return fail(view.status());
                 return done(*d, *view);
               },
               "compliance.dossier.file_remove"});

  // --- controls and evidence
  r.push_back({"GET", base + "/systems/{id}/controls", people,
               [svc](const Request& req, const Caller&) {
                 auto id = id_param(req, "id");
                 if (!id) return error_response(id.status());
                 auto o = svc->controls_json(*id, now_ms());
                 if (!o) return error_response(o.status());
                 return json_ok(*o);
               },
               ""});
  r.push_back({"PUT", base + "/systems/{id}/controls/{cid}", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 if (!id) return fail(id.status());
                 auto body = json_body(req, 64 * 1024);
                 if (!body) return fail(body.status());
                 compliance::ControlEdit e;
                 auto st = get_string(*body, "status", 32, false);
                 auto reason = get_string(*body, "reason", storage::ControlStore::kMaxNotes, false);
                 auto notes = get_string(*body, "notes", storage::ControlStore::kMaxNotes, false);
                 for (auto* x : {&st, &reason, &notes})
                   if (!*x) return fail(x->status());
                 e.status = *st;
                 e.reason = *reason;
                 e.notes = *notes;
                 e.revision = revision_of(*body);
                 auto d = svc->set_control(*id, std::string(req.path_param("cid")), e, person(c), now_ms());
                 if (!d) return fail(d.status());
                 return done(*d, json::object{{"control", d->value.control}, {"status", d->value.status}, {"revision", d->value.revision}});
               },
               "compliance.control.status"});
  r.push_back({"POST", base + "/systems/{id}/controls/{cid}/links", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 if (!id) return fail(id.status());
                 auto body = json_body(req, 16 * 1024);
                 if (!body) return fail(body.status());
                 auto kind = get_string(*body, "kind", 16);
                 auto ref = get_string(*body, "ref", 2000);
                 auto label = get_string(*body, "label", 200, false);
                 for (auto* x : {&kind, &ref, &label})
                   if (!*x) return fail(x->status());
                 auto d = svc->add_control_link(*id, std::string(req.path_param("cid")), *kind, *ref, *label, person(c), now_ms());
                 if (!d) return fail(d.status());
                 return done(*d, json::object{{"control", d->value.control}, {"evidence", d->value.evidence.back().id},
                                              {"revision", d->value.revision}}, 201);
               },
               "compliance.control.evidence"});
  r.push_back({"POST", base + "/systems/{id}/controls/{cid}/files", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 if (!id) return fail(id.status());
                 if (!octet_stream(req)) return fail(Status::invalid("upload with Content-Type application/octet-stream"));
                 std::string name(req.query_param("name").value_or("evidence"));
                 auto d = svc->add_control_file(*id, std::string(req.path_param("cid")), name, req.body, person(c), now_ms());
                 if (!d) return fail(d.status());
                 const auto& e = d->value.evidence.back();
                 return done(*d, json::object{{"control", d->value.control}, {"evidence", e.id}, {"sha256", e.ref},
                                              {"size", e.size}, {"revision", d->value.revision}}, 201);
               },
               "compliance.control.evidence"});
  r.push_back({"DELETE", base + "/systems/{id}/controls/{cid}/evidence/{eid}", workers,
               [svc](const Request& req, const Caller& c) {
                 auto id = id_param(req, "id");
                 if (!id) return fail(id.status());
                 auto d = svc->remove_control_evidence(*id, std::string(req.path_param("cid")),
                                                       std::string(req.path_param("eid")), person(c), now_ms());
                 if (!d) return fail(d.status());
                 return done(*d, json::object{{"control", d->value.control}, {"revision", d->value.revision}});
               },
               "compliance.control.evidence_remove"});

  // --- files, reports
  r.push_back({"GET", base + "/files/{sha}", people,
               [svc](const Request& req, const Caller&) {
                 auto b = svc->file(req.path_param("sha"));
                 if (!b) return error_response(b.status());
                 if (!b.value()) return error_response(Status::not_found("no file with that SHA-256"));
                 Response resp;
                 // Never rendered by the browser, whatever the bytes are: a downloaded file, not a page
                 // served from our origin.
                 resp.content_type = "application/octet-stream";
                 resp.body = std::move(*b.value());
                 std::string name(req.query_param("name").value_or(std::string(req.path_param("sha"))));
                 resp.headers.emplace_back("content-disposition", attachment_disposition(name.substr(0, 200)));
                 resp.headers.emplace_back("x-content-type-options", "nosniff");
                 resp.headers.emplace_back("content-security-policy", "default-src 'none'; sandbox");
                 resp.headers.emplace_back("x-evidence-sha256", std::string(req.path_param("sha")));
                 return resp;
               },
               ""});
  r.push_back({"GET", base + "/systems/{id}/report", people,
               [svc](const Request& req, const Caller&) {
                 auto id = id_param(req, "id");
                 if (!id) return error_response(id.status());
                 int64_t now = now_ms();
                 auto p = period(req, now);
                 if (!p) return error_response(p.status());
                 auto o = svc->report_json(*id, p->first, p->second, now);
                 if (!o) return error_response(o.status());
                 return json_ok(*o);
               },
               ""});
  r.push_back({"GET", base + "/systems/{id}/report.csv", people,
               [svc](const Request& req, const Caller&) {
                 auto id = id_param(req, "id");
                 if (!id) return fail(id.status());
                 int64_t now = now_ms();
                 auto p = period(req, now);
                 if (!p) return fail(p.status());
                 auto csv = svc->report_csv(*id, p->first, p->second, now);
                 if (!csv) return fail(csv.status());
                 Response resp;
                 resp.content_type = "text/csv; charset=utf-8";
                 // The byte-order mark makes spreadsheet programs read the Vietnamese text as UTF-8.
                 resp.body = "\xEF\xBB\xBF" + std::move(*csv);
                 resp.headers.emplace_back("content-disposition",
                                           attachment_disposition("canh-system-" + std::to_string(*id) + "-report.csv"));
                 resp.headers.emplace_back("x-content-type-options", "nosniff");
                 audit_detail(resp, "report of system " + std::to_string(*id) + " for " + std::to_string(p->first) + ".." +
                                        std::to_string(p->second));
                 return resp;
               },
               "compliance.report.export"});
  return r;
}

}  // namespace canh::console
