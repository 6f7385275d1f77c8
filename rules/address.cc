#include "rules/address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace canh::rules {
namespace {

constexpr Uint128 kMax128 = ~Uint128(0);
// Nesting of brackets and variables; deeper than this is a cycle or hostile input.
constexpr int kMaxDepth = 32;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"')) s.remove_suffix(1);
  return s;
}

// Splits a bracket list body on top-level commas.
Status split_list(std::string_view body, std::vector<std::string_view>* items) {
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '[') {
      ++depth;
    } else if (c == ']') {
      if (--depth < 0) return Status::invalid("unbalanced ']'");
    } else if (c == ',' && depth == 0) {
      items->push_back(trim(body.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (depth != 0) return Status::invalid("unbalanced '['");
  items->push_back(trim(body.substr(start)));
  return Status::ok();
}

Uint128 v6_value(const uint8_t* b) {
  Uint128 v = 0;
  for (int i = 0; i < 16; ++i) v = v << 8 | b[i];
  return v;
}

uint32_t v4_value(const uint8_t* b) {
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
}

bool parse_uint(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
    if (v > max) return false;
  }
  *out = v;
  return true;
}

// One address, CIDR block, netmask block or dash range.
Status parse_address_atom(std::string_view tok, IpSet* out) {
  std::string t(tok);
  if (t.size() > 100) return Status::invalid("'" + t.substr(0, 40) + "...' is not an address");
  auto bad = [&] { return Status::invalid("'" + t + "' is not an address"); };
  size_t dash = t.find('-');
  if (dash != std::string::npos) {
    Address a, b;
    if (!parse_ip(std::string_view(t).substr(0, dash), &a) || !parse_ip(std::string_view(t).substr(dash + 1), &b) ||
        a.family != b.family)
      return bad();
    if (a.family == 4) {
      uint32_t lo = v4_value(a.bytes.data()), hi = v4_value(b.bytes.data());
      if (lo > hi) return bad();
      out->add_v4(lo, hi);
    } else {
      Uint128 lo = v6_value(a.bytes.data()), hi = v6_value(b.bytes.data());
      if (lo > hi) return bad();
      out->add_v6(lo, hi);
    }
    return Status::ok();
  }
  size_t slash = t.find('/');
  std::string_view ip = std::string_view(t).substr(0, slash);
  Address a;
  if (!parse_ip(ip, &a)) return bad();
  int bits = a.family == 4 ? 32 : 128;
  int prefix = bits;
  if (slash != std::string::npos) {
    std::string_view m = std::string_view(t).substr(slash + 1);
    uint64_t p;
    if (parse_uint(m, uint64_t(bits), &p)) {
      prefix = int(p);
    } else if (a.family == 4) {
      // Netmask notation 10.0.0.0/255.0.0.0: the mask must be contiguous ones.
      Address mask;
      if (!parse_ip(m, &mask) || mask.family != 4) return bad();
      uint32_t mv = v4_value(mask.bytes.data());
      uint32_t inv = ~mv;
      if ((inv & (inv + 1)) != 0) return bad();
      prefix = 32 - __builtin_popcount(inv);
    } else {
      return bad();
    }
  }
  if (a.family == 4) {
    uint32_t v = v4_value(a.bytes.data());
    uint32_t hostmask = prefix == 0 ? 0xffffffffu : (prefix == 32 ? 0 : (0xffffffffu >> prefix));
    out->add_v4(v & ~hostmask, (v & ~hostmask) | hostmask);
  } else {
    Uint128 v = v6_value(a.bytes.data());
    Uint128 hostmask = prefix == 0 ? kMax128 : (prefix == 128 ? 0 : (kMax128 >> prefix));
    out->add_v6(v & ~hostmask, (v & ~hostmask) | hostmask);
  }
  return Status::ok();
}

Status parse_port_atom(std::string_view tok, PortSet* out) {
  std::string t(tok);
  auto bad = [&] { return Status::invalid("'" + t.substr(0, 40) + "' is not a port or port range"); };
  size_t colon = t.find(':');
  uint64_t lo = 0, hi = 65535;
  if (colon == std::string::npos) {
    if (!parse_uint(t, 65535, &lo)) return bad();
    hi = lo;
  } else {
    std::string_view a = trim(std::string_view(t).substr(0, colon));
    std::string_view b = trim(std::string_view(t).substr(colon + 1));
    if (a.empty() && b.empty()) return bad();
    if (!a.empty() && !parse_uint(a, 65535, &lo)) return bad();
    if (!b.empty() && !parse_uint(b, 65535, &hi)) return bad();
    if (lo > hi) return bad();
  }
  out->add(uint16_t(lo), uint16_t(hi));
  return Status::ok();
}

// Generic expression evaluator shared by addresses and ports: Set needs all(), unite, complement,
// minus, empty; Atom parses one literal.
template <class Set, class AtomFn>
Status eval_expr(std::string_view text, const VarMap& vars, AtomFn atom, int depth, Set* out, const char* what) {
  if (depth > kMaxDepth) return Status::invalid("expression nested too deeply (variable cycle?)");
  text = trim(text);
  if (text.empty()) return Status::invalid(std::string("empty ") + what);
  // Suricata accepts a list without brackets at the top ("!5800,!445"): same as "[!5800,!445]".
  if (text[0] != '[') {
    int d = 0;
    for (char ch : text) {
      if (ch == '[') ++d;
      if (ch == ']') --d;
      if (ch == ',' && d == 0) return eval_expr("[" + std::string(text) + "]", vars, atom, depth + 1, out, what);
    }
  }
  if (text[0] == '!') {
    Set inner;
    CANH_RETURN_IF_ERROR(eval_expr(text.substr(1), vars, atom, depth + 1, &inner, what));
    *out = inner.complement();
    return Status::ok();
  }
  if (text[0] == '[') {
    if (text.back() != ']') return Status::invalid("list '" + std::string(text.substr(0, 60)) + "' is not closed");
    std::vector<std::string_view> items;
    CANH_RETURN_IF_ERROR(split_list(text.substr(1, text.size() - 2), &items));
    Set pos, neg;
    bool any_pos = false;
    for (std::string_view item : items) {
      if (item.empty()) return Status::invalid(std::string("empty item in ") + what + " list");
      Set s;
      if (item[0] == '!') {
        CANH_RETURN_IF_ERROR(eval_expr(item.substr(1), vars, atom, depth + 1, &s, what));
        neg.append(s);
      } else {
        CANH_RETURN_IF_ERROR(eval_expr(item, vars, atom, depth + 1, &s, what));
        pos.append(s);
        any_pos = true;
      }
    }
    pos.seal();
    neg.seal();
    Set base = any_pos ? pos : Set::all();
    *out = base.minus(neg);
    return Status::ok();
  }
  if (text[0] == '$') {
    std::string_view name = text.substr(1);
    auto it = vars.find(name);
    if (it == vars.end()) return Status::invalid("variable $" + std::string(name) + " is not defined");
    Status s = eval_expr(it->second, vars, atom, depth + 1, out, what);
    if (!s) return s.with_context("$" + std::string(name));
    return Status::ok();
  }
  if (text == "any") {
    *out = Set::all();
    return Status::ok();
  }
  Set s;
  CANH_RETURN_IF_ERROR(atom(text, &s));
  *out = std::move(s);
  return Status::ok();
}

}  // namespace

