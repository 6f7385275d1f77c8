#include <cstdio>

#include "cli/commands.h"
#include "common/args.h"

namespace canh::cli {

int run_sensor(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh sensor", "Read a capture file or a live interface, match packets against rules, write DIR/eve.json.");
  p.option("read", 'r', "FILE", "read packets from a pcap or pcapng file")
      .option("interface", 'i', "IFACE", "capture live from an interface")
      .option("rules-exclusive", 'S', "FILE", "load only this rule file", "", true)
      .option("rules", 's', "FILE", "add a rule file", "", true)
      .option("log-dir", 'l', "DIR", "write eve.json into DIR", ".")
      .option("config", 'c', "FILE", "canh.yaml (a suricata.yaml layout is accepted)");
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr, "canh sensor: the packet pipeline is not in this build yet (issue 4)\n");
  return 1;
}

}  // namespace canh::cli
