#include "rules/config.h"

#include <gtest/gtest.h>

namespace canh::rules {
namespace {

TEST(RulesConfig, DefaultsAreSuricatas) {
  RuleVars v = default_rule_vars();
  EXPECT_EQ(v.address["HOME_NET"], "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
  EXPECT_EQ(v.address["EXTERNAL_NET"], "!$HOME_NET");
  EXPECT_EQ(v.port["HTTP_PORTS"], "80");
  EXPECT_EQ(v.port["SHELLCODE_PORTS"], "!80");
  EXPECT_EQ(v.port["ORACLE_PORTS"], "1521");
}

TEST(RulesConfig, SuricataYamlLayoutMergesOverDefaults) {
  auto cfg = parse_rules_config(R"(%YAML 1.1
---
vars:
  address-groups:
    HOME_NET: "[10.10.0.0/16]"
    DNS_SERVERS: 10.10.0.53
  port-groups:
    HTTP_PORTS: "[80,8080]"
    SSH_PORTS: 2222
default-rule-path: /etc/canh/rules
rule-files:
  - a.rules
  - /abs/b.rules
classification-file: /etc/canh/classification.config
threshold-file: /etc/canh/threshold.config
outputs:
  - eve-log: {enabled: yes}
)",
                                "canh.yaml");
  ASSERT_TRUE(cfg.is_ok()) << cfg.status().message();
  EXPECT_EQ(cfg->vars.address["HOME_NET"], "[10.10.0.0/16]");
  EXPECT_EQ(cfg->vars.address["DNS_SERVERS"], "10.10.0.53");
  EXPECT_EQ(cfg->vars.address["EXTERNAL_NET"], "!$HOME_NET");  // default kept
  EXPECT_EQ(cfg->vars.port["SSH_PORTS"], "2222");
  EXPECT_EQ(cfg->resolved_rule_files(), (std::vector<std::string>{"/etc/canh/rules/a.rules", "/abs/b.rules"}));
  EXPECT_EQ(cfg->classification_file, "/etc/canh/classification.config");
  EXPECT_EQ(cfg->threshold_file, "/etc/canh/threshold.config");
}

TEST(RulesConfig, BadVariableFailsWithItsKey) {
  auto cfg = parse_rules_config("vars:\n  address-groups:\n    HOME_NET: \"[10.0.0/8]\"\n", "canh.yaml");
  ASSERT_FALSE(cfg.is_ok());
  EXPECT_NE(cfg.status().message().find("canh.yaml: vars.address-groups.HOME_NET"), std::string::npos)
      << cfg.status().message();
  auto undefined = parse_rules_config("vars:\n  port-groups:\n    X: \"$NOPE\"\n", "c.yaml");
  ASSERT_FALSE(undefined.is_ok());
  EXPECT_NE(undefined.status().message().find("vars.port-groups.X"), std::string::npos);
  auto syntax = parse_rules_config("vars: [\n", "c.yaml");
  ASSERT_FALSE(syntax.is_ok());
  EXPECT_NE(syntax.status().message().find("c.yaml:"), std::string::npos);
  EXPECT_FALSE(parse_rules_config("rule-files: a.rules\n", "c.yaml").is_ok());
}

TEST(Classification, BuiltinHasSuricatasTable) {
  const auto& t = ClassificationTable::builtin();
  const Classification* c = t.find("trojan-activity");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->description, "A Network Trojan was detected");
  EXPECT_EQ(c->priority, 1);
  ASSERT_NE(t.find("bad-unknown"), nullptr);
  EXPECT_EQ(t.find("bad-unknown")->priority, 2);
  EXPECT_EQ(t.find("no-such-class"), nullptr);
  EXPECT_GE(t.size(), 40u);
}

TEST(Classification, ParsesFileWithSpacesAndComments) {
  auto t = ClassificationTable::parse(
      "# comment\n\nconfig classification: not-suspicious,Not Suspicious Traffic,3\n"
      "config classification: trojan-activity,A Network Trojan was detected, 1\r\n",
      "classification.config");
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  ASSERT_NE(t->find("trojan-activity"), nullptr);
  EXPECT_EQ(t->find("trojan-activity")->priority, 1);
  auto bad = ClassificationTable::parse("config classification: x,y,high\n", "c.config");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("c.config:1:"), std::string::npos);
}

}  // namespace
}  // namespace canh::rules
