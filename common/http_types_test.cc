#include "common/http_types.h"

#include <gtest/gtest.h>

namespace canh::http {
namespace {

TEST(JsonQuote, EscapesQuotesControlsAndBackslashes) {
  EXPECT_EQ(json_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(JsonQuote, KeepsValidUtf8AndEscapesInvalidBytes) {
  EXPECT_EQ(json_quote("Cấp độ"), "\"Cấp độ\"");
  EXPECT_EQ(json_quote("\xff" "a"), "\"\\u00ffa\"");
}

TEST(Request, CookieLookupSplitsOnSemicolons) {
  Request r;
  r.headers = {{"cookie", "lang=vi; canh_session=abc123;x=1"}};
  EXPECT_EQ(r.cookie("canh_session"), "abc123");
  EXPECT_EQ(r.cookie("x"), "1");
  EXPECT_EQ(r.cookie("missing"), "");
}

TEST(Request, QueryParamsRepeat) {
  Request r;
  r.query = {{"sid", "1"}, {"q", "x"}, {"sid", "2"}};
  ASSERT_EQ(r.query_params("sid").size(), 2u);
  EXPECT_EQ(*r.query_param("q"), "x");
  EXPECT_FALSE(r.query_param("none").has_value());
}

TEST(Response, ErrorBodyIsJson) {
  Response r = Response::error(400, "bad \"field\"");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, "{\"error\":\"bad \\\"field\\\"\"}");
}

TEST(Roles, RoundTripNames) {
  for (Role r : {Role::kReadOnly, Role::kAuditor, Role::kAnalyst, Role::kAdmin})
    EXPECT_EQ(parse_role(role_name(r)), r);
  EXPECT_FALSE(parse_role("root").has_value());
}

}  // namespace
}  // namespace canh::http

namespace canh::http {
namespace {

TEST(Access, RoleSetsAreExplicit) {
  Access a = Access::of({Role::kAnalyst, Role::kAdmin});
  EXPECT_TRUE(a.allows(Role::kAdmin));
  EXPECT_TRUE(a.allows(Role::kAnalyst));
  EXPECT_FALSE(a.allows(Role::kAuditor));
  EXPECT_FALSE(a.allows(Role::kSensor));
  EXPECT_FALSE(a.anonymous);
  EXPECT_TRUE(Access::anyone().anonymous);
  EXPECT_TRUE(Access::sensors().allows(Role::kSensor));
  EXPECT_FALSE(Access::people().allows(Role::kSensor));
  EXPECT_TRUE(Access::people().allows(Role::kReadOnly));
}

}  // namespace
}  // namespace canh::http
