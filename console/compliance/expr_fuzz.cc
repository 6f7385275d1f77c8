// Conditions come from framework files an admin may edit: whatever the text, compiling returns an
// error or an expression that evaluates without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "console/compliance/expr.h"

using namespace canh::compliance;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Schema schema = {{"a", VarType::kBool, {}},
                                {"n", VarType::kInt, {}},
                                {"e", VarType::kEnum, {"x", "y"}},
                                {"s", VarType::kSet, {"x", "y", "z"}}};
  auto e = Expr::compile(std::string_view(reinterpret_cast<const char*>(data), size), schema);
  if (!e) return 0;
  Values none(schema.size());
  Values some = {Value::of_bool(true), Value::of_int(3), Value::of_enum("y"), Value::of_set({"x", "z"})};
  (void)e->eval(none);
  (void)e->eval(some);
  return 0;
}
