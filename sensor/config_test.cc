#include "sensor/config.h"

#include <gtest/gtest.h>

namespace canh::sensor {
namespace {

TEST(SensorConfig, ReadsSuricataYamlKeys) {
  auto c = parse_sensor_config(R"(%YAML 1.1
---
stream:
  midstream: true
  async-oneside: yes
  reassembly:
    depth: 2mb
    toserver-chunk-size: 4096
flow:
  memcap: 64mb
flow-timeouts:
  tcp:
    established: 120
decoder:
  vxlan:
    enabled: false
    ports: [4789, 8472]
defrag:
  trackers: 100
packet-alert-max: 6
outputs:
  - eve-log:
      types:
        - alert:
            payload: no
unknown-feature:
  knob: 3
)",
                               "test.yaml");
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_TRUE(c->stream.midstream);
  EXPECT_TRUE(c->stream.async_oneside);
  EXPECT_EQ(c->stream.reassembly_depth, 2u << 20);
  EXPECT_EQ(c->stream.chunk_size, 4096u);
  EXPECT_EQ(c->flow.memcap, 64u << 20);
  EXPECT_EQ(c->flow.tcp.established, 120u);
  EXPECT_FALSE(c->decoder.vxlan_enabled);
  EXPECT_EQ(c->decoder.vxlan_ports, (std::vector<uint16_t>{4789, 8472}));
  EXPECT_EQ(c->defrag.max_trackers, 100u);
  EXPECT_EQ(c->packet_alert_max, 6u);
  EXPECT_FALSE(c->eve.payload);
}

TEST(SensorConfig, BadValueNamesKeyAndSource) {
  auto c = parse_sensor_config("stream:\n  midstream: perhaps\n", "canh.yaml");
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("canh.yaml"), std::string::npos);
  EXPECT_NE(c.status().message().find("stream.midstream"), std::string::npos);
}

TEST(SensorConfig, SetUsesSuricataNames) {
  SensorConfig c;
  EXPECT_TRUE(c.set("stream.reassembly.depth", "0").is_ok());
  EXPECT_EQ(c.stream.reassembly_depth, 0u);
  EXPECT_TRUE(c.set("decoder.vxlan.enabled", "true").is_ok());
  EXPECT_TRUE(c.set("app-layer.protocols.http.enabled", "yes").is_ok());
  EXPECT_EQ(c.app_layer.at("http.enabled"), "yes");
  EXPECT_FALSE(c.set("flow.memcap", "lots").is_ok());
  EXPECT_TRUE(c.set("some.unknown.key", "1").is_ok());  // ignored, as Suricata's extra keys are
}

// stream.inline picks IPS timing; Suricata's "auto" means inline only for inline capture methods,
// which pcap files and IDS-mode AF_PACKET are not.
TEST(SensorConfig, StreamInlineTakesBooleansAndAuto) {
  auto y = parse_sensor_config("stream:\n  inline: yes\n", "canh.yaml");
  ASSERT_TRUE(y.is_ok()) << y.status().message();
  EXPECT_TRUE(y->stream.inline_mode);
  SensorConfig c;
  EXPECT_FALSE(c.stream.inline_mode);
  EXPECT_TRUE(c.set("stream.inline", "true").is_ok());
  EXPECT_TRUE(c.stream.inline_mode);
  EXPECT_TRUE(c.set("stream.inline", "auto").is_ok());
  EXPECT_FALSE(c.stream.inline_mode);
  auto bad = parse_sensor_config("stream:\n  inline: sometimes\n", "canh.yaml");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("stream.inline"), std::string::npos) << bad.status().message();
}

TEST(SensorConfig, SizesParse) {
  uint64_t v;
  EXPECT_TRUE(parse_size("1mb", &v));
  EXPECT_EQ(v, 1u << 20);
  EXPECT_TRUE(parse_size("64KiB", &v));
  EXPECT_EQ(v, 64u << 10);
  EXPECT_TRUE(parse_size("12345", &v));
  EXPECT_EQ(v, 12345u);
  EXPECT_FALSE(parse_size("12x", &v));
  EXPECT_FALSE(parse_size("", &v));
}

TEST(SensorConfig, MalformedYamlNamesLine) {
  auto c = parse_sensor_config("stream:\n  midstream: [unclosed\n", "bad.yaml");
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("bad.yaml:"), std::string::npos);
}

}  // namespace
}  // namespace canh::sensor
