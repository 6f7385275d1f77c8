// canh — one executable, subcommands for each role (SPEC.md, "Components and folders").
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "cli/commands.h"

namespace canh::cli {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Args&);
};

constexpr Command kCommands[] = {
    {"sensor", "capture or read packets, detect with rules, write EVE JSON (Suricata-compatible flags)", run_sensor},
    {"server", "run the collector and the web console over one data folder", run_server},
    {"rules", "check rule files: parse, compile, report what loads and what is skipped", run_rules},
    {"user", "manage console accounts: add the first admin, list, reset a password", run_user},
    {"audit", "verify or export the hash-chained audit log of a data folder", run_audit},
    {"demo", "start a local server and replay the bundled capture against the bundled rules", run_demo},
    {"config", "check a sensor or server configuration file (names the offending key and line)", run_config},
};

void print_help() {
  std::printf("Usage: canh COMMAND [options]\n\n"
              "Canh network security monitoring, version %s.\n\nCommands:\n", CANH_VERSION);
  for (const auto& c : kCommands) std::printf("  %-10s %s\n", c.name, c.summary);
  std::printf("\nOptions:\n  -h, --help     show this help\n  --version      print the version\n\n"
              "Run 'canh COMMAND --help' for a command's options.\n");
}

}  // namespace

bool print_version_if_asked(const Args& args) {
  for (const auto& a : args) {
    if (a == "--") break;
    if (a == "--version" || a == "-V") {
      std::printf("canh %s\n", CANH_VERSION);
      return true;
    }
  }
  return false;
}

}  // namespace canh::cli

int main(int argc, char** argv) {
  using namespace canh::cli;
  if (argc < 2) {
    print_help();
    return 2;
  }
  std::string_view cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    print_help();
    return 0;
  }
  if (cmd == "--version" || cmd == "-V" || cmd == "version") {
    std::printf("canh %s\n", CANH_VERSION);
    return 0;
  }
  Args args(argv + 2, argv + argc);
  for (const auto& c : kCommands)
    if (cmd == c.name) return c.run(args);
  std::fprintf(stderr, "canh: unknown command \"%s\" (see canh --help)\n", argv[1]);
  return 2;
}
