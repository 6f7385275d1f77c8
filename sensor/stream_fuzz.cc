// Fuzzes IP defragmentation and TCP reassembly with packet sequences that make sense to them. Random
// frames (decode_fuzz.cc) rarely form a session whose sequence numbers line up, so here the input is
// a list of operations on a few flows and the target builds well-formed packets from them: segments
// placed relative to what each side expects next (in order, overlapping, ahead, behind, wrapped),
// handshakes, FIN/RST, IPv4 and IPv6 fragments with chosen ids, offsets and overlaps, UDP datagrams,
// and clock jumps that expire flows and fragment trackers. Packets go through a whole Worker — decode,
// defrag, flow table, stream engine, app layer, a real rule engine, EVE writing — and every event it
// writes must be one valid JSON object (fuzz_support.h).
//
// Operation encoding (all multi-byte numbers big-endian):
//   op = kind byte: bits 0-2 what, bits 3-4 flow (client port 40000 + n), bits 5-7 server port index
//   0/1  TCP segment client->server / server->client: flags u8, seq delta i16 from the sender's next
//        expected sequence number, length u8, payload
//   2    three-way handshake on the flow (ISNs from the flow number)
//   3    IPv4 fragment: id u8, offset u8 (8-byte units), bits u8 (0: MF, 1: TCP else UDP, 2: to
//        client), length u8, payload (the first fragment's payload starts with the L4 header)
//   4    IPv6 fragment: same fields, in a Fragment extension header
//   5    UDP datagram on the flow: length u8, payload
//   6    clock: seconds u8 (0 means a long jump: 10 minutes)
//   7    raw IPv4 packet: length u16, bytes as they are
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "sensor/app/app_layer.h"
#include "sensor/engine_detector.h"
#include "sensor/fuzz_support.h"
#include "sensor/worker.h"

namespace {

using namespace canh::sensor;

constexpr uint16_t kPorts[8] = {80, 443, 53, 22, 8080, 21, 445, 12345};

struct Reader {
  const uint8_t* p;
  size_t n;
  bool take(size_t k, const uint8_t** out) {
    if (n < k) return false;
    *out = p;
    p += k;
    n -= k;
    return true;
  }
  bool u8(uint8_t* v) {
    const uint8_t* b;
    if (!take(1, &b)) return false;
    *v = b[0];
    return true;
  }
  bool u16(uint16_t* v) {
    const uint8_t* b;
    if (!take(2, &b)) return false;
    *v = static_cast<uint16_t>(b[0] << 8 | b[1]);
    return true;
  }
  // Up to `want` bytes (fewer when the input ends).
  std::span<const uint8_t> bytes(size_t want) {
    size_t k = std::min(want, n);
    std::span<const uint8_t> s(p, k);
    p += k;
    n -= k;
    return s;
  }
};

void put16(std::vector<uint8_t>& v, size_t at, uint16_t x) {
  v[at] = static_cast<uint8_t>(x >> 8);
  v[at + 1] = static_cast<uint8_t>(x);
}
void put32(std::vector<uint8_t>& v, size_t at, uint32_t x) {
  for (int i = 0; i < 4; ++i) v[at + i] = static_cast<uint8_t>(x >> (24 - 8 * i));
}

struct Endpoint {
  std::array<uint8_t, 4> v4;
  std::array<uint8_t, 16> v6;
};
const Endpoint kClient{{10, 0, 0, 1}, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
const Endpoint kServer{{10, 0, 0, 2}, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}};

// An IPv4 header (no options) in front of `l4`; checksums are not validated in this target.
std::vector<uint8_t> ipv4(bool to_client, uint8_t proto, uint16_t id, uint16_t frag_field, std::span<const uint8_t> l4) {
  std::vector<uint8_t> v(20 + l4.size());
  v[0] = 0x45;
  put16(v, 2, static_cast<uint16_t>(v.size()));
  put16(v, 4, id);
  put16(v, 6, frag_field);
  v[8] = 64;
  v[9] = proto;
  const Endpoint& s = to_client ? kServer : kClient;
  const Endpoint& d = to_client ? kClient : kServer;
  std::memcpy(&v[12], s.v4.data(), 4);
  std::memcpy(&v[16], d.v4.data(), 4);
  if (!l4.empty()) std::memcpy(&v[20], l4.data(), l4.size());
  return v;
}

std::vector<uint8_t> ipv6_fragment(bool to_client, uint8_t proto, uint32_t id, uint16_t offset_units, bool more,
                                   std::span<const uint8_t> l4) {
  std::vector<uint8_t> v(40 + 8 + l4.size());
  v[0] = 0x60;
  put16(v, 4, static_cast<uint16_t>(8 + l4.size()));
  v[6] = 44;  // Fragment header
  v[7] = 64;
  const Endpoint& s = to_client ? kServer : kClient;
  const Endpoint& d = to_client ? kClient : kServer;
  std::memcpy(&v[8], s.v6.data(), 16);
  std::memcpy(&v[24], d.v6.data(), 16);
  v[40] = proto;
  put16(v, 42, static_cast<uint16_t>((offset_units & 0x1fff) << 3 | (more ? 1 : 0)));
  put32(v, 44, id);
  if (!l4.empty()) std::memcpy(&v[48], l4.data(), l4.size());
  return v;
}

std::vector<uint8_t> tcp(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                         std::span<const uint8_t> payload) {
  std::vector<uint8_t> v(20 + payload.size());
  put16(v, 0, sport);
  put16(v, 2, dport);
  put32(v, 4, seq);
  put32(v, 8, ack);
  v[12] = 5 << 4;
  v[13] = flags;
  put16(v, 14, 65535);
  if (!payload.empty()) std::memcpy(&v[20], payload.data(), payload.size());
  return v;
}

std::vector<uint8_t> udp(uint16_t sport, uint16_t dport, std::span<const uint8_t> payload) {
  std::vector<uint8_t> v(8 + payload.size());
  put16(v, 0, sport);
  put16(v, 2, dport);
  put16(v, 4, static_cast<uint16_t>(v.size()));
  if (!payload.empty()) std::memcpy(&v[8], payload.data(), payload.size());
  return v;
}

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kAck = 0x10;

struct Session {
  uint32_t next[2];  // next sequence number each side sends: [0] client, [1] server
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto engine = fuzz::build_engine();
  static EngineDetectorFactory detectors(engine);
  static const SensorConfig config = [] {
    SensorConfig c;
    c.stream.midstream = true;
    c.stream.chunk_size = 256;  // small chunks: raw stream inspection runs often
    c.stream.memcap = 8u << 20;
    c.stream.reassembly_depth = 64 * 1024;
    c.flow.memcap = 64 * sizeof(Flow);
    c.defrag.max_trackers = 8;
    c.defrag.memcap = 256 * 1024;
    c.defrag.timeout_usec = 30'000'000;
    c.checksum = ChecksumMode::kNone;
    return c;
  }();
  static const auto app_factory = app::make_app_layer_factory(app::AppConfig{});

