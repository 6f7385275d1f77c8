// Fuzzes the server's API as a client reaches it: requests built from the input are routed through
// the real Router (authentication, roles, CSRF, audit) to every mounted handler — console, collector
// ingest/heartbeat/enrolment, alert list, rule uploads and signed bundles, compliance dossiers and
// evidence uploads — over a real Storage (fuzz_api_setup.h). The request target goes through
// parse_target as the server's does, so percent-escapes and query fields are the wire's.
//
// Invariants besides "no crash": a response status is 200..599 and never 500 (a bad request is the
// client's fault: 4xx with a message); a JSON response parses, and an error response carries
// {"error": "..."}; nobody gets a 2xx from a route their credentials do not allow (anonymous callers
// from non-anonymous routes, a role outside the route's Access).
//
// Input: who (u8: caller, bit 7 leaves the CSRF header out), route (u16: index into the mounted
// table; a value past the end sends the method and path from the input instead), then per "{param}"
// segment a value, a query string, a content type selector and the X-Canh-Stream/Batch headers
// (strings are u8-length-prefixed; a length byte of 0xF0 or more picks a value from a small
// dictionary of ids and names that exist), and the rest of the input is the body. @ALERT@ and the
// other placeholders of ApiWorld::substitute in the target or body become live values.
#include <boost/json.hpp>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "console/fuzz_api_setup.h"

namespace {

using canh::console::fuzz::ApiWorld;
using canh::console::fuzz::Who;
namespace http = canh::http;

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() << 8 | u8()); }
  std::string str() {
    static const char* kDict[] = {"1", "2", "3", "0", "@ALERT@", "2001", "fuzz-admin", "fuzz-reader",
                                  "18446744073709551615", "-1", "1.5", "%00", "..", "a/b", "new", "admin"};
    uint8_t len = u8();
    if (len >= 0xF0) return kDict[len - 0xF0];
    size_t k = std::min<size_t>(len, n);
    std::string s(reinterpret_cast<const char*>(p), k);
    p += k;
    n -= k;
    return s;
  }
  std::string rest() {
    std::string s(reinterpret_cast<const char*>(p), n);
    p += n;
    n = 0;
    return s;
  }
};

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      o += static_cast<char>(c);
    } else {
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

// The route the router picks for `req`: the first in table order whose segments match the decoded
// path (a "{param}" segment matches any non-empty one) and whose method is the request's (HEAD runs
// GET routes), as Router::match does.
const canh::console::Router::Entry* handled_by(const std::vector<canh::console::Router::Entry>& routes,
                                               const http::Request& req) {
  std::vector<std::string_view> segs;
  std::string_view path = req.path;
  for (size_t i = 1; i <= path.size();) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    segs.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  for (const auto& e : routes) {
    if (e.segments.size() != segs.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& s = e.segments[i];
      ok = (s.size() > 2 && s.front() == '{' && s.back() == '}') ? !segs[i].empty() : s == segs[i];
    }
    if (ok && (e.route.method == req.method || (req.method == "HEAD" && e.route.method == "GET"))) return &e;
  }
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ApiWorld& world = ApiWorld::get();
  world.repair();
  const auto& routes = world.router().routes();
  Reader in{data, size};

  const uint8_t who_byte = in.u8();
  const Who who = static_cast<Who>((who_byte & 0x7f) % static_cast<uint8_t>(Who::kCount));
  const bool csrf = !(who_byte & 0x80);
  const uint16_t pick = in.u16();

  http::Request req;
  req.remote = (who_byte & 0x40) ? "192.0.2.7" : "127.0.0.1";
  std::string target;
  if (pick < routes.size() * 8) {
    const auto* route = &routes[pick % routes.size()];
    req.method = route->route.method;
    for (const auto& seg : route->segments) {
      target += '/';
      target += seg.size() > 2 && seg.front() == '{' && seg.back() == '}' ? percent_encode(in.str()) : seg;
    }
    if (target.empty()) target = "/";
  } else {
    req.method = in.str();
    target = in.str();
  }
  std::string query = in.str();
  if (!query.empty()) target += "?" + query;
  target = world.substitute(target);
  if (!canh::console::parse_target(target, &req)) return 0;  // the server answers 400 itself

  static const char* kTypes[] = {"application/json", "application/octet-stream", "application/x-ndjson",
                                 "text/plain", "application/json; charset=utf-8", ""};
  const uint8_t type = in.u8();
  if ((type & 0x7f) % 7 < 6) {
    if (*kTypes[(type & 0x7f) % 7]) req.headers.emplace_back("content-type", kTypes[(type & 0x7f) % 7]);
  } else {
    req.headers.emplace_back("content-type", in.str());
  }
  if (type & 0x80) {
    req.headers.emplace_back("x-canh-stream", in.str());
    req.headers.emplace_back("x-canh-batch", in.str());
  }
  world.sign(who, csrf, req);
  req.body = world.substitute(in.rest());

  http::Response res = world.router().handle(req);
  // CANH_FUZZ_TRACE=1 prints each request and its answer: to see what seeds reach.
  static const bool trace = std::getenv("CANH_FUZZ_TRACE") != nullptr;
  if (trace)
    std::fprintf(stderr, "%s %s -> %d %.200s\n", req.method.c_str(), target.c_str(), res.status, res.body.c_str());
  if (res.status < 200 || res.status > 599) __builtin_trap();
  if (res.status == 500) __builtin_trap();
  if (res.content_type.rfind("application/json", 0) == 0 && !res.body.empty()) {
    boost::system::error_code ec;
    auto v = boost::json::parse(res.body, ec);
    if (ec) __builtin_trap();
    if (res.status >= 400) {
      if (!v.is_object()) __builtin_trap();
      auto* e = v.as_object().if_contains("error");
      if (!e || !e->is_string() || e->as_string().empty()) __builtin_trap();
    }
  }
  if (res.status >= 200 && res.status < 300) {
    const auto* hit = handled_by(routes, req);
    if (hit && !hit->route.access.anonymous) {
      const http::Role role = ApiWorld::role_of(who);
      if (role == http::Role::kNone || !hit->route.access.allows(role)) __builtin_trap();
    }
  }
  return 0;
}