bool parse_ip(std::string_view text, Address* out) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  Address a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) {
    a.family = 4;
  } else if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) {
    a.family = 6;
  } else {
    return false;
  }
  *out = a;
  return true;
}

// ---------------------------------------------------------------------------------------------
// IpSet

IpSet IpSet::all() {
  IpSet s;
  s.v4_.push_back({0, 0xffffffffu});
  s.v6_.push_back({0, kMax128});
  s.any_ = true;
  return s;
}

bool IpSet::contains_v4(uint32_t a) const {
  // Ranges are sorted by lo: the candidate is the last range starting at or below a.
  auto it = std::upper_bound(v4_.begin(), v4_.end(), a, [](uint32_t x, const Ip4Range& r) { return x < r.lo; });
  if (it == v4_.begin()) return false;
  return a <= std::prev(it)->hi;
}

bool IpSet::contains_v6(Uint128 a) const {
  auto it = std::upper_bound(v6_.begin(), v6_.end(), a, [](Uint128 x, const Ip6Range& r) { return x < r.lo; });
  if (it == v6_.begin()) return false;
  return a <= std::prev(it)->hi;
}

bool IpSet::contains(const Address& a) const {
  if (any_) return true;
  if (a.family == 4) return contains_v4(v4_value(a.bytes.data()));
  if (a.family == 6) return contains_v6(v6_value(a.bytes.data()));
  return false;
}

double IpSet::size_estimate() const {
  double n = 0;
  for (const auto& r : v4_) n += double(r.hi - r.lo) + 1;
  for (const auto& r : v6_) n += double(r.hi - r.lo) + 1;
  return n;
}

void IpSet::add_v4(uint32_t lo, uint32_t hi) {
  v4_.push_back({lo, hi});
  normalize();
}

void IpSet::add_v6(Uint128 lo, Uint128 hi) {
  v6_.push_back({lo, hi});
  normalize();
}

void IpSet::append(const IpSet& o) {
  v4_.insert(v4_.end(), o.v4_.begin(), o.v4_.end());
  v6_.insert(v6_.end(), o.v6_.begin(), o.v6_.end());
}

void IpSet::unite(const IpSet& o) {
  v4_.insert(v4_.end(), o.v4_.begin(), o.v4_.end());
  v6_.insert(v6_.end(), o.v6_.begin(), o.v6_.end());
  normalize();
}

