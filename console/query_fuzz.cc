// Fuzzes the alert filters a person (or a script with an API token) sends: the inbox query string
// (GET /api/v1/alerts?...) through parse_target and parse_alert_filter, the same filter as JSON (the
// bulk triage body), and the time parser behind from/to. Cheap and pure, so it runs far more inputs
// per second than the request fuzzer (api_fuzz.cc) that reaches the same code through the router.
// Invariants: no crash, and an error always says what is wrong; a filter that parses can be applied
// to an alert.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "console/alert_query.h"
#include "console/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canh;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  http::Request r;
  if (console::parse_target("/api/v1/alerts?" + std::string(in), &r)) {
    auto f = console::parse_alert_filter(r.query);
    if (!f && f.status().message().empty()) __builtin_trap();
    if (f) {
      storage::Alert a;
      (void)f->matches_extra(a);
    }
  }
  boost::system::error_code ec;
  boost::json::parse_options po;
  po.max_depth = 32;
  auto v = boost::json::parse(in, ec, {}, po);
  if (!ec && v.is_object()) {
    auto f = console::parse_alert_filter(v.as_object());
    if (!f && f.status().message().empty()) __builtin_trap();
  }
  auto t = console::parse_time_us(in.substr(0, 64), "from");
  if (!t && t.status().message().empty()) __builtin_trap();
  return 0;
}
