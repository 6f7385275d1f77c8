// Engine behaviour end to end: prefilter + verification + ordering + flow state.
#include "rules/engine.h"

#include <gtest/gtest.h>

#include "rules/test_util.h"

namespace canh::rules {
namespace {

using rtest::bytes;
using rtest::EngineFixture;
using rtest::tcp_packet;
using rtest::udp_packet;

TEST(Engine, ContentRuleFiresOnMatchingPayloadOnly) {
  EngineFixture f(R"(alert tcp any any -> any any (msg:"id check"; content:"uid=0|28|root|29|"; classtype:bad-unknown; sid:2100498; rev:7;))");
  auto hit = f.run_full(tcp_packet("xx uid=0(root) gid=0"));
  ASSERT_EQ(hit.alerts.size(), 1u);
  EXPECT_EQ(hit.alerts[0].sid, 2100498u);
  EXPECT_EQ(hit.alerts[0].rev, 7u);
  EXPECT_EQ(hit.alerts[0].msg, "id check");
  EXPECT_EQ(hit.alerts[0].category, "Potentially Bad Traffic");
  EXPECT_EQ(hit.alerts[0].priority, 2);
  EXPECT_TRUE(f.run(tcp_packet("uid=1(bin)")).empty());
}

TEST(Engine, RuleWithoutContentIsCheckedEveryPacket) {
  EngineFixture f("alert tcp any any -> any 80 (msg:\"to 80\"; sid:1;)\nalert udp any any -> any any (sid:2;)");
  EXPECT_EQ(f.run(tcp_packet("")), std::vector<uint32_t>{1});
  EXPECT_EQ(f.run(tcp_packet("", 1234, 81)), std::vector<uint32_t>{});
  EXPECT_EQ(f.run(udp_packet("x")), std::vector<uint32_t>{2});
}

TEST(Engine, AlertsComeInActionThenPriorityThenSidOrder) {
  EngineFixture f(
      "alert tcp any any -> any any (content:\"abc\"; priority:3; sid:5;)\n"
      "alert tcp any any -> any any (content:\"abc\"; priority:1; sid:9;)\n"
      "drop tcp any any -> any any (content:\"abc\"; priority:3; sid:7;)\n"
      "alert tcp any any -> any any (content:\"abc\"; priority:1; sid:8;)\n");
  EXPECT_EQ(f.run(tcp_packet("abc")), (std::vector<uint32_t>{7, 8, 9, 5}));
}

TEST(Engine, FlowbitSetIsSeenByLaterRuleInSamePacketAndFlow) {
  EngineFixture f(
      "alert tcp any any -> any any (content:\"login\"; flowbits:isset,seen; sid:2;)\n"
      "alert tcp any any -> any any (content:\"user\"; flowbits:set,seen; flowbits:noalert; sid:1;)\n");
  EXPECT_EQ(f.run(tcp_packet("login")), std::vector<uint32_t>{});
  // Same packet: the setter is evaluated first although its sid is lower... and it is noalert.
  EXPECT_EQ(f.run(tcp_packet("user login")), std::vector<uint32_t>{2});
  EXPECT_EQ(f.run(tcp_packet("login again")), std::vector<uint32_t>{2});
  f.flow.reset();
  EXPECT_EQ(f.run(tcp_packet("login")), std::vector<uint32_t>{});
}

TEST(Engine, PassRuleStopsThePacketAndPassesTheFlow) {
  EngineFixture f(
      "pass tcp any any -> any 80 (content:\"ok\"; sid:1;)\n"
      "alert tcp any any -> any any (content:\"evil\"; sid:2;)\n");
  EXPECT_EQ(f.run(tcp_packet("evil")), std::vector<uint32_t>{2});
  auto r = f.run_full(tcp_packet("ok evil"));
  ASSERT_EQ(r.alerts.size(), 1u);
  EXPECT_EQ(r.alerts[0].action, 3);
  EXPECT_TRUE(f.flow.passed);
  EXPECT_EQ(f.run(tcp_packet("evil")), std::vector<uint32_t>{});
}

}  // namespace
}  // namespace canh::rules
