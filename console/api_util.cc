#include "console/api_util.h"

#include <charconv>

#include "console/router.h"

namespace canh::console {

int http_status_of(const Status& s) {
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

http::Response error_response(const Status& s) { return http::Response::error(http_status_of(s), s.message()); }

Result<json::object> json_body(const http::Request& req, size_t max_bytes) {
  std::string_view ct = req.header("content-type");
  if (ct.substr(0, 16) != "application/json") return Status::invalid("Content-Type must be application/json");
  if (req.body.size() > max_bytes) return Status::invalid("request body larger than " + std::to_string(max_bytes) + " bytes");
  boost::system::error_code ec;
  json::parse_options po;
  po.max_depth = 16;
  auto v = json::parse(req.body, ec, {}, po);
  if (ec) return Status::invalid("request body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::invalid("request body must be a JSON object");
  return std::move(v.get_object());
}

Result<std::string> get_string(const json::object& o, std::string_view key, size_t max_len, bool required) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (required) return Status::invalid("missing field \"" + std::string(key) + "\"");
    return std::string();
  }
  if (!v->is_string()) return Status::invalid("field \"" + std::string(key) + "\" must be a string");
  if (v->get_string().size() > max_len)
    return Status::invalid("field \"" + std::string(key) + "\" longer than " + std::to_string(max_len) + " bytes");
  return std::string(v->get_string());
}

Result<int64_t> get_int(const json::object& o, std::string_view key, int64_t lo, int64_t hi, std::optional<int64_t> def) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) {
    if (def) return *def;
    return Status::invalid("missing field \"" + std::string(key) + "\"");
  }
  int64_t n;
  if (v->is_int64()) n = v->get_int64();
  else if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) n = static_cast<int64_t>(v->get_uint64());
  else return Status::invalid("field \"" + std::string(key) + "\" must be an integer");
  if (n < lo || n > hi)
    return Status::invalid("field \"" + std::string(key) + "\" must be between " + std::to_string(lo) + " and " +
                           std::to_string(hi));
  return n;
}

std::optional<bool> get_bool(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (v && v->is_bool()) return v->get_bool();
  return std::nullopt;
}

http::Response json_ok(const json::value& v, int status) { return http::Response::json(status, json::serialize(v)); }

void audit_detail(http::Response& r, std::string detail) {
  r.headers.emplace_back(std::string(kAuditDetailHeader), std::move(detail));
}

Result<int64_t> query_int(const http::Request& req, std::string_view name, int64_t lo, int64_t hi, int64_t def) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return def;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size())
    return Status::invalid("query parameter \"" + std::string(name) + "\" must be an integer");
  if (n < lo || n > hi)
    return Status::invalid("query parameter \"" + std::string(name) + "\" must be between " + std::to_string(lo) +
                           " and " + std::to_string(hi));
  return n;
}

}  // namespace canh::console
