#include "console/compliance/expr.h"

#include <gtest/gtest.h>

namespace canh::compliance {
namespace {

const Schema& schema() {
  static const Schema s = {{"online", VarType::kBool, {}},
                           {"users", VarType::kInt, {}},
                           {"scope", VarType::kEnum, {"none", "agency", "nation"}},
                           {"classes", VarType::kSet, {"public", "private", "secret"}},
                           {"pm", VarType::kInt, {}}};
  return s;
}

Values vals(bool online, int64_t users, std::string scope, std::vector<std::string> classes) {
  return {Value::of_bool(online), Value::of_int(users), Value::of_enum(std::move(scope)), Value::of_set(std::move(classes)),
          Value{}};
}

bool eval(std::string_view text, const Values& v) {
  auto e = Expr::compile(text, schema());
  EXPECT_TRUE(e) << text << ": " << e.status().message();
  return e && e->eval(v);
}

TEST(Expr, ComparisonsOnNumbers) {
  auto v = vals(true, 10000, "agency", {"public"});
  EXPECT_TRUE(eval("users >= 10000", v));
  EXPECT_FALSE(eval("users < 10000", v));
  EXPECT_TRUE(eval("users == 10000", v));
  EXPECT_TRUE(eval("users != 9999", v));
  EXPECT_TRUE(eval("users > -1", v));
}

TEST(Expr, ChoicesAndSets) {
  auto v = vals(false, 0, "nation", {"public", "private"});
  EXPECT_TRUE(eval("scope == nation", v));
  EXPECT_TRUE(eval("scope != agency", v));
  EXPECT_TRUE(eval("scope in [agency, nation]", v));
  EXPECT_FALSE(eval("scope in [none]", v));
  EXPECT_TRUE(eval("classes has private", v));
  EXPECT_FALSE(eval("classes has secret", v));
  EXPECT_TRUE(eval("classes has any [secret, private]", v));
  EXPECT_FALSE(eval("classes only [public]", v));
  EXPECT_TRUE(eval("classes only [public, private]", v));
  EXPECT_FALSE(eval("classes only [public]", vals(false, 0, "none", {})));  // empty is not "only public"
}

TEST(Expr, PrecedenceIsNotThenAndThenOr) {
  auto v = vals(true, 5, "none", {"public"});
  EXPECT_TRUE(eval("online and users < 10 or scope == nation", v));
  EXPECT_TRUE(eval("scope == nation or online and users < 10", v));
  EXPECT_FALSE(eval("not online or users > 10", v));
  EXPECT_TRUE(eval("not (online and users > 10)", v));
  EXPECT_FALSE(eval("online and (users > 10 or scope == nation)", v));
}

TEST(Expr, UnansweredVariablesTestFalseAndSetTellsThemApart) {
  Values v(schema().size());
  EXPECT_FALSE(eval("online", v));
  EXPECT_TRUE(eval("not online", v));
  EXPECT_FALSE(eval("users < 100", v));
  EXPECT_FALSE(eval("users >= 100", v));
  EXPECT_FALSE(eval("pm set", v));
  v[4] = Value::of_int(5);
  EXPECT_TRUE(eval("pm set", v));
  EXPECT_TRUE(eval("pm == 5", v));
}

TEST(Expr, ReportsWhichVariablesItReads) {
  auto e = Expr::compile("online and (users < 10 or online) and scope == none", schema());
  ASSERT_TRUE(e);
  EXPECT_EQ(e->variables(), (std::vector<size_t>{0, 1, 2}));
}

void expect_error(std::string_view text, std::string_view fragment) {
  auto e = Expr::compile(text, schema());
  ASSERT_FALSE(e) << text;
  EXPECT_NE(e.status().message().find(fragment), std::string::npos) << e.status().message();
}

TEST(Expr, MistakesAreCaughtAtCompileTimeWithTheirColumn) {
  expect_error("onlien", "unknown variable \"onlien\"");
  expect_error("scope == planet", "\"planet\" is not an option of \"scope\"");
  expect_error("classes has secrets", "\"secrets\" is not an option");
  expect_error("users has public", "\"has\" needs a multiple choice variable");
  expect_error("scope < 3", "compare it with == or !=");
  expect_error("users", "say what to test");
  expect_error("online and", "ends too early");
  expect_error("(online", "expected ')'");
  expect_error("online users", "unexpected \"users\"");
  expect_error("users = 3", "at column 7");
  expect_error("users >= x", "expected a whole number");
  expect_error("online & users", "unexpected character '&'");
  expect_error("", "empty condition");
  expect_error("users == 99999999999999999999", "out of range");
}

TEST(Expr, DeepNestingIsRefusedNotOverflowed) {
  std::string deep(200, '(');
  deep += "online";
  deep += std::string(200, ')');
  expect_error(deep, "nested too deeply");
  std::string nots;
  for (int i = 0; i < 200; ++i) nots += "not ";
  expect_error(nots + "online", "nested too deeply");
}

}  // namespace
}  // namespace canh::compliance
