// Builds frames and pcap files for the sensor's tests: Ethernet / VLAN / IPv4 / IPv6 / TCP / UDP /
// ICMP with correct lengths and checksums, tunnels by nesting, and a pcap writer. Small captures
// made here are the backbone of the pipeline tests (STYLE.md, "Tests").
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/checksum.h"

namespace canh::sensor::testing {

using Bytes = std::vector<uint8_t>;

inline void put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void put32(Bytes& b, uint32_t v) {
  put16(b, static_cast<uint16_t>(v >> 16));
  put16(b, static_cast<uint16_t>(v));
}
inline Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

struct Ip4 {
  uint8_t a, b, c, d;
};

inline Bytes ethernet(const Bytes& payload, uint16_t type = 0x0800, std::vector<uint16_t> vlans = {}) {
  Bytes f = {0x00, 0x25, 0x90, 0xe3, 0xd2, 0xe1, 0x0c, 0x86, 0x10, 0xed, 0xd7, 0xc6};
  for (uint16_t v : vlans) {
    put16(f, 0x8100);
    put16(f, v);
  }
  put16(f, type);
  return cat(f, payload);
}

inline Bytes ipv4(Ip4 src, Ip4 dst, uint8_t proto, const Bytes& payload, uint16_t id = 1, uint16_t frag = 0,
                  const Bytes& options = {}, uint8_t ttl = 64) {
  Bytes h;
  size_t hl = 20 + options.size();
  h.push_back(static_cast<uint8_t>(0x40 | (hl / 4)));
  h.push_back(0);
  put16(h, static_cast<uint16_t>(hl + payload.size()));
  put16(h, id);
  put16(h, frag);
  h.push_back(ttl);
  h.push_back(proto);
  put16(h, 0);
  for (uint8_t x : {src.a, src.b, src.c, src.d}) h.push_back(x);
  for (uint8_t x : {dst.a, dst.b, dst.c, dst.d}) h.push_back(x);
  h.insert(h.end(), options.begin(), options.end());
  uint16_t sum = static_cast<uint16_t>(~checksum_fold(checksum_add(h)));
  h[10] = static_cast<uint8_t>(sum >> 8);
  h[11] = static_cast<uint8_t>(sum);
  return cat(h, payload);
}

inline Bytes ipv6(const uint8_t src[16], const uint8_t dst[16], uint8_t next, const Bytes& payload, uint8_t hop = 64) {
  Bytes h = {0x60, 0, 0, 0};
  put16(h, static_cast<uint16_t>(payload.size()));
  h.push_back(next);
  h.push_back(hop);
  h.insert(h.end(), src, src + 16);
  h.insert(h.end(), dst, dst + 16);
  return cat(h, payload);
}

enum TcpFlag : uint8_t { kFin = 1, kSyn = 2, kRst = 4, kPsh = 8, kAck = 16 };

// A TCP segment with a correct checksum over IPv4 addresses `src`/`dst`.
inline Bytes tcp(Ip4 src, Ip4 dst, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags,
                 const Bytes& payload, const Bytes& options = {}) {
  Bytes t;
  put16(t, sp);
  put16(t, dp);
  put32(t, seq);
  put32(t, ack);
  size_t hl = 20 + options.size();
  t.push_back(static_cast<uint8_t>((hl / 4) << 4));
  t.push_back(flags);
  put16(t, 65535);
  put16(t, 0);
  put16(t, 0);
  t.insert(t.end(), options.begin(), options.end());
  t.insert(t.end(), payload.begin(), payload.end());
  uint8_t s[4] = {src.a, src.b, src.c, src.d}, d[4] = {dst.a, dst.b, dst.c, dst.d};
  uint32_t sum = checksum_add(s);
  sum = checksum_add(d, sum);
  sum += 6 + static_cast<uint32_t>(t.size());
  sum = checksum_add(t, sum);
  uint16_t c = static_cast<uint16_t>(~checksum_fold(sum));
  t[16] = static_cast<uint8_t>(c >> 8);
  t[17] = static_cast<uint8_t>(c);
  return t;
}

inline Bytes udp(uint16_t sp, uint16_t dp, const Bytes& payload) {
  Bytes u;
  put16(u, sp);
  put16(u, dp);
  put16(u, static_cast<uint16_t>(8 + payload.size()));
  put16(u, 0);  // no checksum (allowed over IPv4)
  return cat(u, payload);
}

inline Bytes icmp_echo(uint8_t type, uint16_t id, uint16_t seq, const Bytes& payload) {
  Bytes m = {type, 0, 0, 0};
  put16(m, id);
  put16(m, seq);
  m = cat(m, payload);
  uint16_t c = static_cast<uint16_t>(~checksum_fold(checksum_add(m)));
  m[2] = static_cast<uint8_t>(c >> 8);
  m[3] = static_cast<uint8_t>(c);
  return m;
}

// A TCP/IPv4 Ethernet frame in one call.
inline Bytes tcp_frame(Ip4 src, Ip4 dst, uint16_t sp, uint16_t dp, uint32_t seq, uint32_t ack, uint8_t flags,
                       std::string_view payload = {}) {
  return ethernet(ipv4(src, dst, 6, tcp(src, dst, sp, dp, seq, ack, flags, bytes(payload))));
}

// Writes a classic pcap file (microsecond timestamps).
class PcapWriter {
 public:
  PcapWriter(const std::string& path, uint32_t linktype = 1) : f_(std::fopen(path.c_str(), "wb")) {
    uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 262144, linktype};
    std::fwrite(hdr, 1, sizeof hdr, f_);
  }
  ~PcapWriter() { close(); }
  void add(const Bytes& frame, uint64_t ts_usec) {
    uint32_t rec[4] = {static_cast<uint32_t>(ts_usec / 1000000), static_cast<uint32_t>(ts_usec % 1000000),
                       static_cast<uint32_t>(frame.size()), static_cast<uint32_t>(frame.size())};
    std::fwrite(rec, 1, sizeof rec, f_);
    std::fwrite(frame.data(), 1, frame.size(), f_);
  }
  void close() {
    if (f_) std::fclose(f_);
    f_ = nullptr;
  }

 private:
  std::FILE* f_;
};

}  // namespace canh::sensor::testing
