#include "collector/ingest.h"

#include <algorithm>
#include <cmath>

#include "common/log.h"

namespace canh::collector {

namespace {
int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
}  // namespace

Ingestor::Ingestor(storage::AlertStore& store, IngestOptions options) : store_(store), options_(std::move(options)) {}

Result<storage::IngestOutcome> Ingestor::submit(storage::IngestBatch batch) {
  const size_t n = batch.alerts.size();
  const auto started = std::chrono::steady_clock::now();
  std::multiset<std::chrono::steady_clock::time_point>::iterator mine;
  {
    std::lock_guard lock(mu_);
    if (!in_flight_.empty() && started - *in_flight_.begin() > options_.stall_after) {
      ++counters_.refused;
      return Status::unavailable("ingest is behind: a write has been waiting for the disk for over " +
                                 std::to_string(options_.stall_after.count()) + " ms");
    }
    // A batch larger than the whole limit still gets in when nothing else is in flight, or it never could.
    if (queued_alerts_ > 0 && queued_alerts_ + n > options_.max_queued_alerts) {
      ++counters_.refused;
      return Status::unavailable("ingest is behind (" + std::to_string(queued_alerts_) + " alerts being stored)");
    }
    queued_alerts_ += n;
    mine = in_flight_.insert(started);
  }
  if (options_.before_write) options_.before_write();
  storage::IngestBatch* one[] = {&batch};
  auto r = store_.ingest(one, true, wall_ms());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::lock_guard lock(mu_);
  queued_alerts_ -= n;
  in_flight_.erase(mine);
  if (!r) {
    log::error("collector", "storing a sensor batch failed")
        .kv("sensor", batch.sensor)
        .kv("batch", batch.number)
        .kv("error", r.status().message());
    return Status::io("storing the batch failed: " + r.status().message());
  }
  ++counters_.writes;
  ++counters_.batches;
  counters_.alerts += n;
  if (secs > 0 && n > 0) {
    double rate = static_cast<double>(n) / secs;
    recent_rate_ = recent_rate_ == 0 ? rate : 0.8 * recent_rate_ + 0.2 * rate;
  }
  return (*r)[0];
}

int Ingestor::retry_after_seconds() const {
  std::lock_guard lock(mu_);
  if (recent_rate_ <= 0) return 1;
  return std::clamp(static_cast<int>(std::ceil(static_cast<double>(queued_alerts_) / recent_rate_)), 1, 30);
}

bool Ingestor::stalled() const {
  std::lock_guard lock(mu_);
  return !in_flight_.empty() && std::chrono::steady_clock::now() - *in_flight_.begin() > options_.stall_after;
}

size_t Ingestor::queued_alerts() const {
  std::lock_guard lock(mu_);
  return queued_alerts_;
}

Ingestor::Counters Ingestor::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace canh::collector
