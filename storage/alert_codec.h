// Private to storage/: how alerts, their indexes and their aggregates are laid out in RocksDB.
// storage/README.md describes the same layout for people; keep the two in step.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/alert_types.h"
#include "storage/keys.h"

namespace canh::storage::codec {

// ---- little helpers -----------------------------------------------------------------------------

inline void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>(v | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}
// Reads a varint at *pos; false on truncation or more than 10 bytes.
inline bool get_varint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 70 && *pos < in.size(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in[(*pos)++]);
    r |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return true;
    }
  }
  return false;
}
inline void put_u32_desc(std::string& out, uint32_t v) { keys::put_u32(out, ~v); }
inline uint64_t load_le64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | static_cast<uint8_t>(p[i]);
  return v;
}
inline void store_le64(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

// ---- alerts: primary records ----------------------------------------------------------------------
// Key: ts descending (8) + seq descending (8), so a forward scan is newest first and retention by
// age is one range at the end of the key space.

inline constexpr size_t kAlertKeySize = 16;
inline std::string alert_key(const AlertId& id) {
  std::string k;
  k.reserve(kAlertKeySize);
  keys::put_u64_desc(k, static_cast<uint64_t>(id.ts_us));
  keys::put_u64_desc(k, id.seq);
  return k;
}
inline std::optional<AlertId> parse_alert_key(std::string_view k) {
  if (k.size() != kAlertKeySize) return std::nullopt;
  uint64_t t = 0, s = 0;
  keys::get_u64(k, 0, &t);
  keys::get_u64(k, 8, &s);
  return AlertId{static_cast<int64_t>(~t), ~s};
}

// Value: a fixed little-endian header, then length-prefixed strings, the EVE line last.
struct RecordHeader {
  uint8_t version = 1;
  TriageState state = TriageState::kNew;
  uint8_t severity = 0;
  uint32_t sid = 0, gid = 0, rev = 0, sensor = 0;
  IpAddr src, dst;
  uint16_t src_port = 0, dst_port = 0;
  int64_t received_ms = 0, triaged_ms = 0;
};
inline constexpr size_t kRecordHeaderSize = 4 + 16 + 32 + 4 + 16;

std::string encode_record(const RecordHeader& h, const std::vector<uint32_t>& systems, std::string_view proto,
                          std::string_view signature, std::string_view category, std::string_view assignee,
                          std::string_view triaged_by, std::string_view eve);
// The header alone: what query predicates look at, without touching the strings.
bool decode_header(std::string_view value, RecordHeader* h);
// Without `with_eve`, out->eve is left empty (the EVE line is checked, not copied): list pages that
// show a summary skip the biggest part of each record.
bool decode_record(std::string_view value, const AlertId& id, Alert* out, bool with_eve = true);

// ---- alert_index: posting lists and the triage-state index -----------------------------------------
// Posting key: kind (1) + value (fixed size per kind) + second descending (4) + group descending (8).
// Value: the alerts of one ingest group that share the kind+value and the second, newest first:
// count, then (ts, seq) of the first, then per alert the ts delta and the zigzag seq delta (varints).
// One key per group, value and second instead of one key per alert and value is what lets ingest
// keep up: a memtable insert costs about a microsecond, and an alert has eleven-odd index values.

enum class IndexKind : uint8_t {
  kSid = 1,
  kSeverity = 2,
  kSensor = 3,
  kSystem = 4,
  kSrc = 5,       // value: prefix bits (1) + masked address (16); several granularities per address
  kDst = 6,
  kState = 7,     // per-alert keys: state (1) + ts desc (8) + seq desc (8); mutable, so not in blocks
  kAssignee = 8,  // per-alert keys: name length (1) + name + ts desc (8) + seq desc (8); mutable too
};
size_t index_value_size(uint8_t kind);  // 0 for an unknown kind; 0 for kAssignee (variable length)

// Address granularities indexed, in the 128-bit space: IPv4 /16 and /32, IPv6 /48 and /128. A CIDR
// query is the union of at most 256 lists of the next finer granularity (10.0.0.0/8: 256 /16 lists;
// 10.1.2.0/24: 256 /32 lists), or the next coarser list with the block checked on each record
// (10.1.0.0/20). Each granularity costs a posting key per distinct address block per second at
// ingest, and internet sources are so spread out that /24 and /8 would cost almost as much as /32.
inline constexpr uint8_t kV4Granularities[] = {112, 128};
inline constexpr uint8_t kV6Granularities[] = {48, 128};
inline constexpr int kGranularities = 2;

std::string posting_prefix(IndexKind kind, std::string_view value);
inline std::string u32_value(uint32_t v) {
  std::string s;
  keys::put_u32(s, v);
  return s;
}
std::string address_value(const IpAddr& a, uint8_t bits);  // bits (1) + masked address (16)

struct PostingItem {
  int64_t ts_us;
  uint64_t seq;
};
// `items` newest first.
void encode_postings(const std::vector<PostingItem>& items, std::string* out);
bool decode_postings(std::string_view value, std::vector<PostingItem>* out);

std::string state_key(TriageState s, const AlertId& id);
// Assigned alerts only: "unassigned" is the absence of a key, as "new" is for states. Names are at
// most 128 bytes (AlertStore::set_triage), so the length fits the byte that keeps "ab" from being a
// prefix of "abc".
std::string assignee_prefix(std::string_view name);
std::string assignee_key(std::string_view name, const AlertId& id);

// ---- alert_stats: aggregates kept at ingest (uint64 add merge operator, little-endian) --------------
// 'M' + minute (4) + severity (1)          alerts per minute and severity: the time series
// 'H' + dim (1) + hour (4) + value          alerts per hour and dimension value: the top lists
enum class StatDim : uint8_t {
  kTotal = 0,
  kSid = 1,
  kSrc = 2,       // value: 16-byte address
  kDst = 3,
  kSensor = 4,
  kSeverity = 5,  // value: 1 byte
  kSystem = 6,
  kState = 7,     // value: 1 byte; moved by triage changes
};
// 'S' + dim (1) + hour (4)                 summary of a past hour's counters of one dimension: the
//                                          hour's total when computed, then its most frequent values
std::string minute_key(uint32_t minute, uint8_t severity);
std::string summary_key(StatDim dim, uint32_t hour);
inline constexpr size_t kSummaryTop = 1000;
std::string hour_key(StatDim dim, uint32_t hour, std::string_view value);
std::string hour_prefix(StatDim dim, uint32_t hour);
inline std::string le64(uint64_t v) {
  std::string s(8, '\0');
  store_le64(s.data(), v);
  return s;
}

// Event time of an index or stats key in microseconds (the start of its bucket), or nullopt for keys
// that carry none. `bucket_us` receives the bucket length, so retention drops a bucket only when all
// of it is older than the floor.
std::optional<int64_t> index_key_time(std::string_view key, int64_t* bucket_us);
std::optional<int64_t> stats_key_time(std::string_view key, int64_t* bucket_us);

// ---- signatures, ingest batches, meta --------------------------------------------------------------
std::string batch_key(uint32_t sensor, uint64_t stream, uint64_t number);
inline constexpr std::string_view kMetaAlertSeq = "alert_seq";
inline constexpr std::string_view kMetaRetentionFloor = "retention_floor_us";

}  // namespace canh::storage::codec
