// The server's Prometheus endpoint, GET /metrics (text exposition format 0.0.4, common/metrics_text.h):
// ingest (batches, alerts, rate, queue depth, 429 refusals), RocksDB figures (estimated keys, live
// SST bytes, memtables, pending compaction bytes, stalls, background errors), API calls and latency
// per route, the current rule-set version, sensors by state, and the process (memory, CPU, start).
//
// Who may scrape: any caller from an address in `metrics.allow` of the server configuration
// (default: loopback only, so a Prometheus on the same host needs nothing), or anyone presenting a
// console API token ("Authorization: Bearer canh_at_...", any role: a read-only token is enough,
// which Prometheus sends with `authorization: {credentials_file: ...}`). Everyone else gets 403.
// The figures are operational, not alert content, but they still tell an outsider how busy the
// network is: hence no anonymous access from afar.
//
// Latency is measured by wrapping every route's handler (instrument()), so it covers the handler's
// work — storage reads and writes, ingest's durable commit — not the router's checks before it.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_types.h"
#include "common/metrics_text.h"
#include "common/status.h"
#include "storage/db_stats.h"

namespace canh::console {

// CIDR blocks an address is checked against ("127.0.0.0/8", "::1/128", "10.1.2.3" = /32).
class AddressAllowList {
 public:
  static Result<AddressAllowList> parse(const std::vector<std::string>& blocks);  // errors name the entry
  bool allows(std::string_view address) const;  // IPv4, IPv6 or IPv4-mapped IPv6 text
  size_t size() const { return blocks_.size(); }

 private:
  struct Block {
    std::array<uint8_t, 16> net{};
    int bits = 0;  // over the 128-bit (IPv4-mapped) form
  };
  std::vector<Block> blocks_;
};

// What the collector's Ingestor counts, handed over as plain numbers (console does not depend on
// collector/; canh server fills these from Collector::ingestor()).
struct IngestFigures {
  uint64_t batches = 0, alerts = 0, writes = 0, refused = 0;  // refused: answered 429 (queue full)
  uint64_t queued_alerts = 0;
};

struct MetricsSources {
  std::function<IngestFigures()> ingest;
  std::function<storage::DbFigures()> db;
  std::function<uint64_t()> ruleset_version;
  std::function<std::map<std::string, uint64_t>()> sensors_by_state;  // "active" -> 3, ...
};

class ServerMetrics {
 public:
  ServerMetrics(MetricsSources sources, AddressAllowList allow);
  ~ServerMetrics();

  // Returns the routes with each handler wrapped to count responses by status and time them.
  // Call before the router serves (the per-route counters are created here).
  std::vector<http::Route> instrument(std::vector<http::Route> routes);
  // GET /metrics (instrument it too, to see the scrapes).
  http::Route route();
  std::string render();

 private:
  struct RouteStats;
  MetricsSources sources_;
  AddressAllowList allow_;
  std::vector<std::unique_ptr<RouteStats>> routes_;
  std::chrono::steady_clock::time_point started_;
  // Ingest rate between scrapes (alerts/s), for people reading the page with curl; Prometheus
  // users take rate(canh_ingest_alerts_total[1m]).
  std::mutex rate_mu_;
  std::chrono::steady_clock::time_point rate_at_{};
  uint64_t rate_alerts_ = 0;
  double rate_ = 0;
};

}  // namespace canh::console
