#include "common/timestamp.h"

#include <gtest/gtest.h>

namespace canh {
namespace {

TEST(Timestamp, ReadsEveTimestampsWithOffsetsFractionsAndZulu) {
  int64_t a = 0, b = 0, c = 0, d = 0;
  ASSERT_TRUE(parse_timestamp_us("2026-11-23T15:33:30.123456+0000", &a));
  EXPECT_EQ(a, 1795448010123456);
  ASSERT_TRUE(parse_timestamp_us("2026-11-23T22:33:30.123456+07:00", &b));
  ASSERT_TRUE(parse_timestamp_us("2026-11-23T15:33:30.123456789Z", &c));
  ASSERT_TRUE(parse_timestamp_us("2026-11-23 15:33:30Z", &d));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  EXPECT_EQ(a - d, 123456);
  int64_t leap = 0;
  EXPECT_TRUE(parse_timestamp_us("2024-02-29T00:00:00Z", &leap));
}

TEST(Timestamp, RefusesWhatIsNotATimestamp) {
  for (const char* bad : {"2023-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "1999-01-01T00:00:00Z",
                          "2026-11-23T15:33:30", "2026-11-23T15:33:30.Z", "2026-11-23T15:33:30+0000x",
                          "2026-11-23", "", "2026-11-23T25:00:00Z", "2026-11-23T15:33:30.1234567890Z"}) {
    int64_t t = 0;
    EXPECT_FALSE(parse_timestamp_us(bad, &t)) << bad;
  }
}

TEST(Timestamp, FormatsUtcWithMicrosecondsAndRoundTrips) {
  EXPECT_EQ(format_timestamp_us(1795448010123456), "2026-11-23T15:33:30.123456Z");
  EXPECT_EQ(format_timestamp_us(0), "1970-01-01T00:00:00.000000Z");
  for (int64_t us : {int64_t{951782400000000}, int64_t{1709164799999999}, int64_t{4102444799000001}}) {
    int64_t back = 0;
    ASSERT_TRUE(parse_timestamp_us(format_timestamp_us(us), &back)) << format_timestamp_us(us);
    EXPECT_EQ(back, us);
  }
}

}  // namespace
}  // namespace canh
