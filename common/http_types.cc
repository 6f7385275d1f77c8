#include "common/http_types.h"

#include <cstdio>

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
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Validate one UTF-8 sequence (no overlongs, no surrogates, <= U+10FFFF).
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    bool ok = len != 0 && c <= 0xf4 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xc0) == 0x80;
    if (ok && len == 3) ok = !(c == 0xe0 && p[i + 1] < 0xa0) && !(c == 0xed && p[i + 1] >= 0xa0);
    if (ok && len == 4) ok = !(c == 0xf0 && p[i + 1] < 0x90) && !(c == 0xf4 && p[i + 1] >= 0x90);
    if (ok) {
      out.append(reinterpret_cast<const char*>(p + i), len);
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  out += '"';
  return out;
}

}  // namespace canh::http
