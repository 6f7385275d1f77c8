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

Ingestor::Ingestor(storage::AlertStore& store, IngestOptions options)
    : store_(store), options_(options), writer_([this] { run(); }) {}

Ingestor::~Ingestor() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

Result<storage::IngestOutcome> Ingestor::submit(storage::IngestBatch batch) {
  std::future<Result<storage::IngestOutcome>> f;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status::unavailable("the collector is shutting down");
    // A batch larger than the whole queue still gets in when the queue is empty, or it could never.
    if (queued_alerts_ > 0 && queued_alerts_ + batch.alerts.size() > options_.max_queued_alerts) {
      ++counters_.refused;
      return Status::unavailable("ingest queue full (" + std::to_string(queued_alerts_) + " alerts waiting)");
    }
    queued_alerts_ += batch.alerts.size();
    queue_.push_back(Pending{std::move(batch), {}});
    f = queue_.back().done.get_future();
  }
  cv_.notify_one();
  return f.get();
}

int Ingestor::retry_after_seconds() const {
  std::lock_guard lock(mu_);
  if (recent_rate_ <= 0) return 1;
  return std::clamp(static_cast<int>(std::ceil(static_cast<double>(queued_alerts_) / recent_rate_)), 1, 30);
}

size_t Ingestor::queued_alerts() const {
  std::lock_guard lock(mu_);
  return queued_alerts_;
}

Ingestor::Counters Ingestor::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void Ingestor::run() {
  std::vector<Pending> group;
  std::vector<storage::IngestBatch*> ptrs;
  for (;;) {
    group.clear();
    ptrs.clear();
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      size_t alerts = 0;
      while (!queue_.empty() && (group.empty() || alerts + queue_.front().batch.alerts.size() <= options_.max_group_alerts)) {
        alerts += queue_.front().batch.alerts.size();
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    for (auto& p : group) ptrs.push_back(&p.batch);
    if (options_.before_write) options_.before_write();
    auto started = std::chrono::steady_clock::now();
    auto r = store_.ingest(ptrs, true, wall_ms());
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    size_t alerts = 0;
    for (auto& p : group) alerts += p.batch.alerts.size();
    if (!r) log::error("collector", "storing sensor batches failed").kv("batches", group.size()).kv("error", r.status().message());
    {
      std::lock_guard lock(mu_);
      queued_alerts_ -= alerts;
      if (r) {
        ++counters_.writes;
        counters_.batches += group.size();
        counters_.alerts += alerts;
        if (secs > 0 && alerts > 0) {
          double rate = static_cast<double>(alerts) / secs;
          recent_rate_ = recent_rate_ == 0 ? rate : 0.8 * recent_rate_ + 0.2 * rate;
        }
      }
    }
    for (size_t i = 0; i < group.size(); ++i) {
      if (r) group[i].done.set_value((*r)[i]);
      else group[i].done.set_value(Status::io("storing the batch failed: " + r.status().message()));
    }
  }
}

}  // namespace canh::collector
