#include "rules/content.h"

#include <gtest/gtest.h>

namespace canh::rules {
namespace {

TEST(DecodeContent, PlainTextPassesThrough) {
  auto r = decode_content("uid=0(root)");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "uid=0(root)");
}

TEST(DecodeContent, HexRunsBecomeBytes) {
  auto r = decode_content("uid=0|28|root|29 00 ff|");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(*r, std::string("uid=0(root)\0\xff", 13));
}

TEST(DecodeContent, HexWithoutSpacesAndUpperCase) {
  auto r = decode_content("|0D0a|x");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "\r\nx");
}

TEST(DecodeContent, EscapedQuoteSemicolonBackslash) {
  auto r = decode_content(R"(a\"b\;c\\d)");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(*r, "a\"b;c\\d");
}

TEST(DecodeContent, ErrorsNameTheColumn) {
  auto odd = decode_content("|4|");
  ASSERT_FALSE(odd.is_ok());
  EXPECT_NE(odd.status().message().find("odd number"), std::string::npos);
  auto bad = decode_content("ab|4g|");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("column 5"), std::string::npos) << bad.status().message();
  EXPECT_FALSE(decode_content("|41").is_ok());
  EXPECT_FALSE(decode_content("a\"b").is_ok());
  EXPECT_FALSE(decode_content("a\\n").is_ok());
}

}  // namespace
}  // namespace canh::rules
