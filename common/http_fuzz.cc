// Fuzzes the helpers that read request headers and write network-derived text back out: the Cookie
// header lookup, header and query lookups, JSON string quoting (every error message and many API
// fields pass through it with text an attacker chose) and Prometheus label/help escaping (sensor
// names and routes become label values). Invariants: json_quote always yields one valid JSON string
// that decodes to the input when the input is valid UTF-8; an escaped label value or help text never
// contains a raw newline and unescapes to the input; a cookie value found is a piece of the header.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/http_types.h"
#include "common/metrics_text.h"

namespace {

bool valid_utf8(std::string_view s) {
  boost::system::error_code ec;
  // Boost.JSON rejects invalid UTF-8 inside strings: let it judge by parsing the raw bytes quoted.
  std::string probe = "\"";
  for (unsigned char c : s) {
    if (c < 0x20 || c == '"' || c == '\\') return false;  // keep to bytes that need no escaping
    probe += static_cast<char>(c);
  }
  probe += '"';
  boost::json::parse(probe, ec);
  return !ec;
}

std::string unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      char n = v[++i];
      out += n == 'n' ? '\n' : n;
    } else {
      out += v[i];
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canh;
  std::string_view in(reinterpret_cast<const char*>(data), size);

  std::string quoted = http::json_quote(in);
  boost::system::error_code ec;
  auto v = boost::json::parse(quoted, ec);
  if (ec || !v.is_string()) __builtin_trap();
  if (valid_utf8(in) && v.as_string() != in) __builtin_trap();
  auto err = http::Response::error(400, in);
  if (!boost::json::parse(err.body, ec).is_object() || ec) __builtin_trap();

  // The first line names the cookie to look for; the rest is the Cookie header (and a query).
  size_t nl = in.find('\n');
  std::string_view name = in.substr(0, nl);
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
  http::Request r;
  r.headers.emplace_back("cookie", std::string(rest));
  r.headers.emplace_back("x-other", std::string(name));
  r.query.emplace_back(std::string(name), std::string(rest));
  std::string_view c = r.cookie(name);
  if (!c.empty()) {
    const std::string& h = r.headers[0].second;
    if (c.data() < h.data() || c.data() + c.size() > h.data() + h.size()) __builtin_trap();
  }
  if (r.header("x-other") != name) __builtin_trap();
  if (!r.query_param(name) || *r.query_param(name) != rest) __builtin_trap();
  (void)http::parse_role(name);

  std::string lv = metrics::escape_label_value(in), help = metrics::escape_help(in);
  if (lv.find('\n') != std::string::npos || help.find('\n') != std::string::npos) __builtin_trap();
  if (unescape(lv) != in) __builtin_trap();
  metrics::TextWriter w;
  w.family("canh_fuzz_total", "counter", in);
  w.sample("canh_fuzz_total", {{"name", in}}, uint64_t{1});
  // Exactly HELP, TYPE and one sample line, whatever the text.
  size_t lines = 0;
  for (char ch : w.text()) lines += ch == '\n';
  if (lines != 3) __builtin_trap();
  return 0;
}
