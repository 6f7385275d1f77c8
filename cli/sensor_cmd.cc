#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/sensor_ship.h"
#include "cli/metrics_endpoint.h"
#include "common/args.h"
#include "common/log.h"
#include "rules/config.h"
#include "rules/engine.h"
#include "rules/rule_set.h"
#include "sensor/app/app_layer.h"
#include "sensor/config.h"
#include "sensor/engine_detector.h"
#include "sensor/metrics.h"
#include "sensor/sensor.h"

namespace canh::cli {

namespace {

std::string default_cache_dir() {
  if (const char* c = std::getenv("CANH_RULES_CACHE")) return c;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/canh/hs";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/canh/hs";
  return "/tmp/canh-hs-cache";
}

}  // namespace

int run_sensor(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh sensor",
              "Read a capture file or a live interface, match packets against rules, write DIR/eve.json.");
  p.option("read", 'r', "FILE", "read packets from a pcap or pcapng file")
      .option("interface", 'i', "IFACE", "capture live from an interface")
      .option("rules-exclusive", 'S', "FILE", "load only this rule file (repeatable)", "", true)
      .option("rules", 's', "FILE", "add a rule file to those of the configuration (repeatable)", "", true)
      .option("log-dir", 'l', "DIR", "write eve.json into DIR", ".")
      .option("config", 'c', "FILE", "canh.yaml (a suricata.yaml layout is accepted)")
      .option("checksum", 'k', "none|all|auto", "checksum validation (auto: on until a capture shows offloading)", "auto")
      .option("runmode", 0, "single|workers|autofp", "single: one worker; workers/autofp: --workers of them", "workers")
      .option("workers", 0, "N", "worker threads (default: 1 for -r, one per CPU for -i)")
      .option("set", 0, "KEY=VALUE", "override a configuration key by its Suricata name (repeatable)", "", true)
      .option("bpf-file", 'F', "FILE", "read the BPF capture filter from FILE")
      .option("rules-cache", 0, "DIR", "cache for compiled rule databases (default ~/.cache/canh/hs)")
      .option("log-level", 0, "LEVEL", "debug, info, warn, error", "warn")
      .option("metrics-listen", 0, "HOST:PORT", "serve Prometheus metrics at http://HOST:PORT/metrics (no auth: loopback)")
      .flag("quiet", 'q', "no summary on stderr")
      .positional("filter", "a BPF expression (as tcpdump takes it)", true)
      .epilog(
          "Suricata's flags are accepted as Suricata spells them (-r -i -S -s -l -c -k --runmode --set), so\n"
          "suricata-verify's harness can drive the sensor. Alerts, flow records and a final stats record go\n"
          "to DIR/eve.json; a summary goes to stderr.\n");
  add_ship_options(p);
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  log::Level level;
  if (!log::parse_level(p.get("log-level"), &level)) {
    std::fprintf(stderr, "canh sensor: --log-level: unknown level \"%s\"\n", p.get("log-level").c_str());
    return 2;
  }
  log::set_level(level);

  if (p.has("read") == p.has("interface")) {
    std::fprintf(stderr, "canh sensor: give exactly one of -r FILE and -i IFACE (see --help)\n");
    return 2;
  }

