// The alert store: alerts keyed by time, their secondary indexes, triage state, the aggregates the
// dashboards read, and retention. Schema: storage/README.md.
//
// Threading: every method may be called from any thread at any time. Concurrent ingest() calls are
// what makes ingest fast: RocksDB groups their writes behind one WAL sync and inserts them into the
// memtables in parallel.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/alert_types.h"

namespace canh::storage {

class Database;
class RangeTable;
struct RetentionState;
struct AlertNote;  // storage/rule_store.h
class AlertNotes;

struct RetentionPolicy {
  int64_t max_age_seconds = 0;  // 0: no limit by age (age counts from the alert's event time)
  uint64_t max_bytes = 0;       // 0: no limit by size (the whole database on disk)
};

struct TriageChange {
  std::optional<TriageState> state;
  std::optional<std::string> assignee;  // "" clears it
};

// One alert's part in AlertStore::set_triage_many: sees the alert as stored and as it would be after
// the change (under the triage lock, so nobody changes it in between), returns false to leave it
// alone, or true after adding the history notes that record the change.
using TriagePlan = std::function<bool(const Alert& before, const Alert& after, std::vector<AlertNote>* notes)>;

class AlertStore {
 public:
  // Opened by storage::Storage, which owns the database and the retention floor shared with the
  // compaction filters.
  AlertStore(Database& db, std::shared_ptr<RetentionState> retention);
  ~AlertStore();
  AlertStore(const AlertStore&) = delete;
  AlertStore& operator=(const AlertStore&) = delete;

  // Loads the ingest sequence, the signature catalogue and the retention floor.
  Status load();

  // Stores the alerts of several batches in one atomic write — alerts, indexes, aggregates and the
  // batch records that make a retried batch a duplicate. With `durable` the write-ahead log is synced
  // before this returns, so an acknowledgement sent after it is never a lie. One outcome per batch,
  // in order. A batch repeated within `batches`, or sent by two callers at once, is stored once.
  Result<std::vector<IngestOutcome>> ingest(std::span<IngestBatch* const> batches, bool durable, int64_t now_ms);

  // Faster load for benchmarks and imports: no write-ahead log (a crash loses the load).
  Status bulk_load(std::span<IngestBatch* const> batches, int64_t now_ms);

  Result<std::optional<Alert>> get(const AlertId& id) const;
  Result<AlertPage> list(const AlertQuery& q) const;
  Result<AlertStats> stats(const AlertStatsQuery& q) const;

  // Changes state and/or assignee atomically with the state index and the per-state counts.
  // kNotFound when the alert does not exist (or has expired).
  Result<Alert> set_triage(const AlertId& id, const TriageChange& change, std::string_view by, int64_t now_ms);

  // Applies `change` to the alerts of `ids` (at most kMaxTriageBatch) in one atomic write with one
  // write-ahead-log sync: the records, the state and assignee indexes, the per-state counts and the
  // history notes `plan` adds (stored through `notes`), so a crash never leaves a state without its
  // history. Without a plan every alert is changed and no note is written. Missing or expired alerts
  // are skipped. Returns how many changed; `changed` (optional) receives them as stored after.
  static constexpr size_t kMaxTriageBatch = 5000;
  Result<size_t> set_triage_many(std::span<const AlertId> ids, const TriageChange& change, std::string_view by,
                                 int64_t now_ms, const TriagePlan& plan = {}, AlertNotes* notes = nullptr,
                                 std::vector<Alert>* changed = nullptr);

  // Signatures seen so far whose message contains `text` (case-insensitive); all when empty.
  std::vector<SignatureInfo> signatures(std::string_view text, size_t limit) const;

  // Information systems by address range: an alert whose source or destination falls in a range
  // is indexed under that system from then on (earlier alerts keep what they had).
  void set_system_ranges(std::vector<std::pair<uint32_t, Cidr>> ranges);

  // Summarises past hours (ended before now - 1 h) whose summary is missing or stale: for signatures,
  // sources and destinations, the hour's 1000 most frequent values. Dashboard top lists over many
  // hours then read a thousand entries an hour instead of every distinct address. Does at most
  // `max_summaries` (hour, dimension) pairs; returns how many it wrote. Run by collector::Maintenance.
  Result<size_t> refresh_summaries(int64_t now_us, size_t max_summaries);

  // Applies the policy: raises the retention floor and removes what is below it. Returns the new
  // floor (microseconds of event time; 0 when nothing was ever removed).
  Result<int64_t> enforce_retention(const RetentionPolicy& policy, int64_t now_us);
  int64_t retention_floor_us() const;

  // Work units (index items read, seeks, records examined) a list query may spend before it
  // returns a partial page with a cursor. Tests lower it.
  void set_query_budget(int64_t units) { query_budget_ = units; }

  struct Counters {
    uint64_t alerts_stored = 0;
    uint64_t batches_stored = 0;
    uint64_t batches_duplicate = 0;
  };
  Counters counters() const;

 private:
  Status write_ingest(std::span<IngestBatch* const> batches, bool durable, bool bulk, int64_t now_ms,
                      std::vector<IngestOutcome>* outcomes);
  // Indexes the assignees of alerts stored before the assignee index existed (once per data folder).
  Status backfill_assignee_index();

  Database& db_;
  std::shared_ptr<RetentionState> retention_;
  // Sequence numbers are handed out without a lock; meta/alert_seq keeps the highest one written
  // (a max merge), so a restart continues above every stored alert.
  std::atomic<uint64_t> next_seq_{1};
  // A batch's duplicate check and its write happen under its sensor's stripe, so two copies of one
  // batch in flight at once cannot both be stored.
  static constexpr size_t kStripes = 64;
  std::array<std::mutex, kStripes> batch_stripes_;
  std::mutex triage_mu_;
  std::atomic<int64_t> query_budget_{40000};

  mutable std::shared_mutex catalog_mu_;
  struct CatalogEntry {
    std::string signature, category, lower;
  };
  std::unordered_map<uint32_t, CatalogEntry> catalog_;

  mutable std::mutex systems_mu_;
  std::shared_ptr<const RangeTable> systems_;

  std::atomic<uint64_t> alerts_stored_{0}, batches_stored_{0}, batches_duplicate_{0};
};

}  // namespace canh::storage
