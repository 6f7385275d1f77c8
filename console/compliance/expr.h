// The small condition language of framework files: classification criteria ("system_types has
// internal and info_classes only [public]") and workflow guards ("proposed_level >= 4"). A condition
// is compiled once, at load time, against a schema of typed variables, so a typo in a framework file
// ("info_clases", an option that does not exist, "<" on a set) is an error naming the file and line
// when the file is loaded, never a silently false criterion when a dossier is assessed.
//
// Grammar (keywords are lower case):
//   expr    := and ('or' and)*
//   and     := unary ('and' unary)*
//   unary   := 'not' unary | '(' expr ')' | test
//   test    := NAME                                 bool variable is true
//            | NAME ('=='|'!='|'<'|'<='|'>'|'>=') INT   int variable (enum: == and != with NAME)
//            | NAME ('=='|'!=') NAME                  enum variable equals an option
//            | NAME 'in' '[' NAME (',' NAME)* ']'     enum variable is one of the options
//            | NAME 'has' NAME                        set variable holds the option
//            | NAME 'has' 'any' '[' ... ']'           set variable holds at least one of them
//            | NAME 'only' '[' ... ']'                set variable is non-empty and within them
//            | NAME 'set'                             the variable has a value (nullable answers)
//            | 'true' | 'false'
// An unanswered variable makes every test on it false except `not`, which negates as usual: an
// unticked box reads as "no". Callers that need complete answers check them before evaluating.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::compliance {

enum class VarType : uint8_t { kBool, kInt, kEnum, kSet };

struct VarInfo {
  std::string name;
  VarType type = VarType::kBool;
  std::vector<std::string> options;  // kEnum and kSet: the allowed values
};

// A variable's value; `present` false means unanswered.
struct Value {
  bool present = false;
  bool b = false;
  int64_t i = 0;
  std::string e;               // kEnum
  std::vector<std::string> s;  // kSet

  static Value of_bool(bool v) { Value x; x.present = true; x.b = v; return x; }
  static Value of_int(int64_t v) { Value x; x.present = true; x.i = v; return x; }
  static Value of_enum(std::string v) { Value x; x.present = true; x.e = std::move(v); return x; }
  static Value of_set(std::vector<std::string> v) { Value x; x.present = true; x.s = std::move(v); return x; }
};

// Variables by index, in the order of the schema the expression was compiled against.
using Schema = std::vector<VarInfo>;
using Values = std::vector<Value>;

class Expr {
 public:
  Expr();
  ~Expr();
  Expr(Expr&&) noexcept;
  Expr& operator=(Expr&&) noexcept;
  Expr(const Expr&);
  Expr& operator=(const Expr&);

  // Compiles `text` against `schema`. Errors say what is wrong and where in the text ("at column 17:
  // unknown variable \"info_clases\""); the caller adds the file and line.
  static Result<Expr> compile(std::string_view text, const Schema& schema);

  // `values` must have one entry per schema variable.
  bool eval(const Values& values) const;
  // Indexes of the variables the expression reads, without duplicates, in first-use order.
  const std::vector<size_t>& variables() const { return vars_; }
  const std::string& text() const { return text_; }
  bool empty() const { return !root_; }

  struct Node;

 private:
  std::shared_ptr<const Node> root_;  // immutable once compiled, so copies share it
  std::vector<size_t> vars_;
  std::string text_;
};

}  // namespace canh::compliance
