#include "storage/system_ranges.h"

#include <gtest/gtest.h>

#include <random>

namespace canh::storage {
namespace {

Cidr cidr(std::string_view s) {
  auto c = Cidr::parse(s);
  EXPECT_TRUE(c) << s;
  return *c;
}
IpAddr ip(std::string_view s) { return *IpAddr::parse(s); }
std::vector<uint32_t> ids(std::span<const uint32_t> s) { return {s.begin(), s.end()}; }

TEST(RangeTable, EmptyTableMatchesNothing) {
  RangeTable t;
  EXPECT_TRUE(t.lookup(ip("10.0.0.1")).empty());
  RangeTable t2(std::vector<std::pair<uint32_t, Cidr>>{});
  EXPECT_TRUE(t2.lookup(ip("::1")).empty());
}

TEST(RangeTable, FindsTheSystemsOfNestedAndOverlappingBlocks) {
  RangeTable t({{1, cidr("10.0.0.0/8")}, {2, cidr("10.1.0.0/16")}, {3, cidr("10.1.2.0/24")}, {4, cidr("192.168.0.0/24")}});
  EXPECT_EQ(ids(t.lookup(ip("10.9.9.9"))), (std::vector<uint32_t>{1}));
  EXPECT_EQ(ids(t.lookup(ip("10.1.9.9"))), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(ids(t.lookup(ip("10.1.2.3"))), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(ids(t.lookup(ip("10.1.3.0"))), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(ids(t.lookup(ip("192.168.0.255"))), (std::vector<uint32_t>{4}));
  EXPECT_TRUE(t.lookup(ip("192.168.1.0")).empty());
  EXPECT_TRUE(t.lookup(ip("9.255.255.255")).empty());
  EXPECT_TRUE(t.lookup(ip("11.0.0.0")).empty());
}

TEST(RangeTable, BlockEdgesAreInclusive) {
  RangeTable t({{7, cidr("172.16.0.0/12")}});
  EXPECT_EQ(ids(t.lookup(ip("172.16.0.0"))), (std::vector<uint32_t>{7}));
  EXPECT_EQ(ids(t.lookup(ip("172.31.255.255"))), (std::vector<uint32_t>{7}));
  EXPECT_TRUE(t.lookup(ip("172.15.255.255")).empty());
  EXPECT_TRUE(t.lookup(ip("172.32.0.0")).empty());
}

TEST(RangeTable, IPv6AndIPv4DoNotMix) {
  RangeTable t({{1, cidr("2001:db8::/32")}, {2, cidr("10.0.0.0/8")}, {3, cidr("::/0")}});
  EXPECT_EQ(ids(t.lookup(ip("2001:db8::1"))), (std::vector<uint32_t>{1, 3}));
  // ::/0 covers the whole line, IPv4-mapped addresses included: a "match everything" block is
  // what its author asked for.
  EXPECT_EQ(ids(t.lookup(ip("10.2.3.4"))), (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(ids(t.lookup(ip("2001:db9::1"))), (std::vector<uint32_t>{3}));
  EXPECT_EQ(ids(t.lookup(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"))), (std::vector<uint32_t>{3}));
}

TEST(RangeTable, SystemListedOnceWhenTwoOfItsBlocksOverlap) {
  RangeTable t({{5, cidr("10.0.0.0/16")}, {5, cidr("10.0.1.0/24")}});
  EXPECT_EQ(ids(t.lookup(ip("10.0.1.1"))), (std::vector<uint32_t>{5}));
  EXPECT_EQ(ids(t.lookup(ip("10.0.2.1"))), (std::vector<uint32_t>{5}));
}

TEST(RangeTable, PairLookupUnitesSourceAndDestination) {
  RangeTable t({{1, cidr("10.0.0.0/24")}, {2, cidr("10.0.1.0/24")}, {3, cidr("10.0.0.0/23")}});
  std::vector<uint32_t> out{99};
  t.lookup_pair(ip("10.0.0.5"), ip("10.0.1.5"), &out);
  EXPECT_EQ(out, (std::vector<uint32_t>{1, 2, 3}));
  t.lookup_pair(ip("8.8.8.8"), ip("1.1.1.1"), &out);
  EXPECT_TRUE(out.empty());
}

// The table must agree with the obvious definition (a block contains the address) everywhere,
// including at every block's first and last address and just outside.
TEST(RangeTable, AgreesWithCidrContainsOnRandomBlocks) {
  std::mt19937 rng(42);
  std::vector<std::pair<uint32_t, Cidr>> ranges;
  for (uint32_t i = 0; i < 300; ++i) {
    uint32_t base = rng() & 0x0fffffff;
    unsigned len = 8 + rng() % 25;
    Cidr c{mask(IpAddr::v4(base), 96 + len), static_cast<uint8_t>(96 + len)};
    ranges.emplace_back(1 + rng() % 50, c);
  }
  RangeTable t(ranges);
  auto expect = [&](const IpAddr& a) {
    std::vector<uint32_t> want;
    for (const auto& [id, c] : ranges)
      if (c.contains(a)) want.push_back(id);
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    EXPECT_EQ(ids(t.lookup(a)), want) << a.to_string();
  };
  for (const auto& [id, c] : ranges) {
    uint32_t lo = static_cast<uint32_t>(c.base.bytes[12]) << 24 | c.base.bytes[13] << 16 | c.base.bytes[14] << 8 | c.base.bytes[15];
    uint32_t span = c.bits >= 128 ? 0 : (0xffffffffu >> (c.bits - 96));
    for (uint32_t a : {lo - 1, lo, lo + span, lo + span + 1}) expect(IpAddr::v4(a));
  }
  for (int i = 0; i < 2000; ++i) expect(IpAddr::v4(rng() & 0x0fffffff));
}

}  // namespace
}  // namespace canh::storage
