// Engine behaviour end to end: prefilter + verification + ordering + flow state.
#include "rules/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <unistd.h>

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

// A segment that went into the stream (stream_added) is read through the stream by ordinary rules;
// its own payload is scanned only with the packet-only rules' databases, which must still find
// them, on a port with its own database and on the others, literal and pcre-only alike.
TEST(Engine, StreamAddedSegmentStillMatchesPacketOnlyRules) {
  std::string rules =
      "alert tcp-pkt any any -> any any (content:\"pktonly\"; sid:1;)\n"
      "alert tcp any any -> any any (content:\"pktonly\"; sid:2;)\n"
      "alert tcp any any -> any any (dsize:>3; content:\"sized\"; sid:3;)\n"
      "alert tcp-pkt any any -> any any (pcre:\"/re[0-9]gex/\"; sid:4;)\n";
  // Enough rules on port 445 for it to get a database of its own (with the any-port rules).
  for (int i = 0; i < 12; ++i)
    rules += "alert tcp any any -> any 445 (content:\"smb" + std::to_string(i) + "\"; sid:" + std::to_string(100 + i) + ";)\n";
  for (int i = 0; i < 12; ++i)
    rules += "alert tcp any any -> any 21 (content:\"ftp" + std::to_string(i) + "\"; sid:" + std::to_string(200 + i) + ";)\n";
  EngineFixture f(rules);
  for (uint16_t port : {80, 445}) {
    f.flow.reset();
    DetectInput in = tcp_packet("pktonly sized re7gex smb3", 1234, port);
    in.packet.stream_added = true;
    std::vector<uint32_t> want = {1, 3, 4};
    EXPECT_EQ(f.run(in), want) << "port " << port;
    // The same bytes as a stream chunk: the ordinary rules match there.
    f.flow.reset();
    StreamChunk chunk;
    chunk.data = in.packet.payload;
    chunk.to_server = true;
    in.stream = &chunk;
    auto got = f.run(in);
    EXPECT_NE(std::find(got.begin(), got.end(), 2u), got.end()) << "port " << port;
    EXPECT_EQ(std::find(got.begin(), got.end(), 103u) != got.end(), port == 445);
  }
}

