// canh server: the collector (sensor ingest) and the console (API + web UI) in one process over one
// RocksDB, which allows a single writer process (SPEC.md, "canh server").
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <pthread.h>

#include "cli/commands.h"
#include "cli/server_config.h"
#include "common/args.h"
#include "collector/collector.h"
#include "collector/maintenance.h"
#include "console/alerts_api.h"
#include "common/log.h"
#include "console/compliance_api.h"
#include "console/console.h"
#include "console/metrics.h"
#include "console/rule_bundles.h"
#include "console/router.h"
#include "console/server.h"
#include "rules/bundle.h"
#include "storage/db_stats.h"
#include "storage/storage.h"

namespace canh::cli {

namespace {

http::Route health_route() {
  return {"GET", "/api/v1/health", http::Access::anyone(),
          [](const http::Request&, const http::Caller&) {
            return http::Response::json(200, std::string("{\"status\":\"ok\",\"version\":\"") + CANH_VERSION + "\"}");
          },
          ""};
}

}  // namespace

int run_server(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh server", "Run the collector (sensor ingest) and the web console over one data folder.");
  p.option("config", 'c', "FILE", "server configuration (server.yaml); the flags below override it")
      .option("data", 0, "DIR", "data folder (RocksDB and uploads)", "/var/lib/canh")
      .option("listen", 0, "HOST:PORT", "address to listen on (port 0: any free port, logged at start)",
              "127.0.0.1:8443")
      .option("tls-cert", 0, "FILE", "PEM certificate: serve HTTPS")
      .option("tls-key", 0, "FILE", "PEM private key for --tls-cert")
      .option("threads", 0, "N", "HTTP worker threads", "4")
      .option("retention-days", 0, "DAYS", "remove alerts older than this (event time); 0 keeps them", "0")
      .option("retention-max-gb", 0, "GB", "remove the oldest alerts while the store is larger; 0: no limit", "0")
      .option("log-level", 0, "LEVEL", "debug, info, warn or error", "info")
      .epilog("Stops cleanly on SIGINT or SIGTERM.");
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  // The configuration file gives the defaults; a flag on the command line wins (cli/server_config.h).
  ServerConfig cfg;
  if (p.has("config")) {
    auto loaded = load_server_config(p.get("config"));
    if (!loaded) {
      std::fprintf(stderr, "canh server: %s\n", loaded.status().message().c_str());
      return 2;
    }
    cfg = std::move(loaded).value();
  }
  auto setting = [&](const char* flag, const std::string& from_file) {
    return p.has(flag) || !p.has("config") ? p.get(flag) : from_file;
  };
  log::Level level;
  if (!log::parse_level(setting("log-level", cfg.log_level), &level)) {
    std::fprintf(stderr, "canh server: --log-level \"%s\": expected debug, info, warn or error\n",
                 p.get("log-level").c_str());
    return 2;
  }
  log::set_level(level);

  console::ServerOptions so;
  s = console::parse_listen(setting("listen", cfg.listen), &so.host, &so.port);
  if (!s) {
    std::fprintf(stderr, "canh server: %s\n", s.message().c_str());
    return 2;
  }
  try {
    int t = std::stoi(setting("threads", std::to_string(cfg.threads)));
    if (t < 1 || t > 64) throw std::out_of_range("threads");
    so.threads = static_cast<unsigned>(t);
  } catch (const std::exception&) {
    std::fprintf(stderr, "canh server: --threads \"%s\": expected a number from 1 to 64\n", p.get("threads").c_str());
    return 2;
  }
  so.tls_cert_file = setting("tls-cert", cfg.tls_cert);
  so.tls_key_file = setting("tls-key", cfg.tls_key);
  auto metrics_allow = console::AddressAllowList::parse(cfg.metrics_allow);
  if (!metrics_allow) {
    std::fprintf(stderr, "canh server: metrics.allow: %s\n", metrics_allow.status().message().c_str());
    return 2;
  }

  std::string data = setting("data", cfg.data);
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) {
    std::fprintf(stderr, "canh server: --data %s: %s\n", data.c_str(), ec.message().c_str());
    return 1;
  }

