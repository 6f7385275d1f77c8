#include <cstdio>

#include "cli/commands.h"
#include "common/args.h"

namespace canh::cli {

int run_rules(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh rules", "Rule-set tools. Subcommand: check FILE... (parse, compile, summarise).");
  p.positional("check", "the subcommand").positional("FILE", "rule files", true);
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested() || p.positionals().empty()) {
    std::fputs(p.usage().c_str(), p.help_requested() ? stdout : stderr);
    return p.help_requested() ? 0 : 2;
  }
  std::fprintf(stderr, "canh rules: the rule parser is not in this build yet (issue 3)\n");
  return 1;
}

}  // namespace canh::cli
