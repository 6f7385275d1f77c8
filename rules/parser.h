// Parser for one rule in the Suricata dialect:
//   action proto src sport -> dst dport (keyword:value; keyword; ...)
// Options end at an unescaped ';' (`\;` `\"` `\\` escape inside values). Header variables resolve
// through RuleVars; identical header expressions share one resolved set (ET repeats $HOME_NET
// twenty thousand times).
//
// A rule that uses a Suricata keyword the engine does not evaluate parses fine and lists the keyword
// in Rule::unsupported (the loader turns that into a named skip reason). A keyword Suricata itself
// does not know, a malformed value or a contradiction (`startswith` with `offset`) is an error.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "common/status.h"
#include "rules/config.h"
#include "rules/rule.h"

namespace canh::rules {

class RuleParser {
 public:
  explicit RuleParser(RuleVars vars);

  // `text` is one rule with continuations already joined and without a leading '#'.
  // Errors are plain messages ("content: odd number of hex digits before column 5"); the loader
  // prefixes file, line and sid.
  Result<Rule> parse(std::string_view text);

  const RuleVars& vars() const { return vars_; }

 private:
  Result<std::shared_ptr<const IpSet>> address(std::string_view text);
  Result<std::shared_ptr<const PortSet>> port(std::string_view text);
  Status check_regex(const PcreOp& p);

  RuleVars vars_;
  std::unordered_set<std::string> valid_regexes_;  // options + regex already compiled once
  std::unordered_map<std::string, std::shared_ptr<const IpSet>> addr_cache_;
  std::unordered_map<std::string, std::shared_ptr<const PortSet>> port_cache_;
};

// Best-effort sid/gid/rev/msg from rule text that did not parse, so errors can still name the sid.
struct RuleIdentity {
  uint32_t gid = 1, sid = 0, rev = 0;
  std::string msg;
};
RuleIdentity scan_identity(std::string_view text);

// True when `text` starts like a rule (an action keyword followed by a space): a commented line that
// does is a disabled rule, any other is a comment.
bool looks_like_rule(std::string_view text);

// Names used in messages and the console.
std::string_view buffer_name(Buffer b);

}  // namespace canh::rules
