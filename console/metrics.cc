#include "console/metrics.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace canh::console {

namespace {

// Status codes counted one by one; anything else is counted as "other" of its class. A fixed set
// keeps the per-route counters plain atomics (no map, no lock on the request path).
constexpr std::array<int, 20> kCodes = {200, 201, 204, 301, 302, 304, 400, 401, 403, 404,
                                        405, 409, 413, 415, 422, 429, 500, 502, 503, 504};

bool parse_address(std::string_view text, std::array<uint8_t, 16>* out) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  in_addr v4;
  if (inet_pton(AF_INET, buf, &v4) == 1) {
    // IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), so one comparison covers both families.
    out->fill(0);
    (*out)[10] = 0xff;
    (*out)[11] = 0xff;
    std::memcpy(out->data() + 12, &v4, 4);
    return true;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, buf, &v6) == 1) {
    std::memcpy(out->data(), &v6, 16);
    return true;
  }
  return false;
}

bool is_v4_mapped(const std::array<uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i]) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

}  // namespace

Result<AddressAllowList> AddressAllowList::parse(const std::vector<std::string>& blocks) {
  AddressAllowList out;
  for (const auto& b : blocks) {
    std::string_view t = b;
    size_t slash = t.find('/');
    Block blk;
    if (!parse_address(t.substr(0, slash), &blk.net)) return Status::invalid("\"" + b + "\" is not an address or CIDR block");
    bool v4 = is_v4_mapped(blk.net) && t.substr(0, slash).find(':') == std::string_view::npos;
    int max = v4 ? 32 : 128;
    int bits = max;
    if (slash != std::string_view::npos) {
      std::string_view n = t.substr(slash + 1);
      if (n.empty() || n.size() > 3 || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return Status::invalid("\"" + b + "\": the prefix length is not a number");
      bits = std::stoi(std::string(n));
      if (bits > max) return Status::invalid("\"" + b + "\": prefix longer than /" + std::to_string(max));
    }
    blk.bits = v4 ? bits + 96 : bits;
    // Clear the host bits so that "10.1.2.3/8" means 10.0.0.0/8.
    for (int i = 0; i < 16; ++i) {
      int keep = std::clamp(blk.bits - i * 8, 0, 8);
      blk.net[i] &= static_cast<uint8_t>(keep == 8 ? 0xff : (0xff << (8 - keep)) & 0xff);
    }
    out.blocks_.push_back(blk);
  }
  return out;
}

bool AddressAllowList::allows(std::string_view address) const {
  std::array<uint8_t, 16> a;
  if (!parse_address(address, &a)) return false;
  for (const auto& b : blocks_) {
    bool match = true;
    for (int i = 0; i < 16 && match; ++i) {
      int keep = std::clamp(b.bits - i * 8, 0, 8);
      uint8_t mask = static_cast<uint8_t>(keep == 8 ? 0xff : (0xff << (8 - keep)) & 0xff);
      match = (a[i] & mask) == b.net[i];
    }
    if (match) return true;
  }
  return false;
}

struct ServerMetrics::RouteStats {
  std::string label;  // "GET /api/v1/alerts"
  metrics::LatencyHistogram latency;
  std::array<std::atomic<uint64_t>, kCodes.size()> codes{};
  std::array<std::atomic<uint64_t>, 6> other_by_class{};  // index: status / 100

  void count(int status) {
    auto it = std::find(kCodes.begin(), kCodes.end(), status);
    if (it != kCodes.end()) codes[static_cast<size_t>(it - kCodes.begin())].fetch_add(1, std::memory_order_relaxed);
    else other_by_class[static_cast<size_t>(std::clamp(status / 100, 0, 5))].fetch_add(1, std::memory_order_relaxed);
  }
};

ServerMetrics::ServerMetrics(MetricsSources sources, AddressAllowList allow)
    : sources_(std::move(sources)), allow_(std::move(allow)), started_(std::chrono::steady_clock::now()) {}

ServerMetrics::~ServerMetrics() = default;

std::vector<http::Route> ServerMetrics::instrument(std::vector<http::Route> routes) {
  for (auto& r : routes) {
    auto stats = std::make_unique<RouteStats>();
    stats->label = r.method + " " + r.pattern;
    RouteStats* s = stats.get();
    routes_.push_back(std::move(stats));
    r.handler = [inner = std::move(r.handler), s](const http::Request& req, const http::Caller& c) {
      auto t0 = std::chrono::steady_clock::now();
      http::Response resp = inner(req, c);
      s->latency.observe_ns(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0).count()));
      s->count(resp.status);
      return resp;
    };
  }
  return routes;
}

http::Route ServerMetrics::route() {
  return {"GET", "/metrics", http::Access::anyone(),
          [this](const http::Request& req, const http::Caller& c) {
            bool person = c.kind == http::Caller::Kind::kSession || c.kind == http::Caller::Kind::kApiToken;
            if (!person && !allow_.allows(req.remote))
              return http::Response::error(403, "metrics are served to the addresses in metrics.allow of the server "
                                                "configuration, or with a console API token (Authorization: Bearer)");
            http::Response r;
            r.status = 200;
            r.content_type = std::string(metrics::kContentType);
            r.headers.emplace_back("cache-control", "no-store");
            r.body = render();
            return r;
          },
          ""};
}

