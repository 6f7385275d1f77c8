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

  void go(std::string_view rules_text) {
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

}  // namespace
}  // namespace canh::sensor::app
