// Pcap-driven tests of the whole pipeline (capture -> decode -> flow -> stream -> detection -> EVE):
// each test writes a small capture with tests/sensor/packet_builder.h, runs the Sensor over it with a
// test detector, and reads DIR/eve.json back. The test detector stands in for the rule engine so
// these tests pin down what the pipeline offers to detection (which bytes, with which packet).
#include <gtest/gtest.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/json.hpp>
#include <atomic>
#include <cstdlib>
#include <new>
#include <chrono>
#include <thread>
#include <filesystem>
#include <fstream>

#include "sensor/sensor.h"
#include "tests/sensor/packet_builder.h"

namespace canh::sensor {
namespace {
using namespace testing;

constexpr Ip4 kClient{192, 168, 1, 5}, kServer{192, 168, 1, 1};

// sid 1: "EVIL" in reassembled stream data; sid 2: "EVIL" in a packet's own payload;
// sid 3: every ICMP echo request.
class NeedleDetector : public Detector {
 public:
  void inspect(const rules::DetectInput& in, rules::FlowDetectState&, rules::AlertSink& sink) override {
    auto has = [](std::span<const uint8_t> d) {
      return std::string_view(reinterpret_cast<const char*>(d.data()), d.size()).find("EVIL") != std::string_view::npos;
    };
    rules::AlertInfo a;
    a.msg = "needle";
    a.category = "test";
    if (in.stream && has(in.stream->data)) {
      a.sid = 1;
      a.from_stream = true;
      sink.on_alert(a);
    }
    if (has(in.packet.payload)) {
      a.sid = 2;
      a.from_stream = false;
      sink.on_alert(a);
    }
    if (in.packet.has_icmp && in.packet.icmp_type == 8) {
      a.sid = 3;
      sink.on_alert(a);
    }
  }
};
class NeedleFactory : public DetectorFactory {
 public:
  std::unique_ptr<Detector> make(uint32_t) override { return std::make_unique<NeedleDetector>(); }
};

struct SensorRun {
  std::filesystem::path dir;
  std::vector<boost::json::object> events;
  SensorTotals totals;

