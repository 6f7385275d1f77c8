#include "collector/eve_alert.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>

namespace canh::collector {

namespace json = boost::json;

namespace {

int digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

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

bool parse_eve_timestamp(std::string_view s, int64_t* us) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HHMM|±HH:MM)
  int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
  int h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2);
  if (y < 2000 || y > 2099 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
      se > 60)
    return false;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':') return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) return false;
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t n = 0;
    int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) {
        frac_us += (s[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
      if (++n > 9) return false;
    }
    if (n == 0) return false;
  }
  int offset_s = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = digits(s, pos, 2);
    pos += 2;
    if (pos < s.size() && s[pos] == ':') ++pos;
    int om = digits(s, pos, 2);
    pos += 2;
    if (oh < 0 || oh > 14 || om < 0 || om > 59) return false;
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 +
                 se - offset_s;
  *us = secs * 1000000 + frac_us;
  return true;
}

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
  if (!parse_eve_timestamp(*ts, &out->ts_us))
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
