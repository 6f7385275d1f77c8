// Rule-set versions and suppressions, as the console manages them and the sensors load them.
//
// A version is immutable: its rule files (stored once by content hash, so toggling one rule does not
// copy 19,000 others), the sids enabled or disabled on top of the files, and the threshold.config
// text carrying the suppressions and thresholds in force when it was cut. Every change — an upload,
// a rule switched on or off, a suppression added, removed or expired, a rollback — cuts a new
// version naming who and why, and makes it current. Sensors poll the current version number and
// load a new one beside the old (hot reload); the fleet page compares each sensor's loaded version
// with the current one.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace canh::storage {

class Database;

inline constexpr std::string_view kRuleSetsFamily = "rulesets";
inline constexpr std::string_view kSuppressionsFamily = "suppressions";
inline constexpr std::string_view kAlertNotesFamily = "alert_notes";

struct RuleFile {
  std::string name;  // "emerging-scan.rules"
  std::string sha256;
  uint64_t bytes = 0;
};

struct RuleSetVersion {
  uint64_t version = 0;  // 1, 2, 3, ...
  uint64_t parent = 0;   // the version it was derived from (0 for the first)
  std::string author;
  int64_t created_ms = 0;
  std::string change;   // what changed, for people: "uploaded 3 files", "disabled sid 2001 (noisy)"
  std::vector<RuleFile> files;
  std::vector<uint32_t> disabled_sids;  // switched off by people, whatever the files say
  std::vector<uint32_t> enabled_sids;   // switched on although commented out in the files
  std::string thresholds;               // threshold.config text
  // Load summary computed when the version was cut.
  uint64_t rules_loadable = 0, rules_skipped = 0, rules_errors = 0, rules_disabled = 0;
};

class RuleStore {
 public:
  explicit RuleStore(Database& db) : db_(db) {}

  // Stores file contents (deduplicated by SHA-256) and returns their descriptors in order.
  Result<std::vector<RuleFile>> put_files(const std::vector<std::pair<std::string, std::string>>& name_and_text);
  Result<std::string> file_text(std::string_view sha256) const;

  // Stores `v` as the next version (v.version is assigned) and makes it current, atomically.
  // `expect_current` guards against two admins editing at once: kConflict when the current version
  // is no longer the one the change was based on.
  Result<RuleSetVersion> commit(RuleSetVersion v, uint64_t expect_current);
  // Makes an existing version current again (rollback) by cutting a copy of it as a new version.
  Result<RuleSetVersion> activate(uint64_t version, std::string_view author, uint64_t expect_current);

  Result<std::optional<RuleSetVersion>> get(uint64_t version) const;
  Result<std::optional<RuleSetVersion>> current() const;
  uint64_t current_version() const;  // 0 when none
  Result<std::vector<RuleSetVersion>> list(size_t limit) const;  // newest first

 private:
  Database& db_;
  mutable std::mutex mu_;  // serialises commit()
};

// A suppression or threshold, scoped and expiring.
struct Suppression {
  uint64_t id = 0;
  std::string kind = "suppress";  // "suppress" | "threshold"
  uint32_t gid = 1, sid = 0;      // sid 0: every rule (suppress only)
  std::string track;              // "", "by_src", "by_dst", "by_either"
  std::string ip;                 // address or CIDR ("" with track "")
  std::string threshold_type;     // "limit" | "threshold" | "both" (kind threshold)
  uint32_t count = 0, seconds = 0;
  std::string reason, author;
  std::string alert;              // the alert it was created from, if any
  int64_t created_ms = 0;
  int64_t expires_ms = 0;         // 0: never
  int64_t removed_ms = 0;         // 0: not removed
  std::string removed_by;
  uint64_t version = 0;           // the rule-set version that first carried it

  bool active(int64_t now_ms) const { return removed_ms == 0 && (expires_ms == 0 || expires_ms > now_ms); }
  // One threshold.config line (Suricata syntax).
  std::string config_line() const;
};

class SuppressionStore {
 public:
  explicit SuppressionStore(Database& db) : db_(db) {}
  Result<Suppression> add(Suppression s);  // assigns id
  Status put(const Suppression& s);        // update (removal, version)
  Result<std::optional<Suppression>> get(uint64_t id) const;
  Result<std::vector<Suppression>> list() const;  // all, newest first
  // threshold.config text of the suppressions active at `now_ms`.
  Result<std::string> config_text(int64_t now_ms) const;

 private:
  Database& db_;
  std::mutex mu_;
};

// Comments and the triage history of alerts: who changed what, when, why.
struct AlertNote {
  std::string alert;   // AlertId text
  int64_t time_ms = 0;
  std::string by;
  std::string kind;    // "comment", "state", "assign"
  std::string from, to;
  std::string reason;  // for closing: "true-positive", "false-positive", "benign", "duplicate", ...
  std::string text;    // the comment or note
};

class AlertNotes {
 public:
  explicit AlertNotes(Database& db) : db_(db) {}
  Status add(const AlertNote& n);
  // The key and value add() stores `n` under, for a writer that puts the note in an atomic batch of
  // its own (AlertStore::set_triage_many): the history then commits with the change it records.
  std::pair<std::string, std::string> encode(const AlertNote& n);
  Result<std::vector<AlertNote>> list(std::string_view alert) const;  // oldest first

 private:
  Database& db_;
  std::mutex mu_;
  uint32_t counter_ = 0;
};

}  // namespace canh::storage
