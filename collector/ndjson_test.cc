#include "collector/ndjson.h"

#include <gtest/gtest.h>

#include <string>

namespace canh::collector {
namespace {

TEST(SplitNdjson, SplitsOnNewlinesAndSkipsBlankLines) {
  auto r = split_ndjson("{\"a\":1}\n\n{\"b\":2}\r\n{\"c\":3}", {});
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[1], "{\"b\":2}");
  EXPECT_EQ((*r)[2], "{\"c\":3}");
}

TEST(SplitNdjson, EmptyBodyIsAnEmptyBatch) {
  auto r = split_ndjson("", {});
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(r->empty());
}

TEST(SplitNdjson, OversizedLineIsRejectedWithItsLineNumber) {
  BatchLimits l;
  l.max_line_bytes = 10;
  auto r = split_ndjson("{}\n{\"long\":\"xxxxxxxx\"}\n", l);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
  EXPECT_EQ(r.status().message().rfind("line 2:", 0), 0u) << r.status().message();
}

TEST(SplitNdjson, TooManyRecordsOrBytesIsRejected) {
  BatchLimits l;
  l.max_lines = 2;
  EXPECT_FALSE(split_ndjson("1\n2\n3\n", l).is_ok());
  EXPECT_TRUE(split_ndjson("1\n2\n", l).is_ok());
  l.max_body_bytes = 3;
  EXPECT_FALSE(split_ndjson("1\n2\n", l).is_ok());
}

}  // namespace
}  // namespace canh::collector
