#include "rules/address.h"

#include <gtest/gtest.h>

#include "rules/config.h"

namespace canh::rules {
namespace {

Address A(const char* s) {
  Address a;
  EXPECT_TRUE(parse_ip(s, &a)) << s;
  return a;
}

TEST(AddressSet, AnyCoversBothFamilies) {
  auto s = parse_address_set("any", {});
  ASSERT_TRUE(s.is_ok());
  EXPECT_TRUE(s->is_any());
  EXPECT_TRUE(s->contains(A("1.2.3.4")));
  EXPECT_TRUE(s->contains(A("2001:db8::1")));
}

TEST(AddressSet, CidrNetmaskRangeAndSingle) {
  auto s = parse_address_set("[10.0.0.0/8, 192.168.1.0/255.255.255.0, 172.16.0.5-172.16.0.7, 8.8.8.8]", {});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_TRUE(s->contains(A("10.255.1.1")));
  EXPECT_TRUE(s->contains(A("192.168.1.200")));
  EXPECT_FALSE(s->contains(A("192.168.2.1")));
  EXPECT_TRUE(s->contains(A("172.16.0.6")));
  EXPECT_FALSE(s->contains(A("172.16.0.8")));
  EXPECT_TRUE(s->contains(A("8.8.8.8")));
  EXPECT_FALSE(s->contains(A("8.8.4.4")));
  EXPECT_FALSE(s->contains(A("::1")));
}

TEST(AddressSet, NegationInsideListSubtracts) {
  auto s = parse_address_set("[10.0.0.0/8,!10.1.0.0/16]", {});
  ASSERT_TRUE(s.is_ok());
  EXPECT_TRUE(s->contains(A("10.2.0.1")));
  EXPECT_FALSE(s->contains(A("10.1.2.3")));
}

TEST(AddressSet, OnlyNegationsMeanAnyButThose) {
  auto s = parse_address_set("[!1.2.3.4,!5.6.7.8]", {});
  ASSERT_TRUE(s.is_ok());
  EXPECT_FALSE(s->contains(A("1.2.3.4")));
  EXPECT_FALSE(s->contains(A("5.6.7.8")));
  EXPECT_TRUE(s->contains(A("9.9.9.9")));
  EXPECT_TRUE(s->contains(A("2001:db8::1")));
}

TEST(AddressSet, NestedGroupsAndNegatedGroup) {
  auto s = parse_address_set("[1.0.0.0/8,![1.1.0.0/16,[1.2.0.0/16]]]", {});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_TRUE(s->contains(A("1.3.0.1")));
  EXPECT_FALSE(s->contains(A("1.1.0.1")));
  EXPECT_FALSE(s->contains(A("1.2.0.1")));
}

TEST(AddressSet, VariablesResolveRecursively) {
  RuleVars v = default_rule_vars();
  auto ext = parse_address_set("$EXTERNAL_NET", v.address);
  ASSERT_TRUE(ext.is_ok());
  EXPECT_FALSE(ext->contains(A("192.168.0.1")));
  EXPECT_TRUE(ext->contains(A("8.8.8.8")));
  auto neg = parse_address_set("!$HTTP_SERVERS", v.address);
  ASSERT_TRUE(neg.is_ok());
  EXPECT_TRUE(*neg == *ext);
}

TEST(AddressSet, ErrorsNameTheProblem) {
  auto undef = parse_address_set("$NOPE", {});
  ASSERT_FALSE(undef.is_ok());
  EXPECT_NE(undef.status().message().find("$NOPE"), std::string::npos);
  auto bad = parse_address_set("[10.0.0/8]", {});
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("10.0.0/8"), std::string::npos);
  EXPECT_FALSE(parse_address_set("[1.2.3.4,!1.2.3.4]", {}).is_ok());  // matches nothing
  EXPECT_FALSE(parse_address_set("[1.2.3.4", {}).is_ok());
  VarMap cyc{{"A", "$B"}, {"B", "$A"}};
  EXPECT_FALSE(parse_address_set("$A", cyc).is_ok());
}

TEST(AddressSet, Ipv6CidrAndComplement) {
  auto s = parse_address_set("!2001:db8::/32", {});
  ASSERT_TRUE(s.is_ok());
  EXPECT_FALSE(s->contains(A("2001:db8:1::1")));
  EXPECT_TRUE(s->contains(A("2001:db9::1")));
  EXPECT_TRUE(s->contains(A("10.0.0.1")));
}

TEST(PortSet, SinglesRangesOpenEndsAndNegation) {
  auto s = parse_port_set("[80,443,8000:8080,!8008]", {});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_TRUE(s->contains(80));
  EXPECT_TRUE(s->contains(8005));
  EXPECT_FALSE(s->contains(8008));
  EXPECT_FALSE(s->contains(81));
  auto hi = parse_port_set("1024:", {});
  ASSERT_TRUE(hi.is_ok());
  EXPECT_TRUE(hi->contains(65535));
  EXPECT_FALSE(hi->contains(1023));
  auto lo = parse_port_set(":1023", {});
  ASSERT_TRUE(lo.is_ok());
  EXPECT_TRUE(lo->contains(0));
  EXPECT_FALSE(lo->contains(1024));
}

TEST(PortSet, TopLevelCommaListWithoutBrackets) {
  // ET sid 2020215 writes "!5800,!445": Suricata reads it as a list.
  auto s = parse_port_set("!5800,!445", {});
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_FALSE(s->contains(5800));
  EXPECT_FALSE(s->contains(445));
  EXPECT_TRUE(s->contains(80));
}

TEST(PortSet, VariablesAndErrors) {
  RuleVars v = default_rule_vars();
  auto sc = parse_port_set("$SHELLCODE_PORTS", v.port);
  ASSERT_TRUE(sc.is_ok());
  EXPECT_FALSE(sc->contains(80));
  EXPECT_TRUE(sc->contains(81));
  auto fd = parse_port_set("$FILE_DATA_PORTS", v.port);
  ASSERT_TRUE(fd.is_ok());
  EXPECT_TRUE(fd->contains(110));
  EXPECT_TRUE(fd->contains(80));
  EXPECT_FALSE(parse_port_set("65536", {}).is_ok());
  EXPECT_FALSE(parse_port_set("90:80", {}).is_ok());
  EXPECT_FALSE(parse_port_set("http", {}).is_ok());
  EXPECT_FALSE(parse_port_set("!any", {}).is_ok());
}

}  // namespace
}  // namespace canh::rules
