// Group commit for sensor batches. Request threads parse and validate their batch, then hand it to
// one writer thread and wait; the writer takes everything that queued up while the previous write
// was syncing and stores it in one atomic write with one WAL sync. Under load a sync is shared by
// many batches, so durability costs a fixed price per write, not per batch.
//
// Back-pressure: when the alerts waiting exceed the queue limit, submit() refuses at once with
// kUnavailable (the handler answers 429 with Retry-After) instead of letting memory and latency grow.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "storage/alert_store.h"

namespace canh::collector {

struct IngestOptions {
  size_t max_queued_alerts = 200000;  // waiting for the writer; beyond this: 429
  size_t max_group_alerts = 50000;    // stored per write
  std::function<void()> before_write;  // tests: called by the writer before each write
};

class Ingestor {
 public:
  Ingestor(storage::AlertStore& store, IngestOptions options = {});
  ~Ingestor();  // finishes what is queued, then stops
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // Blocks until the batch is durable or refused. kUnavailable: queue full, try later;
  // kIo: the write failed (nothing of the batch is stored; the sensor retries later).
  Result<storage::IngestOutcome> submit(storage::IngestBatch batch);

  // Seconds a refused sensor should wait: how long the queue takes to drain at the recent rate.
  int retry_after_seconds() const;

  size_t queued_alerts() const;

  struct Counters {
    uint64_t writes = 0, batches = 0, alerts = 0, refused = 0;
  };
  Counters counters() const;

 private:
  struct Pending {
    storage::IngestBatch batch;
    std::promise<Result<storage::IngestOutcome>> done;
  };
  void run();

  storage::AlertStore& store_;
  IngestOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  size_t queued_alerts_ = 0;
  bool stopping_ = false;
  double recent_rate_ = 0;  // alerts per second, smoothed
  Counters counters_;
  std::thread writer_;
};

}  // namespace canh::collector
