// Framework files are edited by admins and dropped into DATA/frameworks/: whatever the bytes, the
// loader returns a framework or an error naming the file and line, and a loaded framework works.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "console/compliance/criteria.h"
#include "console/compliance/framework.h"

using namespace canh::compliance;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto fw = parse_framework(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  if (!fw) return 0;
  Values none((*fw)->questions.size());
  (void)suggest(**fw, none);
  for (int lv = kMinLevel; lv <= kMaxLevel; ++lv) (void)(*fw)->controls_for(lv);
  return 0;
}
