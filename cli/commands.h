// The `canh` subcommands. Each lives in its own file (cli/<name>_cmd.cc), parses its own arguments
// with ArgParser (so `--help` and `--version` work everywhere) and calls the components' public APIs.
// `args` excludes the program and subcommand names. Exit codes: 0 ok, 1 runtime failure, 2 usage error.
#pragma once

#include <string>
#include <vector>

namespace canh::cli {

using Args = std::vector<std::string>;

int run_sensor(const Args& args);
int run_server(const Args& args);
int run_rules(const Args& args);
int run_demo(const Args& args);
int run_user(const Args& args);
int run_audit(const Args& args);
int run_config(const Args& args);
// `canh rules keygen|bundle|import` (cli/rules_bundle_cmd.cc); run_rules dispatches to it.
int run_rules_bundle(const Args& args);

// Shared by the commands: handles --version (prints and returns true) before normal parsing.
bool print_version_if_asked(const Args& args);

}  // namespace canh::cli
