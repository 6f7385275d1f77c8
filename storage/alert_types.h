// The values the alert store takes and gives: what ingest stores, what a query asks, what comes back.
// No RocksDB here (STYLE.md, "RocksDB's public headers"): keys, encodings and column families are
// private to storage/.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::storage {

// An IPv4 or IPv6 address, kept as 16 bytes: IPv4 as the IPv4-mapped IPv6 address (::ffff:a.b.c.d),
// so one ordering and one prefix arithmetic cover both families.
struct IpAddr {
  std::array<uint8_t, 16> bytes{};

  bool is_v4() const;
  // "10.1.2.3" or RFC 5952 IPv6 ("2001:db8::1").
  std::string to_string() const;
  static std::optional<IpAddr> parse(std::string_view text);
  static IpAddr v4(uint32_t host_order);
  friend bool operator==(const IpAddr&, const IpAddr&) = default;
};

// An address block. `bits` counts in the 128-bit space, so an IPv4 /24 is bits = 96 + 24.
struct Cidr {
  IpAddr base;  // host bits zero
  uint8_t bits = 128;

  bool contains(const IpAddr& a) const;
  // Prefix length as people write it: 24 for 10.0.0.0/24, 64 for 2001:db8::/64.
  unsigned written_bits() const { return base.is_v4() && bits >= 96 ? bits - 96 : bits; }
  std::string to_string() const;
  // "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128). Host bits set in the address
  // are an error ("10.0.0.1/8": did you mean 10.0.0.0/8?), as a typo should not widen a search.
  static Result<Cidr> parse(std::string_view text);
};

IpAddr mask(const IpAddr& a, unsigned bits);

// Where an alert was triaged to. Every alert starts as kNew.
enum class TriageState : uint8_t { kNew = 0, kAcknowledged = 1, kEscalated = 2, kClosed = 3, kFalsePositive = 4 };
inline constexpr int kTriageStateCount = 5;
std::string_view triage_state_name(TriageState s);  // "new", "acknowledged", "escalated", "closed", "false-positive"
std::optional<TriageState> parse_triage_state(std::string_view name);

// Identifies a stored alert: the event time in microseconds and a store-wide ingest sequence number
// (which makes two alerts of the same microsecond distinct). Lists run newest first: by ts, then seq.
struct AlertId {
  int64_t ts_us = 0;
  uint64_t seq = 0;

  // 32 lowercase hex digits; also the cursor format of the list API.
  std::string to_string() const;
  static std::optional<AlertId> parse(std::string_view text);
  friend bool operator==(const AlertId&, const AlertId&) = default;
  // "Newer" sorts first in every list.
  friend bool newer(const AlertId& a, const AlertId& b) { return a.ts_us != b.ts_us ? a.ts_us > b.ts_us : a.seq > b.seq; }
};

// One alert as ingest hands it to the store: the fields the indexes and aggregates need, already
// parsed and validated from the EVE line, and the line itself, stored verbatim.
struct NewAlert {
  int64_t ts_us = 0;
  uint32_t sid = 0;
  uint32_t gid = 1;
  uint32_t rev = 0;
  uint8_t severity = 3;
  IpAddr src, dst;
  uint16_t src_port = 0, dst_port = 0;
  std::string proto;      // "TCP", "UDP", ...
  std::string signature;  // alert.signature
  std::string category;   // alert.category
  std::string eve;        // the EVE JSON line, without newline
};

// A batch from one sensor, numbered by the sensor within one spool stream (a random id the sensor
// draws when its spool is created, so a reinstalled sensor that counts from 1 again is not taken for
// a retry).
struct IngestBatch {
  uint32_t sensor = 0;
  uint64_t stream = 0;
  uint64_t number = 0;
  std::vector<NewAlert> alerts;
};

struct IngestOutcome {
  bool duplicate = false;  // stored before: nothing written this time
  uint32_t stored = 0;
  uint32_t expired = 0;    // older than the retention floor: accepted but not kept
};

// A stored alert with its triage state.
struct Alert {
  AlertId id;
  uint32_t sid = 0, gid = 1, rev = 0;
  uint8_t severity = 3;
  IpAddr src, dst;
  uint16_t src_port = 0, dst_port = 0;
  uint32_t sensor = 0;
  std::vector<uint32_t> systems;  // information systems whose ranges hold src or dst
  int64_t received_ms = 0;
  TriageState state = TriageState::kNew;
  std::string assignee;
  std::string triaged_by;  // who made the last triage change
  int64_t triaged_ms = 0;
  std::string proto, signature, category;
  std::string eve;
};

// A list query. Every filter given must hold (AND); values within one filter are alternatives (OR).
struct AlertQuery {
  int64_t from_us = 0;                   // inclusive
  int64_t to_us = INT64_MAX;             // exclusive
  std::vector<uint32_t> sids;
  std::vector<uint8_t> severities;
  std::optional<Cidr> src, dst;
  std::optional<Cidr> either;            // source or destination in this block
  std::vector<uint32_t> sensors;
  std::vector<uint32_t> systems;
  std::vector<TriageState> states;
  std::optional<std::string> assignee;   // "" matches unassigned alerts; a name reads the assignee index
  std::string text;                      // case-insensitive substring of the signature message
  // Exclusions ("all but this scanner"): checked on each record's header, so they narrow what the
  // other filters find but never drive the search.
  std::vector<uint32_t> not_sids;
  std::vector<uint32_t> not_sensors;
  std::vector<Cidr> not_src, not_dst, not_either;  // not_either: neither source nor destination in it
  size_t limit = 50;
  std::optional<AlertId> after;          // the cursor: continue with alerts older than this one
  bool with_eve = true;                  // false: items leave Alert::eve empty (summaries, bulk actions)
};

struct AlertPage {
  std::vector<Alert> items;
  // Set when more alerts may match: pass it as AlertQuery::after for the next page.
  std::optional<AlertId> next;
  // The query stopped at its work budget before filling the page (a conjunction of filters that
  // match often apart and rarely together); `next` continues the search from where it stopped.
  bool partial = false;
};

struct Count {
  std::string key;    // sid, address, sensor id, ... as text
  std::string label;  // the signature message for a sid; empty otherwise
  uint64_t count = 0;
};

struct AlertStatsQuery {
  int64_t from_us = 0;
  int64_t to_us = INT64_MAX;
  size_t top = 10;
  int64_t bucket_seconds = 0;  // 0: chosen from the range (about 100 buckets, at least a minute)
};

// Totals, severities, states and the series are exact. Top lists cover whole hours; for an hour
// that AlertStore::refresh_summaries has summarised, a value is counted only if it is among that
// hour's 1000 most frequent (a bound far below any top-10 count in practice).
struct AlertStats {
  int64_t from_us = 0, to_us = 0;         // the range actually counted (top lists: whole hours)
  uint64_t total = 0;
  std::array<uint64_t, 5> by_severity{};  // [0]: severities outside 1..4, [1..4]: severity 1..4
  std::array<uint64_t, kTriageStateCount> by_state{};
  int64_t bucket_seconds = 60;
  struct Bucket {
    int64_t start_us = 0;
    uint64_t count = 0;
    std::array<uint64_t, 5> by_severity{};
  };
  std::vector<Bucket> series;
  std::vector<Count> top_signatures, top_sources, top_destinations, by_sensor, by_system;
};

struct SignatureInfo {
  uint32_t sid = 0;
  std::string signature, category;
};

}  // namespace canh::storage
