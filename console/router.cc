#include "console/router.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>

#include "common/log.h"

namespace canh::console {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 1;  // paths start with '/'
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

// Compares secrets without an early exit, so response timing does not reveal how many leading
// characters of a guessed CSRF token were right.
bool equal_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes; in a query, '+' is a space (HTML form encoding, which URLSearchParams emits).
bool percent_decode(std::string_view in, bool plus_is_space, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int h = hex_value(in[i + 1]), l = hex_value(in[i + 2]);
      if (h < 0 || l < 0) return false;
      out->push_back(static_cast<char>(h << 4 | l));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

// Origin: "https://host:port" must name the Host the request was sent to. Browsers send Origin on
// every cross-site POST, so this stops cross-site requests even before the CSRF token is checked.
bool same_origin(std::string_view origin, std::string_view host) {
  if (origin.empty()) return true;  // non-browser clients, same-origin GETs in older browsers
  auto p = origin.find("://");
  if (p == std::string_view::npos) return false;
  std::string_view o = origin.substr(p + 3);
  if (o == host) return true;
  // A default port may be implicit on one side only.
  std::string_view scheme = origin.substr(0, p);
  std::string_view def = scheme == "https" ? ":443" : ":80";
  auto strip = [&](std::string_view s) {
    if (s.size() > def.size() && s.substr(s.size() - def.size()) == def) s.remove_suffix(def.size());
    return s;
  };
  return strip(o) == strip(host);
}

std::string_view kind_name(http::Caller::Kind k) {
  switch (k) {
    case http::Caller::Kind::kAnonymous: return "anonymous";
    case http::Caller::Kind::kSession: return "session";
    case http::Caller::Kind::kApiToken: return "api-token";
    case http::Caller::Kind::kSensor: return "sensor";
  }
  return "anonymous";
}

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string_view caller_kind_name(http::Caller::Kind k) { return kind_name(k); }

bool is_safe_method(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

std::string session_cookie(std::string_view id, bool tls, int max_age) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(id) + "; Path=/; HttpOnly; SameSite=Strict";
  c += "; Max-Age=" + std::to_string(max_age);
  if (tls) c += "; Secure";
  return c;
}

Status parse_target(std::string_view target, http::Request* out) {
  if (target.size() > 8192) return Status::invalid("request target longer than 8192 bytes");
  if (target.empty() || target.front() != '/') return Status::invalid("request target must start with '/'");
  auto q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  auto hash = raw_path.find('#');
  if (hash != std::string_view::npos) raw_path = raw_path.substr(0, hash);
  if (!percent_decode(raw_path, false, &out->path)) return Status::invalid("bad percent-escape in path");
  for (char c : out->path)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return Status::invalid("control byte in path");
  // Dot segments are never produced by our clients; refusing them keeps "/assets/../x" from ever
  // reaching a handler that might join it onto something.
  for (const auto& seg : split_path(out->path))
    if (seg == "." || seg == "..") return Status::invalid("dot segment in path");
  out->query.clear();
  if (q == std::string_view::npos) return Status::ok();
  std::string_view qs = target.substr(q + 1);
  hash = qs.find('#');
  if (hash != std::string_view::npos) qs = qs.substr(0, hash);
  while (!qs.empty()) {
    auto amp = qs.find('&');
    std::string_view part = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view() : qs.substr(amp + 1);
    if (part.empty()) continue;
    if (out->query.size() >= 256) return Status::invalid("more than 256 query parameters");
    auto eq = part.find('=');
    std::string k, v;
    if (!percent_decode(part.substr(0, eq), true, &k)) return Status::invalid("bad percent-escape in query");
    if (eq != std::string_view::npos && !percent_decode(part.substr(eq + 1), true, &v))
      return Status::invalid("bad percent-escape in query parameter " + k);
    out->query.emplace_back(std::move(k), std::move(v));
  }
  return Status::ok();
}

Router::Router(RouterHooks hooks, RouterOptions options) : hooks_(std::move(hooks)), options_(options) {}

Status Router::mount(std::vector<http::Route> routes) {
  for (auto& r : routes) {
    std::string name = r.method + " " + r.pattern;
    if (r.pattern.empty() || r.pattern.front() != '/') return Status::invalid("route " + name + ": pattern must start with '/'");
    if (!r.handler) return Status::invalid("route " + name + ": no handler");
    if (r.method.empty()) return Status::invalid("route " + name + ": no method");
    Entry e;
    e.segments = split_path(r.pattern);
    for (const auto& s : e.segments)
      if (s.find_first_of("{}") != std::string::npos && !is_param(s))
        return Status::invalid("route " + name + ": malformed segment \"" + s + "\"");
    for (const auto& o : entries_)
      if (o.route.method == r.method && o.segments == e.segments)
        return Status::conflict("route " + name + " is mounted twice");
    e.route = std::move(r);
    entries_.push_back(std::move(e));
  }
  // Literal segments win over parameters ("/api/v1/alerts/stats" before "/api/v1/alerts/{id}"),
  // whatever order components mounted them in. The order must be a strict weak ordering, or the sort
  // is free to leave a parameter route first: segment by segment, a literal before a parameter,
  // literals by text, parameters alike; then the shorter route.
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    size_t n = std::min(a.segments.size(), b.segments.size());
    for (size_t i = 0; i < n; ++i) {
      bool pa = is_param(a.segments[i]), pb = is_param(b.segments[i]);
      if (pa != pb) return !pa;
      if (!pa && a.segments[i] != b.segments[i]) return a.segments[i] < b.segments[i];
    }
    return a.segments.size() < b.segments.size();
  });
  return Status::ok();
}

