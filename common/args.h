// Command-line parsing for the `canh` subcommands: short flags with values (`-r FILE`, `-rFILE`),
// long options (`--set k=v`, `--runmode=single`), repeatable options, positionals, and a generated
// `--help`. Suricata's flags are short options, so this parser keeps them as Suricata spells them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh {

class ArgParser {
 public:
  ArgParser(std::string program, std::string summary);

  // A boolean switch: --name or -s.
  ArgParser& flag(std::string long_name, char short_name, std::string help);
  // An option with a value: --name VALUE, --name=VALUE, -s VALUE, -sVALUE. Repeatable ones collect
  // every occurrence in order; otherwise the last one wins.
  ArgParser& option(std::string long_name, char short_name, std::string value_name, std::string help,
                    std::string default_value = "", bool repeatable = false);
  // Positional arguments, in order; the last one may take many values.
  ArgParser& positional(std::string name, std::string help, bool many = false, bool required = false);
  // Free text printed after the options in --help.
  ArgParser& epilog(std::string text);

  // Parses argv (argv[0] is skipped). `--help`/`-h` sets help_requested() and stops. Errors name the
  // argument: "canh sensor: option -r needs a value".
  Status parse(int argc, const char* const* argv);
  Status parse(const std::vector<std::string>& args);

  bool help_requested() const { return help_requested_; }
  std::string usage() const;

  bool has(std::string_view long_name) const;
  std::string get(std::string_view long_name) const;  // default when absent
  const std::vector<std::string>& all(std::string_view long_name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  struct Spec {
    std::string long_name;
    char short_name = 0;
    std::string value_name;  // empty for flags
    std::string help;
    std::string default_value;
    bool repeatable = false;
  };
  struct Positional {
    std::string name, help;
    bool many = false, required = false;
  };
  const Spec* find_long(std::string_view name) const;
  const Spec* find_short(char c) const;

  std::string program_, summary_, epilog_;
  std::vector<Spec> specs_;
  std::vector<Positional> positional_specs_;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positionals_;
  bool help_requested_ = false;
};

}  // namespace canh
