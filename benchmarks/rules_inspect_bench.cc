// rules-inspect: the detection engine alone (no capture, decode or reassembly) over a deterministic
// synthetic traffic mix, with every enabled rule of the files given. Prints BENCH lines:
// Gbit/s of payload per CPU-second of the inspecting thread (the figure that decides whether a
// worker keeps up), microseconds per packet, and the same per traffic kind.
//   canh_bench_rules_inspect RULE_FILE...
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "common/log.h"
#include "rules/address.h"
#include "rules/engine.h"

using namespace canh::rules;

namespace {

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

struct Sink : AlertSink {
  size_t alerts = 0;
  void on_alert(const AlertInfo&) override { ++alerts; }
};

Address addr(const char* s) {
  Address a;
  parse_ip(s, &a);
  return a;
}

std::span<const uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// One kind of traffic: its packets (payload, ports, direction) and, for HTTP, its buffers.
struct Kind {
  std::string name;
  std::vector<DetectInput> packets;
  double cpu = 0;
  size_t bytes = 0, count = 0;
  uint64_t candidates = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s RULE_FILE...\n", argv[0]);
    return 2;
  }
  canh::log::set_level(canh::log::Level::kWarn);
  std::vector<std::string> files(argv + 1, argv + argc);
  RuleSet rs = load_rule_files(files);
  auto built = Engine::build(rs);
  if (!built) {
    std::fprintf(stderr, "rules-inspect: %s\n", built.status().message().c_str());
    return 1;
  }
  const Engine& engine = **built;
  auto scratch = engine.make_scratch();

