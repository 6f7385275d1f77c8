#include "sensor/checksum.h"

#include <gtest/gtest.h>

#include <vector>

namespace canh::sensor {
namespace {

// IPv4 header from RFC 1071-style worked examples (checksum 0xb861).
std::vector<uint8_t> ipv4_header() {
  return {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
          0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
}

TEST(Checksum, ValidIpv4HeaderSumsToAllOnes) { EXPECT_TRUE(ipv4_header_checksum_ok(ipv4_header())); }

TEST(Checksum, OneFlippedBitIsDetected) {
  auto h = ipv4_header();
  h[8] ^= 0x01;  // TTL 64 -> 65
  EXPECT_FALSE(ipv4_header_checksum_ok(h));
}

TEST(Checksum, OddLengthPadsWithZero) {
  std::vector<uint8_t> odd = {0x01, 0x02, 0x03};
  EXPECT_EQ(checksum_add(odd), 0x0102u + 0x0300u);
}

TEST(Checksum, UdpOverIpv4WithPseudoHeader) {
  // 10.0.0.1:1234 -> 10.0.0.2:53, payload "abcd", checksum computed by hand below.
  std::vector<uint8_t> src = {10, 0, 0, 1}, dst = {10, 0, 0, 2};
  std::vector<uint8_t> udp = {0x04, 0xd2, 0x00, 0x35, 0x00, 0x0c, 0x00, 0x00, 'a', 'b', 'c', 'd'};
  uint32_t sum = checksum_add(src);
  sum = checksum_add(dst, sum) + 17 + 12;
  sum = checksum_add(udp, sum);
  uint16_t c = static_cast<uint16_t>(~checksum_fold(sum));
  udp[6] = static_cast<uint8_t>(c >> 8);
  udp[7] = static_cast<uint8_t>(c);
  EXPECT_TRUE(transport_checksum_ok(src, dst, 17, udp));
  udp[9] = 'X';
  EXPECT_FALSE(transport_checksum_ok(src, dst, 17, udp));
}

}  // namespace
}  // namespace canh::sensor
