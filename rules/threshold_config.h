// threshold.config, Suricata's syntax: how the console pushes suppressions and thresholds to sensors.
//
//   suppress gen_id 1, sig_id 2002087
//   suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67
//   suppress gen_id 0, sig_id 0, track by_either, ip [10.0.0.0/8,$DNS_SERVERS]
//   threshold gen_id 1, sig_id 2002087, type both, track by_src, count 3, seconds 5
//   event_filter gen_id 1, sig_id 2002087, type limit, track by_dst, count 1, seconds 60
//
// Semantics (Suricata's "Global-Thresholds"): a suppress without track turns the rule into noalert;
// with track/ip it drops alerts whose source/destination/either address is in the set. A threshold
// or event_filter for one sid replaces the rule's own threshold keyword. gen_id 0 / sig_id 0 match
// every rule for suppress; for thresholds Suricata does not support them, neither do we (warning).
// rate_filter changes rule actions over time, which an IDS sensor has no use for: it is read,
// reported and skipped.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/address.h"
#include "rules/rule.h"

namespace canh::rules {

struct ThresholdEntry {
  enum class Kind : uint8_t { kSuppress, kThreshold };
  Kind kind = Kind::kSuppress;
  uint32_t gid = 1, sid = 0;  // 0: every gid / sid (suppress only)
  // suppress
  bool has_ip = false;
  Track track = Track::kBySrc;  // kBySrc, kByDst or kByEither
  std::shared_ptr<const IpSet> ip;
  // threshold / event_filter
  ThresholdSpec spec;
  // where it came from, for messages
  std::string file;
  uint32_t line = 0;
};

struct ThresholdConfig {
  std::vector<ThresholdEntry> entries;
  std::vector<std::string> errors;    // "file:line: message": malformed lines, not applied
  std::vector<std::string> warnings;  // "file:line: message": understood but not applied (rate_filter, sid 0 thresholds)
};

ThresholdConfig parse_threshold_config(std::string_view text, std::string_view file, const VarMap& address_vars);
// An unreadable file is one error in the result.
ThresholdConfig load_threshold_config(const std::string& path, const VarMap& address_vars);

}  // namespace canh::rules
