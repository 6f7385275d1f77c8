#include "console/alert_query.h"

#include <charconv>
#include <ctime>

namespace canh::console {

namespace json = boost::json;

namespace {

Result<int64_t> to_int(std::string_view v, std::string_view name, int64_t lo, int64_t hi) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty())
    return Status::invalid("parameter \"" + std::string(name) + "\": \"" + std::string(v) + "\" is not a number");
  if (n < lo || n > hi)
    return Status::invalid("parameter \"" + std::string(name) + "\" must be between " + std::to_string(lo) + " and " +
                           std::to_string(hi));
  return n;
}

// Applies one name=value to the filter; repeated names accumulate.
Status apply(AlertFilter& f, std::string_view k, std::string_view v) {
  auto& q = f.query;
  if (v.empty()) return Status::ok();
  if (k == "from" || k == "to") {
    auto t = parse_time_us(v, k);
    if (!t) return t.status();
    (k == "from" ? q.from_us : q.to_us) = *t;
  } else if (k == "severity") {
    auto n = to_int(v, k, 1, 4);
    if (!n) return n.status();
    q.severities.push_back(static_cast<uint8_t>(*n));
  } else if (k == "sid") {
    auto n = to_int(v, k, 1, UINT32_MAX);
    if (!n) return n.status();
    q.sids.push_back(static_cast<uint32_t>(*n));
  } else if (k == "sensor" || k == "system") {
    auto n = to_int(v, k, 0, UINT32_MAX);
    if (!n) return n.status();
    (k == "sensor" ? q.sensors : q.systems).push_back(static_cast<uint32_t>(*n));
  } else if (k == "state") {
    auto s = storage::parse_triage_state(v);
    if (!s)
      return Status::invalid("parameter \"state\": \"" + std::string(v) +
                             "\" (new, acknowledged, escalated, closed, false-positive)");
    q.states.push_back(*s);
  } else if (k == "src" || k == "dst" || k == "ip") {
    auto c = storage::Cidr::parse(v);
    if (!c) return Status::invalid("parameter \"" + std::string(k) + "\": " + c.status().message());
    if (k == "src") q.src = *c;
    else if (k == "dst") q.dst = *c;
    else f.either = *c;
  } else if (k == "assignee") {
    if (v.size() > 64) return Status::invalid("parameter \"assignee\" longer than 64 characters");
    // "me" is whoever asks: known per request, so query_for() fills it in (the last assignee given
    // wins, as for the other single-valued filters).
    f.assignee_is_caller = v == "me";
    if (f.assignee_is_caller) {
      f.assignee.reset();
      return Status::ok();
    }
    // "-" and "unassigned" are words here, not accounts: an account so named is not filterable by
    // name (its owner still finds its alerts with "me").
    f.assignee = v == "-" || v == "unassigned" ? std::string() : std::string(v);
  } else if (k == "not_sid") {
    auto n = to_int(v, k, 1, UINT32_MAX);
    if (!n) return n.status();
    q.not_sids.push_back(static_cast<uint32_t>(*n));
  } else if (k == "not_sensor") {
    auto n = to_int(v, k, 0, UINT32_MAX);
    if (!n) return n.status();
    q.not_sensors.push_back(static_cast<uint32_t>(*n));
  } else if (k == "not_src" || k == "not_dst" || k == "not_ip") {
    auto c = storage::Cidr::parse(v);
    if (!c) return Status::invalid("parameter \"" + std::string(k) + "\": " + c.status().message());
    (k == "not_src" ? q.not_src : k == "not_dst" ? q.not_dst : q.not_either).push_back(*c);
  } else if (k == "q") {
    if (v.size() > 200) return Status::invalid("parameter \"q\" longer than 200 characters");
    q.text = std::string(v);
  } else if (k == "limit") {
    auto n = to_int(v, k, 1, 500);
    if (!n) return n.status();
    q.limit = static_cast<size_t>(*n);
  } else if (k == "cursor") {
    auto id = storage::AlertId::parse(v);
    if (!id) return Status::invalid("parameter \"cursor\" is not a cursor from a previous page");
    q.after = *id;
  }
  // Unknown names are ignored: the page keeps view settings (group, page) in the same URL.
  return Status::ok();
}

}  // namespace

storage::AlertQuery AlertFilter::query_for(const http::Caller& caller) const {
  storage::AlertQuery q = query;
  q.either = either;
  q.assignee = assignee;
  if (assignee_is_caller) q.assignee = caller.name;
  return q;
}

