// Admission and durable storage of sensor batches. Each request thread parses and validates its own
// batch, then stores it itself: RocksDB's write group joins the writes of concurrent requests behind
// one WAL sync (group commit) and inserts their entries into the memtables in parallel, so
// durability costs a fixed price per group, not per batch, and no single thread caps ingest.
//
// Back-pressure: when the alerts being stored exceed the limit, submit() refuses at once with
// kUnavailable (the handler answers 429 with Retry-After) instead of letting requests pile up
// behind a slow disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/status.h"
#include "storage/alert_store.h"

namespace canh::collector {

struct IngestOptions {
  size_t max_queued_alerts = 200000;   // being stored at once; beyond this: 429
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

  struct Counters {
    uint64_t writes = 0, batches = 0, alerts = 0, refused = 0;
  };
  Counters counters() const;

 private:
  storage::AlertStore& store_;
  IngestOptions options_;
  mutable std::mutex mu_;
  size_t queued_alerts_ = 0;
  double recent_rate_ = 0;  // alerts per second, smoothed
  Counters counters_;
};

}  // namespace canh::collector
