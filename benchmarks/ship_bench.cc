// collector-ingest: one shipping sensor. Fills its spool with N synthetic EVE alerts, waits for the
// start signal, then ships them with the sensor's real shipper (sensor/ship/) and reports when the
// collector had acknowledged the last one. benchmarks/collector_ingest.py runs several at once
// against one `canh server`.
//
//   canh_bench_ship --url URL --token T --spool DIR --alerts N --seed S --batch B
//                   --ready FILE --go FILE --result FILE
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "benchmarks/alert_gen.h"
#include "common/args.h"
#include "common/log.h"
#include "sensor/ship/shipper.h"

using namespace canh;

namespace {

int64_t epoch_ns() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
  ArgParser p("canh_bench_ship", "one shipping sensor for the collector-ingest benchmark");
  p.option("url", 0, "URL", "collector").option("token", 0, "T", "enrolment token").option("spool", 0, "DIR", "spool")
      .option("alerts", 0, "N", "alerts to ship", "250000").option("seed", 0, "S", "generator seed", "1")
      .option("batch", 0, "B", "alerts per batch", "2000").option("ready", 0, "FILE", "touched when the spool is full")
      .option("go", 0, "FILE", "start shipping when this exists").option("result", 0, "FILE", "where to write the timings");
  std::vector<std::string> args(argv + 1, argv + argc);
  Status s = p.parse(args);
  if (!s || !p.has("url") || !p.has("spool") || !p.has("go") || !p.has("result")) {
    std::fprintf(stderr, "%s\n", s ? "--url, --spool, --go and --result are required" : s.message().c_str());
    return 2;
  }
  log::set_level(log::Level::kWarn);
  const uint64_t n = std::stoull(p.get("alerts"));
  sensor::ship::ShipperOptions o;
  o.collector_url = p.get("url");
  o.token = p.get("token");
  o.spool.dir = p.get("spool");
  o.spool.batch_max_alerts = std::stoul(p.get("batch"));
  o.spool.max_bytes = 16ull << 30;
  std::filesystem::remove_all(o.spool.dir);
  {
    // The sensor's side of the spool, filled before the clock starts: what is measured is shipping
    // and storing, not generating.
    auto spool = sensor::ship::Spool::open(o.spool);
    if (!spool) {
      std::fprintf(stderr, "%s\n", spool.status().message().c_str());
      return 1;
    }
    bench::AlertGen gen(std::stoull(p.get("seed")));
    using namespace std::chrono;
    int64_t ts = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() - static_cast<int64_t>(n) * 10;
    for (uint64_t i = 0; i < n; ++i) {
      Status a = (*spool)->append(gen.line(ts += 10));
      if (!a) {
        std::fprintf(stderr, "%s\n", a.message().c_str());
        return 1;
      }
    }
    if (Status sealed = (*spool)->seal(); !sealed) {
      std::fprintf(stderr, "%s\n", sealed.message().c_str());
      return 1;
    }
  }
  std::ofstream(p.get("ready")) << "ready\n";
  while (!std::filesystem::exists(p.get("go"))) std::this_thread::sleep_for(std::chrono::microseconds(200));

  int64_t t0 = epoch_ns();
  auto shipper = sensor::ship::Shipper::start(o);
  if (!shipper) {
    std::fprintf(stderr, "%s\n", shipper.status().message().c_str());
    return 1;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while (!(*shipper)->idle() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  int64_t t1 = epoch_ns();
  (*shipper)->stop(std::chrono::milliseconds(0));
  auto st = (*shipper)->stats();
  std::ofstream(p.get("result")) << "alerts " << n << "\nshipped " << st.shipped_alerts << "\nbatches "
                                 << st.shipped_batches << "\nduplicates " << st.duplicate_batches << "\nfailures "
                                 << st.failures << "\nstart_ns " << t0 << "\nend_ns " << t1 << "\n";
  return st.shipped_alerts == n ? 0 : 1;
}
