// Small helpers shared by the console's API handlers: JSON bodies in, JSON out, Status -> HTTP.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_types.h"
#include "common/status.h"

namespace canh::console {

namespace json = boost::json;

inline int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Maps a Status to the HTTP status a client should see; internal details of I/O errors are logged
// by the caller, the message still names what failed.
int http_status_of(const Status& s);
http::Response error_response(const Status& s);

// The request body as a JSON object. Requires Content-Type application/json: a cross-site form
// cannot send that without a CORS preflight, which we never grant (defence in depth beside CSRF).
Result<json::object> json_body(const http::Request& req, size_t max_bytes = 1 << 20);

// Typed field access with errors that name the key.
Result<std::string> get_string(const json::object& o, std::string_view key, size_t max_len, bool required = true);
Result<int64_t> get_int(const json::object& o, std::string_view key, int64_t lo, int64_t hi, std::optional<int64_t> def);
std::optional<bool> get_bool(const json::object& o, std::string_view key);

http::Response json_ok(const json::value& v, int status = 200);

// Adds the audit detail for the router (kAuditDetailHeader).
void audit_detail(http::Response& r, std::string detail);

// A query parameter as an integer in [lo, hi], or def when absent; errors name the parameter.
Result<int64_t> query_int(const http::Request& req, std::string_view name, int64_t lo, int64_t hi, int64_t def);

}  // namespace canh::console
