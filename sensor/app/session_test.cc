#include "sensor/app/session.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "sensor/app/buffers.h"

// Counting allocator for the whole test binary: lets a test assert that a warm flow allocates nothing.
namespace {
std::atomic<uint64_t> g_allocations{0};
}
void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// Not inlined: g++ would otherwise pair the inlined free() with `new` and warn about a mismatch that
// is not one (both replacements sit on malloc).
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace canh::sensor::app {
namespace {

using rules::AppProto;

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

struct Count : TxObserver {
  std::vector<std::pair<Dir, uint64_t>> events;
  rules::AppBuffers buffers;
  BufferScratch scratch;
  void on_tx(const TxEvent& ev) override {
    events.emplace_back(ev.dir, ev.tx_id);
    fill_buffers(ev, &buffers, &scratch);  // part of the steady state being measured
  }
};

constexpr uint8_t kTcp = 6, kUdp = 17;

// One flow's session from its own pools, handed back at the end of the test.
struct TestFlow {
  AppPools pools;
  std::unique_ptr<AppSession> s;
  TestFlow(uint8_t ip_proto, uint16_t sport, uint16_t dport, const AppConfig& cfg = {})
      : pools(cfg), s(pools.take_session()) {
    s->start(ip_proto, sport, dport);
  }
  ~TestFlow() { pools.give(std::move(s)); }
  void data(Dir d, std::span<const uint8_t> bytes, TxObserver* obs = nullptr) { s->on_data(pools, d, bytes, obs); }
};

TEST(Session, HttpOnAnOddPortIsDetectedAndParsed) {
  TestFlow f(kTcp, 40000, 81);
  Count c;
  f.data(Dir::kToServer, b("GE"), &c);
  EXPECT_EQ(f.s->proto(), AppProto::kUnknown);
  f.data(Dir::kToServer, b("T /x HTTP/1.1\r\nHost: h\r\n\r\n"), &c);
  EXPECT_EQ(f.s->proto(), AppProto::kHttp);
  ASSERT_EQ(c.events.size(), 1u);
  ASSERT_NE(f.s->http(), nullptr);
  EXPECT_EQ(f.s->http()->find(0)->uri(), "/x");
  std::string eve;
  f.s->write_eve(0, &eve);
  EXPECT_NE(eve.find("\"url\":\"/x\""), std::string::npos);
}

TEST(Session, ResponseDecidesAndTheHeldRequestIsParsedFirst) {
  // suricata-verify http-not09-file: the request is binary junk, the response is HTTP.
  TestFlow f(kTcp, 49190, 80);
  Count c;
  f.data(Dir::kToServer, b("\x9c\x8a\x13 junk\n\x01\x02"), &c);
  EXPECT_EQ(f.s->proto(), AppProto::kUnknown);
  f.data(Dir::kToClient, b("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"), &c);
  EXPECT_EQ(f.s->proto(), AppProto::kHttp);
  const HttpTx* tx = f.s->http()->find(0);
  ASSERT_NE(tx, nullptr);
  EXPECT_TRUE(tx->has_request());
  EXPECT_EQ(tx->status(), 400);
  EXPECT_EQ(tx->response().body(), "bad");
}

TEST(Session, UnknownBothWaysFails) {
  TestFlow f(kTcp, 1, 2);
  f.data(Dir::kToServer, b("\x01\x02\x03hello"), nullptr);
  f.data(Dir::kToClient, b("\x04\x05"), nullptr);
  EXPECT_EQ(f.s->proto(), AppProto::kFailed);
}

TEST(Session, DisabledProtocolIsNotDetected) {
  AppConfig cfg;
  cfg.http_enabled = false;
  TestFlow f(kTcp, 1, 80, cfg);
  f.data(Dir::kToServer, b("GET / HTTP/1.1\r\n\r\n"), nullptr);
  EXPECT_NE(f.s->proto(), AppProto::kHttp);
}

TEST(Session, TlsOn8443) {
  TestFlow f(kTcp, 50000, 8443);
  const uint8_t start[] = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
  f.data(Dir::kToServer, start, nullptr);
  EXPECT_EQ(f.s->proto(), AppProto::kTls);
}

TEST(Session, SshBannerOnAnOddPort) {
  TestFlow f(kTcp, 40000, 2222);
  Count c;
  f.data(Dir::kToClient, b("SSH-2.0-OpenSSH_9.2p1\r\n"), &c);
  EXPECT_EQ(f.s->proto(), AppProto::kSsh);
  EXPECT_EQ(c.events.size(), 1u);
  std::string eve;
  f.s->write_eve(0, &eve);
  EXPECT_NE(eve.find("OpenSSH_9.2p1"), std::string::npos);
}

// A ClientHello naming inner.example (74 bytes).
std::string client_hello() {
  return std::string("\x16\x03\x01\x00\x45\x01\x00\x00\x41\x03\x03\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x00\x00\x02\xc0\x2f\x01\x00\x00\x16\x00\x00\x00\x12\x00\x10\x00\x00\x0d", 61) + "inner.example";
}

TEST(Session, TlsInsideAConnectTunnelIsDetectedAndParsed) {
  TestFlow f(kTcp, 40000, 3128);
  Count c;
  // The client does not wait for the proxy's answer before its ClientHello.
  f.data(Dir::kToServer, b("CONNECT inner.example:443 HTTP/1.1\r\nHost: inner.example:443\r\n\r\n" +
                                      client_hello()), &c);
  EXPECT_EQ(f.s->proto(), AppProto::kHttp);
  f.data(Dir::kToClient, b("HTTP/1.1 200 Connection established\r\n\r\n"), &c);
  EXPECT_EQ(f.s->proto(), AppProto::kTls);
  ASSERT_NE(f.s->tls(), nullptr);
  EXPECT_EQ(f.s->tls()->session().sni, "inner.example");
  ASSERT_GE(c.events.size(), 3u);
  EXPECT_EQ(c.events.back().second, 1u);  // numbered after the CONNECT transaction
  std::string eve;
  f.s->write_eve(1, &eve);
  EXPECT_NE(eve.find("\"sni\":\"inner.example\""), std::string::npos) << eve;
  eve.clear();
  f.s->write_eve(0, &eve);
  EXPECT_NE(eve.find("\"http_method\":\"CONNECT\""), std::string::npos) << eve;
}

TEST(Session, DnsOverUdp) {
  TestFlow f(kUdp, 5353, 53);
  Count c;
  const uint8_t q[] = {0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1};
  f.data(Dir::kToServer, q, &c);
  EXPECT_EQ(f.s->proto(), AppProto::kDns);
  EXPECT_EQ(c.events.size(), 1u);
}

TEST(Session, HeldBytesOverflowingTheWindowAreAGap) {
  AppConfig cfg;
  cfg.detect_window = 8;
  TestFlow f(kTcp, 1, 80, cfg);
  f.data(Dir::kToServer, b("GET /long/path HTTP/1.1\r\n\r\n"), nullptr);
  // Detected from the first 8 bytes; the rest was not held, so the request cannot be parsed whole.
  EXPECT_EQ(f.s->proto(), AppProto::kHttp);
  EXPECT_EQ(f.s->http()->tx_count(), 1u);
  EXPECT_FALSE(f.s->http()->find(0)->request().line_done());
}

// A warm worker: the second flow through a recycled session allocates nothing.
TEST(Session, WarmFlowAllocatesNothing) {
  AppConfig cfg;
  AppPools pools(cfg);
  const std::string req =
      "GET /index.html?a=%41 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n"
      "POST /form HTTP/1.1\r\nHost: www.example.com\r\nContent-Length: 11\r\n\r\nhello world";
  const std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
      "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n";
  Count c;
  std::string eve;
  auto run = [&] {
    auto s = pools.take_session();
    s->start(kTcp, 40000, 80);
    s->on_data(pools, Dir::kToServer, b(req), &c);
    s->on_data(pools, Dir::kToClient, b(resp), &c);
    eve.clear();
    s->write_eve(1, &eve);
    s->on_end(Dir::kToServer, &c);
    pools.give(std::move(s));
  };
  c.events.reserve(64);
  eve.reserve(4096);
  run();
  run();
  c.events.clear();
  uint64_t before = g_allocations.load();
  run();
  EXPECT_EQ(g_allocations.load() - before, 0u);
  EXPECT_EQ(c.events.size(), 4u);
  EXPECT_NE(eve.find("\"redirect\":\"/x\""), std::string::npos);
}

}  // namespace
}  // namespace canh::sensor::app
