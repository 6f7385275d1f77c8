// Background upkeep of the alert store in `canh server`, every few minutes on its own thread:
// summarises past hours for the dashboards (AlertStore::refresh_summaries) and applies the retention
// policy (by age and by size on disk), logging when alerts are removed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "storage/alert_store.h"

namespace canh::collector {

struct MaintenanceOptions {
  storage::RetentionPolicy retention;
  std::chrono::seconds interval{600};
  size_t summaries_per_pass = 2000;  // (hour, dimension) pairs; a month of hours has 2,160
};

class Maintenance {
 public:
  // Starts the thread; the first pass runs at once (a server started after a long stop catches up).
  Maintenance(storage::AlertStore& alerts, MaintenanceOptions options);
  ~Maintenance();  // stops the thread (a pass in progress finishes first)
  Maintenance(const Maintenance&) = delete;
  Maintenance& operator=(const Maintenance&) = delete;

  // One pass, as the thread runs it; also for tests. Returns the retention floor afterwards.
  Result<int64_t> run_once(int64_t now_us);

 private:
  void loop();
  storage::AlertStore& alerts_;
  MaintenanceOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace canh::collector
