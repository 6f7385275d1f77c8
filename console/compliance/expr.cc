#include "console/compliance/expr.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace canh::compliance {

struct Expr::Node {
  enum class Op : uint8_t { kConst, kOr, kAnd, kNot, kTruthy, kCmp, kEnumEq, kIn, kHas, kHasAny, kOnly, kSet };
  enum class Cmp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
  Op op = Op::kConst;
  bool constant = false;
  Cmp cmp = Cmp::kEq;
  size_t var = 0;
  int64_t number = 0;
  std::vector<std::string> names;  // option names for kEnumEq (one), kIn, kHas (one), kHasAny, kOnly
  std::vector<std::shared_ptr<const Node>> kids;
};

namespace {

using Node = Expr::Node;
using NodePtr = std::shared_ptr<const Node>;

constexpr size_t kMaxText = 2000;
constexpr int kMaxDepth = 32;

struct Token {
  enum Kind { kName, kInt, kOp, kLBracket, kRBracket, kLParen, kRParen, kComma, kEnd } kind = kEnd;
  std::string text;
  size_t col = 0;  // 1-based
};

Status lex(std::string_view s, std::vector<Token>* out) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c)) {
      ++i;
      continue;
    }
    Token t;
    t.col = i + 1;
    if (std::isalpha(c) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      t.kind = Token::kName;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (std::isdigit(c) || (c == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t j = i + 1;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      t.kind = Token::kInt;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '=' || c == '!' || c == '<' || c == '>') {
      t.kind = Token::kOp;
      if (i + 1 < s.size() && s[i + 1] == '=') {
        t.text = std::string(s.substr(i, 2));
        i += 2;
      } else {
        t.text = std::string(1, static_cast<char>(c));
        ++i;
      }
      if (t.text == "=" || t.text == "!")
        return Status::invalid("at column " + std::to_string(t.col) + ": \"" + t.text + "\" is not an operator (use == or !=)");
    } else {
      switch (c) {
        case '[': t.kind = Token::kLBracket; break;
        case ']': t.kind = Token::kRBracket; break;
        case '(': t.kind = Token::kLParen; break;
        case ')': t.kind = Token::kRParen; break;
        case ',': t.kind = Token::kComma; break;
        default:
          return Status::invalid("at column " + std::to_string(t.col) + ": unexpected character '" +
                                 std::string(1, static_cast<char>(c)) + "'");
      }
      t.text = std::string(1, static_cast<char>(c));
      ++i;
    }
    out->push_back(std::move(t));
  }
  Token end;
  end.col = s.size() + 1;
  out->push_back(end);
  return Status::ok();
}

bool is_keyword(std::string_view w) {
  return w == "and" || w == "or" || w == "not" || w == "in" || w == "has" || w == "any" || w == "only" ||
         w == "set" || w == "true" || w == "false";
}

std::string_view type_name(VarType t) {
  switch (t) {
    case VarType::kBool: return "yes/no";
    case VarType::kInt: return "number";
    case VarType::kEnum: return "choice";
    case VarType::kSet: return "multiple choice";
  }
  return "?";
}

class Parser {
 public:
  Parser(const std::vector<Token>& toks, const Schema& schema, std::vector<size_t>* vars)
      : toks_(toks), schema_(schema), vars_(vars) {}

  Result<NodePtr> parse() {
    auto r = parse_or(0);
    if (!r) return r;
    if (peek().kind != Token::kEnd) return error(peek(), "unexpected \"" + peek().text + "\"");
    return r;
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  const Token& next() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }
  bool at_word(std::string_view w) const { return peek().kind == Token::kName && peek().text == w; }
  static Status error(const Token& t, std::string what) {
    return Status::invalid("at column " + std::to_string(t.col) + ": " + what);
  }

  Result<NodePtr> parse_or(int depth) {
    if (depth > kMaxDepth) return error(peek(), "condition nested too deeply");
    auto first = parse_and(depth + 1);
    if (!first || !at_word("or")) return first;
    auto n = std::make_shared<Node>();
    n->op = Node::Op::kOr;
    n->kids.push_back(*first);
    while (at_word("or")) {
      next();
      auto k = parse_and(depth + 1);
      if (!k) return k;
      n->kids.push_back(*k);
    }
    return NodePtr(n);
  }

  Result<NodePtr> parse_and(int depth) {
    auto first = parse_unary(depth + 1);
    if (!first || !at_word("and")) return first;
    auto n = std::make_shared<Node>();
    n->op = Node::Op::kAnd;
    n->kids.push_back(*first);
    while (at_word("and")) {
      next();
      auto k = parse_unary(depth + 1);
      if (!k) return k;
      n->kids.push_back(*k);
    }
    return NodePtr(n);
  }

