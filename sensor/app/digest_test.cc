#include "sensor/app/digest.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace canh::sensor::app {
namespace {

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

template <size_t N>
std::string hex(const std::array<uint8_t, N>& d) {
  std::string s;
  append_hex(d, &s);
  return s;
}

// RFC 1321 appendix A.5 test suite.
TEST(Digest, Md5MatchesRfc1321TestSuite) {
  EXPECT_EQ(hex(md5(b(""))), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(md5(b("a"))), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(hex(md5(b("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(md5(b("message digest"))), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(hex(md5(b("abcdefghijklmnopqrstuvwxyz"))), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(hex(md5(b("12345678901234567890123456789012345678901234567890123456789012345678901234567890"))),
            "57edf4a22be3c955ac49da2e2107b67a");
}

// FIPS 180 examples, plus lengths around the padding boundary (55, 56, 64 bytes).
TEST(Digest, Sha1MatchesFipsExamples) {
  EXPECT_EQ(hex(sha1(b("abc"))), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(sha1(b(""))), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(sha1(b("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hex(sha1(b(std::string(64, 'a')))), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
}

TEST(Digest, HexWithSeparatorAndCase) {
  const uint8_t v[] = {0x00, 0xab, 0x10};
  std::string s;
  append_hex(v, &s, ':', true);
  EXPECT_EQ(s, "00:AB:10");
}

}  // namespace
}  // namespace canh::sensor::app
