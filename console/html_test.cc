#include "console/html.h"

#include <gtest/gtest.h>

namespace canh::console {
namespace {

TEST(HtmlEscape, ScriptTagsBecomeText) {
  EXPECT_EQ(html_escape("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
}

TEST(HtmlEscape, AttributeBreakoutIsNeutralised) {
  EXPECT_EQ(html_escape("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
  EXPECT_EQ(html_escape("a&b"), "a&amp;b");
}

TEST(HtmlEscape, ControlBytesAreReplacedButWhitespaceKept) {
  EXPECT_EQ(html_escape(std::string_view("a\0b\tc\n", 6)), "a\xef\xbf\xbd" "b\tc\n");
}

TEST(HtmlEscape, VietnameseTextIsUnchanged) { EXPECT_EQ(html_escape("Hệ thống cấp độ 3"), "Hệ thống cấp độ 3"); }

}  // namespace
}  // namespace canh::console
