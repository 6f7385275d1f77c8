// Order-preserving key encodings: RocksDB sorts keys bytewise, so numbers are stored big-endian and
// time-ordered keys sort by time. Private to storage/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace canh::storage::keys {

inline void put_u64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out += static_cast<char>(v >> (i * 8));
}
inline void put_u32(std::string& out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out += static_cast<char>(v >> (i * 8));
}
// Reads 8 bytes at `pos`; false when the key is too short.
inline bool get_u64(std::string_view in, size_t pos, uint64_t* v) {
  if (in.size() < pos + 8) return false;
  uint64_t r = 0;
  for (size_t i = 0; i < 8; ++i) r = r << 8 | static_cast<uint8_t>(in[pos + i]);
  *v = r;
  return true;
}
inline bool get_u32(std::string_view in, size_t pos, uint32_t* v) {
  if (in.size() < pos + 4) return false;
  uint32_t r = 0;
  for (size_t i = 0; i < 4; ++i) r = r << 8 | static_cast<uint8_t>(in[pos + i]);
  *v = r;
  return true;
}
// Descending order of a number: newest-first scans iterate forwards.
inline void put_u64_desc(std::string& out, uint64_t v) { put_u64(out, ~v); }

}  // namespace canh::storage::keys
