// Fuzzes request-target parsing: every byte of a request line comes from the network.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "console/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  canh::http::Request r;
  std::string_view t(reinterpret_cast<const char*>(data), size);
  if (canh::console::parse_target(t, &r)) {
    // Invariants the router relies on.
    if (r.path.empty() || r.path.front() != '/') __builtin_trap();
    if (r.query.size() > 256) __builtin_trap();
    for (char c : r.path)
      if (static_cast<unsigned char>(c) < 0x20) __builtin_trap();
  }
  return 0;
}