  explicit SensorRun(const std::string& name) {
    dir = std::filesystem::temp_directory_path() / ("canh-pipeline-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~SensorRun() { std::filesystem::remove_all(dir); }
  std::string pcap() const { return (dir / "in.pcap").string(); }

  void go(SensorConfig cfg = {}, unsigned workers = 1) {
    SensorOptions o;
    o.read_file = pcap();
    o.log_dir = dir.string();
    o.workers = workers;
    o.summary = false;
    Sensor s(cfg, o, std::make_shared<NeedleFactory>());
    ASSERT_TRUE(s.run(false).is_ok());
    totals = s.totals();
    std::ifstream in(dir / "eve.json");
    std::string line;
    while (std::getline(in, line)) events.push_back(boost::json::parse(line).as_object());
  }
  std::vector<boost::json::object> of(std::string_view type, int64_t sid = -1) const {
    std::vector<boost::json::object> r;
    for (auto& e : events) {
      if (e.at("event_type").as_string() != type) continue;
      if (sid >= 0 && e.at("alert").as_object().at("signature_id").as_int64() != sid) continue;
      r.push_back(e);
    }
    return r;
  }
};

void handshake(PcapWriter& w, uint64_t& ts, uint16_t sp = 40000) {
  w.add(tcp_frame(kClient, kServer, sp, 80, 100, 0, kSyn), ts++);
  w.add(tcp_frame(kServer, kClient, 80, sp, 500, 101, kSyn | kAck), ts++);
  w.add(tcp_frame(kClient, kServer, sp, 80, 101, 501, kAck), ts++);
}

TEST(Pipeline, ContentSpanningTwoSegmentsMatchesInTheStream) {
  SensorRun r("span");
  {
    PcapWriter w(r.pcap());
    uint64_t ts = 1'700'000'000'000'000;
    handshake(w, ts);
    w.add(tcp_frame(kClient, kServer, 40000, 80, 101, 501, kAck | kPsh, "xxEV"), ts++);
    w.add(tcp_frame(kClient, kServer, 40000, 80, 105, 501, kAck | kPsh, "ILxx"), ts++);
    w.add(tcp_frame(kServer, kClient, 80, 40000, 501, 109, kAck), ts++);
    w.add(tcp_frame(kClient, kServer, 40000, 80, 109, 501, kAck | kFin), ts++);
  }
  r.go();
  auto stream = r.of("alert", 1);
  ASSERT_EQ(stream.size(), 1u);
  EXPECT_EQ(stream[0].at("stream").as_int64(), 1);
  EXPECT_EQ(stream[0].at("direction").as_string(), "to_server");
  EXPECT_EQ(stream[0].at("payload_printable").as_string(), "xxEVILxx");
  EXPECT_TRUE(r.of("alert", 2).empty());  // no single packet holds the needle
}

TEST(Pipeline, BothDirectionsShareOneFlow) {
  SensorRun r("flow");
  {
    PcapWriter w(r.pcap());
    uint64_t ts = 1'700'000'000'000'000;
    handshake(w, ts);
    w.add(tcp_frame(kClient, kServer, 40000, 80, 101, 501, kAck | kPsh, "GET / HTTP/1.0\r\n\r\n"), ts++);
    w.add(tcp_frame(kServer, kClient, 80, 40000, 501, 119, kAck | kPsh, "EVIL response"), ts++);
    w.add(tcp_frame(kServer, kClient, 80, 40000, 514, 119, kAck | kFin), ts++);
  }
  r.go();
  auto flows = r.of("flow");
  ASSERT_EQ(flows.size(), 1u);
  auto& f = flows[0].at("flow").as_object();
  EXPECT_EQ(f.at("pkts_toserver").as_int64(), 3);
  EXPECT_EQ(f.at("pkts_toclient").as_int64(), 3);
  EXPECT_EQ(flows[0].at("src_ip").as_string(), "192.168.1.5");
  auto a = r.of("alert", 1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].at("flow_id").as_int64(), flows[0].at("flow_id").as_int64());
  EXPECT_EQ(a[0].at("src_port").as_int64(), 80);
  EXPECT_EQ(a[0].at("direction").as_string(), "to_client");
  EXPECT_EQ(a[0].at("proto").as_string(), "TCP");
}

TEST(Pipeline, GapIsReportedAtFlowEndAsSuricataPrintsIt) {
  SensorRun r("gap");
  {
    PcapWriter w(r.pcap());
    uint64_t ts = 1'700'000'000'000'000;
    handshake(w, ts);
    w.add(tcp_frame(kClient, kServer, 40000, 80, 101, 501, kAck, "VERY"), ts++);
    w.add(tcp_frame(kClient, kServer, 40000, 80, 109, 501, kAck, "EVIL"), ts++);  // 4 bytes never seen
  }
  r.go();
  auto a = r.of("alert", 1);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].at("pkt_src").as_string(), "stream (flow timeout)");
  EXPECT_EQ(a[0].at("payload_printable").as_string(), "VERY[4 bytes missing]EVIL");
  EXPECT_EQ(r.of("alert", 2).size(), 1u);  // and the packet itself
}

TEST(Pipeline, NoHandshakeMeansPacketInspectionOnly) {
  SensorRun r("nohs");
  {
    PcapWriter w(r.pcap());
    w.add(tcp_frame(kClient, kServer, 40000, 80, 101, 501, kAck, "EVIL"), 1'000'000);
  }
  r.go();
  EXPECT_EQ(r.of("alert", 2).size(), 1u);
  EXPECT_TRUE(r.of("alert", 1).empty());
}

TEST(Pipeline, TunnelAlertNamesTheOuterPacket) {
  SensorRun r("vxlan");
  {
    PcapWriter w(r.pcap());
    Bytes inner = ethernet(ipv4({10, 0, 0, 1}, {10, 0, 0, 2}, 1, icmp_echo(8, 7, 1, bytes("ping"))));
    Bytes vx = {0x08, 0, 0, 0, 0, 0, 100, 0};
    w.add(ethernet(ipv4({192, 168, 203, 1}, {192, 168, 202, 1}, 17, udp(45149, 4789, cat(vx, inner)))), 1'000'000);
  }
  r.go();
  auto a = r.of("alert", 3);
  ASSERT_EQ(a.size(), 1u);
  auto& t = a[0].at("tunnel").as_object();
  EXPECT_EQ(t.at("dest_port").as_int64(), 4789);
  EXPECT_EQ(t.at("src_ip").as_string(), "192.168.203.1");
  EXPECT_EQ(a[0].at("src_ip").as_string(), "10.0.0.1");
  EXPECT_EQ(a[0].at("icmp_type").as_int64(), 8);
  EXPECT_EQ(r.of("flow").size(), 2u);  // the outer UDP flow and the inner ICMP flow
}

TEST(Pipeline, FragmentedDatagramIsReassembledAndInspected) {
  SensorRun r("frag");
  {
    PcapWriter w(r.pcap());
    Bytes l4 = udp(1000, 53, bytes("0123456789abcdefEVIL and more"));
    Bytes a(l4.begin(), l4.begin() + 16), b(l4.begin() + 16, l4.end());
    w.add(ethernet(ipv4(kClient, kServer, 17, b, 9, 2)), 1'000'000);
    w.add(ethernet(ipv4(kClient, kServer, 17, a, 9, 0x2000)), 1'000'001);
  }
  r.go();
  auto a = r.of("alert", 2);
  ASSERT_EQ(a.size(), 2u);  // the second fragment holds EVIL, and so does the reassembled datagram
  EXPECT_EQ(r.totals.sum.defrag.reassembled, 1u);
}

TEST(Pipeline, TwoWorkersSeeEveryFlowOnce) {
  SensorRun r("workers");
  {
    PcapWriter w(r.pcap());
    uint64_t ts = 1'700'000'000'000'000;
    for (uint16_t i = 0; i < 40; ++i) {
      uint16_t sp = static_cast<uint16_t>(30000 + i);
      handshake(w, ts, sp);
      w.add(tcp_frame(kClient, kServer, sp, 80, 101, 501, kAck | kPsh, "EVIL"), ts++);
      w.add(tcp_frame(kServer, kClient, 80, sp, 501, 105, kAck | kFin), ts++);
    }
  }
  r.go({}, 2);
  EXPECT_EQ(r.of("flow").size(), 40u);
  EXPECT_EQ(r.of("alert", 1).size(), 40u);
  ASSERT_EQ(r.totals.per_worker.size(), 2u);
  EXPECT_GT(r.totals.per_worker[0].flow.created, 0u);
  EXPECT_GT(r.totals.per_worker[1].flow.created, 0u);
  EXPECT_EQ(r.totals.sum.decode.pkts, 40u * 5);
}

TEST(Pipeline, StatsRecordCountsDecoderErrorsByReason) {
  SensorRun r("stats");
  {
    PcapWriter w(r.pcap());
    Bytes f = tcp_frame(kClient, kServer, 1, 2, 0, 0, kSyn);
    f[14 + 20 + 12] = 0x60;  // TCP header length beyond the segment
    w.add(f, 1'000'000);
    w.add(Bytes{1, 2, 3}, 1'000'001);  // a runt frame
  }
  r.go();
  auto stats = r.of("stats");
  ASSERT_EQ(stats.size(), 1u);
  auto& ev = stats[0].at("stats").as_object().at("decoder").as_object().at("event").as_object();
  EXPECT_EQ(ev.at("tcp").as_object().at("invalid_optlen").as_int64(), 1);
  EXPECT_EQ(ev.at("ethernet").as_object().at("pkt_too_small").as_int64(), 1);
  EXPECT_EQ(stats[0].at("stats").as_object().at("decoder").as_object().at("pkts").as_int64(), 2);
}

TEST(Pipeline, FlowTableEvictsWhenFull) {
  SensorRun r("evict");
  {
    PcapWriter w(r.pcap());
    for (uint16_t i = 0; i < 300; ++i) w.add(ethernet(ipv4(kClient, kServer, 17, udp(static_cast<uint16_t>(1000 + i), 53, bytes("q")))), 1'000'000 + i);
  }
  SensorConfig cfg;
  cfg.flow.memcap = 100 * sizeof(Flow);
  r.go(cfg);
  EXPECT_GT(r.totals.sum.flow.evicted, 0u);
  EXPECT_EQ(r.of("flow").size(), 300u);  // every flow still gets its record
}

}  // namespace
}  // namespace canh::sensor

