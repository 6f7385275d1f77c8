#include "collector/collector.h"

#include <boost/json.hpp>
#include <chrono>
#include <string>

#include "collector/eve_alert.h"
#include "common/log.h"

namespace canh::collector {

namespace json = boost::json;
using http::Access;
using http::Caller;
using http::Request;
using http::Response;
using http::Role;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Response json_response(int status, const json::value& v) { return Response::json(status, json::serialize(v)); }

int status_of(const Status& s) {
  switch (s.code()) {
    case Status::Code::kOk: return 200;
    case Status::Code::kInvalid: return 400;
    case Status::Code::kNotFound: return 404;
    case Status::Code::kConflict: return 409;
    case Status::Code::kPermission: return 403;
    case Status::Code::kUnavailable: return 503;
    case Status::Code::kIo:
    case Status::Code::kInternal: return 500;
  }
  return 500;
}
Response error_of(const Status& s) { return Response::error(status_of(s), s.message()); }

Result<json::object> json_object_body(const Request& req, size_t max_bytes) {
  if (req.header("content-type").substr(0, 16) != "application/json")
    return Status::invalid("Content-Type must be application/json");
  if (req.body.size() > max_bytes) return Status::invalid("request body larger than " + std::to_string(max_bytes) + " bytes");
  boost::system::error_code ec;
  json::parse_options po;
  po.max_depth = 8;
  auto v = json::parse(req.body, ec, {}, po);
  if (ec) return Status::invalid("request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::invalid("request body must be a JSON object");
  return std::move(v.get_object());
}

Result<std::string> str_field(const json::object& o, std::string_view key, size_t max, bool required) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required) return Status::invalid("missing field \"" + std::string(key) + "\"");
    return std::string();
  }
  if (!v->is_string()) return Status::invalid("field \"" + std::string(key) + "\" must be a string");
  if (v->get_string().size() > max)
    return Status::invalid("field \"" + std::string(key) + "\" longer than " + std::to_string(max) + " bytes");
  return std::string(v->get_string());
}

Result<uint64_t> count_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return uint64_t{0};
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<uint64_t>(v->get_int64());
  return Status::invalid("field \"" + std::string(key) + "\" must be a non-negative integer");
}

void audit_detail(Response& r, std::string detail) { r.headers.emplace_back("x-canh-audit-detail", std::move(detail)); }

bool parse_hex64(std::string_view s, uint64_t* out) {
  if (s.size() != 16) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<unsigned>(d);
  }
  *out = v;
  return true;
}

bool parse_dec64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Collector::Collector(storage::AlertStore& alerts, storage::SensorStore& sensors, CollectorOptions options)
    : alerts_(alerts), sensors_(sensors), options_(std::move(options)), ingestor_(alerts, options_.ingest) {}

Result<std::optional<Caller>> Collector::authenticate(const Request& req) const {
  std::string_view authz = req.header("authorization");
  if (authz.size() <= 7 || (authz.substr(0, 7) != "Bearer " && authz.substr(0, 7) != "bearer "))
    return std::optional<Caller>();
  std::string_view cred = authz.substr(7);
  if (cred.substr(0, storage::kSensorCredentialPrefix.size()) != storage::kSensorCredentialPrefix)
    return std::optional<Caller>();
  auto s = sensors_.authenticate(cred);
  if (!s) return s.status();
  if (!s->has_value()) return std::optional<Caller>();
  return std::optional<Caller>(
      Caller{Caller::Kind::kSensor, std::to_string((*s)->id), (*s)->name, Role::kSensor});
}

Response Collector::enrol(const Request& req) {
  auto body = json_object_body(req, 4096);
  if (!body) return error_of(body.status());
  auto token = str_field(*body, "token", 256, true);
  if (!token) return error_of(token.status());
  auto host = str_field(*body, "hostname", 255, false);
  if (!host) return error_of(host.status());
  auto e = sensors_.enrol(*token, *host, now_ms());
  if (!e) return error_of(e.status());
  log::info("collector", "sensor enrolled").kv("sensor", e->sensor.name).kv("id", e->sensor.id).kv("hostname", *host)
      .kv("remote", req.remote);
  auto r = json_response(200, json::object{{"sensor_id", e->sensor.id}, {"name", e->sensor.name},
                                           {"credential", e->credential}});
  audit_detail(r, "sensor " + std::to_string(e->sensor.id) + " (" + e->sensor.name + ") enrolled from " +
                      (host->empty() ? req.remote : *host));
  return r;
}

