// Rules: browse and search the current rule set, switch rules on and off, upload a new set
// (validated: every rule that does not parse is reported as file:line), versions and rollback,
// suppressions and thresholds, and the routes sensors load the current version from.
#include <algorithm>
#include <charconv>

#include "console/api_util.h"
#include "console/console.h"
#include "rules/address.h"
#include "rules/threshold_config.h"

namespace canh::console {

using http::Access;
using http::Caller;
using http::Request;
using http::Response;
using http::Role;

namespace {

json::object version_json(const storage::RuleSetVersion& v, bool with_thresholds) {
  json::array files;
  for (const auto& f : v.files) files.push_back(json::object{{"name", f.name}, {"sha256", f.sha256}, {"bytes", f.bytes}});
  json::object o{{"version", v.version},
                 {"parent", v.parent},
                 {"author", v.author},
                 {"created_ms", v.created_ms},
                 {"change", v.change},
                 {"files", files},
                 {"disabled_sids", json::array(v.disabled_sids.begin(), v.disabled_sids.end())},
                 {"enabled_sids", json::array(v.enabled_sids.begin(), v.enabled_sids.end())},
                 {"rules_loadable", v.rules_loadable},
                 {"rules_skipped", v.rules_skipped},
                 {"rules_errors", v.rules_errors},
                 {"rules_disabled", v.rules_disabled}};
  if (with_thresholds) o["thresholds"] = v.thresholds;
  return o;
}

std::string_view rule_status(const rules::RuleEntry& e) {
  if (!e.enabled) return "disabled";
  if (!e.error.empty()) return "error";
  if (!e.skip_reason.empty()) return "skipped";
  return "active";
}

json::object rule_json(const rules::RuleEntry& e, bool with_text) {
  json::object o{{"sid", e.sid},     {"gid", e.gid},       {"rev", e.rev},           {"msg", e.msg},
                 {"classtype", e.classtype}, {"file", e.file}, {"line", e.line},      {"enabled", e.enabled},
                 {"status", rule_status(e)}, {"skip_reason", e.skip_reason}, {"error", e.error}};
  if (with_text) {
    o["text"] = e.text;
    json::array notes;
    for (const auto& n : e.notes) notes.push_back(json::string(n));
    o["notes"] = notes;
  }
  return o;
}

json::object supp_json(const storage::Suppression& s, int64_t now) {
  return {{"id", s.id},
          {"kind", s.kind},
          {"gid", s.gid},
          {"sid", s.sid},
          {"track", s.track},
          {"ip", s.ip},
          {"threshold_type", s.threshold_type},
          {"count", s.count},
          {"seconds", s.seconds},
          {"reason", s.reason},
          {"author", s.author},
          {"alert", s.alert},
          {"created_ms", s.created_ms},
          {"expires_ms", s.expires_ms},
          {"removed_ms", s.removed_ms},
          {"removed_by", s.removed_by},
          {"version", s.version},
          {"active", s.active(now)},
          {"line", s.config_line()}};
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); });
  return it != hay.end();
}

Result<uint64_t> path_number(const Request& req, std::string_view name) {
  std::string_view v = req.path_param(name);
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty())
    return Status::invalid(std::string(name) + " \"" + std::string(v) + "\" is not a number");
  return n;
}

// Reads {"files":[{"name":..,"content":..}]} with names that are plain file names.
Result<std::vector<std::pair<std::string, std::string>>> upload_files(const json::object& body) {
  auto* f = body.if_contains("files");
  if (!f || !f->is_array() || f->get_array().empty()) return Status::invalid("field \"files\" must be a non-empty array");
  if (f->get_array().size() > 200) return Status::invalid("at most 200 files per rule set");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& x : f->get_array()) {
    if (!x.is_object()) return Status::invalid("files[]: each entry must be an object with name and content");
    auto name = get_string(x.get_object(), "name", 200);
    auto content = get_string(x.get_object(), "content", 64u << 20);
    if (!name) return name.status();
    if (!content) return content.status();
    if (name->empty() || name->find('/') != std::string::npos || name->find('\\') != std::string::npos ||
        name->front() == '.')
      return Status::invalid("file name \"" + *name + "\" must be a plain name like emerging-scan.rules");
    for (const auto& [n, c] : out)
      if (n == *name) return Status::invalid("file \"" + *name + "\" appears twice");
    out.emplace_back(std::move(*name), std::move(*content));
  }
  return out;
}

}  // namespace