namespace canh::sensor {
namespace {

// Live capture on the loopback interface: packets sent to 127.0.0.1 reach detection and the alert is
// in eve.json after stop(). Needs capture rights (root or CAP_NET_RAW); skipped without them.
TEST(LiveCapture, LoopbackPacketsAlertAndStopFlushes) {
  SensorRun r("live");
  SensorOptions o;
  o.interface = "lo";
  o.log_dir = r.dir.string();
  o.summary = false;
  SensorConfig cfg;
  cfg.capture.bpf_filter = "udp and dst port 39917";
  cfg.capture.buffer_size = 1 << 20;
  // Probe first: without capture rights there is nothing to test here.
  {
    bool fanout = false;
    auto probe = PacketSource::open_live("lo", cfg.capture.bpf_filter, 1 << 20, 65535, -1, &fanout);
    if (!probe) GTEST_SKIP() << "no live capture here: " << probe.status().message();
  }
  Sensor s(cfg, o, std::make_shared<NeedleFactory>());
  Status result;
  std::thread t([&] { result = s.run(false); });
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(39917);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // Send until a worker has counted an alert (the capture needs a moment to start), with a deadline.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool alerted = false;
  while (!alerted && std::chrono::steady_clock::now() < deadline) {
    ::sendto(fd, "EVIL", 4, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    std::this_thread::yield();
    for (auto& w : s.workers())
      if (w->published().alerts.load(std::memory_order_relaxed) > 0) alerted = true;
  }
  ::close(fd);
  s.stop();
  t.join();
  ASSERT_TRUE(result.is_ok()) << result.message();
  ASSERT_TRUE(alerted);
  std::ifstream in(r.dir / "eve.json");
  std::string line;
  bool alert = false, stats = false;
  while (std::getline(in, line)) {
    auto e = boost::json::parse(line).as_object();
    if (e.at("event_type").as_string() == "alert") alert = true;
    if (e.at("event_type").as_string() == "stats") stats = true;
  }
  EXPECT_TRUE(alert);
  EXPECT_TRUE(stats);
}

}  // namespace
}  // namespace canh::sensor

// ---- The packet path allocates nothing once warm (STYLE.md: "Check with a counting allocator"). ----
namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace
// These replace the global allocation functions for this test binary: malloc/free underneath, with
// a count. GCC cannot see that the pair matches.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace canh::sensor {
namespace {

class CountingSink : public EventSink {
 public:
  void on_event(std::string_view, std::string_view line) override { bytes += line.size(); }
  size_t bytes = 0;
};

TEST(PacketPath, SteadyStateAllocatesNothing) {
  SensorConfig cfg;
  cfg.flow.memcap = 1024 * sizeof(Flow);
  cfg.flow.hash_size = 1024;
  CountingSink sink;
  Worker w(0, 1, cfg, std::make_unique<NeedleDetector>(), nullptr, sink);
  // Frames of a few long-lived flows: a TCP session carrying data (and now and then the needle,
  // so alerts are written), UDP, ICMP.
  std::vector<Bytes> handshake = {tcp_frame(kClient, kServer, 40000, 80, 100, 0, kSyn),
                                  tcp_frame(kServer, kClient, 80, 40000, 500, 101, kSyn | kAck),
                                  tcp_frame(kClient, kServer, 40000, 80, 101, 501, kAck)};
  uint64_t ts = 1'700'000'000'000'000, cnt = 0;
  for (auto& f : handshake) w.handle_frame(f, static_cast<uint32_t>(f.size()), kLinkEthernet, ts++, ++cnt);
  uint32_t seq = 101;
  auto round = [&](int n) {
    for (int i = 0; i < n; ++i) {
      std::string data(1000, 'a');
      if (i % 50 == 0) data.replace(500, 4, "EVIL");
      Bytes d = tcp_frame(kClient, kServer, 40000, 80, seq, 501, kAck | kPsh, data);
      seq += 1000;
      Bytes a = tcp_frame(kServer, kClient, 80, 40000, 501, seq, kAck);
      Bytes u = ethernet(ipv4(kClient, kServer, 17, udp(5353, 53, bytes("query"))));
      Bytes ic = ethernet(ipv4(kClient, kServer, 1, icmp_echo(8, 9, static_cast<uint16_t>(i), bytes("ping"))));
      for (const Bytes* f : {&d, &a, &u, &ic})
        w.handle_frame(*f, static_cast<uint32_t>(f->size()), kLinkEthernet, ts++, ++cnt);
    }
  };
  round(600);  // warm-up: pools, buffers and reused strings reach their working size
  // Build the frames of the measured round first: the test's own frames allocate.
  std::vector<Bytes> frames;
  for (int i = 0; i < 300; ++i) {
    std::string data(1000, 'b');
    if (i % 50 == 0) data.replace(10, 4, "EVIL");
    frames.push_back(tcp_frame(kClient, kServer, 40000, 80, seq, 501, kAck | kPsh, data));
    seq += 1000;
    frames.push_back(tcp_frame(kServer, kClient, 80, 40000, 501, seq, kAck));
    frames.push_back(ethernet(ipv4(kClient, kServer, 17, udp(5353, 53, bytes("query")))));
  }
  uint64_t before = g_allocations.load();
  ASSERT_GT(before, 0u);  // the counter does count (the frames above allocated)
  for (const Bytes& f : frames) w.handle_frame(f, static_cast<uint32_t>(f.size()), kLinkEthernet, ts++, ++cnt);
  uint64_t during = g_allocations.load() - before;
  EXPECT_EQ(during, 0u);
  EXPECT_GT(sink.bytes, 0u);  // alerts were written during the measured round
  EXPECT_EQ(w.totals().stream.memcap_drops, 0u);
}

}  // namespace
}  // namespace canh::sensor

namespace canh::sensor {
namespace {

TEST(FlowTimeouts, IdleFlowsEndWithTheirRecordsDuringTheCapture) {
  SensorConfig cfg;
  cfg.flow.udp.new_ = 5;
  CountingSink sink;
  Worker w(0, 1, cfg, std::make_unique<NeedleDetector>(), nullptr, sink);
  uint64_t ts = 1'700'000'000'000'000, cnt = 0;
  Bytes a = ethernet(ipv4(kClient, kServer, 17, udp(1111, 53, bytes("q"))));
  w.handle_frame(a, static_cast<uint32_t>(a.size()), kLinkEthernet, ts, ++cnt);
  // Ten seconds of packet time later, another flow's packet drives the sweep: the first one ends.
  Bytes b = ethernet(ipv4(kClient, kServer, 17, udp(2222, 53, bytes("q"))));
  w.handle_frame(b, static_cast<uint32_t>(b.size()), kLinkEthernet, ts + 10'000'000, ++cnt);
  EXPECT_EQ(w.totals().flow.timeouts, 1u);
  EXPECT_EQ(w.totals().flow.active, 1u);
  EXPECT_GT(sink.bytes, 0u);  // its flow record
}

}  // namespace
}  // namespace canh::sensor
