#include "sensor/metrics.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/metrics_text.h"
#include "sensor/worker.h"

namespace canh::sensor {

namespace {

const auto g_started = std::chrono::steady_clock::now();

}  // namespace

std::vector<double> worker_cpu_seconds(size_t workers) {
  std::vector<double> out(workers, 0.0);
  std::error_code ec;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string comm;
    std::ifstream(it->path() / "comm") >> comm;
    if (comm.rfind("canh-w", 0) != 0) continue;
    char* end = nullptr;
    unsigned long n = std::strtoul(comm.c_str() + 6, &end, 10);
    if (end == comm.c_str() + 6 || *end != '\0' || n >= workers) continue;
    std::string stat;
    std::getline(std::ifstream(it->path() / "stat"), stat);
    // After "tid (comm) " come the fields from 3 (state) on; utime and stime are 14 and 15.
    size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 > stat.size()) continue;
    std::istringstream rest(stat.substr(paren + 2));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && (rest >> field); ++i) {
      if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
      if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    out[n] = static_cast<double>(utime + stime) / tick;
  }
  return out;
}

std::string render_sensor_metrics(const SensorMetricsSources& src) {
  metrics::TextWriter w;
  w.family("canh_build_info", "gauge", "The running Canh version (value 1).");
  w.sample("canh_build_info", {{"version", CANH_VERSION}, {"role", "sensor"}}, uint64_t{1});
  w.gauge("canh_sensor_uptime_seconds", "Seconds since the sensor started.",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - g_started).count());
  w.family("canh_sensor_ruleset_info", "gauge", "The rule set the sensor runs (value: rules loaded).");
  w.sample("canh_sensor_ruleset_info", {{"version", src.ruleset_version}}, src.rules_loaded);

  std::vector<const PublishedCounters*> workers = src.workers ? src.workers() : std::vector<const PublishedCounters*>{};
  w.gauge("canh_sensor_workers", "Worker threads (capture to detection, each for its share of the flows).",
          static_cast<uint64_t>(workers.size()));
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    const std::atomic<uint64_t> PublishedCounters::*field;
  };
  const Family families[] = {
      {"canh_sensor_packets_total", "counter", "Packets decoded, by worker.", &PublishedCounters::packets},
      {"canh_sensor_bytes_total", "counter", "Bytes of the packets decoded, by worker.", &PublishedCounters::bytes},
      {"canh_sensor_alerts_total", "counter", "Alerts raised, by worker.", &PublishedCounters::alerts},
      {"canh_sensor_flows_total", "counter", "Flows created, by worker.", &PublishedCounters::flows_total},
      {"canh_sensor_flows_active", "gauge", "Flows in the flow table now, by worker.", &PublishedCounters::flows_active},
      {"canh_sensor_decoder_events_total", "counter",
       "Malformed or unusual packets counted by the decoders (see the stats record for reasons), by worker.",
       &PublishedCounters::decoder_events},
      {"canh_sensor_capture_drops_total", "counter", "Packets the capture dropped before the sensor saw them, by worker.",
       &PublishedCounters::capture_drops},
      {"canh_sensor_invalid_checksums_total", "counter", "TCP segments with a bad checksum, by worker.",
       &PublishedCounters::invalid_checksums},
  };
  for (const auto& f : families) {
    w.family(f.name, f.type, f.help);
    for (size_t i = 0; i < workers.size(); ++i) {
      std::string id = std::to_string(i);
      w.sample(f.name, {{"worker", id}}, (workers[i]->*f.field).load(std::memory_order_relaxed));
    }
  }
  std::vector<double> cpu = worker_cpu_seconds(workers.size());
  w.family("canh_sensor_worker_busy_seconds_total", "counter",
           "CPU time of a worker's thread (user + system): its rate is the worker's load, 1.0 = saturated.");
  for (size_t i = 0; i < cpu.size(); ++i) {
    std::string id = std::to_string(i);
    w.sample("canh_sensor_worker_busy_seconds_total", {{"worker", id}}, cpu[i]);
  }

  if (auto ship = src.ship ? src.ship() : std::nullopt) {
    w.gauge("canh_sensor_enrolled", "1 once the sensor holds a credential from the collector.", uint64_t{ship->enrolled});
    w.gauge("canh_sensor_spool_batches", "Sealed alert batches waiting in the spool for the collector.", ship->spool_batches);
    w.gauge("canh_sensor_spool_bytes", "Bytes in the spool (sealed and open batches).", ship->spool_bytes);
    w.gauge("canh_sensor_spool_open_alerts", "Alerts in the batch being filled.", ship->spool_open_alerts);
    w.counter("canh_sensor_spool_dropped_alerts_total", "Alerts lost because the spool reached its size limit.",
              ship->spool_dropped_alerts);
    w.counter("canh_sensor_spool_write_errors_total",
              "Failed writes to the spool (disk full, file size limit); most are retried in a new batch file.",
              ship->spool_write_errors);
    w.counter("canh_sensor_spool_lost_alerts_total", "Alerts that could not be written to the spool at all.",
              ship->spool_lost_alerts);
    w.counter("canh_sensor_shipped_batches_total", "Batches the collector acknowledged (stored durably).",
              ship->shipped_batches);
    w.counter("canh_sensor_shipped_alerts_total", "Alerts in the acknowledged batches.", ship->shipped_alerts);
    w.counter("canh_sensor_duplicate_batches_total", "Retried batches the collector had stored already.",
              ship->duplicate_batches);
    w.counter("canh_sensor_rejected_batches_total", "Batches the collector refused as malformed.", ship->rejected_batches);
    w.counter("canh_sensor_heartbeats_total", "Heartbeats sent to the collector.", ship->heartbeats);
    w.counter("canh_sensor_ship_failures_total", "Failed calls to the collector (unreachable, 429, 5xx); retried.",
              ship->failures);
    w.gauge("canh_sensor_ruleset_version_assigned", "Rule-set version the collector last told the sensor to run.",
            ship->ruleset_seen);
  }
  metrics::write_process_metrics(w);
  return w.take();
}

}  // namespace canh::sensor
