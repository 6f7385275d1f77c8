#include "cli/sensor_ship.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "common/log.h"
#include "rules/engine.h"
#include "rules/threshold_config.h"

namespace canh::cli {

namespace json = boost::json;

namespace {

Result<long> number_option(const ArgParser& p, const char* name, long lo, long hi) {
  std::string v = p.get(name);
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || !end || *end || n < lo || n > hi)
    return Status::invalid("--" + std::string(name) + " \"" + v + "\": expected " + std::to_string(lo) + ".." +
                           std::to_string(hi));
  return n;
}

std::string host_name() {
  char h[256] = {0};
  if (gethostname(h, sizeof h - 1) != 0) return "";
  return h;
}

// The rule-set version the sensor runs, read by the heartbeat thread and written on reload.
struct RunningRuleset {
  std::mutex mu;
  std::string version;
};

// Builds an engine from a downloaded rule set (files, switched-off and switched-on sids, the
// console's threshold.config) and swaps it into the running detectors; flows keep going.
Status load_downloaded(const sensor::ship::RulesetUpdate& u, const ShipSetup& setup) {
  rules::RuleLoadOptions opts = setup.rule_options;
  std::ifstream tin(u.dir + "/threshold.config");
  std::stringstream ts;
  ts << tin.rdbuf();
  auto tc = rules::parse_threshold_config(ts.str(), u.dir + "/threshold.config", opts.vars.address);
  for (const auto& e : tc.errors) log::warn("sensor", "threshold.config line not applied").kv("error", e);
  opts.thresholds = std::move(tc.entries);
  rules::RuleSet set(opts);
  for (const auto& f : u.files) CANH_RETURN_IF_ERROR(set.add_file(f));
  std::ifstream min(u.dir + "/manifest.json");
  std::stringstream ms;
  ms << min.rdbuf();
  boost::system::error_code ec;
  auto manifest = json::parse(ms.str(), ec);
  if (!ec && manifest.is_object()) {
    std::set<uint32_t> off, on;
    auto sids = [&](const char* key, std::set<uint32_t>& out) {
      if (auto* a = manifest.as_object().if_contains(key); a && a->is_array())
        for (const auto& v : a->as_array())
          if (v.is_int64()) out.insert(static_cast<uint32_t>(v.as_int64()));
    };
    sids("disabled_sids", off);
    sids("enabled_sids", on);
    for (auto& e : set.mutable_entries()) {
      if (off.count(e.sid)) e.enabled = false;
      else if (on.count(e.sid)) e.enabled = true;
    }
    set.mark_duplicates();
  }
  rules::EngineOptions eo;
  eo.cache_dir = setup.rules_cache;
  auto engine = rules::Engine::build(set, eo);
  if (!engine) return engine.status().with_context("rule set " + std::to_string(u.version));
  setup.detectors->set_engine(std::move(engine).value());
  return Status::ok();
}

}  // namespace

void add_ship_options(ArgParser& p) {
  p.option("collector", 0, "URL", "ship alerts to this collector (https://HOST:PORT)")
      .option("token", 0, "TOKEN", "one-time enrolment token from the console (first start only)")
      .option("spool-dir", 0, "DIR", "spool of alerts waiting for the collector, and the sensor's credential "
                                     "(default: LOG_DIR/spool)")
      .option("spool-max-mb", 0, "MB", "spool bound; the oldest alerts are dropped beyond it", "1024")
      .option("ship-batch", 0, "N", "alerts per batch at most", "2000")
      .option("ship-drain", 0, "SECONDS", "at exit, wait this long for the spool to be delivered", "30")
      .option("collector-ca", 0, "FILE", "trust this CA (PEM) for the collector's certificate")
      .flag("collector-insecure", 0, "do not verify the collector's certificate (labs only)")
      .flag("no-rule-updates", 0, "keep the local rules even when the collector names a rule set");
}

Result<std::shared_ptr<sensor::ship::Shipper>> start_shipping(const ArgParser& p, sensor::Sensor& sensor,
                                                               const ShipSetup& setup) {
  if (!p.has("collector")) {
    if (p.has("token")) return Status::invalid("--token needs --collector");
    return std::shared_ptr<sensor::ship::Shipper>();
  }
  sensor::ship::ShipperOptions o;
  o.collector_url = p.get("collector");
  o.token = p.get("token");
  o.hostname = host_name();
  o.spool.dir = p.has("spool-dir") ? p.get("spool-dir") : setup.log_dir + "/spool";
  auto mb = number_option(p, "spool-max-mb", 1, 1 << 20);
  if (!mb) return mb.status();
  o.spool.max_bytes = static_cast<uint64_t>(*mb) << 20;
  auto batch = number_option(p, "ship-batch", 1, 10000);
  if (!batch) return batch.status();
  o.spool.batch_max_alerts = static_cast<size_t>(*batch);
  // Validated here, used by finish_shipping.
  if (auto d = number_option(p, "ship-drain", 0, 86400); !d) return d.status();
  o.http.ca_file = p.get("collector-ca");
  o.http.verify_tls = !p.has("collector-insecure");

  auto running = std::make_shared<RunningRuleset>();
  running->version = setup.ruleset_version;
  auto workers = setup.workers;
  o.counters = [workers, running] {
    sensor::ship::SensorCounters c;
    for (const auto* w : workers ? workers() : std::vector<const sensor::PublishedCounters*>{}) {
      c.packets += w->packets.load(std::memory_order_relaxed);
      c.bytes += w->bytes.load(std::memory_order_relaxed);
      c.alerts += w->alerts.load(std::memory_order_relaxed);
      c.flows += w->flows_total.load(std::memory_order_relaxed);
      c.drops += w->capture_drops.load(std::memory_order_relaxed);
    }
    std::lock_guard lock(running->mu);
    c.ruleset_version = running->version;
    return c;
  };
  if (!p.has("no-rule-updates") && setup.detectors) {
    o.rules_dir = o.spool.dir + "/rulesets";
    o.on_ruleset = [setup, running](const sensor::ship::RulesetUpdate& u) {
      Status s = load_downloaded(u, setup);
      if (!s) {
        log::error("sensor", "the collector's rule set could not be loaded; keeping the running one")
            .kv("version", u.version)
            .kv("error", s.message());
        return;
      }
      {
        std::lock_guard lock(running->mu);
        running->version = std::to_string(u.version);
      }
      log::info("sensor", "rule set from the collector is running").kv("version", u.version).kv("files", u.files.size());
    };
  }
  auto shipper = sensor::ship::Shipper::start(std::move(o));
  if (!shipper) return shipper.status();
  sensor.add_sink(*shipper);
  return shipper;
}

bool finish_shipping(sensor::ship::Shipper& shipper, const ArgParser& p) {
  long drain = std::strtol(p.get("ship-drain").c_str(), nullptr, 10);
  shipper.flush();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(drain);
  // Polls the spool until it is empty or the deadline passes; the shipper thread does the work.
  while (!shipper.idle() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  shipper.stop(std::chrono::milliseconds(0));
  auto st = shipper.stats();
  log::info("sensor", "shipping finished")
      .kv("shipped_alerts", st.shipped_alerts)
      .kv("shipped_batches", st.shipped_batches)
      .kv("left_in_spool_batches", st.spool.sealed_batches)
      .kv("rejected_batches", st.rejected_batches)
      .kv("rejected_records", st.rejected_records);
  return st.spool.sealed_batches == 0 && st.spool.open_alerts == 0;
}

}  // namespace canh::cli