// Validates a suppression as Suricata's threshold.config would read it, with the rules library's
// own parser, so what the console accepts is exactly what the sensors load.
Result<storage::Suppression> Console::suppression_from(const json::object& body, const Caller& c) {
  storage::Suppression s;
  auto kind = get_string(body, "kind", 16, false);
  if (!kind) return kind.status();
  s.kind = kind->empty() ? "suppress" : *kind;
  if (s.kind != "suppress" && s.kind != "threshold") return Status::invalid("field \"kind\" must be suppress or threshold");
  auto sid = get_int(body, "sid", 0, UINT32_MAX, std::nullopt);
  auto gid = get_int(body, "gid", 0, UINT32_MAX, 1);
  if (!sid) return sid.status();
  if (!gid) return gid.status();
  s.sid = static_cast<uint32_t>(*sid);
  s.gid = static_cast<uint32_t>(*gid);
  auto track = get_string(body, "track", 16, false);
  if (!track) return track.status();
  s.track = *track;
  if (!s.track.empty() && s.track != "by_src" && s.track != "by_dst" && s.track != "by_either")
    return Status::invalid("field \"track\" must be by_src, by_dst or by_either");
  auto ip = get_string(body, "ip", 128, false);
  if (!ip) return ip.status();
  s.ip = *ip;
  if (s.kind == "suppress") {
    if (s.track.empty() != s.ip.empty()) return Status::invalid("a scoped suppression needs both track and ip");
    if (!s.ip.empty()) {
      // One address or one network, no variables or lists: a suppression is scoped to what the
      // analyst saw in the alert.
      if (s.ip.find_first_of("[]$!, ") != std::string::npos)
        return Status::invalid("field \"ip\" must be one address or CIDR network");
      auto parsed = rules::parse_address_set(s.ip, {});
      if (!parsed) return Status::invalid("field \"ip\": " + parsed.status().message());
    }
  } else {
    if (s.sid == 0) return Status::invalid("a threshold needs a sid (Suricata does not apply sid 0 thresholds)");
    auto type = get_string(body, "threshold_type", 16);
    if (!type) return type.status();
    s.threshold_type = *type;
    if (s.threshold_type != "limit" && s.threshold_type != "threshold" && s.threshold_type != "both")
      return Status::invalid("field \"threshold_type\" must be limit, threshold or both");
    if (s.track.empty()) s.track = "by_src";
    if (s.track == "by_either") return Status::invalid("a threshold tracks by_src or by_dst");
    auto count = get_int(body, "count", 1, 1000000, std::nullopt);
    auto seconds = get_int(body, "seconds", 1, 86400 * 7, std::nullopt);
    if (!count) return count.status();
    if (!seconds) return seconds.status();
    s.count = static_cast<uint32_t>(*count);
    s.seconds = static_cast<uint32_t>(*seconds);
    s.ip.clear();
  }
  auto reason = get_string(body, "reason", 1000);
  if (!reason) return reason.status();
  if (reason->empty()) return Status::invalid("field \"reason\" must say why");
  s.reason = *reason;
  auto alert = get_string(body, "alert", 64, false);
  if (!alert) return alert.status();
  s.alert = *alert;
  auto hours = get_int(body, "expires_hours", 0, 24 * 366, 24 * 7);
  if (!hours) return hours.status();
  s.created_ms = now_ms();
  s.expires_ms = *hours == 0 ? 0 : s.created_ms + *hours * 3600000ll;
  s.author = c.name;
  auto cfg = rules::parse_threshold_config(s.config_line() + "\n", "suppression", {});
  if (!cfg.errors.empty()) return Status::invalid(cfg.errors.front());
  if (!cfg.warnings.empty()) return Status::invalid(cfg.warnings.front());
  return s;
}

