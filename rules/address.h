// Address and port expressions of a rule header and of suricata.yaml variables, resolved to sets:
//   any | 1.2.3.4 | 10.0.0.0/8 | 10.0.0.0/255.0.0.0 | 1.2.3.4-1.2.3.9 | 2001:db8::/32 | $VAR | !X | [X, Y, ...]
//   any | 80 | 1024: | :1023 | 1024:65535 | $VAR | !X | [X, Y, ...]
// A list is the union of its positive items minus the union of its negated items; a list holding
// only negations starts from "any" (Suricata: `[!1.2.3.4, !5.6.7.8]` is everything but those two).
// A set that ends up empty is an error, as in Suricata ("complete negation").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "rules/detect.h"

namespace canh::rules {

using Uint128 = unsigned __int128;

struct Ip4Range {
  uint32_t lo = 0, hi = 0;  // inclusive
};
struct Ip6Range {
  Uint128 lo = 0, hi = 0;  // inclusive
};

// A set of IPv4 and IPv6 addresses as sorted, disjoint, non-adjacent inclusive ranges.
class IpSet {
 public:
  static IpSet all();
  static IpSet none() { return {}; }

  bool is_any() const { return any_; }
  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool contains(const Address& a) const;
  bool contains_v4(uint32_t a) const;
  bool contains_v6(Uint128 a) const;
  const std::vector<Ip4Range>& v4() const { return v4_; }
  const std::vector<Ip6Range>& v6() const { return v6_; }
  // Number of addresses covered, saturated: used to pick the more selective side of a rule.
  double size_estimate() const;

  void add_v4(uint32_t lo, uint32_t hi);
  void add_v6(Uint128 lo, Uint128 hi);
  void unite(const IpSet& o);
  // append() adds without re-normalizing (for building big lists in linear time); seal() normalizes.
  void append(const IpSet& o);
  void seal() { normalize(); }
  IpSet complement() const;
  IpSet minus(const IpSet& o) const;
  bool operator==(const IpSet& o) const;

 private:
  void normalize();
  std::vector<Ip4Range> v4_;
  std::vector<Ip6Range> v6_;
  bool any_ = false;
};

// A set of ports as sorted, disjoint inclusive ranges.
class PortSet {
 public:
  static PortSet all();
  bool is_any() const { return any_; }
  bool empty() const { return ranges_.empty(); }
  bool contains(uint16_t p) const;
  const std::vector<std::pair<uint16_t, uint16_t>>& ranges() const { return ranges_; }
  size_t count() const;

  void add(uint16_t lo, uint16_t hi);
  void unite(const PortSet& o);
  void append(const PortSet& o);
  void seal() { normalize(); }
  PortSet complement() const;
  PortSet minus(const PortSet& o) const;

 private:
  void normalize();
  std::vector<std::pair<uint16_t, uint16_t>> ranges_;
  bool any_ = false;
};

// Variable values as suricata.yaml writes them (`HOME_NET: "[192.168.0.0/16,10.0.0.0/8]"`), by name
// without the `$`.
using VarMap = std::map<std::string, std::string, std::less<>>;

// Errors name the variable chain and the offending token: "$HOME_NET: '10.0.0/8' is not an address".
Result<IpSet> parse_address_set(std::string_view text, const VarMap& address_vars);
Result<PortSet> parse_port_set(std::string_view text, const VarMap& port_vars);

// A single address (no mask, no list), for threshold.config and tests.
bool parse_ip(std::string_view text, Address* out);

}  // namespace canh::rules
