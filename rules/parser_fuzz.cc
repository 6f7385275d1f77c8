// libFuzzer target for everything in rules/ that reads text from outside: rule files (the parser,
// address/port expressions, continuations, disabled rules), threshold.config and the rule-related
// YAML configuration. The first byte picks the reader; the rest is its input. Invariants: no crash,
// no hang, and what comes back is consistent (every entry either parsed or carries an error).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/config.h"
#include "rules/rule_set.h"
#include "rules/threshold_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const canh::rules::RuleVars vars = canh::rules::default_rule_vars();
  switch (data[0] % 4) {
    case 0:
    default: {
      canh::rules::RuleSet rs;
      rs.add_text(in, "fuzz.rules");
      for (const auto& e : rs.entries()) {
        if (e.rule == nullptr && e.error.empty()) std::abort();
        if (e.rule != nullptr && !e.error.empty()) std::abort();
      }
      (void)rs.stats();
      break;
    }
    case 1: {
      auto tc = canh::rules::parse_threshold_config(in, "fuzz.threshold", vars.address);
      for (const auto& e : tc.entries)
        if (e.has_ip && !e.ip) std::abort();
      break;
    }
    case 2:
      (void)canh::rules::parse_rules_config(in, "fuzz.yaml");
      break;
    case 3:
      (void)canh::rules::parse_address_set(in, vars.address);
      (void)canh::rules::parse_port_set(in, vars.port);
      break;
  }
  return 0;
}