Response Collector::ingest(const Request& req, const Caller& caller) {
  uint64_t sensor = 0;
  if (!parse_dec64(caller.id, &sensor) || sensor == 0 || sensor > UINT32_MAX)
    return Response::error(403, "only sensors send alert batches");
  std::string_view ct = req.header("content-type");
  if (ct.substr(0, 20) != protocol::kNdjsonType) return Response::error(415, "Content-Type must be application/x-ndjson");
  storage::IngestBatch batch;
  batch.sensor = static_cast<uint32_t>(sensor);
  if (!parse_hex64(req.header(protocol::kStreamHeader), &batch.stream))
    return Response::error(400, "header X-Canh-Stream must be 16 hex digits");
  if (!parse_dec64(req.header(protocol::kBatchHeader), &batch.number) || batch.number == 0 ||
      batch.number > static_cast<uint64_t>(INT64_MAX))
    return Response::error(400, "header X-Canh-Batch must be a batch number from 1 to 2^63-1");
  if (req.body.size() > options_.limits.max_body_bytes)
    return Response::error(413, "batch of " + std::to_string(req.body.size()) + " bytes exceeds the " +
                                    std::to_string(options_.limits.max_body_bytes) + "-byte limit");
  auto lines = split_ndjson(req.body, options_.limits);
  if (!lines) return Response::error(400, "batch " + std::to_string(batch.number) + ": " + lines.status().message());
  if (lines->empty()) return Response::error(400, "batch " + std::to_string(batch.number) + " has no alerts");
  batch.alerts.resize(lines->size());
  for (size_t i = 0; i < lines->size(); ++i) {
    Status s = parse_eve_alert((*lines)[i], &batch.alerts[i]);
    if (!s) {
      // Records count the non-empty lines, as the sensor's spool file holds them; "record" lets the
      // shipper set that one record aside and send the rest again under the same number.
      std::string msg = "batch " + std::to_string(batch.number) + " record " + std::to_string(i + 1) + ": " + s.message();
      return json_response(400, json::object{{"error", msg}, {"record", i + 1}});
    }
  }
  uint64_t number = batch.number;
  auto r = ingestor_.submit(std::move(batch));
  if (!r) {
    bool full = r.status().code() == Status::Code::kUnavailable;
    auto resp = Response::error(full ? 429 : 503, r.status().message());
    resp.headers.emplace_back("retry-after", std::to_string(full ? ingestor_.retry_after_seconds() : 5));
    return resp;
  }
  return json_response(200, json::object{{"batch", number},
                                         {"stored", r->stored},
                                         {"duplicate", r->duplicate},
                                         {"expired", r->expired}});
}

Response Collector::heartbeat(const Request& req, const Caller& caller) {
  uint64_t sensor = 0;
  if (!parse_dec64(caller.id, &sensor) || sensor == 0 || sensor > UINT32_MAX)
    return Response::error(403, "only sensors send heartbeats");
  auto body = json_object_body(req, 16384);
  if (!body) return error_of(body.status());
  storage::SensorHealth h;
  h.received_ms = now_ms();
  struct {
    const char* key;
    uint64_t* field;
  } counts[] = {{"packets", &h.packets},
                {"bytes", &h.bytes},
                {"drops", &h.drops},
                {"alerts", &h.alerts},
                {"flows", &h.flows},
                {"uptime_seconds", &h.uptime_seconds},
                {"spool_batches", &h.spool_batches},
                {"spool_bytes", &h.spool_bytes},
                {"spool_dropped_alerts", &h.spool_dropped_alerts}};
  for (auto& c : counts) {
    auto v = count_field(*body, c.key);
    if (!v) return error_of(v.status());
    *c.field = *v;
  }
  auto rv = str_field(*body, "ruleset_version", 128, false);
  if (!rv) return error_of(rv.status());
  auto sv = str_field(*body, "software_version", 64, false);
  if (!sv) return error_of(sv.status());
  h.ruleset_version = *rv;
  h.software_version = *sv;
  Status s = sensors_.record_heartbeat(static_cast<uint32_t>(sensor), h);
  if (!s) return error_of(s);
  uint64_t ruleset = options_.current_ruleset ? options_.current_ruleset() : 0;
  return json_response(200, json::object{{"interval_seconds", options_.heartbeat_interval_seconds},
                                         {"ruleset", json::object{{"version", ruleset}}}});
}

std::vector<http::Route> Collector::routes() {
  std::vector<http::Route> r;
  // Enrolment is anonymous by nature: the one-time token is the credential. The router rate-limits
  // anonymous POSTs per address, which bounds token guessing on top of the tokens' 96 random bits.
  r.push_back({"POST", protocol::kEnrolPath, Access::anyone(),
               [this](const Request& req, const Caller&) { return enrol(req); }, "sensor.enrol"});
  r.push_back({"POST", protocol::kAlertsPath, Access::sensors(),
               [this](const Request& req, const Caller& c) { return ingest(req, c); }, ""});
  r.push_back({"POST", protocol::kHeartbeatPath, Access::sensors(),
               [this](const Request& req, const Caller& c) { return heartbeat(req, c); }, ""});

  return r;
}

}  // namespace canh::collector
