#include "sensor/app/digest.h"

#include <cmath>
#include <cstring>

namespace canh::sensor::app {
namespace {

uint32_t rotl(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

// RFC 1321 section 3.4: T[i] is the integer part of 2^32 * |sin(i)|, i = 1..64 in radians.
struct Md5Table {
  uint32_t t[64];
  Md5Table() {
    for (int i = 0; i < 64; ++i) t[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(i + 1.0)) * 4294967296.0));
  }
};
const Md5Table& md5_table() {
  static const Md5Table table;
  return table;
}

constexpr unsigned kMd5Shift[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

void md5_block(uint32_t h[4], const uint8_t* p) {
  const uint32_t* t = md5_table().t;
  uint32_t x[16];
  for (int i = 0; i < 16; ++i)
    x[i] = uint32_t{p[4 * i]} | (uint32_t{p[4 * i + 1]} << 8) | (uint32_t{p[4 * i + 2]} << 16) | (uint32_t{p[4 * i + 3]} << 24);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  for (int i = 0; i < 64; ++i) {
    uint32_t f;
    int g;
    int round = i / 16;
    switch (round) {
      case 0: f = (b & c) | (~b & d); g = i; break;
      case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16; break;
      case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16; break;
      default: f = c ^ (b | ~d); g = (7 * i) % 16; break;
    }
    uint32_t tmp = d;
    d = c;
    c = b;
    b = b + rotl(a + f + t[i] + x[g], kMd5Shift[round][i % 4]);
    a = tmp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
}

void sha1_block(uint32_t h[5], const uint8_t* p) {
  uint32_t w[80];
  for (int i = 0; i < 16; ++i)
    w[i] = (uint32_t{p[4 * i]} << 24) | (uint32_t{p[4 * i + 1]} << 16) | (uint32_t{p[4 * i + 2]} << 8) | p[4 * i + 3];
  for (int i = 16; i < 80; ++i) w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; ++i) {
    uint32_t f, k;
    if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
    else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
    else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
    else f = b ^ c ^ d, k = 0xCA62C1D6;
    uint32_t tmp = rotl(a, 5) + f + e + k + w[i];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = tmp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

// Merkle-Damgard padding shared by both: 0x80, zeros, then the bit length (little-endian for MD5,
// big-endian for SHA-1) in the last 8 bytes of a 64-byte block.
template <class Block>
void run_blocks(std::span<const uint8_t> data, bool big_endian_length, Block&& block) {
  size_t full = data.size() / 64;
  for (size_t i = 0; i < full; ++i) block(data.data() + 64 * i);
  uint8_t tail[128] = {};
  size_t rest = data.size() - 64 * full;
  if (rest > 0) std::memcpy(tail, data.data() + 64 * full, rest);
  tail[rest] = 0x80;
  size_t blocks = rest + 1 + 8 <= 64 ? 1 : 2;
  uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  uint8_t* len = tail + 64 * blocks - 8;
  for (int i = 0; i < 8; ++i) len[big_endian_length ? 7 - i : i] = static_cast<uint8_t>(bits >> (8 * i));
  for (size_t i = 0; i < blocks; ++i) block(tail + 64 * i);
}

}  // namespace

std::array<uint8_t, 16> md5(std::span<const uint8_t> data) {
  uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  run_blocks(data, false, [&](const uint8_t* p) { md5_block(h, p); });
  std::array<uint8_t, 16> out;
  for (int i = 0; i < 16; ++i) out[i] = static_cast<uint8_t>(h[i / 4] >> (8 * (i % 4)));
  return out;
}

std::array<uint8_t, 20> sha1(std::span<const uint8_t> data) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  run_blocks(data, true, [&](const uint8_t* p) { sha1_block(h, p); });
  std::array<uint8_t, 20> out;
  for (int i = 0; i < 20; ++i) out[i] = static_cast<uint8_t>(h[i / 4] >> (8 * (3 - i % 4)));
  return out;
}

void append_hex(std::span<const uint8_t> bytes, std::string* out, char separator, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (separator != 0 && i > 0) out->push_back(separator);
    out->push_back(digits[bytes[i] >> 4]);
    out->push_back(digits[bytes[i] & 15]);
  }
}

}  // namespace canh::sensor::app
