// query-latency: builds a store of N synthetic alerts over D days (bulk load, once), then times the
// console's alert list (first page of many filter combinations) and the dashboard aggregates over 24
// hours, through the same handlers the console API serves (console/alerts_api.h) minus the socket.
//
//   canh_bench_query generate --data DIR [--alerts 10000000] [--days 30]
//   canh_bench_query run --data DIR [--rounds 3]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "benchmarks/alert_gen.h"
#include "collector/eve_alert.h"
#include "common/args.h"
#include "common/http_types.h"
#include "console/alerts_api.h"
#include "storage/storage.h"

namespace canh::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<storage::Storage> open_store(const std::string& dir) {
  storage::StorageOptions o;
  o.data_dir = dir;
  o.block_cache_mb = 512;
  auto s = storage::Storage::open(o);
  if (!s) {
    std::fprintf(stderr, "canh_bench_query: %s\n", s.status().message().c_str());
    std::exit(1);
  }
  return std::move(s).value();
}

// The information systems of the synthetic agency, by the destination ranges AlertGen draws from.
void set_systems(storage::AlertStore& a) {
  a.set_system_ranges({{1, *storage::Cidr::parse("10.0.0.0/14")},
                       {2, *storage::Cidr::parse("10.4.0.0/14")},
                       {3, *storage::Cidr::parse("172.16.0.0/12")},
                       {4, *storage::Cidr::parse("10.7.0.0/16")}});
}

