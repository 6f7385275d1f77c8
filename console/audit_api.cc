// The audit trail for admins and auditors: newest-first pages, filters, chain verification and a
// raw export whose lines are the exact hashed bytes (storage/audit_log.h explains the format).
#include "console/api_util.h"
#include "console/console.h"

namespace canh::console {

using http::Access;
using http::Caller;
using http::Request;
using http::Response;
using http::Role;

namespace {

json::object record_json(const storage::AuditRecord& r) {
  return {{"seq", r.seq},           {"time_ms", r.time_ms},   {"actor_kind", r.actor_kind}, {"actor", r.actor},
          {"actor_name", r.actor_name}, {"role", r.role},     {"action", r.action},         {"method", r.method},
          {"path", r.path},         {"remote", r.remote},     {"status", r.status},         {"detail", r.detail},
          {"prev", r.prev},         {"hash", r.hash}};
}

}  // namespace

std::vector<http::Route> Console::audit_routes() {
  std::vector<http::Route> r;
  const Access readers = Access::of({Role::kAdmin, Role::kAuditor});

  r.push_back({"GET", "/api/v1/audit", readers,
               [this](const Request& req, const Caller&) {
                 auto before = query_int(req, "before", 0, INT64_MAX, 0);
                 auto limit = query_int(req, "limit", 1, 1000, 100);
                 if (!before) return error_response(before.status());
                 if (!limit) return error_response(limit.status());
                 std::string action(req.query_param("action").value_or(""));
                 std::string actor(req.query_param("actor").value_or(""));
                 std::string path(req.query_param("path").value_or(""));
                 auto l = audit_.list_newest(static_cast<uint64_t>(*before), static_cast<size_t>(*limit),
                                             [&](const storage::AuditRecord& a) {
                                               if (!action.empty() && a.action.rfind(action, 0) != 0) return false;
                                               if (!actor.empty() && a.actor_name != actor) return false;
                                               if (!path.empty() && a.path.find(path) == std::string::npos) return false;
                                               return true;
                                             });
                 if (!l) return error_response(l.status());
                 json::array a;
                 for (const auto& rec : *l) a.push_back(record_json(rec));
                 json::object o{{"records", a}};
                 if (!l->empty() && l->back().seq > 1) o["next_before"] = l->back().seq;
                 return json_ok(o);
               },
               ""});

  r.push_back({"GET", "/api/v1/audit/verify", readers,
               [this](const Request&, const Caller&) {
                 auto rep = audit_.verify();
                 return json_ok(json::object{{"ok", rep.ok},
                                             {"records", rep.records},
                                             {"first_bad_seq", rep.first_bad_seq},
                                             {"problem", rep.problem},
                                             {"last_hash", rep.last_hash}});
               },
               "audit.verify"});

  r.push_back({"GET", "/api/v1/audit/export", readers,
               [this](const Request& req, const Caller&) {
                 auto after = query_int(req, "after", 0, INT64_MAX, 0);
                 auto limit = query_int(req, "limit", 1, 1000000, 100000);
                 if (!after) return error_response(after.status());
                 if (!limit) return error_response(limit.status());
                 auto l = audit_.list(static_cast<uint64_t>(*after), static_cast<size_t>(*limit));
                 if (!l) return error_response(l.status());
                 Response resp;
                 resp.content_type = "application/x-ndjson";
                 for (const auto& rec : *l) {
                   resp.body += rec.raw;
                   resp.body += '\n';
                 }
                 resp.headers.emplace_back("content-disposition", "attachment; filename=\"canh-audit.ndjson\"");
                 return resp;
               },
               "audit.export"});
  return r;
}

}  // namespace canh::console
