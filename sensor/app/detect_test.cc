#include "sensor/app/detect.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace canh::sensor::app {
namespace {

using rules::AppProto;

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(Detect, HttpOnAnyPort) {
  for (uint16_t port : {80, 81, 8080, 31337}) {
    Detection d = detect_tcp(Dir::kToServer, b("GET /x HTTP/1.1\r\n"), 40000, port);
    EXPECT_EQ(d.verdict, Verdict::kMatch);
    EXPECT_EQ(d.proto, AppProto::kHttp);
  }
  EXPECT_EQ(detect_tcp(Dir::kToClient, b("HTTP/1.1 200 OK\r\n"), 8080, 40000).proto, AppProto::kHttp);
  EXPECT_EQ(detect_tcp(Dir::kToServer, b("propfind / HTTP/1.1"), 1, 2).proto, AppProto::kHttp);
}

TEST(Detect, ShortPrefixWaitsForMore) {
  EXPECT_EQ(detect_tcp(Dir::kToServer, b("GE"), 1, 80).verdict, Verdict::kNeedMore);
  EXPECT_EQ(detect_tcp(Dir::kToServer, b("GET"), 1, 80).verdict, Verdict::kNeedMore);
  EXPECT_EQ(detect_tcp(Dir::kToServer, b("\x16\x03"), 1, 443).verdict, Verdict::kNeedMore);
}

TEST(Detect, MethodMustBeFollowedByWhitespace) {
  EXPECT_EQ(detect_tcp(Dir::kToServer, b("GETAWAY car"), 1, 80).verdict, Verdict::kNoMatch);
  EXPECT_EQ(detect_tcp(Dir::kToServer, b("hello world"), 1, 80).verdict, Verdict::kNoMatch);
}

TEST(Detect, TlsOn8443AndNotOnLookalikes) {
  const uint8_t hello[] = {0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4};
  Detection d = detect_tcp(Dir::kToServer, hello, 50000, 8443);
  EXPECT_EQ(d.verdict, Verdict::kMatch);
  EXPECT_EQ(d.proto, AppProto::kTls);
  const uint8_t bad_version[] = {0x16, 0x05, 0x01, 0x00, 0xc8, 0x01};
  EXPECT_EQ(detect_tcp(Dir::kToServer, bad_version, 1, 443).verdict, Verdict::kNoMatch);
  const uint8_t bad_hs_type[] = {0x16, 0x03, 0x01, 0x00, 0xc8, 0x77};
  EXPECT_EQ(detect_tcp(Dir::kToServer, bad_hs_type, 1, 443).verdict, Verdict::kNoMatch);
  const uint8_t sslv2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15};
  EXPECT_EQ(detect_tcp(Dir::kToServer, sslv2, 1, 443).proto, AppProto::kTls);
}

TEST(Detect, SshBanner) { EXPECT_EQ(detect_tcp(Dir::kToClient, b("SSH-2.0-OpenSSH_9.2\r\n"), 22, 1).proto, AppProto::kSsh); }

std::vector<uint8_t> dns_query() {
  return {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 7,   'e', 'x', 'a',
          'm',  'p',  'l',  'e',  3,    'c',  'o',  'm',  0,    0x00, 0x01, 0x00, 0x01};
}

TEST(Detect, DnsOverUdpOnAndOffPort53) {
  auto q = dns_query();
  EXPECT_EQ(detect_udp(Dir::kToServer, q, 5353, 53).proto, AppProto::kDns);
  EXPECT_EQ(detect_udp(Dir::kToServer, q, 40000, 5300).proto, AppProto::kDns);  // clean and exact
  auto trailing = q;
  trailing.push_back(0x99);  // off port 53 the message must end where it says
  trailing[7] = 1;           // and an answer count that is not there
  EXPECT_EQ(detect_udp(Dir::kToServer, trailing, 40000, 5300).verdict, Verdict::kNoMatch);
  const uint8_t random[] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(detect_udp(Dir::kToServer, random, 1000, 2000).verdict, Verdict::kNoMatch);
}

TEST(Detect, DnsOverTcpNeedsItsLengthPrefix) {
  auto q = dns_query();
  std::vector<uint8_t> framed = {0, static_cast<uint8_t>(q.size())};
  framed.insert(framed.end(), q.begin(), q.end());
  EXPECT_EQ(detect_tcp(Dir::kToServer, framed, 40000, 53).proto, AppProto::kDns);
  EXPECT_EQ(detect_tcp(Dir::kToServer, std::span<const uint8_t>(framed).first(10), 40000, 53).verdict,
            Verdict::kNeedMore);
}

}  // namespace
}  // namespace canh::sensor::app