const Router::Entry* Router::match(const http::Request& req, bool* path_matched, http::Fields* params) const {
  auto segs = split_path(req.path);
  *path_matched = false;
  for (const auto& e : entries_) {
    if (e.segments.size() != segs.size()) continue;
    http::Fields p;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      if (is_param(e.segments[i])) {
        if (segs[i].empty()) ok = false;
        else p.emplace_back(e.segments[i].substr(1, e.segments[i].size() - 2), segs[i]);
      } else {
        ok = e.segments[i] == segs[i];
      }
    }
    if (!ok) continue;
    *path_matched = true;
    bool method_ok = e.route.method == req.method || (req.method == "HEAD" && e.route.method == "GET");
    if (!method_ok) continue;
    *params = std::move(p);
    return &e;
  }
  return nullptr;
}

bool Router::take_anonymous_token(const std::string& remote) const {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(buckets_mu_);
  if (buckets_.size() >= options_.max_tracked_remotes && !buckets_.count(remote)) {
    // Drop buckets that have refilled completely: they carry no information.
    double full = options_.anonymous_burst;
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      double refilled = it->second.tokens + std::chrono::duration<double>(now - it->second.last) /
                                                std::chrono::duration<double>(options_.anonymous_refill);
      it = refilled >= full ? buckets_.erase(it) : std::next(it);
    }
    if (buckets_.size() >= options_.max_tracked_remotes) return false;
  }
  auto [it, fresh] = buckets_.try_emplace(remote);
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = options_.anonymous_burst;
  } else {
    double add = std::chrono::duration<double>(now - b.last) /
                 std::chrono::duration<double>(options_.anonymous_refill);
    b.tokens = std::min<double>(options_.anonymous_burst, b.tokens + add);
  }
  b.last = now;
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

