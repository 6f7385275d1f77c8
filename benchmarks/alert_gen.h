// Synthetic EVE alert lines for the collector and query benchmarks: the shape and size of what a
// Suricata-compatible sensor writes (flow, alert with metadata, app layer), with the skew real alert
// streams have — a few signatures and sources make most alerts (Zipf), a long tail makes the rest.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "common/timestamp.h"

namespace canh::bench {

// Zipf(s) over [0, n): the rank drawn by inverting a precomputed cumulative distribution.
class Zipf {
 public:
  Zipf(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) cdf_[i] = sum += 1.0 / std::pow(static_cast<double>(i + 1), s);
    for (auto& c : cdf_) c /= sum;
  }
  template <class R>
  size_t operator()(R& rng) const {
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<size_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

struct AlertGen {
  static constexpr size_t kSignatures = 2000;
  static constexpr size_t kSources = 50000;
  static constexpr size_t kDestinations = 5000;

  std::mt19937_64 rng;
  Zipf sig{kSignatures, 1.1}, src{kSources, 1.0}, dst{kDestinations, 1.2};
  uint64_t flow = 1;

  explicit AlertGen(uint64_t seed) : rng(seed) {}

  static uint32_t sid_of(size_t rank) { return 2000000 + static_cast<uint32_t>(rank) * 7; }
  static std::string signature_of(size_t rank) {
    static const char* kinds[] = {"ET SCAN", "ET POLICY", "ET MALWARE", "ET TROJAN", "ET INFO", "ET EXPLOIT",
                                  "ET WEB_SERVER", "GPL ATTACK_RESPONSE", "ET DNS", "ET HUNTING"};
    return std::string(kinds[rank % 10]) + " synthetic signature number " + std::to_string(rank);
  }
  // Sources: mostly outside (a Zipf over 50,000 internet addresses); destinations: the agency's
  // networks 10.x and 172.16-31.x.
  static std::string src_of(size_t rank) {
    uint32_t h = static_cast<uint32_t>(rank * 2654435761u);
    return std::to_string(1 + (h >> 24) % 223) + "." + std::to_string((h >> 16) & 255) + "." +
           std::to_string((h >> 8) & 255) + "." + std::to_string(1 + (h & 255) % 254);
  }
  static std::string dst_of(size_t rank) {
    if (rank % 4 == 3) return "172." + std::to_string(16 + rank % 16) + "." + std::to_string(rank / 16 % 256) + "." +
                              std::to_string(1 + rank % 250);
    return "10." + std::to_string(rank % 8) + "." + std::to_string(rank / 8 % 256) + "." + std::to_string(1 + rank % 250);
  }

  // One line for an alert at `ts_us`.
  std::string line(int64_t ts_us) {
    size_t s = sig(rng), a = src(rng), d = dst(rng);
    uint32_t sid = sid_of(s);
    int severity = 1 + static_cast<int>(s % 3);
    std::string ts = format_timestamp_us(ts_us);
    ts.replace(ts.size() - 1, 1, "+0000");  // EVE writes the offset
    char buf[1600];
    std::snprintf(
        buf, sizeof buf,
        R"({"timestamp":"%s","flow_id":%llu,"in_iface":"eth1","event_type":"alert","src_ip":"%s","src_port":%u,)"
        R"("dest_ip":"%s","dest_port":%u,"proto":"TCP","pkt_src":"wire/pcap","alert":{"action":"allowed","gid":1,)"
        R"("signature_id":%u,"rev":%u,"signature":"%s","category":"Potentially Bad Traffic","severity":%d,)"
        R"("metadata":{"created_at":["2024_01_01"],"updated_at":["2026_06_01"],"signature_severity":["Major"]}},)"
        R"("app_proto":"http","direction":"to_server","flow":{"pkts_toserver":%u,"pkts_toclient":%u,)"
        R"("bytes_toserver":%u,"bytes_toclient":%u,"start":"%s"},"http":{"hostname":"host%zu.example.vn",)"
        R"J("url":"/path/%zu/index.php?id=%u","http_user_agent":"Mozilla/5.0 (X11; Linux x86_64)",)J"
        R"("http_method":"GET","protocol":"HTTP/1.1","status":200,"length":%u}})",
        ts.c_str(), static_cast<unsigned long long>(flow++), src_of(a).c_str(),
        static_cast<unsigned>(1024 + rng() % 60000), dst_of(d).c_str(), d % 3 == 0 ? 443u : 80u, sid,
        static_cast<unsigned>(1 + s % 9), signature_of(s).c_str(), severity, static_cast<unsigned>(3 + rng() % 20),
        static_cast<unsigned>(2 + rng() % 20), static_cast<unsigned>(200 + rng() % 5000),
        static_cast<unsigned>(100 + rng() % 50000), ts.c_str(), d % 300, s, static_cast<unsigned>(rng() % 100000),
        static_cast<unsigned>(rng() % 100000));
    return buf;
  }
};

}  // namespace canh::bench