std::vector<http::Route> Console::rules_routes() {
  std::vector<http::Route> r;
  const Access editors = Access::of({Role::kAdmin, Role::kAnalyst});
  const Access admin = Access::of({Role::kAdmin});

  r.push_back({"GET", "/api/v1/rules", Access::people(),
               [this](const Request& req, const Caller&) {
                 auto cur = rule_manager_.current();
                 if (!cur) return error_response(cur.status());
                 auto offset = query_int(req, "offset", 0, 10000000, 0);
                 auto limit = query_int(req, "limit", 1, 1000, 100);
                 if (!offset) return error_response(offset.status());
                 if (!limit) return error_response(limit.status());
                 std::string q(req.query_param("q").value_or(""));
                 std::string status(req.query_param("status").value_or(""));
                 std::string file(req.query_param("file").value_or(""));
                 json::array out;
                 size_t total = 0;
                 json::object o;
                 if (*cur) {
                   for (const auto& e : (*cur)->set.entries()) {
                     if (!status.empty() && rule_status(e) != status) continue;
                     if (!file.empty() && e.file != file) continue;
                     if (!q.empty() && std::to_string(e.sid) != q && !icontains(e.msg, q) && !icontains(e.classtype, q))
                       continue;
                     if (total >= static_cast<size_t>(*offset) && out.size() < static_cast<size_t>(*limit))
                       out.push_back(rule_json(e, false));
                     ++total;
                   }
                   auto st = (*cur)->set.stats();
                   json::object skipped;
                   for (const auto& [reason, n] : st.skipped) skipped[reason] = n;
                   o["stats"] = json::object{{"read", st.read},         {"enabled", st.enabled}, {"disabled", st.disabled},
                                             {"errors", st.errors},     {"loadable", st.loadable},
                                             {"skipped", skipped}};
                   o["version"] = (*cur)->meta.version;
                 } else {
                   o["version"] = 0;
                 }
                 o["total"] = total;
                 o["rules"] = out;
                 return json_ok(o);
               },
               ""});

  r.push_back({"GET", "/api/v1/rules/{sid}", Access::people(),
               [this](const Request& req, const Caller&) {
                 auto sid = path_number(req, "sid");
                 if (!sid) return error_response(sid.status());
                 auto cur = rule_manager_.current();
                 if (!cur) return error_response(cur.status());
                 if (*cur)
                   for (const auto& e : (*cur)->set.entries())
                     if (e.sid == *sid) return json_ok(rule_json(e, true));
                 return Response::error(404, "sid " + std::to_string(*sid) + " is not in the current rule set");
               },
               ""});

  r.push_back({"POST", "/api/v1/rules/{sid}/enabled", editors,
               [this](const Request& req, const Caller& c) {
                 auto sid = path_number(req, "sid");
                 if (!sid) return error_response(sid.status());
                 auto body = json_body(req);
                 if (!body) return error_response(body.status());
                 auto en = get_bool(*body, "enabled");
                 if (!en) return Response::error(400, "field \"enabled\" must be true or false");
                 auto reason = get_string(*body, "reason", 1000, false);
                 if (!reason) return error_response(reason.status());
                 auto v = rule_manager_.set_enabled(static_cast<uint32_t>(*sid), *en, c.name, *reason);
                 if (!v) return error_response(v.status());
                 auto resp = json_ok(version_json(*v, false));
                 audit_detail(resp, "version " + std::to_string(v->version) + ": " + v->change);
                 return resp;
               },
               "rules.enable"});

  r.push_back({"GET", "/api/v1/rulesets", Access::people(),
               [this](const Request& req, const Caller&) {
                 auto limit = query_int(req, "limit", 1, 1000, 50);
                 if (!limit) return error_response(limit.status());
                 auto l = rules_.list(static_cast<size_t>(*limit));
                 if (!l) return error_response(l.status());
                 json::array a;
                 for (const auto& v : *l) a.push_back(version_json(v, false));
                 return json_ok(json::object{{"current", rules_.current_version()}, {"versions", a}});
               },
               ""});

  r.push_back({"GET", "/api/v1/rulesets/{version}", Access::people(),
               [this](const Request& req, const Caller&) {
                 auto n = path_number(req, "version");
                 if (!n) return error_response(n.status());
                 auto v = rules_.get(*n);
                 if (!v) return error_response(v.status());
                 if (!v.value()) return Response::error(404, "no rule-set version " + std::to_string(*n));
                 return json_ok(version_json(*v.value(), true));
               },
               ""});

  r.push_back({"POST", "/api/v1/rulesets/validate", editors,
               [](const Request& req, const Caller&) {
                 auto body = json_body(req, 64u << 20);
                 if (!body) return error_response(body.status());
                 auto files = upload_files(*body);
                 if (!files) return error_response(files.status());
                 auto rep = RuleManager::validate(*files);
                 json::object skipped;
                 for (const auto& [reason, n] : rep.stats.skipped) skipped[reason] = n;
                 return json_ok(json::object{{"errors", json::array(rep.errors.begin(), rep.errors.end())},
                                             {"loadable", rep.stats.loadable},
                                             {"read", rep.stats.read},
                                             {"skipped", skipped}});
               },
               "rules.validate"});

  r.push_back({"POST", "/api/v1/rulesets", admin,
               [this](const Request& req, const Caller& c) {
                 auto body = json_body(req, 64u << 20);
                 if (!body) return error_response(body.status());
                 auto files = upload_files(*body);
                 if (!files) return error_response(files.status());
                 auto note = get_string(*body, "note", 1000, false);
                 if (!note) return error_response(note.status());
                 bool allow_errors = get_bool(*body, "allow_errors").value_or(false);
                 auto rep = RuleManager::validate(*files);
                 if (!rep.errors.empty() && !allow_errors) {
                   json::object o{{"error", std::to_string(rep.errors.size()) + " rules do not parse; fix them or upload "
                                                "with allow_errors to skip them"},
                                  {"errors", json::array(rep.errors.begin(), rep.errors.end())}};
                   auto resp = json_ok(o, 400);
                   audit_detail(resp, "upload refused: " + std::to_string(rep.errors.size()) + " rules do not parse");
                   return resp;
                 }
                 auto v = rule_manager_.upload(*files, c.name, *note);
                 if (!v) return error_response(v.status());
                 json::object o = version_json(*v, false);
                 o["errors"] = json::array(rep.errors.begin(), rep.errors.end());
                 auto resp = json_ok(o, 201);
                 audit_detail(resp, "version " + std::to_string(v->version) + ": " + v->change + " (" +
                                        std::to_string(v->rules_loadable) + " loadable, " +
                                        std::to_string(v->rules_skipped) + " skipped)");
                 return resp;
               },
               "rules.upload"});

  r.push_back({"POST", "/api/v1/rulesets/{version}/activate", admin,
               [this](const Request& req, const Caller& c) {
                 auto n = path_number(req, "version");
                 if (!n) return error_response(n.status());
                 auto v = rule_manager_.rollback(*n, c.name);
                 if (!v) return error_response(v.status());
                 auto resp = json_ok(version_json(*v, false));
                 audit_detail(resp, "version " + std::to_string(v->version) + ": " + v->change);
                 return resp;
               },
               "rules.rollback"});

  // --- suppressions and thresholds
  r.push_back({"GET", "/api/v1/suppressions", Access::people(),
               [this](const Request& req, const Caller&) {
                 auto l = suppressions_.list();
                 if (!l) return error_response(l.status());
                 int64_t now = now_ms();
                 bool active_only = req.query_param("active").value_or("") == "1";
                 std::string sid(req.query_param("sid").value_or(""));
                 json::array a;
                 for (const auto& s : *l) {
                   if (active_only && !s.active(now)) continue;
                   if (!sid.empty() && std::to_string(s.sid) != sid) continue;
                   a.push_back(supp_json(s, now));
                 }
                 return json_ok(json::object{{"suppressions", a}, {"current_version", rules_.current_version()}});
               },
               ""});

  r.push_back({"POST", "/api/v1/suppressions", editors,
               [this](const Request& req, const Caller& c) {
                 auto body = json_body(req);
                 if (!body) return error_response(body.status());
                 auto s = suppression_from(*body, c);
                 if (!s) return error_response(s.status());
                 auto added = suppressions_.add(*s);
                 if (!added) return error_response(added.status());
                 auto v = rule_manager_.refresh_thresholds(c.name, "added " + added->kind + " " + std::to_string(added->id) +
                                                                       " for sid " + std::to_string(added->sid) + ": " +
                                                                       added->reason,
                                                           now_ms());
                 if (!v) return error_response(v.status());
                 added->version = v->version;
                 (void)suppressions_.put(*added);
                 json::object o = supp_json(*added, now_ms());
                 auto resp = json_ok(o, 201);
                 audit_detail(resp, added->kind + " " + std::to_string(added->id) + " \"" + added->config_line() +
                                        "\" in rule-set version " + std::to_string(v->version) + ": " + added->reason);
                 return resp;
               },
               "suppression.add"});

  r.push_back({"DELETE", "/api/v1/suppressions/{id}", editors,
               [this](const Request& req, const Caller& c) {
                 auto id = path_number(req, "id");
                 if (!id) return error_response(id.status());
                 auto s = suppressions_.get(*id);
                 if (!s) return error_response(s.status());
                 if (!s.value()) return Response::error(404, "no suppression " + std::to_string(*id));
                 if (s.value()->removed_ms) return Response::error(409, "suppression " + std::to_string(*id) + " was removed already");
                 storage::Suppression x = *s.value();
                 x.removed_ms = now_ms();
                 x.removed_by = c.name;
                 Status st = suppressions_.put(x);
                 if (!st) return error_response(st);
                 auto v = rule_manager_.refresh_thresholds(c.name, "removed " + x.kind + " " + std::to_string(x.id), now_ms());
                 if (!v) return error_response(v.status());
                 auto resp = json_ok(supp_json(x, now_ms()));
                 audit_detail(resp, x.kind + " " + std::to_string(x.id) + " removed; rule-set version " +
                                        std::to_string(v->version));
                 return resp;
               },
               "suppression.remove"});

  // --- what sensors load. `?have=N`: a sensor already running version N gets {"version":N,
  // "unchanged":true} and nothing else, so polling costs one small response.
  r.push_back({"GET", "/api/v1/sensor/ruleset", Access::sensors(),
               [this](const Request& req, const Caller&) {
                 // An expired suppression must stop applying: cut a version if the active set changed.
                 auto refreshed = rule_manager_.refresh_thresholds("canh", "suppressions expired", now_ms());
                 if (!refreshed) return error_response(refreshed.status());
                 auto cur = rules_.current();
                 if (!cur) return error_response(cur.status());
                 if (!cur.value()) return json_ok(json::object{{"version", 0}});
                 auto have = query_int(req, "have", 0, INT64_MAX, -1);
                 if (have && *have == static_cast<int64_t>(cur.value()->version))
                   return json_ok(json::object{{"version", cur.value()->version}, {"unchanged", true}});
                 return json_ok(version_json(*cur.value(), true));
               },
               ""});

  r.push_back({"GET", "/api/v1/sensor/rulefile/{sha256}", Access::sensors(),
               [this](const Request& req, const Caller&) {
                 auto text = rules_.file_text(req.path_param("sha256"));
                 if (!text) return error_response(text.status());
                 Response resp;
                 resp.content_type = "text/plain; charset=utf-8";
                 resp.body = std::move(*text);
                 return resp;
               },
               ""});
  return r;
}

}  // namespace canh::console
