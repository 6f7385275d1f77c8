// Fuzzes what a sensor (or anyone holding a stolen credential) controls in an alert batch: the body,
// split into records and each record parsed against the EVE alert schema.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "collector/eve_alert.h"
#include "collector/ndjson.h"
#include "common/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  canh::collector::BatchLimits limits;
  limits.max_lines = 64;
  auto lines = canh::collector::split_ndjson(body, limits);
  if (!lines.is_ok()) return 0;
  for (auto line : *lines) {
    canh::storage::NewAlert a;
    auto s = canh::collector::parse_eve_alert(line, &a);
    if (s.is_ok() && a.eve != line) __builtin_trap();  // stored verbatim or not at all
  }
  int64_t us = 0;
  // An offset can move a time just outside 2000-2099; the round trip holds inside.
  if (canh::parse_timestamp_us(body.substr(0, 64), &us) && us >= 946684800ll * 1000000 && us < 4102444800ll * 1000000) {
    int64_t back = 0;
    if (!canh::parse_timestamp_us(canh::format_timestamp_us(us), &back) || back != us) __builtin_trap();
  }
  return 0;
}