http::Response Router::handle(http::Request req) const {
  bool path_matched = false;
  http::Fields params;
  const Entry* e = match(req, &path_matched, &params);
  if (!e) {
    if (path_matched) {
      auto r = http::Response::error(405, "method " + req.method + " not allowed on " + req.path);
      return r;
    }
    return http::Response::error(404, "no such resource: " + req.path);
  }
  req.path_params = std::move(params);
  const http::Route& route = e->route;
  const bool safe = is_safe_method(req.method);

  // --- authentication
  http::Caller caller;
  std::string csrf;
  std::string auth_error;
  std::string_view cookie = req.cookie(kSessionCookie);
  std::string_view authz = req.header("authorization");
  std::string_view bearer;
  if (authz.size() > 7 && (authz.substr(0, 7) == "Bearer " || authz.substr(0, 7) == "bearer ")) bearer = authz.substr(7);
  // An explicit Authorization header wins over a cookie the browser may also send: a script or a
  // sensor says who it is; CSRF then does not apply, as no ambient credential was used.
  if (bearer.substr(0, kApiTokenPrefix.size()) == kApiTokenPrefix && hooks_.api_token) {
    auto r = hooks_.api_token(bearer);
    if (!r) auth_error = r.status().message();
    else if (r.value()) caller = *r.value();
    else auth_error = "API token unknown, expired or revoked";
  } else if (hooks_.sensor) {
    auto r = hooks_.sensor(req);
    if (!r) auth_error = r.status().message();
    else if (r.value()) caller = *r.value();
  }
  if (caller.kind == http::Caller::Kind::kAnonymous && auth_error.empty() && !cookie.empty() && hooks_.session) {
    auto r = hooks_.session(cookie);
    if (!r) auth_error = r.status().message();
    else if (r.value()) {
      caller = r.value()->caller;
      csrf = r.value()->csrf_token;
    } else auth_error = "session expired or unknown: sign in again";
  }

  AuditEvent ev;
  auto audit = [&](int status, std::string detail) -> Status {
    if (route.audit_action.empty() || !hooks_.audit) return Status::ok();
    ev.time_ms = now_ms();
    ev.actor_kind = std::string(kind_name(caller.kind));
    ev.actor_id = caller.id;
    ev.actor_name = caller.name;
    ev.role = std::string(http::role_name(caller.role));
    ev.action = route.audit_action;
    ev.method = req.method;
    ev.path = req.path;
    ev.remote = req.remote;
    ev.status = status;
    ev.detail = std::move(detail);
    return hooks_.audit(ev);
  };
  // Router denials carry x-canh-denied (auth, role, origin, csrf, rate) so clients and the
  // authorization-matrix test can tell them from a handler's own 4xx.
  auto deny = [&](int status, std::string message, std::string_view why) {
    Status s = audit(status, message);
    if (!s) log::error("router", "audit write failed").kv("error", s.message());
    auto r = http::Response::error(status, message);
    r.headers.emplace_back("x-canh-denied", std::string(why));
    return r;
  };

  // --- authorisation
  if (!route.access.anonymous) {
    if (caller.kind == http::Caller::Kind::kAnonymous) {
      return deny(401, auth_error.empty() ? "sign in required" : auth_error, "auth");
    }
    if (!route.access.allows(caller.role))
      return deny(403, "role " + std::string(http::role_name(caller.role)) + " may not " + req.method + " " + route.pattern, "role");
  }

  // --- CSRF and rate limits for state-changing requests
  if (!safe) {
    if (!same_origin(req.header("origin"), req.header("host"))) return deny(403, "cross-origin request refused", "origin");
    if (caller.kind == http::Caller::Kind::kSession) {
      std::string_view sent = req.header(kCsrfHeader);
      if (sent.empty() || !equal_secret(sent, csrf)) return deny(403, "CSRF token missing or wrong", "csrf");
    }
    if (route.access.anonymous && caller.kind == http::Caller::Kind::kAnonymous && !take_anonymous_token(req.remote)) {
      auto r = deny(429, "too many attempts from this address: wait and try again", "rate");
      r.headers.emplace_back("retry-after", std::to_string(std::max<int64_t>(1, options_.anonymous_refill.count() / 1000)));
      return r;
    }
  }

  // --- the handler
  http::Response resp;
  try {
    resp = route.handler(req, caller);
  } catch (const std::exception& ex) {
    log::error("router", "handler threw").kv("route", route.method + " " + route.pattern).kv("error", ex.what());
    resp = http::Response::error(500, "internal error");
  }
  std::string detail;
  for (auto it = resp.headers.begin(); it != resp.headers.end();) {
    if (it->first == kAuditDetailHeader) {
      detail = std::move(it->second);
      it = resp.headers.erase(it);
    } else {
      ++it;
    }
  }
  Status s = audit(resp.status, std::move(detail));
  if (!s) {
    log::error("router", "audit write failed").kv("action", route.audit_action).kv("error", s.message());
    return http::Response::error(500, "the action could not be written to the audit log: " + s.message());
  }
  return resp;
}

}  // namespace canh::console
