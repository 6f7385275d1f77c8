#include "sensor/defrag.h"

#include <gtest/gtest.h>

#include "sensor/decode.h"
#include "tests/sensor/packet_builder.h"

namespace canh::sensor {
namespace {
using namespace testing;

constexpr Ip4 kA{10, 0, 0, 1}, kB{10, 0, 0, 2};

// Splits an IPv4 datagram's payload at `at` (a multiple of 8) into two fragments.
std::pair<Bytes, Bytes> split(const Bytes& l4, size_t at, uint16_t id) {
  Bytes first(l4.begin(), l4.begin() + static_cast<long>(at)), second(l4.begin() + static_cast<long>(at), l4.end());
  return {ethernet(ipv4(kA, kB, 17, first, id, 0x2000)),
          ethernet(ipv4(kA, kB, 17, second, id, static_cast<uint16_t>(at / 8)))};
}

struct Fixture {
  Decoder dec{DecoderConfig{}};
  Defragmenter defrag{DefragConfig{}};
  std::array<Packet, kMaxDecodedPackets> out;
  std::span<const uint8_t> feed(const Bytes& f, uint64_t ts = 1) {
    dec.decode(f, static_cast<uint32_t>(f.size()), kLinkEthernet, ts, 1, out);
    EXPECT_TRUE(out[0].ip_fragment);
    return defrag.add(out[0]);
  }
};

TEST(Defrag, OutOfOrderFragmentsReassemble) {
  Fixture t;
  Bytes l4 = udp(1000, 53, bytes("0123456789abcdefghijklmnopqrstuvwxyz"));
  auto [a, b] = split(l4, 16, 7);
  EXPECT_TRUE(t.feed(b).empty());
  auto dg = t.feed(a);
  ASSERT_FALSE(dg.empty());
  std::array<Packet, kMaxDecodedPackets> out;
  out[0] = t.out[0];
  size_t n = t.dec.decode_datagram(dg, 4, 0, out, 1);
  ASSERT_EQ(n, 2u);
  EXPECT_TRUE(out[1].is_udp());
  EXPECT_EQ(std::string(out[1].f.payload.begin(), out[1].f.payload.end()), "0123456789abcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(out[1].source, PacketOrigin::kDefrag);
  EXPECT_EQ(t.defrag.counters().reassembled, 1u);
}

TEST(Defrag, OverlapKeepsFirstData) {
  Fixture t;
  Bytes l4 = udp(1, 2, bytes("AAAAAAAABBBBBBBB"));
  auto [a, b] = split(l4, 16, 9);
  // A second copy of the tail with different bytes, sent first: the first copy wins.
  Bytes evil = udp(1, 2, bytes("AAAAAAAACCCCCCCC"));
  auto [ea, eb] = split(evil, 16, 9);
  EXPECT_TRUE(t.feed(eb).empty());
  EXPECT_TRUE(t.feed(b).empty());
  auto dg = t.feed(a);
  ASSERT_FALSE(dg.empty());
  std::string s(dg.begin(), dg.end());
  EXPECT_NE(s.find("CCCCCCCC"), std::string::npos);
  EXPECT_GT(t.defrag.counters().overlaps, 0u);
}

TEST(Defrag, TrackerLimitIsEnforced) {
  DefragConfig c;
  c.max_trackers = 2;
  Decoder dec{DecoderConfig{}};
  Defragmenter d(c);
  std::array<Packet, kMaxDecodedPackets> out;
  for (uint16_t id = 1; id <= 5; ++id) {
    Bytes f = ethernet(ipv4(kA, kB, 17, Bytes(16, 'x'), id, 0x2000));
    dec.decode(f, static_cast<uint32_t>(f.size()), kLinkEthernet, 1, 1, out);
    d.add(out[0]);
  }
  EXPECT_EQ(d.counters().dropped_no_tracker, 3u);
}

TEST(Defrag, IdleTrackersExpire) {
  Fixture t;
  Bytes l4 = udp(1, 2, Bytes(32, 'z'));
  auto [a, b] = split(l4, 16, 3);
  t.feed(a, 1'000'000);
  t.defrag.expire(1'000'000 + 61'000'000);
  EXPECT_EQ(t.defrag.counters().timeouts, 1u);
  EXPECT_TRUE(t.feed(b, 62'000'001).empty());  // the first half is gone
}

}  // namespace
}  // namespace canh::sensor
