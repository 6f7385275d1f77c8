// Fuzzes the server's configuration file (server.yaml, cli/server_config.h) the way `canh server -c`
// and `canh config check` read it. Beyond "no crash": what parse_server_config accepts must start a
// server — its listen address parses, its metrics allow list parses and answers for any address — and
// every error names the file ("fuzz.yaml...") so a person can find it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/server_config.h"
#include "common/log.h"
#include "console/metrics.h"
#include "console/server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canh;
  static const bool quiet = (log::set_level(log::Level::kError), true);
  (void)quiet;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)cli::looks_like_server_config(text);
  auto c = cli::parse_server_config(text, "fuzz.yaml");
  if (!c) {
    if (c.status().message().rfind("fuzz.yaml", 0) != 0) __builtin_trap();
    return 0;
  }
  std::string host;
  uint16_t port = 0;
  if (!console::parse_listen(c->listen, &host, &port)) __builtin_trap();
  if (c->threads < 1 || c->threads > 64) __builtin_trap();
  auto allow = console::AddressAllowList::parse(c->metrics_allow);
  if (!allow) __builtin_trap();
  // The allow list answers for whatever a peer address looks like.
  (void)allow->allows(text.substr(0, 64));
  (void)allow->allows("127.0.0.1");
  (void)allow->allows("::ffff:10.1.2.3");
  return 0;
}