  Result<NodePtr> parse_unary(int depth) {
    if (depth > kMaxDepth) return error(peek(), "condition nested too deeply");
    if (at_word("not")) {
      next();
      auto k = parse_unary(depth + 1);
      if (!k) return k;
      auto n = std::make_shared<Node>();
      n->op = Node::Op::kNot;
      n->kids.push_back(*k);
      return NodePtr(n);
    }
    if (peek().kind == Token::kLParen) {
      next();
      auto k = parse_or(depth + 1);
      if (!k) return k;
      if (peek().kind != Token::kRParen) return error(peek(), "expected ')'");
      next();
      return k;
    }
    return parse_test();
  }

  Result<std::vector<std::string>> parse_list(const VarInfo& v) {
    if (peek().kind != Token::kLBracket) return error(peek(), "expected '[' after \"" + v.name + "\"'s operator");
    next();
    std::vector<std::string> names;
    while (true) {
      const Token& t = next();
      if (t.kind != Token::kName) return error(t, "expected an option name in the list");
      CANH_RETURN_IF_ERROR(check_option(v, t));
      names.push_back(t.text);
      const Token& sep = next();
      if (sep.kind == Token::kRBracket) break;
      if (sep.kind != Token::kComma) return error(sep, "expected ',' or ']'");
    }
    return names;
  }

  Status check_option(const VarInfo& v, const Token& t) {
    if (std::find(v.options.begin(), v.options.end(), t.text) == v.options.end())
      return error(t, "\"" + t.text + "\" is not an option of \"" + v.name + "\"");
    return Status::ok();
  }

  Status expect_type(const Token& at, const VarInfo& v, VarType want, std::string_view op) {
    if (v.type == want) return Status::ok();
    return error(at, "\"" + std::string(op) + "\" needs a " + std::string(type_name(want)) + " variable; \"" + v.name +
                         "\" is " + std::string(type_name(v.type)));
  }

  Result<NodePtr> parse_test() {
    const Token& t = next();
    if (t.kind != Token::kName) return error(t, t.kind == Token::kEnd ? "condition ends too early" : "expected a name");
    if (t.text == "true" || t.text == "false") {
      auto n = std::make_shared<Node>();
      n->op = Node::Op::kConst;
      n->constant = t.text == "true";
      return NodePtr(n);
    }
    if (is_keyword(t.text)) return error(t, "unexpected \"" + t.text + "\"");
    size_t idx = schema_.size();
    for (size_t i = 0; i < schema_.size(); ++i)
      if (schema_[i].name == t.text) idx = i;
    if (idx == schema_.size()) return error(t, "unknown variable \"" + t.text + "\"");
    if (std::find(vars_->begin(), vars_->end(), idx) == vars_->end()) vars_->push_back(idx);
    const VarInfo& v = schema_[idx];
    auto n = std::make_shared<Node>();
    n->var = idx;
    const Token& op = peek();
    if (op.kind == Token::kOp) {
      next();
      static const std::pair<std::string_view, Node::Cmp> kOps[] = {
          {"==", Node::Cmp::kEq}, {"!=", Node::Cmp::kNe}, {"<", Node::Cmp::kLt},
          {"<=", Node::Cmp::kLe}, {">", Node::Cmp::kGt}, {">=", Node::Cmp::kGe}};
      for (const auto& [s, c] : kOps)
        if (op.text == s) n->cmp = c;
      const Token& rhs = next();
      if (v.type == VarType::kEnum) {
        if (n->cmp != Node::Cmp::kEq && n->cmp != Node::Cmp::kNe)
          return error(op, "\"" + v.name + "\" is a choice: compare it with == or !=");
        if (rhs.kind != Token::kName) return error(rhs, "expected an option of \"" + v.name + "\"");
        CANH_RETURN_IF_ERROR(check_option(v, rhs));
        n->op = Node::Op::kEnumEq;
        n->names.push_back(rhs.text);
        return NodePtr(n);
      }
      CANH_RETURN_IF_ERROR(expect_type(op, v, VarType::kInt, op.text));
      if (rhs.kind != Token::kInt) return error(rhs, "expected a whole number after \"" + op.text + "\"");
      auto [p, ec] = std::from_chars(rhs.text.data(), rhs.text.data() + rhs.text.size(), n->number);
      if (ec != std::errc() || p != rhs.text.data() + rhs.text.size()) return error(rhs, "number out of range");
      n->op = Node::Op::kCmp;
      return NodePtr(n);
    }
    if (at_word("in")) {
      next();
      CANH_RETURN_IF_ERROR(expect_type(op, v, VarType::kEnum, "in"));
      auto l = parse_list(v);
      if (!l) return l.status();
      n->op = Node::Op::kIn;
      n->names = std::move(*l);
      return NodePtr(n);
    }
    if (at_word("has")) {
      next();
      CANH_RETURN_IF_ERROR(expect_type(op, v, VarType::kSet, "has"));
      if (at_word("any")) {
        next();
        auto l = parse_list(v);
        if (!l) return l.status();
        n->op = Node::Op::kHasAny;
        n->names = std::move(*l);
        return NodePtr(n);
      }
      const Token& o = next();
      if (o.kind != Token::kName) return error(o, "expected an option of \"" + v.name + "\" after \"has\"");
      CANH_RETURN_IF_ERROR(check_option(v, o));
      n->op = Node::Op::kHas;
      n->names.push_back(o.text);
      return NodePtr(n);
    }
    if (at_word("only")) {
      next();
      CANH_RETURN_IF_ERROR(expect_type(op, v, VarType::kSet, "only"));
      auto l = parse_list(v);
      if (!l) return l.status();
      n->op = Node::Op::kOnly;
      n->names = std::move(*l);
      return NodePtr(n);
    }
    if (at_word("set")) {
      next();
      n->op = Node::Op::kSet;
      return NodePtr(n);
    }
    if (v.type != VarType::kBool)
      return error(t, "\"" + v.name + "\" is " + std::string(type_name(v.type)) + ": say what to test (==, in, has, set, ...)");
    n->op = Node::Op::kTruthy;
    return NodePtr(n);
  }

