#include "collector/maintenance.h"

#include "common/log.h"
#include "common/timestamp.h"

namespace canh::collector {

Maintenance::Maintenance(storage::AlertStore& alerts, MaintenanceOptions options)
    : alerts_(alerts), options_(options) {
  if (options_.retention.max_age_seconds > 0 || options_.retention.max_bytes > 0)
    log::info("collector", "alert retention")
        .kv("max_age_days", options_.retention.max_age_seconds / 86400)
        .kv("max_bytes", options_.retention.max_bytes)
        .kv("every_seconds", options_.interval.count());
  thread_ = std::thread([this] { loop(); });
}

Maintenance::~Maintenance() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<int64_t> Maintenance::run_once(int64_t now_us) {
  // Hour summaries first (cheap when current): dashboards over past days read them.
  auto summaries = alerts_.refresh_summaries(now_us, options_.summaries_per_pass);
  if (!summaries) log::warn("collector", "summarising past hours failed").kv("error", summaries.status().message());
  int64_t before = alerts_.retention_floor_us();
  auto floor = alerts_.enforce_retention(options_.retention, now_us);
  if (!floor) {
    log::error("collector", "retention pass failed").kv("error", floor.status().message());
    return floor;
  }
  if (*floor > before)
    log::info("collector", "retention removed old alerts").kv("older_than", format_timestamp_us(*floor));
  return floor;
}

void Maintenance::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    using namespace std::chrono;
    (void)run_once(duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
    lock.lock();
    cv_.wait_for(lock, options_.interval, [&] { return stopping_; });
  }
}

}  // namespace canh::collector
