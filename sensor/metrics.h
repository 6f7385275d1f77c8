// The sensor's Prometheus endpoint (`canh sensor --metrics-listen HOST:PORT`, GET /metrics, text
// format 0.0.4): packets, bytes, alerts, flows, decoder events and capture drops per worker, each
// worker's busy time, and the shipper's spool and delivery figures.
//
// Nothing here touches the packet path: the workers publish relaxed atomics every few hundred
// packets (worker.h, PublishedCounters) and a scrape reads them. A worker's busy time is the CPU
// time of its thread (user + system, from /proc/self/task/TID/stat), found by the thread name the
// sensor gives it ("canh-w0", ...): CPU seconds per wall second is the worker's load, and a worker
// near 1.0 is the one to relieve (more workers, a narrower BPF filter, fewer rules).
//
// The endpoint has no authentication: bind it to loopback or a management address (the default in
// /etc/default/canh-sensor is 127.0.0.1:9917).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace canh::sensor {

class Sensor;
struct PublishedCounters;

// The shipper's figures (sensor/ship/shipper.h, ShipperStats), as plain numbers: canh_sensor does
// not depend on canh_ship. canh sensor fills it from Shipper::stats().
struct ShipFigures {
  bool enrolled = false;
  uint64_t spool_batches = 0, spool_bytes = 0, spool_open_alerts = 0, spool_dropped_alerts = 0;
  uint64_t shipped_batches = 0, shipped_alerts = 0, duplicate_batches = 0, rejected_batches = 0;
  uint64_t heartbeats = 0, failures = 0, ruleset_seen = 0;
  uint64_t spool_write_errors = 0, spool_lost_alerts = 0;  // disk full / file size limit
};

struct SensorMetricsSources {
  // The workers' published counters (empty until the sensor has started them).
  std::function<std::vector<const PublishedCounters*>()> workers;
  std::function<std::optional<ShipFigures>()> ship;  // nullopt: not shipping
  std::string ruleset_version;                        // loaded rule set, for canh_build_info
  uint64_t rules_loaded = 0;
};

std::string render_sensor_metrics(const SensorMetricsSources& sources);

// CPU seconds of this process's threads named `canh-wN`, indexed by N (0 when not found).
std::vector<double> worker_cpu_seconds(size_t workers);

}  // namespace canh::sensor
