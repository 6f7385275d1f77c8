// Internet checksums (RFC 1071) for IPv4 headers and TCP/UDP/ICMPv6 over IPv4 and IPv6. Used to
// honour `-k` (checksum validation) as Suricata does: with `-k none` bad checksums are ignored.
#pragma once

#include <cstdint>
#include <span>

namespace canh::sensor {

// One's-complement sum of `data` folded into 16 bits, starting from `initial` (not complemented).
uint32_t checksum_add(std::span<const uint8_t> data, uint32_t initial = 0);
uint16_t checksum_fold(uint32_t sum);

// True when the IPv4 header's checksum field is right (summing the header including it gives 0xffff).
bool ipv4_header_checksum_ok(std::span<const uint8_t> header);

// Checksum of a transport segment (header + payload) with its pseudo-header; a correct segment sums
// to zero. `src`/`dst` are 4 bytes (IPv4) or 16 bytes (IPv6).
bool transport_checksum_ok(std::span<const uint8_t> src, std::span<const uint8_t> dst, uint8_t proto,
                           std::span<const uint8_t> segment);

}  // namespace canh::sensor
