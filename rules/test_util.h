// Test helpers for rules/: build an engine from rule text and run hand-made packets through it.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "rules/address.h"
#include "rules/engine.h"

namespace canh::rules::rtest {

struct Collected : AlertSink {
  std::vector<AlertInfo> alerts;
  void on_alert(const AlertInfo& a) override { alerts.push_back(a); }
  std::vector<uint32_t> sids() const {
    std::vector<uint32_t> s;
    for (const auto& a : alerts) s.push_back(a.sid);
    return s;
  }
  bool has(uint32_t sid) const {
    for (const auto& a : alerts)
      if (a.sid == sid) return true;
    return false;
  }
};

inline Address ip(std::string_view s) {
  Address a;
  EXPECT_TRUE(parse_ip(s, &a)) << s;
  return a;
}

inline std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A TCP packet 10.0.0.1:1234 -> 192.168.1.1:80, established, to server, with `payload`.
inline DetectInput tcp_packet(std::string_view payload, uint16_t sport = 1234, uint16_t dport = 80) {
  DetectInput in;
  in.packet.ip_version = 4;
  in.packet.ip_proto = 6;
  in.packet.src = ip("10.0.0.1");
  in.packet.dst = ip("192.168.1.1");
  in.packet.sport = sport;
  in.packet.dport = dport;
  in.packet.ttl = 64;
  in.packet.tcp_flags = 0x18;
  in.packet.payload = bytes(payload);
  in.flow.has_flow = true;
  in.flow.to_server = true;
  in.flow.established = true;
  return in;
}

inline DetectInput udp_packet(std::string_view payload, uint16_t sport = 5353, uint16_t dport = 53) {
  DetectInput in = tcp_packet(payload, sport, dport);
  in.packet.ip_proto = 17;
  in.packet.tcp_flags = 0;
  return in;
}

inline DetectInput icmp_packet(uint8_t type, uint8_t code) {
  DetectInput in = tcp_packet("");
  in.packet.ip_proto = 1;
  in.packet.sport = in.packet.dport = 0;
  in.packet.tcp_flags = 0;
  in.packet.has_icmp = true;
  in.packet.icmp_type = type;
  in.packet.icmp_code = code;
  return in;
}

// Builds an engine from rule text; fails the test on a parse error or a skipped rule.
class EngineFixture {
 public:
  explicit EngineFixture(std::string_view rules, RuleLoadOptions opts = {}, EngineOptions eopts = {}) : set(std::move(opts)) {
    set.add_text(rules, "test.rules");
    for (const auto& e : set.entries()) {
      EXPECT_TRUE(e.rule != nullptr) << "test.rules:" << e.line << ": " << e.error;
      EXPECT_EQ(e.skip_reason, "") << "test.rules:" << e.line;
    }
    auto r = Engine::build(set, eopts);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    if (r) engine = *r;
    if (engine) scratch = engine->make_scratch();
  }
  std::vector<uint32_t> run(const DetectInput& in) {
    Collected c;
    if (engine) engine->inspect(in, flow, *scratch, c);
    return c.sids();
  }
  Collected run_full(const DetectInput& in) {
    Collected c;
    if (engine) engine->inspect(in, flow, *scratch, c);
    return c;
  }
  bool fires(const DetectInput& in, uint32_t sid) {
    auto s = run(in);
    return std::find(s.begin(), s.end(), sid) != s.end();
  }

  RuleSet set;
  std::shared_ptr<const Engine> engine;
  std::unique_ptr<Scratch> scratch;
  FlowDetectState flow;
};

}  // namespace canh::rules::rtest
