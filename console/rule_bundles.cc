#include "console/rule_bundles.h"

#include "common/log.h"
#include "console/api_util.h"

namespace canh::console {

Result<BundleImport> import_bundle(RuleManager& rm, std::string_view bytes,
                                   const std::vector<rules::bundle::PublicKey>& trusted, std::string_view source,
                                   const std::string& author, bool allow_errors) {
  auto v = rules::bundle::verify_bundle(bytes, trusted, source);
  if (!v) return v.status();
  std::vector<std::pair<std::string, std::string>> files;
  for (auto& f : v->files) files.emplace_back(f.name, std::move(f.content));
  UploadReport rep = RuleManager::validate(files);
  BundleImport out;
  out.errors = rep.errors;
  for (const auto& e : rep.file_errors) out.errors.push_back(e);
  if (!out.errors.empty() && !allow_errors)
    return Status::invalid(std::string(source) + ": " + std::to_string(out.errors.size()) +
                           " rules in the bundle do not parse (first: " + out.errors.front() +
                           "); import with allow_errors to skip them");
  std::string note = "bundle " + v->manifest.version + " signed by key " + v->key.id + ", created " + v->manifest.created_at;
  if (!v->manifest.note.empty()) note += " (" + v->manifest.note + ")";
  auto cut = rm.upload(files, author, note);
  if (!cut) return cut.status();
  out.version = std::move(*cut);
  out.manifest = std::move(v->manifest);
  out.key_id = v->key.id;
  log::info("rules", "signed bundle imported")
      .kv("bundle", out.manifest.version)
      .kv("key", out.key_id)
      .kv("files", out.manifest.files.size())
      .kv("version", out.version.version)
      .kv("by", author);
  return out;
}

std::vector<http::Route> rule_bundle_routes(RuleManager& rm, TrustedKeys trusted) {
  std::vector<http::Route> r;
  r.push_back(
      {"POST", "/api/v1/rulesets/bundle", http::Access::of({http::Role::kAdmin}),
       [&rm, trusted](const http::Request& req, const http::Caller& c) {
         // Either the bundle itself (application/octet-stream, for scripts: curl --data-binary) or
         // JSON {"name", "bundle": base64, "allow_errors"} (the console page). A cross-site form can
         // send neither type without a preflight we never grant.
         std::string_view type = req.header("content-type");
         std::string name(req.query_param("name").value_or("upload"));
         bool allow_errors = req.query_param("allow_errors").value_or("") == "1";
         std::string from_json;
         if (type.substr(0, 16) == "application/json") {
           auto body = json_body(req, 48u << 20);
           if (!body) return error_response(body.status());
           auto b64 = get_string(*body, "bundle", 48u << 20);
           if (!b64) return error_response(b64.status());
           auto bytes = rules::bundle::decode_base64(*b64);
           if (!bytes) return http::Response::error(400, "field \"bundle\": " + bytes.status().message());
           from_json = std::move(*bytes);
           auto n = get_string(*body, "name", 200, false);
           if (!n) return error_response(n.status());
           if (!n->empty()) name = *n;
           allow_errors = get_bool(*body, "allow_errors").value_or(false);
         } else if (type.substr(0, 24) != "application/octet-stream") {
           return http::Response::error(415, "send the bundle as application/octet-stream, or as base64 in JSON");
         }
         const std::string& bundle = type.substr(0, 16) == "application/json" ? from_json : req.body;
         auto keys = trusted();
         if (!keys) {
           auto resp = http::Response::error(503, "no trusted rule-bundle keys: " + keys.status().message());
           audit_detail(resp, "bundle refused: " + keys.status().message());
           return resp;
         }
         if (name.size() > 200) name.resize(200);
         auto imp = import_bundle(rm, bundle, *keys, name, c.name, allow_errors);
         if (!imp) {
           log::warn("rules", "rule bundle refused").kv("by", c.name).kv("error", imp.status().message());
           auto resp = error_response(imp.status());  // 403 for key and signature failures
           audit_detail(resp, "bundle refused: " + imp.status().message());
           return resp;
         }
         json::array files;
         for (const auto& f : imp->manifest.files)
           files.push_back(json::object{{"name", f.name}, {"sha256", f.sha256}, {"bytes", f.bytes}});
         json::object o{{"version", imp->version.version},
                        {"change", imp->version.change},
                        {"rules_loadable", imp->version.rules_loadable},
                        {"rules_skipped", imp->version.rules_skipped},
                        {"errors", json::array(imp->errors.begin(), imp->errors.end())},
                        {"bundle", json::object{{"version", imp->manifest.version},
                                                {"created_at", imp->manifest.created_at},
                                                {"key_id", imp->key_id},
                                                {"note", imp->manifest.note},
                                                {"files", files}}}};
         auto resp = json_ok(o, 201);
         audit_detail(resp, "version " + std::to_string(imp->version.version) + ": bundle " + imp->manifest.version +
                                " signed by key " + imp->key_id);
         return resp;
       },
       "rules.bundle_import"});
  return r;
}

}  // namespace canh::console
