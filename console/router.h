// The router: one table of http::Route from every component (console API, collector ingest, web
// assets), and the one place where authentication, role checks, CSRF, rate limits and the audit
// record happen — before any handler runs (STYLE.md, "Boost.Beast's examples"). Handlers never
// check credentials themselves; they read the authenticated Caller.
//
// Credentials, tried in this order (an explicit Authorization header wins over a cookie):
//   1. Authorization: Bearer canh_at_… -> hooks.api_token (scripts; no cookie, so no CSRF)
//   2. any other request               -> hooks.sensor    (the collector's sensor credentials)
//   3. Cookie `canh_session=<id>`      -> hooks.session   (people in a browser; CSRF applies)
// A hook returns nullopt when the request carries none of its credentials, an error when it carries
// bad ones. Bad credentials on a route that needs a caller give 401; on an anonymous route (login,
// enrolment, assets) they are ignored and the caller is anonymous.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/http_types.h"
#include "common/status.h"

namespace canh::console {

inline constexpr std::string_view kSessionCookie = "canh_session";
inline constexpr std::string_view kCsrfHeader = "x-csrf-token";
inline constexpr std::string_view kApiTokenPrefix = "canh_at_";
// A handler may set this response header to add a short detail to its audit record ("alert 42:
// new -> acknowledged"); the router moves it into the record and never sends it to the client.
inline constexpr std::string_view kAuditDetailHeader = "x-canh-audit-detail";

struct SessionAuth {
  http::Caller caller;
  std::string csrf_token;  // state-changing requests of this session must echo it in X-CSRF-Token
};

// One audit record as the router sees it; the audit log (storage/audit_log.h) chains and stores it.
struct AuditEvent {
  int64_t time_ms = 0;
  std::string actor_kind;  // "session", "api-token", "sensor", "anonymous"
  std::string actor_id;
  std::string actor_name;
  std::string role;
  std::string action;      // Route::audit_action
  std::string method;
  std::string path;
  std::string remote;
  int status = 0;          // the HTTP status returned: denials are recorded too
  std::string detail;      // from kAuditDetailHeader, or the reason for a denial
};

struct RouterHooks {
  std::function<Result<std::optional<SessionAuth>>(std::string_view session_id)> session;
  std::function<Result<std::optional<http::Caller>>(std::string_view bearer_token)> api_token;
  std::function<Result<std::optional<http::Caller>>(const http::Request&)> sensor;
  // Called for every call of a route with an audit_action. A failure to record makes the request fail
  // (500): an action that cannot be audited must not be reported as done. Handlers run before the
  // record is written, so it carries the outcome; see Router::handle.
  std::function<Status(const AuditEvent&)> audit;
};

struct RouterOptions {
  // Token bucket per remote address for anonymous state-changing routes (login, enrolment): `burst`
  // attempts at once, then one more every `refill`.
  uint32_t anonymous_burst = 10;
  std::chrono::milliseconds anonymous_refill{3000};
  // Distinct remote addresses tracked before the oldest buckets are dropped: bounds memory under a
  // spray of spoofed sources.
  size_t max_tracked_remotes = 10000;
};

class Router {
 public:
  explicit Router(RouterHooks hooks = {}, RouterOptions options = {});

  // Mounts a component's routes. Fails (naming the route) on a malformed pattern or a duplicate
  // method + pattern, so a clash between components is caught at start-up.
  Status mount(std::vector<http::Route> routes);
  void set_hooks(RouterHooks hooks) { hooks_ = std::move(hooks); }
  RouterHooks& hooks() { return hooks_; }

  // Authenticates, authorises, checks CSRF and rate limits, runs the handler, audits. `req.path`
  // is the decoded path; path_params are filled here. Thread-safe once mounting is done.
  http::Response handle(http::Request req) const;

  // The mounted table, for the authorization-matrix test and the API listing.
  struct Entry {
    http::Route route;
    std::vector<std::string> segments;  // "{name}" kept as is
  };
  const std::vector<Entry>& routes() const { return entries_; }

 private:
  const Entry* match(const http::Request& req, bool* path_matched, http::Fields* params) const;
  bool take_anonymous_token(const std::string& remote) const;

  RouterHooks hooks_;
  RouterOptions options_;
  std::vector<Entry> entries_;

  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point last;
  };
  mutable std::mutex buckets_mu_;
  mutable std::unordered_map<std::string, Bucket> buckets_;
};

// Splits a decoded request target ("/api/v1/alerts?sid=1&q=a%20b") into path and query fields.
// Rejects what no client of ours sends: a target not starting with '/', NUL or control bytes in the
// path, "." or ".." segments, bad percent-escapes, more than 256 query fields or a target over 8 KiB.
Status parse_target(std::string_view target, http::Request* out);

bool is_safe_method(std::string_view method);  // GET, HEAD, OPTIONS

// How audit records name a caller's kind: "session", "api-token", "sensor", "anonymous". For a
// handler that writes records of its own beside the router's (bulk triage, one per store batch).
std::string_view caller_kind_name(http::Caller::Kind k);

// The Set-Cookie value for a session: HttpOnly, SameSite=Strict, Path=/, Secure when served over TLS.
std::string session_cookie(std::string_view session_id, bool tls, int max_age_seconds);

}  // namespace canh::console