  // Signals are taken synchronously by this thread (sigwait) rather than by a handler: block them
  // before any thread starts so every thread inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  storage::StorageOptions sto;
  sto.data_dir = data;
  auto store = storage::Storage::open(sto);
  if (!store) {
    std::fprintf(stderr, "canh server: %s\n  (is another canh server running on this data folder?)\n",
                 store.status().message().c_str());
    return 1;
  }
  console::Console console(**store);
  collector::CollectorOptions co;
  co.current_ruleset = [&console] { return console.rule_store().current_version(); };
  collector::Collector collector((*store)->alerts(), (*store)->sensors(), co);
  console::RouterHooks hooks = console.hooks();
  hooks.sensor = [&collector](const http::Request& r) { return collector.authenticate(r); };
  console::Router router(hooks);
  // GET /metrics (console/metrics.h): every route is mounted through instrument(), which counts
  // responses and times handlers per route.
  console::MetricsSources ms;
  ms.ingest = [&collector] {
    auto n = collector.ingestor().counters();
    return console::IngestFigures{n.batches, n.alerts, n.writes, n.refused, collector.ingestor().queued_alerts()};
  };
  ms.db = [&store] { return storage::db_figures(**store); };
  ms.ruleset_version = [&console] { return console.rule_store().current_version(); };
  ms.sensors_by_state = [&store] {
    std::map<std::string, uint64_t> by;
    if (auto l = (*store)->sensors().list())
      for (const auto& sn : *l) ++by[std::string(storage::sensor_state_name(sn.state))];
    return by;
  };
  console::ServerMetrics metrics(ms, std::move(*metrics_allow));
  // Signed rule bundles are checked against the keys in rule-bundles.trusted-keys, read at each
  // upload so a new key needs no restart.
  std::string trusted_keys = cfg.trusted_keys;
  auto bundle_keys = [trusted_keys]() -> Result<std::vector<rules::bundle::PublicKey>> {
    if (trusted_keys.empty())
      return Status::unavailable("rule-bundles.trusted-keys is not set in the server configuration");
    return rules::bundle::load_trusted_keys(trusted_keys);
  };
  s = router.mount(metrics.instrument({health_route(), metrics.route()}));
  if (s) s = router.mount(metrics.instrument(console.routes()));
  if (s) s = router.mount(metrics.instrument(collector.routes()));
  if (s) s = router.mount(metrics.instrument(console::alert_routes((*store)->alerts(), &(*store)->sensors())));
  if (s) s = router.mount(metrics.instrument(console::rule_bundle_routes(console.rule_manager(), bundle_keys)));
  // Retention of alerts (collector/maintenance.h), checked every ten minutes on its own thread.
  collector::MaintenanceOptions mo;
  int64_t retention_days = 0;
  try {
    retention_days = std::stoll(p.get("retention-days"));
    double gb = std::stod(p.get("retention-max-gb"));
    if (retention_days < 0 || retention_days > 36500 || gb < 0) throw std::out_of_range("retention");
    mo.retention.max_age_seconds = retention_days * 86400;
    mo.retention.max_bytes = static_cast<uint64_t>(gb * 1e9);
  } catch (const std::exception&) {
    std::fprintf(stderr, "canh server: --retention-days / --retention-max-gb: expected non-negative numbers\n");
    return 2;
  }
  collector::Maintenance maintenance((*store)->alerts(), mo);
  // Security-level assessment (console/compliance_api.h): frameworks from the build and
  // DATA/frameworks/, systems' ranges handed to ingest; the retention check reads the age limit
  // enforced above (0: kept without a limit).
  auto compliance =
      console::ComplianceApi::open(**store, console, {data, [retention_days] { return retention_days; }});
  if (!compliance) {
    std::fprintf(stderr, "canh server: %s\n", compliance.status().message().c_str());
    return 1;
  }
  if (s) s = router.mount(metrics.instrument((*compliance)->routes()));
  if (!s) {
    std::fprintf(stderr, "canh server: %s\n", s.message().c_str());
    return 1;
  }
  auto users = console.users().count();
  if (users && *users == 0)
    log::warn("server", "no accounts yet: add the first admin with canh user add (stop the server first)")
        .kv("example", "canh user add --data " + data + " --name admin --role admin");
  auto server = console::Server::start(so, router);
  if (!server) {
    std::fprintf(stderr, "canh server: %s\n", server.status().message().c_str());
    return 1;
  }
  log::info("server", "ready")
      .kv("url", std::string(server.value()->tls() ? "https" : "http") + "://" + so.host + ":" +
                     std::to_string(server.value()->port()) + "/")
      .kv("data", data);
  int sig = 0;
  sigwait(&sigs, &sig);
  log::info("server", "stopping").kv("signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.value()->stop();
  return 0;
}

}  // namespace canh::cli
