// The app layer inside the whole sensor: capture -> flows -> TCP reassembly -> app layer -> the real
// rule engine -> EVE. Each test writes a small capture (tests/sensor/packet_builder.h), runs a Sensor
// with rules and this folder's AppLayerFactory, and reads eve.json back: what an analyst would see.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "rules/rule_set.h"
#include "sensor/app/app_layer.h"
#include "sensor/engine_detector.h"
#include "sensor/sensor.h"
#include "tests/sensor/packet_builder.h"

namespace canh::sensor::app {
namespace {

using namespace canh::sensor::testing;
namespace json = boost::json;

constexpr Ip4 kClient{10, 0, 0, 5}, kServer{10, 0, 0, 1};

struct SensorRun {
  std::filesystem::path dir;
  std::vector<json::object> alerts;

  explicit SensorRun(const std::string& name) {
    dir = std::filesystem::temp_directory_path() / ("canh-app-pipeline-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~SensorRun() { std::filesystem::remove_all(dir); }
  std::string pcap() const { return (dir / "in.pcap").string(); }

  void go(std::string_view rules_text, bool inline_mode = false) {
    rules::RuleSet rs;
    rs.add_text(rules_text, "test.rules");
    auto engine = rules::Engine::build(rs);
    ASSERT_TRUE(engine.is_ok()) << engine.status().message();
    SensorOptions o;
    o.read_file = pcap();
    o.log_dir = dir.string();
    o.summary = false;
    SensorConfig cfg;
    cfg.checksum = ChecksumMode::kNone;
    cfg.stream.inline_mode = inline_mode;
    Sensor s(cfg, o, std::make_shared<EngineDetectorFactory>(engine.value()), make_app_layer_factory(AppConfig{}));
    ASSERT_TRUE(s.run(false).is_ok());
    std::ifstream in(dir / "eve.json");
    std::string line;
    while (std::getline(in, line)) {
      json::object e = json::parse(line).as_object();
      if (e.at("event_type").as_string() == "alert") alerts.push_back(std::move(e));
    }
  }
  std::vector<json::object> sid(int64_t id) const {
    std::vector<json::object> r;
    for (const auto& a : alerts)
      if (a.at("alert").at("signature_id").as_int64() == id) r.push_back(a);
    return r;
  }
};

// A TCP session on `port`: handshake, the client's segments, the server's reply, FINs, each data
// segment acknowledged.
void session(PcapWriter& w, uint64_t& ts, uint16_t port, const std::vector<std::string>& client,
             const std::vector<std::string>& server, uint16_t sp = 40000) {
  uint32_t c = 1000, s = 5000;
  w.add(tcp_frame(kClient, kServer, sp, port, c++, 0, kSyn), ts++);
  w.add(tcp_frame(kServer, kClient, port, sp, s++, c, kSyn | kAck), ts++);
  w.add(tcp_frame(kClient, kServer, sp, port, c, s, kAck), ts++);
  for (const auto& d : client) {
    w.add(tcp_frame(kClient, kServer, sp, port, c, s, kAck | kPsh, d), ts++);
    c += static_cast<uint32_t>(d.size());
    w.add(tcp_frame(kServer, kClient, port, sp, s, c, kAck), ts++);
  }
  for (const auto& d : server) {
    w.add(tcp_frame(kServer, kClient, port, sp, s, c, kAck | kPsh, d), ts++);
    s += static_cast<uint32_t>(d.size());
    w.add(tcp_frame(kClient, kServer, sp, port, c, s, kAck), ts++);
  }
  w.add(tcp_frame(kClient, kServer, sp, port, c, s, kFin | kAck), ts++);
  w.add(tcp_frame(kServer, kClient, port, sp, s, c + 1, kFin | kAck), ts++);
  w.add(tcp_frame(kClient, kServer, sp, port, c + 1, s + 1, kAck), ts++);
}

TEST(AppPipeline, HttpOnAnOddPortWithMetadataAndTxId) {
  SensorRun r("http");
  {
    PcapWriter w(r.pcap());
    uint64_t ts = 1'700'000'000'000'000;
    session(w, ts, 8081, {"POST /upload.php?id=%41 HTTP/1.1\r\nHost: Files.Example\r\nUser-Agent: Evil/1.0\r\n"
                          "Content-Length: 9\r\n\r\nsecret=42"},
            {"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\nok"});
  }
  r.go(
      "alert http any any -> any any (msg:\"uri\"; flow:to_server; http.method; content:\"POST\"; http.uri; "
      "content:\"/upload.php?id=A\"; sid:1;)\n"
      "alert http any any -> any any (msg:\"body\"; http.request_body; content:\"secret=\"; sid:2;)\n"
      "alert http any any -> any any (msg:\"host\"; http.host; content:\"files.example\"; bsize:13; sid:3;)\n");
  ASSERT_EQ(r.sid(1).size(), 1u);
  const json::object a = r.sid(1)[0];  // a copy: sid() returns a temporary
  EXPECT_EQ(a.at("app_proto").as_string(), "http");
  EXPECT_EQ(a.at("tx_id").as_int64(), 0);
  const json::object& h = a.at("http").as_object();
  EXPECT_EQ(h.at("hostname").as_string(), "files.example");
  EXPECT_EQ(h.at("url").as_string(), "/upload.php?id=%41");
  EXPECT_EQ(h.at("http_user_agent").as_string(), "Evil/1.0");
  EXPECT_EQ(h.at("http_method").as_string(), "POST");
  EXPECT_EQ(r.sid(2).size(), 1u);
  EXPECT_EQ(r.sid(3).size(), 1u);
}

TEST(AppPipeline, RuleMixingStreamContentAndUriSeesEarlierSegments) {
  // The request completes in its second segment; the payload content sits in the first. The
  // transaction's inspection sees the reassembled bytes before it (suricata-verify bug-28).
  SensorRun r("mixed");
  {
    PcapWriter w(r.pcap());
    uint64_t ts = 1'700'000'000'000'000;
    session(w, ts, 80, {"GET /a/Drk.syn?x=1 HTTP/1.1\r\nX-Ctx: adcontext\r\n", "Host: h\r\n\r\n"}, {});
  }
  r.go("alert tcp any any -> any any (msg:\"mixed\"; flow:to_server,established; uricontent:\"/a/drk.syn?\"; "
       "nocase; content:\"adcontext\"; nocase; sid:7;)\n");
  ASSERT_EQ(r.sid(7).size(), 1u);
  EXPECT_EQ(r.sid(7)[0].at("app_proto").as_string(), "http");
}

TEST(AppPipeline, DnsQueryWithPayloadContentOverUdp) {
  SensorRun r("dns");
  {
    PcapWriter w(r.pcap());
    const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 4,   'e', 'v', 'i',
                         'l',  7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  0,    0x00, 0x01, 0x00, 0x01};
    w.add(ethernet(ipv4(kClient, kServer, 17, udp(53000, 53, Bytes(q, q + sizeof q)))), 1'700'000'000'000'000);
  }
  r.go("alert dns any any -> any any (msg:\"dns\"; content:\"|01 00 00 01|\"; offset:2; depth:4; dns.query; "
       "content:\"evil.example\"; sid:3;)\n");
  ASSERT_EQ(r.sid(3).size(), 1u);
  const json::object a = r.sid(3)[0];  // a copy: sid() returns a temporary
  EXPECT_EQ(a.at("app_proto").as_string(), "dns");
  EXPECT_EQ(a.at("dns").at("query").as_array().at(0).at("rrname").as_string(), "evil.example");
}

// IDS-mode timing, packet by packet (Suricata with stream.inline: no). Each frame's pcap_cnt is its
// index in `frames` plus one.
struct Capture {
  std::vector<Bytes> frames;
  uint64_t ts = 1'700'000'000'000'000;
  size_t add(Bytes f) {
    frames.push_back(std::move(f));
    return frames.size();  // its pcap_cnt
  }
  void write(const std::string& path) {
    PcapWriter w(path);
    for (const auto& f : frames) w.add(f, ts++);
  }
};

constexpr uint16_t kSp = 40001, kHttp = 80;
const std::string kRequest = "GET /timing HTTP/1.1\r\nHost: t.example\r\n\r\n";
const std::string kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
constexpr std::string_view kTimingRules =
    "alert http any any -> any any (msg:\"uri\"; flow:established,to_server; http.uri; content:\"/timing\"; "
    "sid:1;)\n"
    "alert http any any -> any any (msg:\"status\"; flow:established,to_client; http.stat_code; "
    "content:\"200\"; sid:2;)\n";

// Handshake, request, the server's bare ACK, response, the client's ACK, FIN exchange. Returns the
// pcap_cnt of each interesting packet.
struct HttpExchange {
  size_t request = 0, server_ack = 0, response = 0, client_ack = 0, client_fin = 0, server_fin = 0, last_ack = 0;
  uint64_t client_bytes_until_client_ack = 0, server_bytes_until_client_ack = 0;
};
HttpExchange http_exchange(Capture& c) {
  HttpExchange x;
  uint32_t cs = 1000, ss = 5000;
  auto client = [&](uint8_t flags, std::string_view data = {}) {
    Bytes f = tcp_frame(kClient, kServer, kSp, kHttp, cs, ss, flags, data);
    x.client_bytes_until_client_ack += f.size();
    size_t n = c.add(std::move(f));
    cs += static_cast<uint32_t>(data.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
    return n;
  };
  auto server = [&](uint8_t flags, std::string_view data = {}) {
    Bytes f = tcp_frame(kServer, kClient, kHttp, kSp, ss, cs, flags, data);
    x.server_bytes_until_client_ack += f.size();
    size_t n = c.add(std::move(f));
    ss += static_cast<uint32_t>(data.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
    return n;
  };
  client(kSyn);
  server(kSyn | kAck);
  client(kAck);
  x.request = client(kAck | kPsh, kRequest);
  x.server_ack = server(kAck);
  x.response = server(kAck | kPsh, kResponse);
  x.client_ack = client(kAck);
  const uint64_t cb = x.client_bytes_until_client_ack, sb = x.server_bytes_until_client_ack;
  x.client_fin = client(kFin | kAck);
  x.server_fin = server(kFin | kAck);
  x.last_ack = client(kAck);
  x.client_bytes_until_client_ack = cb;
  x.server_bytes_until_client_ack = sb;
  return x;
}

int64_t pcap_cnt(const json::object& a) { return a.at("pcap_cnt").as_int64(); }

TEST(AppPipelineTiming, RequestAlertsOnTheClientPacketAfterTheServerAcknowledgedIt) {
  SensorRun r("timing-ids");
  Capture c;
  HttpExchange x = http_exchange(c);
  c.write(r.pcap());
  r.go(kTimingRules);
  // The server's ACK (x.server_ack) lets the request be parsed; the transaction is inspected with the
  // next packet going to the server: the client's ACK of the response, not the request itself.
  auto uri = r.sid(1);
  ASSERT_EQ(uri.size(), 1u);
  EXPECT_EQ(pcap_cnt(uri[0]), static_cast<int64_t>(x.client_ack));
  EXPECT_EQ(uri[0].at("src_port").as_int64(), kSp);
  EXPECT_EQ(uri[0].at("tx_id").as_int64(), 0);
  // The flow counters are those of that packet, bytes counted with the link layer (Suricata's
  // GET_PKT_LEN): 4 client packets (SYN, ACK, request, ACK) and 3 server packets so far.
  const json::object& fl = uri[0].at("flow").as_object();
  EXPECT_EQ(fl.at("pkts_toserver").as_int64(), 4);
  EXPECT_EQ(fl.at("pkts_toclient").as_int64(), 3);
  EXPECT_EQ(fl.at("bytes_toserver").as_int64(), static_cast<int64_t>(x.client_bytes_until_client_ack));
  EXPECT_EQ(fl.at("bytes_toclient").as_int64(), static_cast<int64_t>(x.server_bytes_until_client_ack));
  // The response is parsed when the client acknowledges it and inspected with the server's next
  // packet, its FIN: the client's FIN came first, and flow:established still holds (Suricata takes
  // it from the state before the packet).
  auto status = r.sid(2);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(pcap_cnt(status[0]), static_cast<int64_t>(x.server_fin));
  EXPECT_EQ(status[0].at("src_port").as_int64(), kHttp);
}

TEST(AppPipelineTiming, InlineModeAlertsOnThePacketCarryingTheData) {
  SensorRun r("timing-inline");
  Capture c;
  HttpExchange x = http_exchange(c);
  c.write(r.pcap());
  r.go(kTimingRules, /*inline_mode=*/true);
  auto uri = r.sid(1);
  ASSERT_EQ(uri.size(), 1u);
  EXPECT_EQ(pcap_cnt(uri[0]), static_cast<int64_t>(x.request));
  auto status = r.sid(2);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(pcap_cnt(status[0]), static_cast<int64_t>(x.response));
}

TEST(AppPipelineTiming, UnacknowledgedRequestWaitsForTheAckThenTheNextClientPacket) {
  // The request comes in two segments and the server acknowledges only the first before the client
  // sends a bare ACK: nothing of the request is complete in acknowledged data, so no alert there.
  SensorRun r("timing-partial-ack");
  Capture c;
  uint32_t cs = 1000, ss = 5000;
  const std::string a = kRequest.substr(0, 10), b = kRequest.substr(10);
  c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs++, 0, kSyn));
  c.add(tcp_frame(kServer, kClient, kHttp, kSp, ss++, cs, kSyn | kAck));
  c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs, ss, kAck));
  c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs, ss, kAck | kPsh, a));
  c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs + 10, ss, kAck | kPsh, b));
  c.add(tcp_frame(kServer, kClient, kHttp, kSp, ss, cs + 10, kAck));  // acknowledges `a` only
  const size_t early = c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs + kRequest.size(), ss, kAck));
  c.add(tcp_frame(kServer, kClient, kHttp, kSp, ss, cs + static_cast<uint32_t>(kRequest.size()), kAck));
  const size_t due = c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs + kRequest.size(), ss, kAck));
  c.write(r.pcap());
  r.go(kTimingRules);
  auto uri = r.sid(1);
  ASSERT_EQ(uri.size(), 1u);
  EXPECT_GT(pcap_cnt(uri[0]), static_cast<int64_t>(early));
  EXPECT_EQ(pcap_cnt(uri[0]), static_cast<int64_t>(due));
}

TEST(AppPipelineTiming, UnacknowledgedDataIsInspectedAtFlowEnd) {
  // The server never acknowledges the request (capture cut short): the flow-end pseudo packet parses
  // and inspects it, as Suricata's flow timeout handling does for a session that did not close.
  SensorRun r("timing-flow-end");
  Capture c;
  uint32_t cs = 1000, ss = 5000;
  c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs++, 0, kSyn));
  c.add(tcp_frame(kServer, kClient, kHttp, kSp, ss++, cs, kSyn | kAck));
  c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs, ss, kAck));
  c.add(tcp_frame(kClient, kServer, kSp, kHttp, cs, ss, kAck | kPsh, kRequest));
  c.write(r.pcap());
  r.go(kTimingRules);
  auto uri = r.sid(1);
  ASSERT_EQ(uri.size(), 1u);
  EXPECT_EQ(uri[0].at("pkt_src").as_string(), "stream (flow timeout)");
}

}  // namespace
}  // namespace canh::sensor::app
