#include "common/http_types.h"

#include "common/json.h"

namespace canh::http {

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kNone: return "none";
    case Role::kReadOnly: return "read-only";
    case Role::kAuditor: return "auditor";
    case Role::kAnalyst: return "analyst";
    case Role::kAdmin: return "admin";
    case Role::kSensor: return "sensor";
  }
  return "none";
}

std::optional<Role> parse_role(std::string_view n) {
  if (n == "read-only" || n == "readonly") return Role::kReadOnly;
  if (n == "auditor") return Role::kAuditor;
  if (n == "analyst") return Role::kAnalyst;
  if (n == "admin") return Role::kAdmin;
  return std::nullopt;
}

namespace {
std::string_view find_field(const Fields& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return v;
  return {};
}
}  // namespace

std::string_view Request::header(std::string_view lower_name) const { return find_field(headers, lower_name); }
std::string_view Request::path_param(std::string_view name) const { return find_field(path_params, name); }

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return std::string_view(v);
  return std::nullopt;
}

std::vector<std::string_view> Request::query_params(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : query)
    if (k == name) out.emplace_back(v);
  return out;
}

std::string_view Request::cookie(std::string_view name) const {
  std::string_view all = header("cookie");
  while (!all.empty()) {
    auto semi = all.find(';');
    std::string_view part = all.substr(0, semi);
    all = semi == std::string_view::npos ? std::string_view() : all.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
  }
  return {};
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::error(int status, std::string_view message) {
  return json(status, "{\"error\":" + json_quote(message) + "}");
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  json_escape_append(out, s);
  out += '"';
  return out;
}

}  // namespace canh::http