bool AlertFilter::matches_extra(const storage::Alert& a) const {
  if (assignee && a.assignee != *assignee) return false;
  if (either && !either->contains(a.src) && !either->contains(a.dst)) return false;
  return true;
}

Result<int64_t> parse_time_us(std::string_view v, std::string_view name) {
  if (!v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    auto n = to_int(v, name, 0, INT64_MAX / 1000);
    if (!n) return n.status();
    return *n * 1000;
  }
  // RFC 3339: 2026-11-23T10:00:00Z, optional fraction, Z or +hh:mm.
  std::tm tm{};
  int y, mo, d, h, mi, s;
  char tail[16] = {0};
  std::string t(v.substr(0, 64));
  int n = std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%15s", &y, &mo, &d, &h, &mi, &s, tail);
  if (n < 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    return Status::invalid("parameter \"" + std::string(name) + "\": \"" + std::string(v) +
                           "\" is neither milliseconds nor an RFC 3339 time");
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  int64_t secs = timegm(&tm);
  std::string_view rest(tail);
  int64_t frac_us = 0;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    int64_t scale = 100000;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
      frac_us += (rest.front() - '0') * scale;
      scale /= 10;
      rest.remove_prefix(1);
    }
  }
  if (rest == "Z" || rest.empty()) {
  } else if ((rest.front() == '+' || rest.front() == '-') && rest.size() == 6 && rest[3] == ':') {
    int oh = (rest[1] - '0') * 10 + (rest[2] - '0'), om = (rest[4] - '0') * 10 + (rest[5] - '0');
    int64_t off = (oh * 60 + om) * 60;
    secs += rest.front() == '+' ? -off : off;
  } else {
    return Status::invalid("parameter \"" + std::string(name) + "\": bad time zone in \"" + std::string(v) + "\"");
  }
  return secs * 1000000 + frac_us;
}

Result<AlertFilter> parse_alert_filter(const http::Fields& params) {
  AlertFilter f;
  for (const auto& [k, v] : params) CANH_RETURN_IF_ERROR(apply(f, k, v));
  return f;
}

Result<AlertFilter> parse_alert_filter(const json::object& o) {
  AlertFilter f;
  for (const auto& [k, v] : o) {
    auto one = [&](const json::value& x) -> Status {
      if (x.is_string()) return apply(f, k, x.get_string());
      if (x.is_int64()) return apply(f, k, std::to_string(x.get_int64()));
      if (x.is_uint64()) return apply(f, k, std::to_string(x.get_uint64()));
      if (x.is_null()) return Status::ok();
      return Status::invalid("filter \"" + std::string(k) + "\" must be a string, a number or a list of them");
    };
    if (v.is_array()) {
      if (v.get_array().size() > 1000) return Status::invalid("filter \"" + std::string(k) + "\": more than 1000 values");
      for (const auto& x : v.get_array()) CANH_RETURN_IF_ERROR(one(x));
    } else {
      CANH_RETURN_IF_ERROR(one(v));
    }
  }
  return f;
}

json::object alert_brief_json(const storage::Alert& a, bool eve) {
  json::array systems;
  for (auto s : a.systems) systems.push_back(s);
  json::object o{{"id", a.id.to_string()},
                 {"ts_us", a.id.ts_us},
                 {"sid", a.sid},
                 {"gid", a.gid},
                 {"rev", a.rev},
                 {"severity", a.severity},
                 {"src_ip", a.src.to_string()},
                 {"src_port", a.src_port},
                 {"dest_ip", a.dst.to_string()},
                 {"dest_port", a.dst_port},
                 {"proto", a.proto},
                 {"signature", a.signature},
                 {"category", a.category},
                 {"sensor", a.sensor},
                 {"systems", systems},
                 {"received_ms", a.received_ms},
                 {"state", std::string(storage::triage_state_name(a.state))},
                 {"assignee", a.assignee},
                 {"triaged_by", a.triaged_by},
                 {"triaged_ms", a.triaged_ms}};
  if (eve) {
    boost::system::error_code ec;
    auto v = json::parse(a.eve, ec);
    // The record is what the sensor sent; a line that is not JSON is shown as text rather than lost.
    o["eve"] = ec ? json::value(json::string(a.eve)) : v;
  }
  return o;
}

}  // namespace canh::console