int generate(const std::string& dir, uint64_t n, int days) {
  std::filesystem::create_directories(dir);
  auto st = open_store(dir);
  set_systems(st->alerts());
  using namespace std::chrono;
  const int64_t end_us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  int64_t span_us = static_cast<int64_t>(days) * 86400 * 1000000;
  if (const char* e = std::getenv("BENCH_SPAN_SECONDS")) span_us = std::atoll(e) * 1000000;
  const int64_t step = span_us / static_cast<int64_t>(n);
  AlertGen gen(42);
  std::mt19937_64 rng(7);
  auto t0 = Clock::now();
  const uint64_t per_batch = 2000;
  std::vector<storage::IngestBatch> batches(8);
  std::vector<storage::IngestBatch*> ptrs;
  uint64_t done = 0, number = 0;
  double load_secs = 0;
  int64_t ts = end_us - span_us;
  while (done < n) {
    ptrs.clear();
    for (auto& b : batches) {
      if (done >= n) break;
      b.sensor = 1 + static_cast<uint32_t>(number % 4);
      b.stream = 1;
      b.number = ++number;
      b.alerts.clear();
      for (uint64_t i = 0; i < per_batch && done < n; ++i, ++done) {
        ts += step / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(std::max<int64_t>(step, 1)));
        storage::NewAlert a;
        std::string line = gen.line(std::min(ts, end_us - 1));
        Status s = collector::parse_eve_alert(line, &a);
        if (!s) {
          std::fprintf(stderr, "generated line refused: %s\n%s\n", s.message().c_str(), line.c_str());
          return 1;
        }
        b.alerts.push_back(std::move(a));
      }
      ptrs.push_back(&b);
    }
    auto tl = Clock::now();
    Status s = st->alerts().bulk_load(ptrs, duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
    load_secs += std::chrono::duration<double>(Clock::now() - tl).count();
    if (!s) {
      std::fprintf(stderr, "bulk load: %s\n", s.message().c_str());
      return 1;
    }
    if (number % 500 == 0)
      std::fprintf(stderr, "\r%llu / %llu alerts", static_cast<unsigned long long>(done), static_cast<unsigned long long>(n));
  }
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::fprintf(stderr, "\rloaded %llu alerts in %.1f s (%.0f/s; %.1f s of it storing); triaging a sample\n",
               static_cast<unsigned long long>(done), secs, static_cast<double>(done) / secs, load_secs);

  // A triaged sample, so state filters have something other than "new" to find.
  storage::AlertQuery q;
  q.limit = 1000;
  q.from_us = end_us - 3 * 86400ll * 1000000;
  uint64_t triaged = 0;
  for (int page = 0; page < (std::getenv("BENCH_NO_TRIAGE") ? 0 : 20); ++page) {
    auto p = st->alerts().list(q);
    if (!p || p->items.empty()) break;
    for (size_t i = 0; i < p->items.size(); i += 3) {
      storage::TriageChange c;
      c.state = static_cast<storage::TriageState>(1 + (i / 3) % 4);
      c.assignee = i % 2 ? "lan" : "minh";
      if (st->alerts().set_triage(p->items[i].id, c, "bench", 1).is_ok()) ++triaged;
    }
    if (!p->next) break;
    q.after = p->next;
  }
  Status f = st->flush();
  if (!f) std::fprintf(stderr, "flush: %s\n", f.message().c_str());
  std::ofstream(dir + "/bench.txt") << end_us << "\n" << done << "\n";
  std::fprintf(stderr, "triaged %llu alerts; store ready: %.1f GB on disk\n", static_cast<unsigned long long>(triaged),
               static_cast<double>(st->disk_bytes()) / 1e9);
  return 0;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

int run(const std::string& dir, int rounds) {
  int64_t end_us = 0;
  uint64_t total = 0;
  {
    std::ifstream in(dir + "/bench.txt");
    if (!(in >> end_us >> total)) {
      std::fprintf(stderr, "canh_bench_query: %s has no generated store (run generate first)\n", dir.c_str());
      return 1;
    }
  }
  auto st = open_store(dir);
  auto routes = console::alert_routes(st->alerts(), &st->sensors());
  auto handler = [&](const std::string& path) -> const http::Handler& {
    for (auto& r : routes)
      if (r.pattern == path) return r.handler;
    std::abort();
  };
  const http::Handler& list = handler("/api/v1/alerts");
  const http::Handler& stats = handler("/api/v1/alerts/stats");
  http::Caller who{http::Caller::Kind::kSession, "bench", "bench", http::Role::kAnalyst};

  std::mt19937_64 rng(1);
  AlertGen gen(0);
  auto ms = [](int64_t us) { return std::to_string(us / 1000); };
  const int64_t day = 86400ll * 1000000;
  struct Query {
    std::string kind;
    http::Fields params;
  };
  std::vector<Query> lists;
  for (int i = 0; i < 20; ++i) {
    size_t common = i % 5, rare = 500 + rng() % 1400;
    lists.push_back({"all", {}});
    lists.push_back({"sid_common", {{"sid", std::to_string(AlertGen::sid_of(common))}}});
    lists.push_back({"sid_rare", {{"sid", std::to_string(AlertGen::sid_of(rare))}}});
    lists.push_back({"severity", {{"severity", std::to_string(1 + i % 3)}}});
    lists.push_back({"src_exact", {{"src", AlertGen::src_of(rng() % 2000)}}});
    lists.push_back({"src_cidr8", {{"src", std::to_string(1 + rng() % 200) + ".0.0.0/8"}}});
    lists.push_back({"dst_cidr16", {{"dst", "10." + std::to_string(rng() % 8) + ".0.0/16"}}});
    lists.push_back({"dst_cidr24", {{"dst", "10." + std::to_string(rng() % 8) + "." + std::to_string(rng() % 40) + ".0/24"}}});
    lists.push_back({"sensor", {{"sensor", std::to_string(1 + rng() % 4)}}});
    lists.push_back({"system", {{"system", std::to_string(1 + rng() % 4)}}});
    lists.push_back({"state_new", {{"state", "new"}}});
    lists.push_back({"state_escalated", {{"state", "escalated"}}});
    lists.push_back({"text", {{"q", i % 2 ? "MALWARE" : "number " + std::to_string(rng() % 2000)}}});
    int64_t w = end_us - static_cast<int64_t>(rng() % 29) * day - static_cast<int64_t>(rng() % 24) * 3600000000ll;
    lists.push_back({"time_hour", {{"from", ms(w - 3600000000ll)}, {"to", ms(w)}}});
    lists.push_back({"sid_and_dst", {{"sid", std::to_string(AlertGen::sid_of(common))}, {"dst", "10.1.0.0/16"}}});
    lists.push_back({"sev_sensor_day", {{"severity", "1"}, {"sensor", "2"}, {"from", ms(w - day)}, {"to", ms(w)}}});
    lists.push_back({"new_and_src", {{"state", "new"}, {"src", AlertGen::src_of(rng() % 50)}}});
    lists.push_back({"text_and_sensor", {{"q", "SCAN"}, {"sensor", "3"}}});
    lists.push_back({"rare_and_src", {{"sid", std::to_string(AlertGen::sid_of(rare))}, {"src", AlertGen::src_of(rng() % 20)}}});
  }
  std::vector<Query> aggs;
  for (int i = 0; i < 10; ++i) {
    aggs.push_back({"last_24h", {{"from", ms(end_us - day)}, {"to", ms(end_us)}}});
    aggs.push_back({"last_24h_5min", {{"from", ms(end_us - day)}, {"to", ms(end_us)}, {"bucket", "300"}, {"top", "20"}}});
    int64_t w = end_us - static_cast<int64_t>(1 + rng() % 28) * day;
    aggs.push_back({"any_24h", {{"from", ms(w - day)}, {"to", ms(w)}}});
  }

  auto time_one = [&](const http::Handler& h, const Query& q, bool* partial, size_t* items) {
    http::Request req;
    req.method = "GET";
    req.query = q.params;
    auto t = Clock::now();
    http::Response r = h(req, who);
    double msecs = std::chrono::duration<double, std::milli>(Clock::now() - t).count();
    if (r.status != 200) {
      std::fprintf(stderr, "query %s failed: %d %s\n", q.kind.c_str(), r.status, r.body.c_str());
      std::exit(1);
    }
    if (partial) *partial = r.body.find("\"partial\":true") != std::string::npos;
    if (items) *items = static_cast<size_t>(std::count(r.body.begin(), r.body.end(), '\n')) + 0;
    return msecs;
  };

  // One pass to warm the caches, as a running server would be.
  for (auto& q : lists) time_one(list, q, nullptr, nullptr);
  for (auto& q : aggs) time_one(stats, q, nullptr, nullptr);

  std::vector<double> list_ms, agg_ms;
  std::map<std::string, std::vector<double>> by_kind;
  size_t partial_pages = 0;
  for (int r = 0; r < rounds; ++r) {
    for (auto& q : lists) {
      bool partial = false;
      double m = time_one(list, q, &partial, nullptr);
      list_ms.push_back(m);
      by_kind["list." + q.kind].push_back(m);
      partial_pages += partial;
    }
    for (auto& q : aggs) {
      double m = time_one(stats, q, nullptr, nullptr);
      agg_ms.push_back(m);
      by_kind["agg." + q.kind].push_back(m);
    }
  }
  for (auto& [k, v] : by_kind) std::fprintf(stderr, "%-26s p50 %7.2f ms  p99 %7.2f ms  (%zu)\n", k.c_str(), percentile(v, 0.5), percentile(v, 0.99), v.size());
  std::printf("BENCH query.stored_alerts %llu alerts\n", static_cast<unsigned long long>(total));
  std::printf("BENCH query.list_p50_ms %.2f ms\n", percentile(list_ms, 0.5));
  std::printf("BENCH query.list_p99_ms %.2f ms\n", percentile(list_ms, 0.99));
  std::printf("BENCH query.list_partial_pct %.2f %%\n", 100.0 * static_cast<double>(partial_pages) / static_cast<double>(list_ms.size()));
  std::printf("BENCH query.agg_p50_ms %.2f ms\n", percentile(agg_ms, 0.5));
  std::printf("BENCH query.agg_p99_ms %.2f ms\n", percentile(agg_ms, 0.99));
  return 0;
}

}  // namespace
}  // namespace canh::bench

int main(int argc, char** argv) {
  using namespace canh;
  if (argc < 2) {
    std::fprintf(stderr, "usage: canh_bench_query generate|run --data DIR [--alerts N] [--days D] [--rounds R]\n");
    return 2;
  }
  std::string cmd = argv[1];
  ArgParser p("canh_bench_query " + cmd, "query-latency benchmark: generate a store, or time queries on it");
  p.option("data", 0, "DIR", "data folder").option("alerts", 0, "N", "alerts to generate", "10000000")
      .option("days", 0, "D", "days the alerts span", "30").option("rounds", 0, "R", "timed passes over the query mix", "3");
  std::vector<std::string> rest(argv + 2, argv + argc);
  Status s = p.parse(rest);
  if (!s || !p.has("data")) {
    std::fprintf(stderr, "%s\n", s ? "--data is required" : s.message().c_str());
    return 2;
  }
  if (cmd == "generate") return bench::generate(p.get("data"), std::stoull(p.get("alerts")), std::stoi(p.get("days")));
  if (cmd == "run") return bench::run(p.get("data"), std::stoi(p.get("rounds")));
  std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
  return 2;
}
