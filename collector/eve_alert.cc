#include "collector/eve_alert.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>

#include "common/timestamp.h"

namespace canh::collector {

namespace json = boost::json;

namespace {

Status field_error(std::string_view field, std::string_view what) {
  return Status::invalid(std::string(field) + ": " + std::string(what));
}

Result<std::string_view> get_string(const json::object& o, std::string_view key, std::string_view field, size_t max,
                                    bool required) {
  auto* v = o.if_contains(key);
  if (!v) {
    if (required) return field_error(field, "missing");
    return std::string_view();
  }
  if (!v->is_string()) return field_error(field, "must be a string");
  if (v->get_string().size() > max) return field_error(field, "longer than " + std::to_string(max) + " bytes");
  return std::string_view(v->get_string());
}

Result<uint64_t> get_uint(const json::object& o, std::string_view key, std::string_view field, uint64_t lo, uint64_t hi,
                          std::optional<uint64_t> def) {
  auto* v = o.if_contains(key);
  if (!v) {
    if (def) return *def;
    return field_error(field, "missing");
  }
  uint64_t n = 0;
  if (v->is_uint64()) n = v->get_uint64();
  else if (v->is_int64() && v->get_int64() >= 0) n = static_cast<uint64_t>(v->get_int64());
  else n = hi + 1;
  if (n < lo || n > hi)
    return field_error(field, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return n;
}

}  // namespace

Status parse_eve_alert(std::string_view line, storage::NewAlert* out) {
  // One parser per thread, its stack and a value buffer reused line after line: parsing allocates
  // nothing once warm (unless a line outgrows the buffer).
  thread_local unsigned char buffer[64 * 1024];
  thread_local json::parser p(json::storage_ptr(), [] {
    json::parse_options po;
    po.max_depth = 32;
    return po;
  }());
  json::monotonic_resource mr(buffer, sizeof buffer);
  p.reset(&mr);
  boost::system::error_code ec;
  p.write(line.data(), line.size(), ec);
  if (ec) return Status::invalid("not valid JSON: " + ec.message());
  json::value v = p.release();
  if (!v.is_object()) return Status::invalid("not a JSON object");
  const auto& o = v.get_object();

  auto et = get_string(o, "event_type", "event_type", 64, true);
  if (!et) return et.status();
  if (*et != "alert") return field_error("event_type", "\"" + std::string(*et) + "\" is not \"alert\"");

  auto ts = get_string(o, "timestamp", "timestamp", 64, true);
  if (!ts) return ts.status();
  if (!parse_timestamp_us(*ts, &out->ts_us))
    return field_error("timestamp", "\"" + std::string(*ts) + "\" is not an EVE timestamp (2026-11-23T15:33:30.123456+0000)");

  for (int dir = 0; dir < 2; ++dir) {
    const char* key = dir == 0 ? "src_ip" : "dest_ip";
    auto ip = get_string(o, key, key, 64, true);
    if (!ip) return ip.status();
    auto a = storage::IpAddr::parse(*ip);
    if (!a) return field_error(key, "\"" + std::string(*ip) + "\" is not an IP address");
    (dir == 0 ? out->src : out->dst) = *a;
    const char* pkey = dir == 0 ? "src_port" : "dest_port";
    auto port = get_uint(o, pkey, pkey, 0, 65535, 0);
    if (!port) return port.status();
    (dir == 0 ? out->src_port : out->dst_port) = static_cast<uint16_t>(*port);
  }
  out->proto.clear();
  if (auto* pv = o.if_contains("proto")) {
    if (pv->is_string() && pv->get_string().size() <= 32) out->proto = std::string(pv->get_string());
    else if (pv->is_int64() && pv->get_int64() >= 0 && pv->get_int64() <= 255) out->proto = std::to_string(pv->get_int64());
    else return field_error("proto", "must be a protocol name or number");
  }

  auto* alert = o.if_contains("alert");
  if (!alert) return field_error("alert", "missing");
  if (!alert->is_object()) return field_error("alert", "must be an object");
  const auto& al = alert->get_object();
  auto sid = get_uint(al, "signature_id", "alert.signature_id", 1, UINT32_MAX, std::nullopt);
  if (!sid) return sid.status();
  auto gid = get_uint(al, "gid", "alert.gid", 0, UINT32_MAX, 1);
  if (!gid) return gid.status();
  auto rev = get_uint(al, "rev", "alert.rev", 0, UINT32_MAX, 0);
  if (!rev) return rev.status();
  auto sev = get_uint(al, "severity", "alert.severity", 1, 255, 3);
  if (!sev) return sev.status();
  auto sig = get_string(al, "signature", "alert.signature", 2048, false);
  if (!sig) return sig.status();
  auto cat = get_string(al, "category", "alert.category", 512, false);
  if (!cat) return cat.status();
  out->sid = static_cast<uint32_t>(*sid);
  out->gid = static_cast<uint32_t>(*gid);
  out->rev = static_cast<uint32_t>(*rev);
  out->severity = static_cast<uint8_t>(*sev);
  out->signature.assign(*sig);
  out->category.assign(*cat);
  out->eve.assign(line);
  return Status::ok();
}

}  // namespace canh::collector
