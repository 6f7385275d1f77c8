// The sensor fleet for network admins: health from heartbeats (last seen, packets, drop %, alerts
// per second, the rule-set version each sensor runs against the current one, software version),
// enrolment tokens and decommissioning. Enrolment and heartbeats themselves are the collector's
// routes; this is the people's side of the same SensorStore.
#include <charconv>

#include "console/api_util.h"
#include "console/console.h"
#include "storage/sensor_store.h"

namespace canh::console {

using http::Access;
using http::Caller;
using http::Request;
using http::Response;
using http::Role;

namespace {

constexpr int64_t kTokenTtlMs = 24ll * 3600 * 1000;
// A sensor that has not sent a heartbeat for this long is shown as silent: it may be blind although
// its last report said all was well (securityonion#3823).
constexpr int64_t kSilentAfterMs = 5 * 60 * 1000;

Result<uint32_t> sensor_id(const Request& req) {
  std::string_view v = req.path_param("id");
  uint32_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty())
    return Status::invalid("sensor id \"" + std::string(v) + "\" is not a number");
  return n;
}

json::object health_json(const storage::SensorHealth& h) {
  return {{"received_ms", h.received_ms},     {"packets", h.packets},
          {"bytes", h.bytes},                 {"drops", h.drops},
          {"alerts", h.alerts},               {"flows", h.flows},
          {"uptime_seconds", h.uptime_seconds}, {"ruleset_version", h.ruleset_version},
          {"software_version", h.software_version}, {"spool_batches", h.spool_batches},
          {"spool_bytes", h.spool_bytes},     {"spool_dropped_alerts", h.spool_dropped_alerts}};
}

}  // namespace

std::vector<http::Route> Console::sensor_routes() {
  std::vector<http::Route> r;
  const Access admin = Access::of({Role::kAdmin});

  r.push_back({"GET", "/api/v1/sensors", Access::people(),
               [this](const Request&, const Caller&) {
                 auto l = sensors().list();
                 if (!l) return error_response(l.status());
                 int64_t now = now_ms();
                 uint64_t current = rules_.current_version();
                 json::array out;
                 for (const auto& s : *l) {
                   json::object o{{"id", s.id},
                                  {"name", s.name},
                                  {"description", s.description},
                                  {"state", std::string(storage::sensor_state_name(s.state))},
                                  {"created_ms", s.created_ms},
                                  {"enrolled_ms", s.enrolled_ms},
                                  {"decommissioned_ms", s.decommissioned_ms},
                                  {"token_expires_ms", s.token_expires_ms},
                                  {"hostname", s.hostname}};
                   if (s.health) {
                     const auto& h = *s.health;
                     o["health"] = health_json(h);
                     double seen = static_cast<double>(h.packets + h.drops);
                     o["drop_percent"] = seen > 0 ? 100.0 * static_cast<double>(h.drops) / seen : 0.0;
                     o["silent"] = now - h.received_ms > kSilentAfterMs;
                     // Rates from the last two heartbeats; counters restart with the sensor.
                     auto hist = sensors().health_history(s.id, h.received_ms - 3600ll * 1000, h.received_ms + 1, 1000);
                     if (hist && hist->size() >= 2) {
                       const auto& a = (*hist)[hist->size() - 2];
                       const auto& b = hist->back();
                       double dt = static_cast<double>(b.received_ms - a.received_ms) / 1000.0;
                       if (dt > 0 && b.alerts >= a.alerts && b.packets >= a.packets) {
                         o["alerts_per_second"] = static_cast<double>(b.alerts - a.alerts) / dt;
                         o["packets_per_second"] = static_cast<double>(b.packets - a.packets) / dt;
                       }
                     }
                     o["ruleset_current"] = !h.ruleset_version.empty() && h.ruleset_version == std::to_string(current);
                   }
                   out.push_back(std::move(o));
                 }
                 return json_ok(json::object{{"sensors", out}, {"current_ruleset", current}});
               },
               ""});

  r.push_back({"GET", "/api/v1/sensors/{id}/health", Access::people(),
               [this](const Request& req, const Caller&) {
                 auto id = sensor_id(req);
                 if (!id) return error_response(id.status());
                 int64_t now = now_ms();
                 auto from = query_int(req, "from", 0, INT64_MAX, now - 24ll * 3600 * 1000);
                 auto to = query_int(req, "to", 0, INT64_MAX, now + 1);
                 if (!from) return error_response(from.status());
                 if (!to) return error_response(to.status());
                 auto h = sensors().health_history(*id, *from, *to, 2000);
                 if (!h) return error_response(h.status());
                 json::array out;
                 for (const auto& x : *h) out.push_back(health_json(x));
                 return json_ok(json::object{{"history", out}});
               },
               ""});

  r.push_back({"POST", "/api/v1/sensors", admin,
               [this](const Request& req, const Caller&) {
                 auto body = json_body(req);
                 if (!body) return error_response(body.status());
                 auto name = get_string(*body, "name", 64);
                 auto desc = get_string(*body, "description", 500, false);
                 if (!name) return error_response(name.status());
                 if (!desc) return error_response(desc.status());
                 auto c = sensors().create(*name, *desc, now_ms(), kTokenTtlMs);
                 if (!c) return error_response(c.status());
                 auto resp = json_ok(json::object{{"id", c->sensor.id},
                                                  {"name", c->sensor.name},
                                                  {"enrolment_token", c->enrolment_token},
                                                  {"token_expires_ms", c->sensor.token_expires_ms}},
                                     201);
                 audit_detail(resp, "sensor " + std::to_string(c->sensor.id) + " \"" + c->sensor.name + "\" created");
                 return resp;
               },
               "sensor.create"});

  r.push_back({"POST", "/api/v1/sensors/{id}/token", admin,
               [this](const Request& req, const Caller&) {
                 auto id = sensor_id(req);
                 if (!id) return error_response(id.status());
                 auto t = sensors().issue_token(*id, now_ms(), kTokenTtlMs);
                 if (!t) return error_response(t.status());
                 auto resp = json_ok(json::object{{"id", *id}, {"enrolment_token", *t},
                                                  {"token_expires_ms", now_ms() + kTokenTtlMs}},
                                     201);
                 audit_detail(resp, "new enrolment token for sensor " + std::to_string(*id));
                 return resp;
               },
               "sensor.token"});

  r.push_back({"POST", "/api/v1/sensors/{id}/decommission", admin,
               [this](const Request& req, const Caller&) {
                 auto id = sensor_id(req);
                 if (!id) return error_response(id.status());
                 Status s = sensors().decommission(*id, now_ms());
                 if (!s) return error_response(s);
                 auto resp = json_ok(json::object{{"id", *id}, {"state", "decommissioned"}});
                 audit_detail(resp, "sensor " + std::to_string(*id) + " decommissioned");
                 return resp;
               },
               "sensor.decommission"});
  return r;
}

}  // namespace canh::console
