#include "console/alerts_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <unordered_map>

#include "common/json.h"
#include "common/timestamp.h"
#include "console/alert_query.h"

namespace canh::console {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

int64_t wall_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Response json_response(int status, const json::value& v) { return Response::json(status, json::serialize(v)); }

bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

Status bad_param(std::string_view name, std::string_view value, std::string_view expected) {
  return Status::invalid("query parameter " + std::string(name) + "=\"" + std::string(value.substr(0, 64)) +
                         "\": " + std::string(expected));
}

Response error_of(const Status& s) {
  return Response::error(s.code() == Status::Code::kInvalid ? 400 : 500, s.message());
}

// Severities 1..4, then anything else.
json::array severity_counts(const std::array<uint64_t, 5>& s) {
  return json::array{s[1], s[2], s[3], s[4], s[0]};
}

template <typename T>
void append_number(std::string& out, T v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

void append_field(std::string& out, std::string_view key, std::string_view text) {
  out += '"';
  out += key;
  out += "\":\"";
  json_escape_append(out, text);
  out += "\",";
}

template <typename T>
void append_int_field(std::string& out, std::string_view key, T v) {
  out += '"';
  out += key;
  out += "\":";
  append_number(out, v);
  out += ',';
}

// One inbox row: the fields of alert_brief_json(a, false), then timestamp and sensor_name, written
// straight into the body. Building a JSON tree of 50 objects per page and freeing it again was most
// of the list's time under load (malloc and free led the profile); the page is the hottest request
// the console has. AlertsApi.SummaryWriterMatchesTheJsonTree keeps the two in step.
void append_summary(std::string& out, const storage::Alert& a, std::string_view sensor_name) {
  out += '{';
  append_field(out, "id", a.id.to_string());
  append_int_field(out, "ts_us", a.id.ts_us);
  append_int_field(out, "sid", a.sid);
  append_int_field(out, "gid", a.gid);
  append_int_field(out, "rev", a.rev);
  append_int_field(out, "severity", static_cast<unsigned>(a.severity));
  append_field(out, "src_ip", a.src.to_string());
  append_int_field(out, "src_port", a.src_port);
  append_field(out, "dest_ip", a.dst.to_string());
  append_int_field(out, "dest_port", a.dst_port);
  append_field(out, "proto", a.proto);
  append_field(out, "signature", a.signature);
  append_field(out, "category", a.category);
  append_int_field(out, "sensor", a.sensor);
  out += "\"systems\":[";
  for (size_t i = 0; i < a.systems.size(); ++i) {
    if (i) out += ',';
    append_number(out, a.systems[i]);
  }
  out += "],";
  append_int_field(out, "received_ms", a.received_ms);
  append_field(out, "state", storage::triage_state_name(a.state));
  append_field(out, "assignee", a.assignee);
  append_field(out, "triaged_by", a.triaged_by);
  append_int_field(out, "triaged_ms", a.triaged_ms);
  append_field(out, "timestamp", format_timestamp_us(a.id.ts_us));
  out += "\"sensor_name\":\"";
  json_escape_append(out, sensor_name);
  out += "\"}";
}

}  // namespace

std::vector<http::Route> alert_routes(storage::AlertStore& alerts, storage::SensorStore* sensors) {
  auto sensor_names = [sensors]() {
    std::unordered_map<uint32_t, std::string> names;
    if (!sensors) return names;
    auto l = sensors->list();
    if (l)
      for (const auto& s : *l) names[s.id] = s.name;
    return names;
  };

  std::vector<http::Route> r;
  r.push_back({"GET", "/api/v1/alerts", http::Access::people(),
               [&alerts, sensors](const Request& req, const http::Caller& caller) {
                 auto f = parse_alert_filter(req.query);
                 if (!f) return error_of(f.status());
                 // Every filter is the store's, so pages are full and cursors exact. Items are the
                 // summary the inbox shows: the EVE record (payload, HTTP fields: kilobytes per alert)
                 // is the detail route's, so a page of 50 stays a few kilobytes and skips a parse each.
                 // eve=1 adds it back for scripts that export or compare whole records.
                 const bool with_eve = req.query_param("eve").value_or("") == "1";
                 storage::AlertQuery q = f->query_for(caller);
                 q.with_eve = with_eve;
                 auto page = alerts.list(q);
                 if (!page) return error_of(page.status());
                 // Names of the few sensors on this page only: a fleet of hundreds decoded per request
                 // (health and all) would cost more than the page.
                 std::unordered_map<uint32_t, std::string> names;
                 for (const auto& a : page->items) {
                   if (!sensors || names.count(a.sensor)) continue;
                   auto sn = sensors->get(a.sensor);
                   names[a.sensor] = sn && sn.value() ? sn.value()->name : std::string();
                 }
                 auto name_of = [&names](uint32_t id) -> std::string_view {
                   auto n = names.find(id);
                   return n == names.end() ? std::string_view() : std::string_view(n->second);
                 };
                 if (!with_eve) {
                   std::string body;
                   body.reserve(64 + page->items.size() * 512);
                   body += "{\"items\":[";
                   for (size_t i = 0; i < page->items.size(); ++i) {
                     if (i) body += ',';
                     append_summary(body, page->items[i], name_of(page->items[i].sensor));
                   }
                   body += "],\"partial\":";
                   body += page->partial ? "true" : "false";
                   body += ",\"next_cursor\":";
                   body += page->next ? http::json_quote(page->next->to_string()) : std::string("null");
                   body += '}';
                   return Response::json(200, std::move(body));
                 }
                 json::array items;
                 for (const auto& a : page->items) {
                   json::object o = alert_brief_json(a, true);
                   o["timestamp"] = format_timestamp_us(a.id.ts_us);
                   o["sensor_name"] = name_of(a.sensor);
                   items.push_back(std::move(o));
                 }
                 json::object out{{"items", std::move(items)}, {"partial", page->partial}};
                 if (page->next) out["next_cursor"] = page->next->to_string();
                 else out["next_cursor"] = nullptr;
                 return json_response(200, out);
               },
               ""});

  r.push_back({"GET", "/api/v1/alerts/stats", http::Access::people(),
               [&alerts, sensor_names](const Request& req, const http::Caller&) {
                 int64_t to = wall_us(), from = 0;
                 if (auto v = req.query_param("to"); v && !v->empty()) {
                   auto t = parse_time_us(*v, "to");
                   if (!t) return error_of(t.status());
                   to = *t;
                 }
                 from = to - 86400ll * 1000000;
                 if (auto v = req.query_param("from"); v && !v->empty()) {
                   auto t = parse_time_us(*v, "from");
                   if (!t) return error_of(t.status());
                   from = *t;
                 }
                 storage::AlertStatsQuery q;
                 q.from_us = from;
                 q.to_us = to;
                 if (auto t = req.query_param("top"); t && !t->empty()) {
                   uint64_t n = 0;
                   if (!parse_u64(*t, &n) || n < 1 || n > 100) return error_of(bad_param("top", *t, "expected 1-100"));
                   q.top = n;
                 }
                 if (auto b = req.query_param("bucket"); b && !b->empty()) {
                   uint64_t n = 0;
                   if (!parse_u64(*b, &n) || n < 60 || n > 7 * 86400 || n % 60)
                     return error_of(bad_param("bucket", *b, "expected seconds, a multiple of 60"));
                   q.bucket_seconds = static_cast<int64_t>(n);
                 }
                 auto st = alerts.stats(q);
                 if (!st) return error_of(st.status());
                 json::array series;
                 for (const auto& b : st->series)
                   series.push_back(json::object{{"start", format_timestamp_us(b.start_us)},
                                                 {"count", b.count},
                                                 {"by_severity", severity_counts(b.by_severity)}});
                 json::object by_state;
                 for (int i = 0; i < storage::kTriageStateCount; ++i)
                   by_state[storage::triage_state_name(static_cast<storage::TriageState>(i))] = st->by_state[i];
                 auto counts = [](const std::vector<storage::Count>& v, const char* key, const char* label) {
                   json::array a;
                   for (const auto& c : v) {
                     json::object o{{key, c.key}, {"count", c.count}};
                     if (label) o[label] = c.label;
                     a.push_back(std::move(o));
                   }
                   return a;
                 };
                 auto names = sensor_names();
                 json::array by_sensor;
                 for (const auto& c : st->by_sensor) {
                   auto n = names.find(static_cast<uint32_t>(std::stoul(c.key)));
                   by_sensor.push_back(json::object{{"sensor", c.key},
                                                    {"name", n == names.end() ? std::string() : n->second},
                                                    {"count", c.count}});
                 }
                 json::object out{{"from", format_timestamp_us(st->from_us)},
                                  {"to", format_timestamp_us(st->to_us)},
                                  {"total", st->total},
                                  {"bucket_seconds", st->bucket_seconds},
                                  {"by_severity", severity_counts(st->by_severity)},
                                  {"by_state", std::move(by_state)},
                                  {"series", std::move(series)},
                                  {"top_signatures", counts(st->top_signatures, "sid", "signature")},
                                  {"top_sources", counts(st->top_sources, "ip", nullptr)},
                                  {"top_destinations", counts(st->top_destinations, "ip", nullptr)},
                                  {"by_sensor", std::move(by_sensor)},
                                  {"by_system", counts(st->by_system, "system", nullptr)}};
                 return json_response(200, out);
               },
               ""});
  return r;
}

}  // namespace canh::console
