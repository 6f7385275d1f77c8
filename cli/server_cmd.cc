// canh server: the collector (sensor ingest) and the console (API + web UI) in one process over one
// RocksDB, which allows a single writer process (SPEC.md, "canh server").
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <pthread.h>

#include "cli/commands.h"
#include "common/args.h"
#include "collector/collector.h"
#include "console/alerts_api.h"
#include "common/log.h"
#include "console/console.h"
#include "console/router.h"
#include "console/server.h"
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
  p.option("data", 0, "DIR", "data folder (RocksDB and uploads)", "/var/lib/canh")
      .option("listen", 0, "HOST:PORT", "address to listen on (port 0: any free port, logged at start)",
              "127.0.0.1:8443")
      .option("tls-cert", 0, "FILE", "PEM certificate: serve HTTPS")
      .option("tls-key", 0, "FILE", "PEM private key for --tls-cert")
      .option("threads", 0, "N", "HTTP worker threads", "4")
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
  log::Level level;
  if (!log::parse_level(p.get("log-level"), &level)) {
    std::fprintf(stderr, "canh server: --log-level \"%s\": expected debug, info, warn or error\n",
                 p.get("log-level").c_str());
    return 2;
  }
  log::set_level(level);

  console::ServerOptions so;
  s = console::parse_listen(p.get("listen"), &so.host, &so.port);
  if (!s) {
    std::fprintf(stderr, "canh server: %s\n", s.message().c_str());
    return 2;
  }
  try {
    int t = std::stoi(p.get("threads"));
    if (t < 1 || t > 64) throw std::out_of_range("threads");
    so.threads = static_cast<unsigned>(t);
  } catch (const std::exception&) {
    std::fprintf(stderr, "canh server: --threads \"%s\": expected a number from 1 to 64\n", p.get("threads").c_str());
    return 2;
  }
  so.tls_cert_file = p.get("tls-cert");
  so.tls_key_file = p.get("tls-key");

  std::string data = p.get("data");
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
  s = router.mount({health_route()});
  if (s) s = router.mount(console.routes());
  if (s) s = router.mount(collector.routes());
  if (s) s = router.mount(console::alert_routes((*store)->alerts(), &(*store)->sensors()));
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
