// Fuzzes what a sensor (or anyone holding a stolen credential or token) sends the collector: enrolment
// requests, alert batches with their stream and batch headers, and heartbeats, handled by the real
// Collector over a real Storage (a temporary data folder, on /dev/shm when there is one). The
// console's request fuzzer (console/api_fuzz.cc) reaches these routes through the router too; this
// one spends all its time here and checks the ingest contract itself.
//
// Invariants besides "no crash": no 500 (a bad batch is a 4xx naming what is wrong); every response
// is JSON and errors carry "error"; a batch acknowledged with 200 is acknowledged again, as a
// duplicate storing nothing, when it is sent a second time (the shipper's retry must not store twice).
//
// Input: route (u8: 0 enrolment, 1 alert batch, 2 heartbeat), caller (u8: the enrolled sensor, no
// credential, a wrong one), for batches the stream id and number as u8-length-prefixed strings (a
// length byte of 0xF0 or more picks a well-formed value), content type (u8), then the body.
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "collector/collector.h"
#include "common/log.h"
#include "storage/storage.h"

namespace {

namespace http = canh::http;
namespace protocol = canh::protocol;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct World {
  std::string dir;
  std::unique_ptr<canh::storage::Storage> storage;
  std::unique_ptr<canh::collector::Collector> collector;
  std::vector<http::Route> routes;
  std::string credential;
  uint64_t next_batch = 1;

  World() {
    canh::log::set_level(canh::log::Level::kError);
    std::string base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path().string();
    std::string templ = base + "/canh-fuzz-collector-XXXXXX";
    if (!mkdtemp(templ.data())) std::abort();
    dir = templ;
    static std::string cleanup;
    cleanup = dir;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(cleanup, ec);
    });
    canh::storage::StorageOptions so;
    so.data_dir = dir;
    so.block_cache_mb = 8;
    auto st = canh::storage::Storage::open(so);
    if (!st) std::abort();
    storage = std::move(st).value();
    canh::collector::CollectorOptions co;
    co.limits.max_lines = 256;
    co.current_ruleset = [] { return uint64_t{3}; };
    collector = std::make_unique<canh::collector::Collector>(storage->alerts(), storage->sensors(), co);
    routes = collector->routes();
    auto sn = storage->sensors().create("fuzz-sensor", "fuzz", now_ms(), 3600 * 1000);
    if (!sn) std::abort();
    auto en = storage->sensors().enrol(sn->enrolment_token, "fuzz.host", now_ms());
    if (!en) std::abort();
    credential = en->credential;
  }

  // The route handler as the router would call it, with the caller the collector authenticates.
  http::Response call(const http::Request& req) {
    http::Caller caller;
    auto a = collector->authenticate(req);
    if (!a) return http::Response::error(401, a.status().message());
    if (a.value()) caller = *a.value();
    for (const auto& r : routes) {
      if (r.method != req.method || r.pattern != req.path) continue;
      if (!r.access.anonymous && !r.access.allows(caller.role)) return http::Response::error(401, "sign in");
      return r.handler(req, caller);
    }
    return http::Response::error(404, "no route");
  }
};

struct Reader {
  const uint8_t* p;
  size_t n;
  uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  std::string str(const char* good) {
    uint8_t len = u8();
    if (len >= 0xF0) return good;
    size_t k = std::min<size_t>(len, n);
    std::string s(reinterpret_cast<const char*>(p), k);
    p += k;
    n -= k;
    return s;
  }
};

void check_json(const http::Response& r) {
  if (r.status == 500 || r.status < 200 || r.status > 599) __builtin_trap();
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) __builtin_trap();
  if (r.status >= 400) {
    auto* e = v.as_object().if_contains("error");
    if (!e || !e->is_string() || e->as_string().empty()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World* world = new World();
  Reader in{data, size};
  const uint8_t route = in.u8() % 3, who = in.u8() % 3;
  http::Request req;
  req.method = "POST";
  req.remote = "127.0.0.1";
  req.path = route == 0 ? protocol::kEnrolPath : route == 1 ? protocol::kAlertsPath : protocol::kHeartbeatPath;
  if (who == 0) req.headers.emplace_back("authorization", "Bearer " + world->credential);
  else if (who == 2) req.headers.emplace_back("authorization", "Bearer canh_sn_00000000_deadbeef");
  if (route == 1) {
    // A fresh number unless the input names one: new batches reach storage, named ones test replays.
    std::string number = std::to_string(world->next_batch++);
    req.headers.emplace_back(protocol::kStreamHeader, in.str("00000000000000f1"));
    req.headers.emplace_back(protocol::kBatchHeader, in.str(number.c_str()));
  }
  const uint8_t type = in.u8();
  static const char* kTypes[] = {"application/json", "application/x-ndjson", "text/plain", ""};
  if (*kTypes[type % 4]) req.headers.emplace_back("content-type", kTypes[type % 4]);
  req.body.assign(reinterpret_cast<const char*>(in.p), in.n);

  http::Response r = world->call(req);
  check_json(r);
  if (route == 1 && r.status == 200) {
    http::Response again = world->call(req);
    check_json(again);
    if (again.status != 200) __builtin_trap();
    auto v = boost::json::parse(again.body).as_object();
    if (!v.at("duplicate").as_bool() || v.at("stored").to_number<int64_t>() != 0) __builtin_trap();
  }
  return 0;
}
