// The rule-related parts of a configuration file in suricata.yaml's layout, typed:
//
//   vars:
//     address-groups: {HOME_NET: "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]", EXTERNAL_NET: "!$HOME_NET", ...}
//     port-groups:    {HTTP_PORTS: "80", SHELLCODE_PORTS: "!80", ...}
//   default-rule-path: /etc/canh/rules
//   rule-files: [a.rules, b.rules]
//   classification-file: /etc/canh/classification.config
//   threshold-file: /etc/canh/threshold.config
//
// Defaults equal Suricata's shipped suricata.yaml and classification.config, so a sensor started with
// rule files and no configuration behaves as Suricata with its default configuration. Variables in
// the file are merged over the defaults (a file may redefine HOME_NET only).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "rules/address.h"

namespace canh::rules {

struct RuleVars {
  VarMap address;  // name without '$' -> expression
  VarMap port;
};
RuleVars default_rule_vars();

struct Classification {
  std::string name;         // short name, e.g. "trojan-activity"
  std::string description;  // EVE alert.category
  int priority = 3;
};

class ClassificationTable {
 public:
  // Suricata's default classification.config, built in.
  static const ClassificationTable& builtin();
  // `config classification: shortname,description,priority` lines; '#' comments. Errors carry
  // "file:line: ...". A later entry for the same name replaces the earlier one.
  static Result<ClassificationTable> parse(std::string_view text, std::string_view file);
  static Result<ClassificationTable> load(const std::string& path);

  const Classification* find(std::string_view name) const;
  size_t size() const { return by_name_.size(); }

 private:
  std::map<std::string, Classification, std::less<>> by_name_;
};

struct RulesConfig {
  RuleVars vars = default_rule_vars();
  std::string default_rule_path;
  std::vector<std::string> rule_files;   // as written; relative ones resolve against default_rule_path
  std::string classification_file;       // empty: the built-in table
  std::string threshold_file;            // empty: none
  std::string source;                    // the file this came from, for messages

  // rule_files with default_rule_path applied.
  std::vector<std::string> resolved_rule_files() const;
};

// Reads only the keys above; everything else in the file belongs to other components and is ignored.
// Errors name the file and key: "canh.yaml: vars.address-groups.HOME_NET: ...".
Result<RulesConfig> parse_rules_config(std::string_view yaml_text, std::string_view source);
Result<RulesConfig> load_rules_config(const std::string& path);

}  // namespace canh::rules
