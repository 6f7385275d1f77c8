// MD5 (RFC 1321) and SHA-1 (FIPS 180-4), one-shot and allocation-free, for the two fingerprints
// Suricata prints that need them: the JA3/JA3S hash (MD5 of the JA3 string) and the certificate
// fingerprint (SHA-1 of the DER certificate). Neither is used for security here, only to name things
// the way the rest of the field names them.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace canh::sensor::app {

std::array<uint8_t, 16> md5(std::span<const uint8_t> data);
std::array<uint8_t, 20> sha1(std::span<const uint8_t> data);

// Lower-case hex, optionally with a separator between bytes ("ab:cd:...").
void append_hex(std::span<const uint8_t> bytes, std::string* out, char separator = 0, bool upper = false);

}  // namespace canh::sensor::app
