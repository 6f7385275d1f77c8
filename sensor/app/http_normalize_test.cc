#include "sensor/app/http_normalize.h"

#include <gtest/gtest.h>

#include <string>

namespace canh::sensor::app {
namespace {

std::string uri(std::string_view raw) {
  std::string out;
  normalize_uri(raw, &out);
  return out;
}

TEST(UriNormalization, PercentDecodingOfPathAndQuery) {
  EXPECT_EQ(uri("/a%20b/c%2Ed?x=%41%42"), "/a b/c.d?x=AB");
}

TEST(UriNormalization, InvalidEscapesKeepTheirPercent) {
  EXPECT_EQ(uri("/a%zz%4"), "/a%zz%4");
  EXPECT_EQ(uri("/%"), "/%");
}

TEST(UriNormalization, PlusIsNotASpaceInTheQuery) { EXPECT_EQ(uri("/s?q=a+b"), "/s?q=a+b"); }

TEST(UriNormalization, DotSegmentsAreRemoved) {
  EXPECT_EQ(uri("/a/b/../c"), "/a/c");
  EXPECT_EQ(uri("/a/./b"), "/a/b");
  EXPECT_EQ(uri("/a/b/.."), "/a/");
  EXPECT_EQ(uri("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(uri("/a/."), "/a/");
  EXPECT_EQ(uri("a/../b"), "/b");
}

TEST(UriNormalization, EncodedTraversalIsDecodedBeforeDotRemoval) {
  EXPECT_EQ(uri("/cgi-bin/%2e%2e/%2e%2e/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(uri("/x/..%2f..%2fetc"), "/etc");
}

TEST(UriNormalization, BackslashesAndRepeatedSlashesAreOneSeparator) {
  EXPECT_EQ(uri("/a\\b//c///d"), "/a/b/c/d");
  EXPECT_EQ(uri("/a%5c..%5cb"), "/b");
}

TEST(UriNormalization, DotsInTheQueryAreLeftAlone) { EXPECT_EQ(uri("/p?f=../../x"), "/p?f=../../x"); }

TEST(UriNormalization, UEncodingFoldsToOneByte) {
  EXPECT_EQ(uri("/%u0041%u002e"), "/A.");
  EXPECT_EQ(uri("/%uFF0E%uff0e/x"), "/x");  // full-width dots are dots, so "/../x"
  EXPECT_EQ(uri("/%u4E2D"), "/?");
}

TEST(UriNormalization, OverlongUtf8IsDecodedBestFit) {
  EXPECT_EQ(uri("/a%c0%afb"), "/a/b");
  EXPECT_EQ(uri("/caf%C3%A9"), "/caf?");
}

TEST(UriNormalization, AbsoluteUriKeepsOnlyPathQueryAndFragment) {
  EXPECT_EQ(uri("http://Example.COM:8080/a/../b?x=1#frag"), "/b?x=1#frag");
  UriParts p = split_uri("http://user@Example.COM:8080/p");
  EXPECT_EQ(p.host, "Example.COM");
  EXPECT_EQ(p.port, "8080");
  EXPECT_EQ(p.path, "/p");
}

TEST(UriNormalization, ColonInARelativeQueryIsNotAScheme) {
  UriParts p = split_uri("/x?a=http://y");
  EXPECT_TRUE(p.scheme.empty());
  EXPECT_EQ(p.path, "/x");
  EXPECT_EQ(p.query, "a=http://y");
}

TEST(UriNormalization, EncodedNulIsKept) { EXPECT_EQ(uri("/a%00b"), std::string("/a\0b", 4)); }

TEST(HostNormalization, LowerCaseWithoutPortOrTrailingDot) {
  std::string_view host, port;
  split_host_port(" WWW.Example.com.:8080 ", &host, &port);
  EXPECT_EQ(port, "8080");
  std::string out;
  normalize_host(host, &out);
  EXPECT_EQ(out, "www.example.com");
}

TEST(HostNormalization, BracketedIpv6KeepsBrackets) {
  std::string_view host, port;
  split_host_port("[2001:DB8::1]:443", &host, &port);
  EXPECT_EQ(host, "[2001:DB8::1]");
  EXPECT_EQ(port, "443");
  split_host_port("2001:db8::1", &host, &port);
  EXPECT_EQ(host, "2001:db8::1");
  EXPECT_TRUE(port.empty());
}

}  // namespace
}  // namespace canh::sensor::app