std::string ServerMetrics::render() {
  metrics::TextWriter w;
  w.family("canh_build_info", "gauge", "The running Canh version (value 1).");
  w.sample("canh_build_info", {{"version", CANH_VERSION}, {"role", "server"}}, uint64_t{1});
  w.gauge("canh_uptime_seconds", "Seconds since the server started.",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());

  if (sources_.ingest) {
    IngestFigures f = sources_.ingest();
    w.counter("canh_ingest_batches_total", "Sensor alert batches stored (durable before acknowledged).", f.batches);
    w.counter("canh_ingest_alerts_total", "Alerts stored from sensor batches.", f.alerts);
    w.counter("canh_ingest_writes_total", "Group-commit writes (one WAL sync each, shared by the batches queued).", f.writes);
    w.counter("canh_ingest_refused_total", "Batches refused with 429 because the ingest queue was full.", f.refused);
    w.gauge("canh_ingest_queue_alerts", "Alerts waiting for the writer (queue depth).", f.queued_alerts);
    double rate;
    {
      std::lock_guard lock(rate_mu_);
      auto now = std::chrono::steady_clock::now();
      double dt = std::chrono::duration<double>(now - rate_at_).count();
      if (rate_at_ == std::chrono::steady_clock::time_point{}) {
        rate_at_ = now;
        rate_alerts_ = f.alerts;
      } else if (dt >= 1.0) {
        rate_ = static_cast<double>(f.alerts - std::min(f.alerts, rate_alerts_)) / dt;
        rate_at_ = now;
        rate_alerts_ = f.alerts;
      }
      rate = rate_;
    }
    w.gauge("canh_ingest_alerts_per_second", "Alerts stored per second since the previous scrape (at least 1 s before).", rate);
  }

  if (sources_.db) {
    storage::DbFigures d = sources_.db();
    w.family("canh_rocksdb_estimate_num_keys", "gauge", "RocksDB's estimate of the keys in a column family.");
    for (const auto& f : d.families) w.sample("canh_rocksdb_estimate_num_keys", {{"family", f.name}}, f.estimate_num_keys);
    w.family("canh_rocksdb_live_sst_bytes", "gauge", "Bytes of live SST files of a column family.");
    for (const auto& f : d.families) w.sample("canh_rocksdb_live_sst_bytes", {{"family", f.name}}, f.live_sst_bytes);
    w.family("canh_rocksdb_memtable_bytes", "gauge", "Bytes in the memtables of a column family.");
    for (const auto& f : d.families) w.sample("canh_rocksdb_memtable_bytes", {{"family", f.name}}, f.memtable_bytes);
    w.gauge("canh_rocksdb_pending_compaction_bytes", "Estimated bytes compaction must rewrite to settle the LSM tree.",
            d.pending_compaction_bytes);
    w.gauge("canh_rocksdb_running_compactions", "Compactions running now.", d.running_compactions);
    w.gauge("canh_rocksdb_running_flushes", "Memtable flushes running now.", d.running_flushes);
    w.counter("canh_rocksdb_background_errors_total", "Background errors (flush or compaction); writes may stop.",
              d.background_errors);
    w.gauge("canh_rocksdb_write_stopped", "1 when RocksDB has stopped writes (stall), else 0.", uint64_t{d.write_stopped});
    w.gauge("canh_rocksdb_delayed_write_rate_bytes", "Write rate RocksDB throttles to (bytes/s); 0 when not delayed.",
            d.delayed_write_rate);
    w.gauge("canh_rocksdb_block_cache_usage_bytes", "Bytes of the block cache in use.", d.block_cache_usage);
    w.gauge("canh_rocksdb_block_cache_capacity_bytes", "Block cache capacity in bytes.", d.block_cache_capacity);
  }

  if (sources_.ruleset_version)
    w.gauge("canh_ruleset_version", "Current rule-set version sensors are told to run (0: none yet).",
            sources_.ruleset_version());
  if (sources_.sensors_by_state) {
    w.family("canh_sensors", "gauge", "Sensors known to the server, by state.");
    for (const auto& [state, n] : sources_.sensors_by_state()) w.sample("canh_sensors", {{"state", state}}, n);
  }

  w.family("canh_http_requests_total", "counter", "API and UI requests handled, by route and status code.");
  char code[32];
  for (const auto& r : routes_) {
    for (size_t i = 0; i < kCodes.size(); ++i) {
      uint64_t n = r->codes[i].load(std::memory_order_relaxed);
      if (!n) continue;
      std::snprintf(code, sizeof code, "%d", kCodes[i]);
      w.sample("canh_http_requests_total", {{"route", r->label}, {"code", code}}, n);
    }
    for (size_t c = 0; c < r->other_by_class.size(); ++c) {
      uint64_t n = r->other_by_class[c].load(std::memory_order_relaxed);
      if (!n) continue;
      std::snprintf(code, sizeof code, "%zuxx", c);  // "4xx": a code outside kCodes, by class
      w.sample("canh_http_requests_total", {{"route", r->label}, {"code", code}}, n);
    }
  }
  w.family("canh_http_request_duration_seconds", "histogram", "Time the route's handler took, by route.");
  for (const auto& r : routes_)
    if (r->latency.count()) r->latency.write(w, "canh_http_request_duration_seconds", {{"route", r->label}});

  metrics::write_process_metrics(w);
  return w.take();
}

}  // namespace canh::console