  const std::vector<Token>& toks_;
  const Schema& schema_;
  std::vector<size_t>* vars_;
  size_t pos_ = 0;
};

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool eval_node(const Node& n, const Values& vals) {
  using Op = Node::Op;
  switch (n.op) {
    case Op::kConst: return n.constant;
    case Op::kOr:
      for (const auto& k : n.kids)
        if (eval_node(*k, vals)) return true;
      return false;
    case Op::kAnd:
      for (const auto& k : n.kids)
        if (!eval_node(*k, vals)) return false;
      return true;
    case Op::kNot: return !eval_node(*n.kids[0], vals);
    default: break;
  }
  const Value& v = vals[n.var];
  if (n.op == Op::kSet) return v.present;
  if (!v.present) return false;
  switch (n.op) {
    case Op::kTruthy: return v.b;
    case Op::kCmp:
      switch (n.cmp) {
        case Node::Cmp::kEq: return v.i == n.number;
        case Node::Cmp::kNe: return v.i != n.number;
        case Node::Cmp::kLt: return v.i < n.number;
        case Node::Cmp::kLe: return v.i <= n.number;
        case Node::Cmp::kGt: return v.i > n.number;
        case Node::Cmp::kGe: return v.i >= n.number;
      }
      return false;
    case Op::kEnumEq: return (v.e == n.names[0]) == (n.cmp == Node::Cmp::kEq);
    case Op::kIn: return contains(n.names, v.e);
    case Op::kHas: return contains(v.s, n.names[0]);
    case Op::kHasAny:
      for (const auto& x : n.names)
        if (contains(v.s, x)) return true;
      return false;
    case Op::kOnly:
      if (v.s.empty()) return false;
      for (const auto& x : v.s)
        if (!contains(n.names, x)) return false;
      return true;
    default: return false;
  }
}

}  // namespace

Expr::Expr() = default;
Expr::~Expr() = default;
Expr::Expr(Expr&&) noexcept = default;
Expr& Expr::operator=(Expr&&) noexcept = default;
Expr::Expr(const Expr&) = default;
Expr& Expr::operator=(const Expr&) = default;

Result<Expr> Expr::compile(std::string_view text, const Schema& schema) {
  if (text.size() > kMaxText) return Status::invalid("condition longer than " + std::to_string(kMaxText) + " characters");
  std::vector<Token> toks;
  CANH_RETURN_IF_ERROR(lex(text, &toks));
  if (toks.size() == 1) return Status::invalid("empty condition");
  Expr e;
  Parser p(toks, schema, &e.vars_);
  auto root = p.parse();
  if (!root) return root.status();
  e.root_ = std::move(*root);
  e.text_ = std::string(text);
  return e;
}

bool Expr::eval(const Values& values) const {
  if (!root_) return false;
  return eval_node(*root_, values);
}

}  // namespace canh::compliance