  std::mt19937 rng(42);
  auto random_bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = char(rng());
    return s;
  };
  const char* words[] = {"the ", "quick ", "<div class=\"", "news", "\">", "function(", "return ", "var ",
                         "</a>", "href=\"/", "index", ".html", "\n", "data-id=", "1234", "json", "{\"id\":"};
  auto text = [&](size_t n) {
    std::string s;
    while (s.size() < n) s += words[rng() % (sizeof words / sizeof *words)];
    s.resize(n);
    return s;
  };
  // Storage that outlives the DetectInputs pointing into it.
  std::vector<std::string> store;
  store.reserve(4096);
  std::vector<AppBuffers> apps;
  apps.reserve(1024);
  const Address client = addr("192.168.1.20"), server = addr("93.184.216.34");
  auto packet = [&](const std::string& payload, bool to_server, uint16_t server_port, uint8_t proto) {
    DetectInput in;
    in.packet.ip_version = 4;
    in.packet.ip_proto = proto;
    in.packet.ttl = 64;
    in.packet.src = to_server ? client : server;
    in.packet.dst = to_server ? server : client;
    in.packet.sport = to_server ? 49152 : server_port;
    in.packet.dport = to_server ? server_port : 49152;
    in.packet.tcp_flags = proto == 6 ? 0x18 : 0;
    store.push_back(payload);
    in.packet.payload = bytes(store.back());
    in.flow.has_flow = true;
    in.flow.to_server = to_server;
    in.flow.established = true;
    return in;
  };

  std::vector<Kind> kinds(5);
  kinds[0].name = "http_request";
  kinds[1].name = "http_response";
  kinds[2].name = "tls";
  kinds[3].name = "dns";
  kinds[4].name = "smb";
  const char* paths[] = {"/index.html", "/news/2026/article.php?id=", "/static/app.js", "/api/v1/items?page=",
                         "/images/logo.png", "/login.aspx"};
  for (int i = 0; i < 200; ++i) {
    std::string uri = std::string(paths[rng() % 6]) + std::to_string(rng() % 100000);
    std::string host = "www.site" + std::to_string(rng() % 50) + ".example";
    std::string ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/12" +
                     std::to_string(rng() % 10) + ".0 Safari/537.36";
    std::string req = "GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + ua +
                      "\r\nAccept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.9\r\n"
                      "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n";
    DetectInput in = packet(req, true, 80, 6);
    in.flow.app_proto = AppProto::kHttp;
    apps.emplace_back();
    AppBuffers& a = apps.back();
    a.tx_id = uint64_t(i);
    store.push_back(uri);
    a.set(Buffer::kHttpUri, bytes(store.back()));
    a.set(Buffer::kHttpUriRaw, bytes(store.back()));
    a.set(Buffer::kHttpMethod, std::string_view("GET"));
    a.set(Buffer::kHttpProtocol, std::string_view("HTTP/1.1"));
    store.push_back(host);
    a.set(Buffer::kHttpHost, bytes(store.back()));
    store.push_back(ua);
    a.set(Buffer::kHttpUserAgent, bytes(store.back()));
    store.push_back(req.substr(req.find("\r\n") + 2));
    a.set(Buffer::kHttpHeader, bytes(store.back()));
    a.set(Buffer::kHttpHeaderRaw, bytes(store.back()));
    in.app = &a;
    kinds[0].packets.push_back(in);

    std::string body = text(1300);
    std::string resp = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 1300\r\n\r\n" +
                       body.substr(0, 1200);
    DetectInput r = packet(resp, false, 80, 6);
    r.flow.app_proto = AppProto::kHttp;
    apps.emplace_back();
    AppBuffers& b = apps.back();
    b.tx_id = uint64_t(i);
    b.to_server = false;
    b.set(Buffer::kHttpStatCode, std::string_view("200"));
    b.set(Buffer::kHttpStatMsg, std::string_view("OK"));
    store.push_back(body);
    b.set(Buffer::kHttpResponseBody, bytes(store.back()));
    r.app = &b;
    kinds[1].packets.push_back(r);

    kinds[2].packets.push_back(packet(random_bytes(1400), i % 2 == 0, 443, 6));
    std::string q = random_bytes(12) + "\x07" "example" "\x03" "com" + std::string("\x00\x00\x01\x00\x01", 5);
    DetectInput d = packet(q, true, 53, 17);
    kinds[3].packets.push_back(d);
    std::string smb = std::string("\x00\x00\x00\xf8\xfeSMB", 8) + random_bytes(240);
    kinds[4].packets.push_back(packet(smb, true, 445, 6));
  }

  Sink sink;
  FlowDetectState flow;
  // Warm up caches and the lazily touched parts of Hyperscan's scratch.
  for (auto& k : kinds)
    for (auto& p : k.packets) engine.inspect(p, flow, *scratch, sink);
  const char* env_rounds = std::getenv("RULES_INSPECT_ROUNDS");
  const int rounds = env_rounds ? std::max(1, std::atoi(env_rounds)) : 50;
  // Interleave kinds as traffic would: one packet of each kind in turn.
  for (int r = 0; r < rounds; ++r) {
    for (size_t i = 0; i < kinds[0].packets.size(); ++i) {
      for (auto& k : kinds) {
        const DetectInput& p = k.packets[i];
        flow.reset();
        uint64_t c0 = scratch->counters().candidates;
        double t0 = thread_cpu_seconds();
        engine.inspect(p, flow, *scratch, sink);
        k.cpu += thread_cpu_seconds() - t0;
        k.candidates += scratch->counters().candidates - c0;
        k.bytes += p.packet.payload.size();
        ++k.count;
      }
    }
  }
  // Mix weights: a web-heavy link (by packets) — requests 10%, responses 45%, TLS 35%, DNS 5%, SMB 5%.
  const double weight[] = {0.10, 0.45, 0.35, 0.05, 0.05};
  double cpu_per_pkt = 0, bytes_per_pkt = 0;
  for (size_t i = 0; i < kinds.size(); ++i) {
    double us = kinds[i].cpu / double(kinds[i].count) * 1e6;
    std::printf("BENCH rules.inspect_us.%s %.3f us\n", kinds[i].name.c_str(), us);
    std::printf("BENCH rules.inspect_candidates.%s %.1f rules\n", kinds[i].name.c_str(),
                double(kinds[i].candidates) / double(kinds[i].count));
    cpu_per_pkt += weight[i] * kinds[i].cpu / double(kinds[i].count);
    bytes_per_pkt += weight[i] * double(kinds[i].bytes) / double(kinds[i].count);
  }
  std::printf("BENCH rules.inspect_us_per_packet %.3f us\n", cpu_per_pkt * 1e6);
  std::printf("BENCH rules.inspect_gbps_per_core %.2f Gbit/s\n", bytes_per_pkt * 8 / cpu_per_pkt / 1e9);
  std::printf("BENCH rules.inspect_rules_loaded %zu rules\n", engine.loaded());
  std::printf("BENCH rules.inspect_alerts %zu alerts\n", sink.alerts);
  const InspectCounters& n = scratch->counters();
  std::printf("BENCH rules.inspect_candidates_per_packet %.2f rules\n", double(n.candidates) / double(n.packets));
  return 0;
}
