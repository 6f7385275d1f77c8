#include "common/json.h"

#include <gtest/gtest.h>

namespace canh {
namespace {

std::string esc(std::string_view s) {
  std::string out;
  json_escape_append(out, s);
  return out;
}

TEST(JsonEscape, QuotesBackslashesAndControlsAreEscaped) {
  EXPECT_EQ(esc("a\"b\\c\n\r\t\x01\x7f"), "a\\\"b\\\\c\\n\\r\\t\\u0001\\u007f");
}

TEST(JsonEscape, ValidUtf8PassesThroughUnchanged) {
  EXPECT_EQ(esc("Cấp độ 3 — hệ thống"), "Cấp độ 3 — hệ thống");
  EXPECT_EQ(esc("\xf0\x9f\x94\x92"), "\xf0\x9f\x94\x92");  // U+1F512, 4 bytes
}

TEST(JsonEscape, InvalidBytesBecomeOneEscapeEach) {
  EXPECT_EQ(esc("\xff" "a"), "\\u00ffa");
  EXPECT_EQ(esc("\xc0\xaf"), "\\u00c0\\u00af");              // overlong '/'
  EXPECT_EQ(esc("\xed\xa0\x80"), "\\u00ed\\u00a0\\u0080");   // UTF-16 surrogate
  EXPECT_EQ(esc("\xe1\xbb"), "\\u00e1\\u00bb");              // truncated "ệ"
  EXPECT_EQ(esc("\xf4\x90\x80\x80"), "\\u00f4\\u0090\\u0080\\u0080");  // above U+10FFFF
}

TEST(Utf8SequenceLength, CountsBytesOfOneCharacter) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("ệ", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xe1\xbb", 0), 0u);
}

}  // namespace
}  // namespace canh
