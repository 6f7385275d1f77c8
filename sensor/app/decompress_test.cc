#include "sensor/app/decompress.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace canh::sensor::app {
namespace {

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::string compress(std::string_view plain, int bits) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, plain.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(Inflater, ContentEncodingValues) {
  EXPECT_EQ(parse_content_encoding("gzip"), Encoding::kGzip);
  EXPECT_EQ(parse_content_encoding("X-GZIP"), Encoding::kGzip);
  EXPECT_EQ(parse_content_encoding("deflate"), Encoding::kDeflate);
  EXPECT_EQ(parse_content_encoding("identity"), Encoding::kIdentity);
  EXPECT_EQ(parse_content_encoding("identity, gzip"), Encoding::kGzip);
}

TEST(Inflater, GzipLabelledDeflateStillDecodes) {
  Inflater inf;
  inf.start(Encoding::kDeflate, 0);
  std::string out;
  inf.write(b(compress("payload", 16 + MAX_WBITS)), &out, 100);
  EXPECT_EQ(out, "payload");
}

TEST(Inflater, OutputStopsAtTheRoomGiven) {
  Inflater inf;
  inf.start(Encoding::kGzip, 0);
  std::string out;
  std::string gz = compress(std::string(100000, 'z'), 16 + MAX_WBITS);
  size_t n = inf.write(b(gz), &out, 1000);
  EXPECT_EQ(n, 1000u);
  EXPECT_EQ(out, std::string(1000, 'z'));
}

TEST(Inflater, CorruptStreamAfterOutputKeepsWhatCameOut) {
  std::string gz = compress(std::string(5000, 'q') + "tail", 16 + MAX_WBITS);
  gz[gz.size() / 2] ^= 0x55;
  gz[gz.size() / 2 + 1] ^= 0x55;
  Inflater inf;
  inf.start(Encoding::kGzip, 0);
  std::string out;
  inf.write(b(gz), &out, 1 << 20);
  EXPECT_TRUE(inf.failed());
  EXPECT_LE(out.size(), 5004u);
}

TEST(Inflater, DeflateLabelOnClearTextPassesThrough) {
  Inflater inf;
  inf.start(Encoding::kDeflate, 0);
  std::string out;
  inf.write(b("{\"a\":"), &out, 100);
  inf.write(b("1}"), &out, 100);
  EXPECT_EQ(out, "{\"a\":1}");
  EXPECT_TRUE(inf.passthrough());
}

}  // namespace
}  // namespace canh::sensor::app
