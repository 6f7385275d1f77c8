// inspect() must not allocate (STYLE.md: the per-packet path allocates nothing). A counting global
// operator new, armed only around inspect() calls, proves it for every kind of rule and input.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "rules/engine.h"
#include "rules/test_util.h"

// GCC pairs the replaced operators with malloc/free and warns; they are a matched pair here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
// The nothrow forms too, or a sanitizer's own nothrow new would meet our delete (std::stable_partition
// asks for nothrow temporary buffers).
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace canh::rules {
namespace {

struct CountingSink : AlertSink {
  size_t n = 0;
  void on_alert(const AlertInfo&) override { ++n; }
};

TEST(Inspect, AllocatesNothing) {
  RuleSet rs;
  rs.add_text(R"(alert tcp any any -> any any (content:"GET"; content:"HTTP/1."; distance:0; pcre:"/HTTP\/1\.[01]/R"; sid:1;)
alert tcp any any -> any 80 (content:"evil"; nocase; byte_test:1,>,0,0,relative; isdataat:1,relative; sid:2;)
alert http any any -> any any (http.uri; content:"/admin"; pcre:"/\/admin\/[a-z]+/"; sid:3;)
alert http any any -> any any (http.host; pcre:"/^.{1,40}$/"; flowbits:set,seen; sid:4;)
alert http any any -> any any (flowbits:isset,seen; http.user_agent; content:"curl"; threshold:type limit, track by_src, count 100, seconds 60; sid:5;)
alert ip [10.0.0.0/8] any -> any any (ttl:<200; sid:6;)
alert tcp any any -> any any (content:"x"; byte_extract:1,0,v,relative; content:"y"; distance:v; sid:7;)
alert tcp-stream any any -> any any (content:"SPAN"; detection_filter:track by_dst, count 1, seconds 5; sid:8;)
alert http any any -> any any (http.request_header; content:"X-A|3a|"; startswith; sid:9;)
)",
              "t.rules");
  auto built = Engine::build(rs);
  ASSERT_TRUE(built.is_ok()) << built.status().message();
  const Engine& e = **built;
  auto scratch = e.make_scratch();
  FlowDetectState flow;
  CountingSink sink;

  std::string payload = "GET /admin/panel HTTP/1.1\r\nevil\x05 more x\x02..y SPAN";
  DetectInput in = rtest::tcp_packet(payload, 40000, 80);
  in.flow.app_proto = AppProto::kHttp;
  StreamChunk sc;
  sc.data = rtest::bytes("xxxxSPAN");
  sc.new_from = 2;
  in.stream = &sc;
  AppBuffers app;
  app.set(Buffer::kHttpUri, std::string_view("/admin/panel"));
  app.set(Buffer::kHttpHost, std::string_view("example.com"));
  app.set(Buffer::kHttpUserAgent, std::string_view("curl/8"));
  std::span<const uint8_t> headers[] = {rtest::bytes("Host: example.com"), rtest::bytes("X-A: 1")};
  app.set_multi(Buffer::kHttpRequestHeader, headers);
  in.app = &app;

  e.inspect(in, flow, *scratch, sink);  // warm up: nothing lazy should be left after this
  size_t before_alerts = sink.n;
  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < 200; ++i) {
    app.tx_id = uint64_t(i);
    in.packet.ts_usec = uint64_t(i) * 1000;
    e.inspect(in, flow, *scratch, sink);
    DetectInput bare = in;
    bare.app = nullptr;
    bare.stream = nullptr;
    e.inspect(bare, flow, *scratch, sink);
  }
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0u);
  EXPECT_GT(sink.n, before_alerts + 200);  // the loop really matched rules
}

}  // namespace
}  // namespace canh::rules
