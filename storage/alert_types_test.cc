#include "storage/alert_types.h"

#include <gtest/gtest.h>

namespace canh::storage {
namespace {

TEST(IpAddr, ParsesAndPrintsBothFamilies) {
  auto a = IpAddr::parse("10.1.2.3");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->to_string(), "10.1.2.3");
  auto b = IpAddr::parse("2001:db8::1");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->is_v4());
  EXPECT_EQ(b->to_string(), "2001:db8::1");
  EXPECT_FALSE(IpAddr::parse("10.1.2"));
  EXPECT_FALSE(IpAddr::parse(""));
  EXPECT_FALSE(IpAddr::parse(std::string(100, '1')));
  EXPECT_EQ(IpAddr::v4(0x0a000001).to_string(), "10.0.0.1");
}

TEST(Cidr, ParsesBlocksAndBareAddresses) {
  auto c = Cidr::parse("10.0.0.0/8");
  ASSERT_TRUE(c.is_ok());
  EXPECT_EQ(c->bits, 96 + 8);
  EXPECT_EQ(c->to_string(), "10.0.0.0/8");
  EXPECT_TRUE(c->contains(*IpAddr::parse("10.200.1.1")));
  EXPECT_FALSE(c->contains(*IpAddr::parse("11.0.0.1")));
  EXPECT_FALSE(c->contains(*IpAddr::parse("2001:db8::1")));
  auto one = Cidr::parse("192.168.1.7");
  ASSERT_TRUE(one.is_ok());
  EXPECT_EQ(one->written_bits(), 32u);
  auto v6 = Cidr::parse("2001:db8::/32");
  ASSERT_TRUE(v6.is_ok());
  EXPECT_TRUE(v6->contains(*IpAddr::parse("2001:db8:1::5")));
}

TEST(Cidr, HostBitsAndBadLengthsAreErrorsThatSuggestTheBlock) {
  auto c = Cidr::parse("10.0.0.1/8");
  ASSERT_FALSE(c.is_ok());
  EXPECT_NE(c.status().message().find("10.0.0.0/8"), std::string::npos) << c.status().message();
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33").is_ok());
  EXPECT_FALSE(Cidr::parse("10.0.0.0/").is_ok());
  EXPECT_FALSE(Cidr::parse("10.0.0.0/x").is_ok());
  EXPECT_FALSE(Cidr::parse("nonsense/8").is_ok());
}

TEST(AlertId, RoundTripsThroughTextAndOrdersNewestFirst) {
  AlertId id{1700000000123456, 42};
  auto s = id.to_string();
  EXPECT_EQ(s.size(), 32u);
  auto back = AlertId::parse(s);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, id);
  EXPECT_FALSE(AlertId::parse("zz"));
  EXPECT_FALSE(AlertId::parse(std::string(32, 'g')));
  EXPECT_FALSE(AlertId::parse("f000000000000000" + std::string(16, '0')));  // negative time
  EXPECT_TRUE(newer(AlertId{2, 0}, AlertId{1, 9}));
  EXPECT_TRUE(newer(AlertId{1, 2}, AlertId{1, 1}));
}

TEST(TriageState, NamesRoundTrip) {
  for (int i = 0; i < kTriageStateCount; ++i) {
    auto s = static_cast<TriageState>(i);
    EXPECT_EQ(parse_triage_state(triage_state_name(s)), s);
  }
  EXPECT_FALSE(parse_triage_state("bogus"));
}

}  // namespace
}  // namespace canh::storage
