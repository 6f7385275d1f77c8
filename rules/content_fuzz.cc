// libFuzzer target: decode_content must never crash, and what it returns is never longer than its input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/content.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = canh::rules::decode_content(in);
  if (r.is_ok() && r->size() > in.size()) std::abort();
  return 0;
}
