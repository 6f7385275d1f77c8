// The sensor: configuration, capture sources, N workers on their own threads, output sinks, the
// final stats record and the human summary. `canh sensor` (cli/sensor_cmd.cc) drives it.
//
// Threads: one per worker, each owning its capture handle (see capture.h). The caller's thread waits,
// prints progress for large files on a terminal, and turns SIGINT/SIGTERM into a stop flag that the
// workers check between packets; on stop every worker flushes its flows and the sinks are flushed.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "sensor/app_hook.h"
#include "sensor/config.h"
#include "sensor/detector.h"
#include "sensor/eve.h"
#include "sensor/worker.h"

namespace canh::sensor {

struct SensorOptions {
  std::string read_file;     // -r
  std::string interface;     // -i
  std::string log_dir = ".";  // -l
  unsigned workers = 1;
  bool progress = true;      // progress line on stderr when reading a large file to a terminal
  bool summary = true;       // human summary on stderr at the end
  std::string rules_summary; // one line describing the loaded rules, for the summary
};

struct SensorTotals {
  WorkerTotals sum;
  std::vector<WorkerTotals> per_worker;
  double seconds = 0;  // wall time of packet processing
};

class Sensor {
 public:
  Sensor(SensorConfig config, SensorOptions options, std::shared_ptr<DetectorFactory> detectors,
         std::shared_ptr<AppLayerFactory> app = nullptr);
  ~Sensor();

  // Adds an output consumer (the shipper) beside DIR/eve.json. Call before run().
  void add_sink(std::shared_ptr<EventSink> sink) { sinks_.add(std::move(sink)); }
  // Runs to the end of the file, or until stop() (or SIGINT/SIGTERM when `handle_signals`).
  Status run(bool handle_signals = true);
  void stop() { stop_.store(true, std::memory_order_relaxed); }

  // Live counters of every worker (readable from any thread while run() is going).
  const std::vector<std::unique_ptr<Worker>>& workers() const { return workers_; }
  const SensorTotals& totals() const { return totals_; }
  // The workers' published counters for another thread (metrics endpoint, heartbeats): empty until
  // run() has created the workers. Safe to call at any time, unlike workers() during start-up.
  std::vector<const PublishedCounters*> published_counters() const;

 private:
  void write_stats();
  void print_summary() const;

  SensorConfig config_;
  SensorOptions options_;
  std::shared_ptr<DetectorFactory> detectors_;
  std::shared_ptr<AppLayerFactory> app_;
  SinkList sinks_;
  std::vector<std::unique_ptr<Worker>> workers_;
  mutable std::mutex workers_mu_;  // guards workers_ while run() creates them (published_counters())
  std::atomic<bool> stop_{false};
  SensorTotals totals_;
};

}  // namespace canh::sensor
