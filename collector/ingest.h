// Admission and durable storage of sensor batches. Each request thread parses and validates its own
// batch, then stores it itself: RocksDB's write group joins the writes of concurrent requests behind
// one WAL sync (group commit) and inserts their entries into the memtables in parallel, so
// durability costs a fixed price per group, not per batch, and no single thread caps ingest.
//
// Back-pressure: submit() refuses at once with kUnavailable (the handler answers 429 with
// Retry-After) when storing has fallen behind — a write in flight for longer than `stall_after`
// (the disk or RocksDB's compaction cannot keep up) or more alerts in flight than the limit —
// instead of letting requests pile up and hold every server thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>

#include "common/status.h"
#include "storage/alert_store.h"

namespace canh::collector {

struct IngestOptions {
  size_t max_queued_alerts = 200000;   // being stored at once; beyond this: 429
  std::chrono::milliseconds stall_after{2000};  // a write in flight this long: 429 for new batches
  std::function<void()> before_write;  // tests: called before each batch is written
};

class Ingestor {
 public:
  explicit Ingestor(storage::AlertStore& store, IngestOptions options = {});
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // Returns once the batch is durable or refused. kUnavailable: too much in flight, try later;
  // kIo: the write failed (nothing of the batch is stored; the sensor retries later).
  Result<storage::IngestOutcome> submit(storage::IngestBatch batch);

  // Seconds a refused sensor should wait: how long what is in flight takes at the recent rate.
  int retry_after_seconds() const;
  size_t queued_alerts() const;
  // True while a write has been in flight for longer than stall_after.
  bool stalled() const;

  struct Counters {
    uint64_t writes = 0, batches = 0, alerts = 0, refused = 0;
  };
  Counters counters() const;

 private:
  storage::AlertStore& store_;
  IngestOptions options_;
  mutable std::mutex mu_;
  size_t queued_alerts_ = 0;
  std::multiset<std::chrono::steady_clock::time_point> in_flight_;  // start of each write
  double recent_rate_ = 0;  // alerts per second, smoothed
  Counters counters_;
};

}  // namespace canh::collector
