#include "common/args.h"

#include <gtest/gtest.h>

namespace canh {
namespace {

ArgParser sensor_like() {
  ArgParser p("canh sensor", "test");
  p.option("read", 'r', "FILE", "capture file")
      .option("set", 0, "KEY=VALUE", "override", "", true)
      .option("runmode", 0, "MODE", "run mode", "workers")
      .option("checksum", 'k', "MODE", "checksum checks", "auto")
      .flag("verbose", 'v', "more output");
  return p;
}

TEST(ArgParser, ShortOptionTakesNextArgument) {
  auto p = sensor_like();
  ASSERT_TRUE(p.parse({"-r", "in.pcap", "-k", "none"}).is_ok());
  EXPECT_EQ(p.get("read"), "in.pcap");
  EXPECT_EQ(p.get("checksum"), "none");
}

TEST(ArgParser, ShortOptionWithAttachedValue) {
  auto p = sensor_like();
  ASSERT_TRUE(p.parse({"-rin.pcap"}).is_ok());
  EXPECT_EQ(p.get("read"), "in.pcap");
}

TEST(ArgParser, LongOptionWithEqualsAndRepeats) {
  auto p = sensor_like();
  ASSERT_TRUE(p.parse({"--runmode=single", "--set", "stream.midstream=true", "--set=flow.x=1"}).is_ok());
  EXPECT_EQ(p.get("runmode"), "single");
  ASSERT_EQ(p.all("set").size(), 2u);
  EXPECT_EQ(p.all("set")[0], "stream.midstream=true");
  EXPECT_EQ(p.all("set")[1], "flow.x=1");
}

TEST(ArgParser, DefaultsWhenAbsent) {
  auto p = sensor_like();
  ASSERT_TRUE(p.parse(std::vector<std::string>{}).is_ok());
  EXPECT_EQ(p.get("runmode"), "workers");
  EXPECT_FALSE(p.has("runmode"));
  EXPECT_FALSE(p.has("verbose"));
}

TEST(ArgParser, UnknownOptionIsNamedInTheError) {
  auto p = sensor_like();
  Status s = p.parse({"--bogus"});
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("--bogus"), std::string::npos);
}

TEST(ArgParser, MissingValueIsAnError) {
  auto p = sensor_like();
  Status s = p.parse({"-r"});
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("-r needs a value"), std::string::npos);
}

TEST(ArgParser, HelpStopsParsingAndUsageListsOptions) {
  auto p = sensor_like();
  ASSERT_TRUE(p.parse({"--help", "--bogus"}).is_ok());
  EXPECT_TRUE(p.help_requested());
  std::string u = p.usage();
  EXPECT_NE(u.find("-r, --read FILE"), std::string::npos);
  EXPECT_NE(u.find("[repeatable]"), std::string::npos);
}

TEST(ArgParser, PositionalsAndDoubleDash) {
  ArgParser p("canh rules check", "x");
  p.positional("FILE", "rule files", true, true).flag("json", 0, "json");
  ASSERT_TRUE(p.parse({"a.rules", "--json", "--", "-weird.rules"}).is_ok());
  ASSERT_EQ(p.positionals().size(), 2u);
  EXPECT_EQ(p.positionals()[1], "-weird.rules");
  EXPECT_TRUE(p.has("json"));
  ArgParser q("canh rules check", "x");
  q.positional("FILE", "rule files", true, true);
  EXPECT_FALSE(q.parse(std::vector<std::string>{}).is_ok());
}

}  // namespace
}  // namespace canh
