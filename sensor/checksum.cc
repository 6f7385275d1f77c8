#include "sensor/checksum.h"

namespace canh::sensor {

uint32_t checksum_add(std::span<const uint8_t> d, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < d.size(); i += 2) sum += static_cast<uint32_t>(d[i]) << 8 | d[i + 1];
  if (i < d.size()) sum += static_cast<uint32_t>(d[i]) << 8;
  return sum;
}

uint16_t checksum_fold(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

bool ipv4_header_checksum_ok(std::span<const uint8_t> header) {
  return checksum_fold(checksum_add(header)) == 0xffff;
}

bool transport_checksum_ok(std::span<const uint8_t> src, std::span<const uint8_t> dst, uint8_t proto,
                           std::span<const uint8_t> segment) {
  uint32_t sum = checksum_add(src);
  sum = checksum_add(dst, sum);
  uint32_t len = static_cast<uint32_t>(segment.size());
  sum += proto;
  sum += len >> 16;
  sum += len & 0xffff;
  sum = checksum_add(segment, sum);
  return checksum_fold(sum) == 0xffff;
}

}  // namespace canh::sensor