template <class R, class V>
static void normalize_ranges(std::vector<R>& v, V max) {
  std::sort(v.begin(), v.end(), [](const R& a, const R& b) { return a.lo < b.lo; });
  std::vector<R> out;
  for (const auto& r : v) {
    if (!out.empty() && (out.back().hi == max || r.lo <= out.back().hi + 1)) {
      out.back().hi = std::max(out.back().hi, r.hi);
    } else {
      out.push_back(r);
    }
  }
  v.swap(out);
}

template <class R, class V>
static std::vector<R> complement_ranges(const std::vector<R>& v, V max) {
  std::vector<R> out;
  V next = 0;
  bool done = false;
  for (const auto& r : v) {
    if (r.lo > next) out.push_back({next, V(r.lo - 1)});
    if (r.hi == max) {
      done = true;
      break;
    }
    next = r.hi + 1;
  }
  if (!done) out.push_back({next, max});
  return out;
}

void IpSet::normalize() {
  normalize_ranges(v4_, uint32_t(0xffffffffu));
  normalize_ranges(v6_, kMax128);
  any_ = v4_.size() == 1 && v4_[0].lo == 0 && v4_[0].hi == 0xffffffffu && v6_.size() == 1 && v6_[0].lo == 0 &&
         v6_[0].hi == kMax128;
}

IpSet IpSet::complement() const {
  IpSet s;
  s.v4_ = complement_ranges(v4_, uint32_t(0xffffffffu));
  s.v6_ = complement_ranges(v6_, kMax128);
  s.normalize();
  return s;
}

IpSet IpSet::minus(const IpSet& o) const {
  if (o.empty()) return *this;
  // A \ B = not(not A or B)
  IpSet c = complement();
  c.unite(o);
  return c.complement();
}

bool IpSet::operator==(const IpSet& o) const {
  if (v4_.size() != o.v4_.size() || v6_.size() != o.v6_.size()) return false;
  for (size_t i = 0; i < v4_.size(); ++i)
    if (v4_[i].lo != o.v4_[i].lo || v4_[i].hi != o.v4_[i].hi) return false;
  for (size_t i = 0; i < v6_.size(); ++i)
    if (v6_[i].lo != o.v6_[i].lo || v6_[i].hi != o.v6_[i].hi) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// PortSet

namespace {
struct PR {
  uint16_t lo, hi;
};
}  // namespace

PortSet PortSet::all() {
  PortSet s;
  s.ranges_.push_back({0, 65535});
  s.any_ = true;
  return s;
}

bool PortSet::contains(uint16_t p) const {
  if (any_) return true;
  for (const auto& r : ranges_) {
    if (p < r.first) return false;
    if (p <= r.second) return true;
  }
  return false;
}

size_t PortSet::count() const {
  size_t n = 0;
  for (const auto& r : ranges_) n += size_t(r.second) - r.first + 1;
  return n;
}

void PortSet::normalize() {
  std::vector<PR> v;
  for (const auto& r : ranges_) v.push_back({r.first, r.second});
  normalize_ranges(v, uint16_t(65535));
  ranges_.clear();
  for (const auto& r : v) ranges_.emplace_back(r.lo, r.hi);
  any_ = ranges_.size() == 1 && ranges_[0].first == 0 && ranges_[0].second == 65535;
}

void PortSet::add(uint16_t lo, uint16_t hi) {
  ranges_.emplace_back(lo, hi);
  normalize();
}

void PortSet::append(const PortSet& o) {
  ranges_.insert(ranges_.end(), o.ranges_.begin(), o.ranges_.end());
}

void PortSet::unite(const PortSet& o) {
  ranges_.insert(ranges_.end(), o.ranges_.begin(), o.ranges_.end());
  normalize();
}

PortSet PortSet::complement() const {
  std::vector<PR> v;
  for (const auto& r : ranges_) v.push_back({r.first, r.second});
  PortSet s;
  for (const auto& r : complement_ranges(v, uint16_t(65535))) s.ranges_.emplace_back(r.lo, r.hi);
  s.normalize();
  return s;
}

PortSet PortSet::minus(const PortSet& o) const {
  if (o.empty()) return *this;
  PortSet c = complement();
  c.unite(o);
  return c.complement();
}

// ---------------------------------------------------------------------------------------------

Result<IpSet> parse_address_set(std::string_view text, const VarMap& vars) {
  if (text.size() > 1 << 20) return Status::invalid("address expression longer than 1 MiB");
  IpSet s;
  Status st = eval_expr(text, vars, parse_address_atom, 0, &s, "address");
  if (!st) return st;
  if (s.empty()) return Status::invalid("address expression '" + std::string(text.substr(0, 80)) + "' matches nothing");
  return s;
}

Result<PortSet> parse_port_set(std::string_view text, const VarMap& vars) {
  if (text.size() > 1 << 20) return Status::invalid("port expression longer than 1 MiB");
  PortSet s;
  Status st = eval_expr(text, vars, parse_port_atom, 0, &s, "port");
  if (!st) return st;
  if (s.empty()) return Status::invalid("port expression '" + std::string(text.substr(0, 80)) + "' matches nothing");
  return s;
}

}  // namespace canh::rules
