#include <cstdio>

#include "cli/commands.h"
#include "common/args.h"

namespace canh::cli {

int run_server(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh server", "Run the collector (sensor ingest) and the web console over one data folder.");
  p.option("data", 0, "DIR", "data folder (RocksDB and uploads)", "/var/lib/canh")
      .option("listen", 0, "HOST:PORT", "address to listen on", "127.0.0.1:8443")
      .option("tls-cert", 0, "FILE", "PEM certificate: serve HTTPS")
      .option("tls-key", 0, "FILE", "PEM private key for --tls-cert");
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr, "canh server: the collector and console are not in this build yet (issues 6, 7)\n");
  return 1;
}

}  // namespace canh::cli
