// Questionnaire answers arrive in API request bodies: whatever the JSON, parsing them against a
// framework's questions returns values or an error naming the question, and the suggestion and the
// workflow facts computed from accepted values never fail.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "console/compliance/criteria.h"
#include "console/compliance/framework.h"

using namespace canh::compliance;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto set = FrameworkSet::load("");
  if (!set) return 0;
  boost::system::error_code ec;
  boost::json::parse_options po;
  po.max_depth = 16;
  auto v = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, po);
  if (ec || !v.is_object()) return 0;
  for (const auto& fw : (*set)->all()) {
    auto values = parse_answers(*fw, v.get_object());
    if (!values) continue;
    (void)suggest(*fw, *values);
    (void)unanswered(*fw, *values);
    auto back = parse_answers(*fw, answers_to_json(*fw, *values));
    if (!back) __builtin_trap();  // what we write back must read again
  }
  return 0;
}