TEST(Engine, RuleWithoutContentIsCheckedEveryPacket) {
  EngineFixture f("alert tcp any any -> any 80 (msg:\"to 80\"; sid:1;)\nalert udp any any -> any any (sid:2;)");
  EXPECT_EQ(f.run(tcp_packet("")), std::vector<uint32_t>{1});
  EXPECT_EQ(f.run(tcp_packet("", 1234, 81)), std::vector<uint32_t>{});
  f.flow.reset();  // another flow
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

TEST(Engine, SuppressAndThresholdConfigApply) {
  RuleLoadOptions opts;
  auto tc = parse_threshold_config(
      "suppress gen_id 1, sig_id 1\n"
      "suppress gen_id 1, sig_id 2, track by_src, ip 10.0.0.0/8\n"
      "threshold gen_id 1, sig_id 3, type limit, track by_rule, count 1, seconds 60\n"
      "rate_filter gen_id 1, sig_id 4, track by_rule, count 1, seconds 60, new_action drop, timeout 10\n",
      "threshold.config", opts.vars.address);
  EXPECT_TRUE(tc.errors.empty());
  ASSERT_EQ(tc.warnings.size(), 1u);  // rate_filter is reported, not applied
  EXPECT_NE(tc.warnings[0].find("threshold.config:4:"), std::string::npos);
  opts.thresholds = tc.entries;
  EngineFixture f(
      "alert tcp any any -> any any (content:\"x\"; flowbits:set,fb; sid:1;)\n"
      "alert tcp any any -> any any (content:\"x\"; sid:2;)\n"
      "alert tcp any any -> any any (content:\"x\"; threshold:type limit, track by_src, count 10, seconds 60; sid:3;)\n"
      "alert tcp any any -> any any (content:\"y\"; flowbits:isset,fb; sid:4;)\n",
      opts);
  EXPECT_EQ(f.run(tcp_packet("x")), std::vector<uint32_t>{3});  // 1 suppressed, 2 suppressed for 10/8
  EXPECT_EQ(f.run(tcp_packet("x")), std::vector<uint32_t>{});   // the config's limit 1 replaced the rule's 10
  EXPECT_EQ(f.run(tcp_packet("y")), std::vector<uint32_t>{4});  // suppressed sid 1 still set its flowbit
  DetectInput other = tcp_packet("x");
  other.packet.src = rtest::ip("8.8.8.8");
  EXPECT_EQ(f.run(other), std::vector<uint32_t>{2});
}

TEST(Engine, BadPcreIsAParseErrorWithItsOffset) {
  RuleSet rs;
  rs.add_text("alert tcp any any -> any any (pcre:\"/a(b/\"; sid:1;)\nalert tcp any any -> any any (content:\"ok\"; sid:2;)\n",
              "t.rules");
  ASSERT_EQ(rs.entries().size(), 2u);
  EXPECT_EQ(rs.entries()[0].rule, nullptr);
  EXPECT_EQ(rs.entries()[0].sid, 1u);
  EXPECT_NE(rs.entries()[0].error.find("missing closing parenthesis"), std::string::npos) << rs.entries()[0].error;
  EXPECT_NE(rs.entries()[0].error.find("offset 3"), std::string::npos) << rs.entries()[0].error;
  auto e = Engine::build(rs);
  ASSERT_TRUE(e.is_ok());
  EXPECT_EQ((*e)->loaded(), 1u);
  EXPECT_EQ((*e)->entry_of(1, 2), 1u);
  EXPECT_EQ((*e)->entry_of(1, 1), SIZE_MAX);
}

TEST(Engine, CacheAvoidsRecompilingAndVersionFollowsRules) {
  std::string dir = ::testing::TempDir() + "canh_hs_cache_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  const char* text = "alert tcp any any -> any any (content:\"abc\"; sid:1;)\nalert udp any any -> any any (content:\"xyz\"; sid:2;)\n";
  RuleSet rs;
  rs.add_text(text, "t.rules");
  EngineOptions o;
  o.cache_dir = dir;
  auto cold = Engine::build(rs, o);
  ASSERT_TRUE(cold.is_ok());
  EXPECT_GT((*cold)->stats().cache_misses, 0u);
  auto warm = Engine::build(rs, o);
  ASSERT_TRUE(warm.is_ok());
  EXPECT_EQ((*warm)->stats().cache_misses, 0u);
  EXPECT_EQ((*warm)->stats().cache_hits, (*cold)->stats().prefilter_groups);
  EXPECT_EQ((*warm)->version(), (*cold)->version());
  // The deserialized databases work.
  auto scratch = (*warm)->make_scratch();
  FlowDetectState fs;
  rtest::Collected c;
  (*warm)->inspect(tcp_packet("zzabczz"), fs, *scratch, c);
  EXPECT_EQ(c.sids(), std::vector<uint32_t>{1});
  // A corrupt cache file is ignored and rebuilt.
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    FILE* fp = std::fopen(f.path().c_str(), "r+b");
    ASSERT_NE(fp, nullptr);
    std::fseek(fp, 20, SEEK_SET);
    std::fputs("garbage garbage garbage", fp);
    std::fclose(fp);
  }
  auto again = Engine::build(rs, o);
  ASSERT_TRUE(again.is_ok());
  EXPECT_GT((*again)->stats().cache_misses, 0u);
  RuleSet changed;
  changed.add_text("alert tcp any any -> any any (content:\"abd\"; sid:1;)\n", "t.rules");
  auto other = Engine::build(changed, o);
  ASSERT_TRUE(other.is_ok());
  EXPECT_NE((*other)->version(), (*cold)->version());
  std::filesystem::remove_all(dir);
}

TEST(Engine, IpOnlyRulesAreFoundThroughTheAddressIndex) {
  EngineFixture f(
      "alert ip $HOME_NET any -> [1.2.3.4,5.6.7.0/24] any (sid:1;)\n"
      "alert ip [9.9.9.9] any -> $HOME_NET any (sid:2;)\n"
      "alert ip any any <> 7.7.7.7 any (sid:3;)\n");
  // Each address pair is a flow of its own (these IP-only rules run on a flow's first packet).
  auto run = [&](DetectInput in) {
    f.flow.reset();
    return f.run(in);
  };
  DetectInput in = tcp_packet("");
  in.packet.src = rtest::ip("192.168.0.5");
  in.packet.dst = rtest::ip("5.6.7.99");
  EXPECT_EQ(run(in), std::vector<uint32_t>{1});
  in.packet.dst = rtest::ip("5.6.8.1");
  EXPECT_EQ(run(in), std::vector<uint32_t>{});
  in.packet.src = rtest::ip("9.9.9.9");
  in.packet.dst = rtest::ip("10.1.1.1");
  EXPECT_EQ(run(in), std::vector<uint32_t>{2});
  in.packet.src = rtest::ip("10.1.1.1");
  in.packet.dst = rtest::ip("7.7.7.7");
  EXPECT_EQ(run(in), std::vector<uint32_t>{3});
  std::swap(in.packet.src, in.packet.dst);
  EXPECT_EQ(run(in), std::vector<uint32_t>{3});
}

}  // namespace
}  // namespace canh::rules
