// The transport-free shape of an HTTP exchange, shared by the collector's ingest handlers and the
// console's API handlers. The Beast server (console/) turns wire requests into these; handlers take
// `const Request&` and the authenticated `Caller` and return a Response, so they are testable without
// a socket (STYLE.md, "Boost.Beast's examples").
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace canh::http {

// Ordered from least to most privileged among people; kSensor is a machine identity on its own axis.
enum class Role : uint8_t { kNone = 0, kReadOnly, kAuditor, kAnalyst, kAdmin, kSensor };

std::string_view role_name(Role r);                       // "read-only", "auditor", ...
std::optional<Role> parse_role(std::string_view name);    // accepts "readonly" and "read-only"

struct Caller {
  enum class Kind : uint8_t { kAnonymous, kSession, kApiToken, kSensor };
  Kind kind = Kind::kAnonymous;
  std::string id;    // user id, token id or sensor id
  std::string name;  // user name or sensor name, for audit records
  Role role = Role::kNone;
};

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string path;     // percent-decoded path without the query, e.g. "/api/v1/alerts"
  Fields query;         // decoded query parameters in order (a name may repeat)
  Fields headers;       // names lower-cased
  std::string body;
  std::string remote;   // peer address, "127.0.0.1"
  bool tls = false;
  Fields path_params;   // filled by the router from patterns like "/api/v1/alerts/{id}"

  std::string_view header(std::string_view lower_name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::vector<std::string_view> query_params(std::string_view name) const;
  std::string_view path_param(std::string_view name) const;
  std::string_view cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Fields headers;
  std::string body;

  static Response json(int status, std::string body);
  // {"error": message} with the message JSON-escaped.
  static Response error(int status, std::string_view message);
};

using Handler = std::function<Response(const Request&, const Caller&)>;

// Who may call a route. The router (console/) authenticates the caller, checks this, enforces CSRF on
// state-changing session requests and writes the audit record — once, before any handler runs.
struct Access {
  uint32_t roles = 0;        // bit (1u << Role) for each role allowed
  bool anonymous = false;    // callable without credentials (login, sensor enrolment, static assets)

  bool allows(Role r) const { return roles & (1u << static_cast<unsigned>(r)); }
  static Access anyone() { Access a; a.anonymous = true; return a; }
  static Access sensors() { return of({Role::kSensor}); }
  static Access of(std::initializer_list<Role> rs) {
    Access a;
    for (Role r : rs) a.roles |= 1u << static_cast<unsigned>(r);
    return a;
  }
  // Every signed-in person: read-only, auditor, analyst, admin.
  static Access people() { return of({Role::kReadOnly, Role::kAuditor, Role::kAnalyst, Role::kAdmin}); }
};

struct Route {
  std::string method;        // "GET", "POST", ...
  std::string pattern;       // "/api/v1/alerts/{id}"; "{name}" segments become path_params
  Access access;
  Handler handler;
  std::string audit_action;  // non-empty: every call is written to the audit log under this name
};

// JSON string literal for `s`, quotes included, escaped as common/json.h describes (valid UTF-8 kept,
// other bytes as \u00XX): always valid JSON whatever came off the network.
std::string json_quote(std::string_view s);

}  // namespace canh::http
