#include "common/log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace canh::log {
namespace {

std::vector<std::string>* g_lines = nullptr;
void capture(std::string_view line) { g_lines->emplace_back(line); }

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_lines = &lines_;
    set_sink(&capture);
    set_level(Level::kInfo);
  }
  void TearDown() override {
    set_sink(nullptr);
    set_level(Level::kInfo);
    g_lines = nullptr;
  }
  std::vector<std::string> lines_;
};

TEST_F(LogTest, WritesLevelComponentMessageAndFields) {
  info("sensor", "capture started").kv("iface", "eth0").kv("workers", 2).kv("live", true);
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& l = lines_[0];
  EXPECT_NE(l.find(" INFO sensor: capture started iface=eth0 workers=2 live=true"), std::string::npos) << l;
  EXPECT_EQ(l.find('\n'), std::string::npos);
}

TEST_F(LogTest, LinesBelowTheLevelAreDropped) {
  debug("x", "hidden");
  set_level(Level::kWarn);
  info("x", "hidden too");
  warn("x", "shown");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("WARN x: shown"), std::string::npos);
}

TEST_F(LogTest, ValuesFromOutsideCannotBreakTheLine) {
  info("console", "login failed").kv("user", "evil\nname=\"x\" admin=1");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_EQ(lines_[0].find('\n'), std::string::npos);
  EXPECT_NE(lines_[0].find("user=\"evil\\nname=\\\"x\\\" admin=1\""), std::string::npos) << lines_[0];
}

TEST(LogQuote, PlainValuesStayBareOthersAreQuoted) {
  EXPECT_EQ(quote_value("eth0"), "eth0");
  EXPECT_EQ(quote_value(""), "\"\"");
  EXPECT_EQ(quote_value("a b"), "\"a b\"");
  EXPECT_EQ(quote_value(std::string_view("\x01", 1)), "\"\\x01\"");
}

TEST(LogLevel, ParsesNames) {
  Level l;
  EXPECT_TRUE(parse_level("warning", &l));
  EXPECT_EQ(l, Level::kWarn);
  EXPECT_FALSE(parse_level("loud", &l));
}

}  // namespace
}  // namespace canh::log