  // A file size limit (RLIMIT_FSIZE, systemd's LimitFSIZE=) must fail a write with EFBIG, which the
  // spool handles like a full disk, rather than kill the sensor with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  // Configuration: the file, then --set overrides, then -k.
  sensor::SensorConfig config;
  rules::RulesConfig rules_config;
  if (p.has("config")) {
    auto c = sensor::load_sensor_config(p.get("config"));
    if (!c) {
      std::fprintf(stderr, "canh sensor: %s\n", c.status().message().c_str());
      return 2;
    }
    config = std::move(c.value());
    auto rc = rules::load_rules_config(p.get("config"));
    if (!rc) {
      std::fprintf(stderr, "canh sensor: %s\n", rc.status().message().c_str());
      return 2;
    }
    rules_config = std::move(rc.value());
  }
  config.source = "--set";
  for (const std::string& kv : p.all("set")) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "canh sensor: --set %s: expected KEY=VALUE\n", kv.c_str());
      return 2;
    }
    Status st = config.set(kv.substr(0, eq), kv.substr(eq + 1));
    if (!st) {
      std::fprintf(stderr, "canh sensor: %s\n", st.message().c_str());
      return 2;
    }
  }
  std::string k = p.get("checksum");
  if (k == "none") config.checksum = sensor::ChecksumMode::kNone;
  else if (k == "all") config.checksum = sensor::ChecksumMode::kAll;
  else if (k == "auto") {
    if (!p.has("checksum") && p.has("config")) {
      // keep what the configuration said
    } else {
      config.checksum = sensor::ChecksumMode::kAuto;
    }
  } else {
    std::fprintf(stderr, "canh sensor: -k: expected none, all or auto (got \"%s\")\n", k.c_str());
    return 2;
  }
  std::string bpf;
  if (p.has("bpf-file")) {
    std::ifstream in(p.get("bpf-file"));
    if (!in) {
      std::fprintf(stderr, "canh sensor: %s: cannot read BPF filter file\n", p.get("bpf-file").c_str());
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    bpf = ss.str();
  }
  for (const std::string& w : p.positionals()) bpf += (bpf.empty() ? "" : " ") + w;
  if (!bpf.empty()) config.capture.bpf_filter = bpf;

  // Rules: -S replaces the configuration's rule files; -s adds to them.
  std::vector<std::string> files = p.all("rules-exclusive");
  if (files.empty()) {
    files = rules_config.resolved_rule_files();
    for (const std::string& f : p.all("rules")) files.push_back(f);
  }
  rules::RuleLoadOptions opts;
  opts.vars = rules_config.vars;
  if (!rules_config.classification_file.empty()) {
    auto table = rules::ClassificationTable::load(rules_config.classification_file);
    if (table) opts.classification = std::move(table.value());
    else log::warn("sensor", "classification file not loaded, using the built-in table").kv("error", table.status().message());
  }
  rules::RuleSet rule_set(opts);
  for (const std::string& f : files) {
    Status st = rule_set.add_file(f);
    if (!st) {
      std::fprintf(stderr, "canh sensor: %s\n", st.message().c_str());
      return 1;
    }
  }
  rules::EngineOptions eopts;
  eopts.cache_dir = p.has("rules-cache") ? p.get("rules-cache") : default_cache_dir();
  std::error_code ec;
  std::filesystem::create_directories(eopts.cache_dir, ec);
  if (ec) eopts.cache_dir.clear();  // no cache rather than no sensor
  auto engine = rules::Engine::build(rule_set, eopts);
  if (!engine) {
    std::fprintf(stderr, "canh sensor: rules: %s\n", engine.status().message().c_str());
    return 1;
  }
  const rules::EngineStats& es = (*engine)->stats();
  rules::RuleSetStats rs = rule_set.stats();
  size_t skipped = 0;
  for (auto& [reason, n] : rs.skipped) skipped += n;
  char rules_line[256];
  std::snprintf(rules_line, sizeof rules_line,
                "%zu rules loaded, %zu skipped (unsupported or invalid), %zu with errors, built in %.2f s",
                (*engine)->loaded(), (*engine)->skipped() + 0 * skipped, rs.errors, es.build_seconds);
  log::info("sensor", "rules ready").kv("loaded", (*engine)->loaded()).kv("skipped", (*engine)->skipped())
      .kv("errors", rs.errors).kv("version", (*engine)->version());

  sensor::SensorOptions so;
  so.read_file = p.get("read");
  so.interface = p.get("interface");
  so.log_dir = p.get("log-dir");
  so.summary = !p.has("quiet");
  so.rules_summary = rules_line;
  std::string runmode = p.get("runmode");
  if (runmode != "single" && runmode != "workers" && runmode != "autofp") {
    std::fprintf(stderr, "canh sensor: --runmode: expected single, workers or autofp (got \"%s\")\n", runmode.c_str());
    return 2;
  }
  unsigned workers = so.read_file.empty() ? std::max(1u, std::thread::hardware_concurrency()) : 1;
  if (p.has("workers")) {
    char* end = nullptr;
    std::string value = p.get("workers");  // kept: `end` points into it
    long n = std::strtol(value.c_str(), &end, 10);
    if (!end || *end || n < 1 || n > 256) {
      std::fprintf(stderr, "canh sensor: --workers: expected 1..256 (got \"%s\")\n", value.c_str());
      return 2;
    }
    workers = static_cast<unsigned>(n);
  }
  if (runmode == "single") workers = 1;
  so.workers = workers;
  struct stat st;
  if (::stat(so.log_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(stderr, "canh sensor: -l %s: not a directory\n", so.log_dir.c_str());
    return 2;
  }

  auto app_config = sensor::app::app_config_from(config.app_layer);
  if (!app_config) {
    std::fprintf(stderr, "canh sensor: %s\n", app_config.status().message().c_str());
    return 2;
  }
  auto detectors = std::make_shared<sensor::EngineDetectorFactory>(engine.value());
  sensor::Sensor sensor(std::move(config), std::move(so), detectors,
                        sensor::app::make_app_layer_factory(app_config.value()));
  // With --collector: alerts also go to the shipper's spool (cli/sensor_ship.h).
  auto shipper = start_shipping(p, sensor,
                                {p.get("log-dir"), opts, eopts.cache_dir, (*engine)->version(), detectors,
                                 [&sensor] { return sensor.published_counters(); }});
  if (!shipper) {
    std::fprintf(stderr, "canh sensor: %s\n", shipper.status().message().c_str());
    return 2;
  }
  // Prometheus metrics (sensor/metrics.h): read from the workers' published counters, never the
  // packet path. The endpoint lives as long as the sensor runs.
  std::unique_ptr<MetricsEndpoint> metrics;
  if (p.has("metrics-listen")) {
    sensor::SensorMetricsSources ms;
    ms.workers = [&sensor] { return sensor.published_counters(); };
    ms.ruleset_version = (*engine)->version();
    ms.rules_loaded = (*engine)->loaded();
    if (auto sh = *shipper) {
      ms.ship = [sh]() -> std::optional<sensor::ShipFigures> {
        sensor::ship::ShipperStats st = sh->stats();
        sensor::ShipFigures f;
        f.enrolled = st.enrolled;
        f.spool_batches = st.spool.sealed_batches;
        f.spool_bytes = st.spool.bytes;
        f.spool_open_alerts = st.spool.open_alerts;
        f.spool_dropped_alerts = st.spool.dropped_alerts;
        f.spool_write_errors = st.spool.write_errors;
        f.spool_lost_alerts = st.spool.lost_alerts;
        f.shipped_batches = st.shipped_batches;
        f.shipped_alerts = st.shipped_alerts;
        f.duplicate_batches = st.duplicate_batches;
        f.rejected_batches = st.rejected_batches;
        f.heartbeats = st.heartbeats;
        f.failures = st.failures;
        f.ruleset_seen = st.ruleset_seen;
        return f;
      };
    }
    auto m = MetricsEndpoint::start(p.get("metrics-listen"), [ms] { return sensor::render_sensor_metrics(ms); });
    if (!m) {
      std::fprintf(stderr, "canh sensor: %s\n", m.status().message().c_str());
      return 2;
    }
    metrics = std::move(m).value();
    log::info("sensor", "metrics served").kv("url", metrics->url());
  }
  Status r = sensor.run();
  if (*shipper) finish_shipping(**shipper, p);
  if (!r) {
    std::fprintf(stderr, "canh sensor: %s\n", r.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace canh::cli