  fuzz::NullSink sink;
  Worker w(0, 1, config, detectors.make(0), app_factory->make_worker(0), sink);
  Session sessions[4][8];
  for (int f = 0; f < 4; ++f)
    for (int p = 0; p < 8; ++p) sessions[f][p] = {{1000u * (f + 1), 0x80000000u + 77u * (p + 1)}};

  uint64_t ts = 1'700'000'000'000'000ull;
  uint64_t cnt = 0;
  auto send = [&](const std::vector<uint8_t>& pkt, int link) {
    ts += 1000;
    w.handle_frame(std::span<const uint8_t>(pkt.data(), pkt.size()), static_cast<uint32_t>(pkt.size()), link, ts, ++cnt);
  };

  Reader r{data, size};
  uint8_t op;
  while (r.u8(&op) && cnt < 4096) {
    const int what = op & 7, f = (op >> 3) & 3, pi = op >> 5;
    const uint16_t cport = static_cast<uint16_t>(40000 + f), sport = kPorts[pi];
    Session& s = sessions[f][pi];
    switch (what) {
      case 0:
      case 1: {
        const bool to_client = what == 1;
        uint8_t flags, len;
        uint16_t delta;
        if (!r.u8(&flags) || !r.u16(&delta) || !r.u8(&len)) return 0;
        auto payload = r.bytes(len);
        uint32_t& mine = s.next[to_client ? 1 : 0];
        const uint32_t theirs = s.next[to_client ? 0 : 1];
        const uint32_t seq = mine + static_cast<uint32_t>(static_cast<int16_t>(delta));
        auto seg = to_client ? tcp(sport, cport, seq, (flags & kAck) ? theirs : 0, flags, payload)
                             : tcp(cport, sport, seq, (flags & kAck) ? theirs : 0, flags, payload);
        send(ipv4(to_client, 6, 0, 0x4000, seg), kLinkIpv4);
        // Only in-order data moves the sender on, so later segments can be placed around it.
        if (static_cast<int16_t>(delta) == 0)
          mine += static_cast<uint32_t>(payload.size()) + ((flags & (kSyn | kFin)) ? 1 : 0);
        break;
      }
      case 2: {
        uint32_t& c = s.next[0];
        uint32_t& sv = s.next[1];
        send(ipv4(false, 6, 0, 0x4000, tcp(cport, sport, c, 0, kSyn, {})), kLinkIpv4);
        ++c;
        send(ipv4(true, 6, 0, 0x4000, tcp(sport, cport, sv, c, kSyn | kAck, {})), kLinkIpv4);
        ++sv;
        send(ipv4(false, 6, 0, 0x4000, tcp(cport, sport, c, sv, kAck, {})), kLinkIpv4);
        break;
      }
      case 3:
      case 4: {
        uint8_t id, off, bits, len;
        if (!r.u8(&id) || !r.u8(&off) || !r.u8(&bits) || !r.u8(&len)) return 0;
        auto payload = r.bytes(len);
        const bool more = bits & 1, is_tcp = bits & 2, to_client = bits & 4;
        const uint8_t proto = is_tcp ? 6 : 17;
        if (what == 3) {
          const uint16_t field = static_cast<uint16_t>((more ? 0x2000 : 0) | off);
          send(ipv4(to_client, proto, static_cast<uint16_t>(0x100 + id), field, payload), kLinkIpv4);
        } else {
          send(ipv6_fragment(to_client, proto, 0x10000u + id, off, more, payload), kLinkIpv6);
        }
        break;
      }
      case 5: {
        uint8_t len;
        if (!r.u8(&len)) return 0;
        auto payload = r.bytes(len);
        send(ipv4(false, 17, static_cast<uint16_t>(cnt), 0, udp(cport, sport, payload)), kLinkIpv4);
        break;
      }
      case 6: {
        uint8_t sec;
        if (!r.u8(&sec)) return 0;
        ts += sec == 0 ? 600'000'000ull : sec * 1'000'000ull;
        break;
      }
      case 7: {
        uint16_t len;
        if (!r.u16(&len)) return 0;
        auto raw = r.bytes(len);
        send(std::vector<uint8_t>(raw.begin(), raw.end()), kLinkIpv4);
        break;
      }
    }
  }
  w.finish();
  return 0;
}
