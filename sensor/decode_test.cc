#include "sensor/decode.h"

#include <gtest/gtest.h>

#include "tests/sensor/packet_builder.h"

namespace canh::sensor {
namespace {
using namespace testing;

constexpr Ip4 kA{10, 0, 0, 1}, kB{10, 0, 0, 2};

struct Decoded {
  Decoder d{DecoderConfig{}};
  std::array<Packet, kMaxDecodedPackets> out;
  size_t n = 0;
  Bytes frame;
  void run(Bytes f, int linktype = kLinkEthernet) {
    frame = std::move(f);
    n = d.decode(frame, static_cast<uint32_t>(frame.size()), linktype, 1'000'000, 1, out);
  }
  uint64_t event(DecodeEvent e) const { return d.counters().event[static_cast<size_t>(e)]; }
};

TEST(Decoder, EthernetIpv4TcpFields) {
  Decoded t;
  t.run(tcp_frame(kA, kB, 1234, 80, 1000, 0, kSyn, "hi"));
  ASSERT_EQ(t.n, 1u);
  const Packet& p = t.out[0];
  EXPECT_TRUE(p.has_ether);
  EXPECT_TRUE(p.is_tcp());
  EXPECT_EQ(p.f.ip_version, 4);
  EXPECT_EQ(p.f.sport, 1234);
  EXPECT_EQ(p.f.dport, 80);
  EXPECT_EQ(p.f.tcp_seq, 1000u);
  EXPECT_EQ(p.f.tcp_flags, kSyn);
  EXPECT_EQ(std::string(p.f.payload.begin(), p.f.payload.end()), "hi");
  EXPECT_EQ(p.f.l3_header.size(), 20u);
  EXPECT_EQ(p.f.l4_header.size(), 20u);
}

TEST(Decoder, QinQKeepsBothVlanIds) {
  Decoded t;
  t.run(ethernet(ipv4(kA, kB, 17, udp(1, 2, bytes("x"))), 0x0800, {100, 200}));
  ASSERT_EQ(t.n, 1u);
  EXPECT_EQ(t.out[0].vlan_count, 2);
  EXPECT_EQ(t.out[0].vlan[0], 100);
  EXPECT_EQ(t.out[0].vlan[1], 200);
  EXPECT_TRUE(t.out[0].is_udp());
}

TEST(Decoder, TcpMssOptionIsDecoded) {
  Decoded t;
  Bytes opts = {2, 4, 0x01, 0xf4, 1, 1, 1, 0};  // MSS 500, NOP NOP EOL
  t.run(ethernet(ipv4(kA, kB, 6, tcp(kA, kB, 1, 2, 0, 0, kSyn, {}, opts))));
  EXPECT_EQ(t.out[0].f.tcp_mss, 500);
}

TEST(Decoder, Ipv4OptionsSetTheirBits) {
  Decoded t;
  Bytes opts = {7, 7, 4, 0, 0, 0, 0, 0};  // record route, then EOL
  t.run(ethernet(ipv4(kA, kB, 17, udp(1, 2, {}), 1, 0, opts)));
  EXPECT_TRUE(t.out[0].f.ipopts & (1u << 7));
  EXPECT_TRUE(t.out[0].f.ipopts & 1u);  // EOL
}

TEST(Decoder, TruncatedIpv4IsCountedNotDecoded) {
  Decoded t;
  Bytes f = tcp_frame(kA, kB, 1, 2, 0, 0, kAck, "payload");
  f.resize(f.size() - 5);
  t.run(f);
  EXPECT_FALSE(t.out[0].has_ip);
  EXPECT_EQ(t.event(DecodeEvent::k_ipv4_trunc_pkt), 1u);
}

TEST(Decoder, BadTcpHeaderLengthKeepsTheIpLayer) {
  Decoded t;
  Bytes f = tcp_frame(kA, kB, 1, 2, 0, 0, kSyn);
  f[14 + 20 + 12] = 0x60;  // data offset 24 bytes, segment only 20
  t.run(f);
  EXPECT_TRUE(t.out[0].has_ip);
  EXPECT_FALSE(t.out[0].has_l4);
  EXPECT_EQ(t.event(DecodeEvent::k_tcp_invalid_optlen), 1u);
}

TEST(Decoder, LinuxCookedCapture) {
  Decoded t;
  Bytes sll(16, 0);
  sll[14] = 0x08;
  sll[15] = 0x00;
  t.run(cat(sll, ipv4(kA, kB, 17, udp(5, 6, bytes("q")))), kLinkSll);
  ASSERT_TRUE(t.out[0].is_udp());
  EXPECT_EQ(t.out[0].f.dport, 6);
}

TEST(Decoder, RawIpLinkType) {
  Decoded t;
  t.run(ipv4(kA, kB, 1, icmp_echo(8, 77, 3, bytes("ping"))), kLinkRaw);
  ASSERT_TRUE(t.out[0].f.has_icmp);
  EXPECT_EQ(t.out[0].f.icmp_type, 8);
  EXPECT_EQ(t.out[0].f.icmp_id, 77);
  EXPECT_EQ(t.out[0].f.icmp_seq, 3);
}

TEST(Decoder, Ipv6ExtensionHeadersAreSkipped) {
  Decoded t;
  uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8}, d[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  Bytes hop = {17, 0, 1, 4, 0, 0, 0, 0};  // hop-by-hop, next UDP, PadN
  t.run(ethernet(ipv6(s, d, 0, cat(hop, udp(53, 5353, bytes("dns")))), 0x86dd));
  ASSERT_TRUE(t.out[0].is_udp());
  EXPECT_EQ(t.out[0].f.ip_proto, 17);
  EXPECT_EQ(t.out[0].f.sport, 53);
  EXPECT_EQ(t.out[0].f.ttl, 64);
}

TEST(Decoder, VxlanInnerPacketIsATunnelChild) {
  Decoded t;
  Bytes inner = ethernet(ipv4(kA, kB, 1, icmp_echo(8, 1, 1, bytes("x"))));
  Bytes vx = {0x08, 0, 0, 0, 0, 0, 100, 0};
  t.run(ethernet(ipv4({192, 168, 0, 1}, {192, 168, 0, 2}, 17, udp(40000, 4789, cat(vx, inner)))));
  ASSERT_EQ(t.n, 2u);
  EXPECT_TRUE(t.out[0].is_udp());
  EXPECT_EQ(t.out[1].parent, 0);
  EXPECT_TRUE(t.out[1].in_tunnel);
  EXPECT_EQ(t.out[1].f.icmp_type, 8);
}

TEST(Decoder, GreCarriesIpv4) {
  Decoded t;
  Bytes gre = {0, 0, 0x08, 0x00};
  t.run(ethernet(ipv4({1, 1, 1, 2}, {1, 1, 1, 1}, 47, cat(gre, ipv4(kA, kB, 17, udp(1, 514, bytes("EVIL")))))));
  ASSERT_EQ(t.n, 2u);
  EXPECT_EQ(t.out[1].f.dport, 514);
  EXPECT_EQ(t.out[1].depth, 1);
}

TEST(Decoder, ErspanTypeIICarriesVlan) {
  Decoded t;
  Bytes gre = {0x10, 0, 0x88, 0xbe, 0, 0, 0, 1};  // S flag, seq
  Bytes erspan = {0x10, 23, 0, 0, 0, 0, 0, 0};    // version 1, vlan 23
  Bytes inner = ethernet(ipv4(kA, kB, 1, icmp_echo(8, 1, 1, {})));
  t.run(ethernet(ipv4({2, 2, 2, 2}, {1, 1, 1, 1}, 47, cat(cat(gre, erspan), inner))));
  ASSERT_EQ(t.n, 2u);
  EXPECT_EQ(t.out[1].vlan_count, 1);
  EXPECT_EQ(t.out[1].vlan[0], 23);
}

TEST(Decoder, NestedTunnelsAreBounded) {
  Decoded t;
  Bytes p = ipv4(kA, kB, 17, udp(1, 2, {}));
  for (int i = 0; i < 20; ++i) p = ipv4(kA, kB, 4, p);  // IP-in-IP, 20 deep
  t.run(ethernet(p));
  EXPECT_LE(t.n, kMaxDecodedPackets);
  EXPECT_GT(t.event(DecodeEvent::k_too_many_layers), 0u);
}

TEST(Decoder, ChecksumValidationFlagsBadTcp) {
  DecoderConfig c;
  c.checksum_validation = true;
  Decoder d(c);
  std::array<Packet, kMaxDecodedPackets> out;
  Bytes f = tcp_frame(kA, kB, 1, 2, 0, 0, kAck, "data");
  d.decode(f, static_cast<uint32_t>(f.size()), kLinkEthernet, 0, 1, out);
  EXPECT_FALSE(out[0].checksum_bad);
  f.back() ^= 0xff;
  d.decode(f, static_cast<uint32_t>(f.size()), kLinkEthernet, 0, 2, out);
  EXPECT_TRUE(out[0].checksum_bad);
}

}  // namespace
}  // namespace canh::sensor
