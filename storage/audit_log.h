// The audit log: every user action, append-only and hash-chained. Each record carries the SHA-256
// of the record before it, and its own hash covers its content and that link, so deleting, reordering
// or editing any record breaks every hash after it; verify() finds the first break. An auditor
// verifies and exports it (`canh audit verify`, the console's audit page).
//
// Record format (one JSON object per record, keys in this order, no spaces):
//   {"seq":N,"time_ms":T,"actor_kind":..,"actor":..,"actor_name":..,"role":..,"action":..,
//    "method":..,"path":..,"remote":..,"status":S,"detail":..,"prev":"<64 hex>","hash":"<64 hex>"}
// hash = SHA-256 over the record's bytes up to (not including) `,"hash"` followed by `}`; prev of
// the first record is 64 zeros. The stored bytes are exactly what is hashed, so an export of the
// values can be checked by anyone with sha256sum and a few lines of script.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::storage {

class Database;

inline constexpr std::string_view kAuditFamily = "audit";

struct AuditRecord {
  uint64_t seq = 0;  // 1, 2, 3, ... without gaps
  int64_t time_ms = 0;
  std::string actor_kind;  // session, api-token, sensor, anonymous, cli
  std::string actor;       // user name / token id / sensor id
  std::string actor_name;
  std::string role;
  std::string action;  // "alert.state", "user.add", ...
  std::string method;
  std::string path;
  std::string remote;
  int status = 0;
  std::string detail;
  std::string prev;  // hex
  std::string hash;  // hex
  std::string raw;   // the stored bytes (filled on read)
};

struct AuditVerifyReport {
  uint64_t records = 0;
  bool ok = true;
  uint64_t first_bad_seq = 0;  // 0 when ok
  std::string problem;         // "seq 17: hash mismatch (record edited)"
  std::string last_hash;
};

class AuditLog {
 public:
  explicit AuditLog(Database& db);

  // Appends durably and returns the stored record (with seq and hash). Serialised internally: the
  // chain has one writer at a time.
  Result<AuditRecord> append(AuditRecord r);
  // Records with seq > after_seq, oldest first, at most `limit`; an optional filter is applied before
  // counting.
  Result<std::vector<AuditRecord>> list(uint64_t after_seq, size_t limit,
                                        const std::function<bool(const AuditRecord&)>& filter = {}) const;
  // Newest first, for the console: records with seq < before_seq (0: from the newest).
  Result<std::vector<AuditRecord>> list_newest(uint64_t before_seq, size_t limit,
                                               const std::function<bool(const AuditRecord&)>& filter = {}) const;
  AuditVerifyReport verify() const;
  uint64_t last_seq() const;

  // Exposed for tests and the exporter: the canonical bytes and their hash.
  static std::string serialize_without_hash(const AuditRecord& r);
  static std::string sha256_hex(std::string_view bytes);
  static std::optional<AuditRecord> parse(std::string_view raw);

 private:
  Database& db_;
  mutable std::mutex mu_;
  uint64_t last_seq_ = 0;
  std::string last_hash_;
  Status init_status_;
};

}  // namespace canh::storage
