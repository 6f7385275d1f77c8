#include "sensor/decode.h"

#include <algorithm>
#include <cstring>

#include "sensor/checksum.h"

namespace canh::sensor {

namespace {

inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}

constexpr uint16_t kEtherIpv4 = 0x0800, kEtherIpv6 = 0x86dd, kEtherArp = 0x0806, kEtherVlan = 0x8100,
                   kEtherQinq = 0x88a8, kEtherQinq9100 = 0x9100, kEtherPppoeDisc = 0x8863,
                   kEtherPppoeSess = 0x8864, kEtherMpls = 0x8847, kEtherMplsMc = 0x8848, kEtherNsh = 0x894f,
                   kEtherTeb = 0x6558, kEtherErspan2 = 0x88be, kEtherErspan3 = 0x22eb, kEtherPpp = 0x880b;

}  // namespace

const char* link_type_name(int linktype) {
  switch (linktype) {
    case kLinkNull: return "NULL";
    case kLinkEthernet: return "EN10MB";
    case kLinkPpp: return "PPP";
    case kLinkRaw12:
    case kLinkRaw14:
    case kLinkRaw: return "RAW";
    case kLinkChdlc: return "C_HDLC";
    case kLinkLoop: return "LOOP";
    case kLinkSll: return "LINUX_SLL";
    case kLinkIpv4: return "IPv4";
    case kLinkIpv6: return "IPv6";
    case kLinkSll2: return "LINUX_SLL2";
  }
  return "UNKNOWN";
}

const char* packet_source_name(PacketOrigin s) {
  switch (s) {
    case PacketOrigin::kWire: return "wire/pcap";
    case PacketOrigin::kTunnel: return "tunnel (wire)";
    case PacketOrigin::kDefrag: return "defrag";
    case PacketOrigin::kStreamEnd: return "stream (flow timeout)";
  }
  return "wire/pcap";
}

std::string_view decode_proto_name(DecodeProto p) {
  static constexpr std::string_view kNames[] = {
#define CANH_X(id, name) name,
      CANH_DECODE_PROTOS(CANH_X)
#undef CANH_X
  };
  size_t i = static_cast<size_t>(p);
  return i < kDecodeProtoCount ? kNames[i] : "unknown";
}

std::string_view decode_event_name(DecodeEvent e) {
  static constexpr std::string_view kNames[] = {
#define CANH_X(id, name) name,
      CANH_DECODE_EVENTS(CANH_X)
#undef CANH_X
  };
  size_t i = static_cast<size_t>(e);
  return i < kDecodeEventCount ? kNames[i] : "unknown";
}

uint64_t DecodeCounters::events_total() const {
  uint64_t n = 0;
  for (uint64_t v : event) n += v;
  return n;
}

void DecodeCounters::add(const DecodeCounters& o) {
  pkts += o.pkts;
  bytes += o.bytes;
  for (size_t i = 0; i < proto.size(); ++i) proto[i] += o.proto[i];
  for (size_t i = 0; i < event.size(); ++i) event[i] += o.event[i];
}

// Per-call decoding context: the output array and how many layers we went through (bounded, so a
// crafted packet of nested tunnels cannot recurse without end).
struct Decoder::Ctx {
  std::array<Packet, kMaxDecodedPackets>* out;
  size_t n;
  int layers = 0;
};

Decoder::Decoder(DecoderConfig config) : config_(std::move(config)) {}

bool Decoder::port_in(const std::vector<uint16_t>& ports, uint16_t port) const {
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

size_t Decoder::decode(std::span<const uint8_t> frame, uint32_t wire_len, int linktype, uint64_t ts_usec,
                       uint64_t pcap_cnt, std::array<Packet, kMaxDecodedPackets>& out) {
  Ctx c{&out, 1};
  Packet& p = out[0];
  p.reset();
  p.frame = frame.data();
  p.frame_len = static_cast<uint32_t>(frame.size());
  p.wire_len = wire_len;
  p.pcap_cnt = pcap_cnt;
  p.linktype = linktype;
  p.f.ts_usec = ts_usec;
  ++counters_.pkts;
  counters_.bytes += wire_len;
  if (!link(c, p, frame, linktype) && !p.has_ip) ++counters_.proto[static_cast<size_t>(DecodeProto::k_invalid)];
  return c.n;
}

size_t Decoder::decode_datagram(std::span<const uint8_t> datagram, int ip_version, size_t parent,
                                std::array<Packet, kMaxDecodedPackets>& out, size_t n) {
  if (n >= out.size()) {
    event(DecodeEvent::k_too_many_layers);
    return n;
  }
  Ctx c{&out, n + 1};
  Packet& par = out[parent];
  Packet& p = out[n];
  p.reset();
  p.frame = par.frame;
  p.frame_len = par.frame_len;
  p.wire_len = static_cast<uint32_t>(datagram.size());
  p.pcap_cnt = par.pcap_cnt;
  p.linktype = par.linktype;
  p.f.ts_usec = par.f.ts_usec;
  p.source = PacketOrigin::kDefrag;
  p.parent = static_cast<int8_t>(parent);
  p.depth = par.depth;
  p.has_ether = par.has_ether;
  p.src_mac = par.src_mac;
  p.dst_mac = par.dst_mac;
  p.vlan_count = par.vlan_count;
  p.vlan = par.vlan;
  p.in_tunnel = par.in_tunnel;
  if (ip_version == 4) ipv4(c, p, datagram);
  else ipv6(c, p, datagram);
  return c.n;
}

bool Decoder::link(Ctx& c, Packet& p, std::span<const uint8_t> d, int linktype) {
  switch (linktype) {
    case kLinkEthernet:
      return ethernet(c, p, d);
    case kLinkSll:
      count(DecodeProto::k_sll);
      if (d.size() < 16) {
        event(DecodeEvent::k_sll_trunc);
        return false;
      }
      // SLL keeps the sender's link address (up to 8 bytes) at 6..13; EVE shows no MACs for it.
      return ethertype(c, p, be16(d.data() + 14), d.subspan(16));
    case kLinkSll2:
      count(DecodeProto::k_sll2);
      if (d.size() < 20) {
        event(DecodeEvent::k_sll2_trunc);
        return false;
      }
      return ethertype(c, p, be16(d.data()), d.subspan(20));
    case kLinkRaw:
    case kLinkRaw12:
    case kLinkRaw14:
    case kLinkIpv4:
    case kLinkIpv6: {
      count(DecodeProto::k_raw);
      if (d.empty()) {
        event(DecodeEvent::k_ipv4_trunc);
        return false;
      }
      int v = d[0] >> 4;
      if (v == 4) return ipv4(c, p, d);
      if (v == 6) return ipv6(c, p, d);
      event(DecodeEvent::k_ipraw_invalid_version);
      return false;
    }
    case kLinkNull:
    case kLinkLoop: {
      count(DecodeProto::k_null);
      if (d.size() < 4) {
        event(DecodeEvent::k_null_trunc);
        return false;
      }
      // The address family is in the capturing host's byte order for DLT_NULL: accept both.
      uint32_t le = static_cast<uint32_t>(d[0]) | d[1] << 8 | d[2] << 16 | static_cast<uint32_t>(d[3]) << 24;
      uint32_t af = linktype == kLinkLoop ? be32(d.data()) : (le < 0x10000 ? le : be32(d.data()));
      auto rest = d.subspan(4);
      if (af == 2) return ipv4(c, p, rest);
      if (af == 10 || af == 24 || af == 28 || af == 30) return ipv6(c, p, rest);
      event(DecodeEvent::k_null_unsupported);
      return false;
    }
    case kLinkChdlc:
      count(DecodeProto::k_chdlc);
      if (d.size() < 4) {
        event(DecodeEvent::k_chdlc_trunc);
        return false;
      }
      return ethertype(c, p, be16(d.data() + 2), d.subspan(4));
    case kLinkPpp:
      return ppp(c, p, d);
  }
  event(DecodeEvent::k_link_unsupported);
  return false;
}

bool Decoder::ethernet(Ctx& c, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_ethernet);
  if (d.size() < 14) {
    event(DecodeEvent::k_eth_trunc);
    return false;
  }
  if (!p.has_ether) {
    p.has_ether = true;
    std::memcpy(p.dst_mac.data(), d.data(), 6);
    std::memcpy(p.src_mac.data(), d.data() + 6, 6);
  }
  return ethertype(c, p, be16(d.data() + 12), d.subspan(14));
}

bool Decoder::ethertype(Ctx& c, Packet& p, uint16_t type, std::span<const uint8_t> d) {
  if (++c.layers > config_.max_layers) {
    event(DecodeEvent::k_too_many_layers);
    return false;
  }
  switch (type) {
    case kEtherIpv4:
      return ipv4(c, p, d);
    case kEtherIpv6:
      return ipv6(c, p, d);
    case kEtherVlan:
    case kEtherQinq:
    case kEtherQinq9100: {
      count(p.vlan_count == 0 ? DecodeProto::k_vlan : DecodeProto::k_vlan_qinq);
      if (d.size() < 4) {
        event(DecodeEvent::k_vlan_trunc);
        return false;
      }
      if (p.vlan_count >= kMaxVlan) {
        event(DecodeEvent::k_vlan_too_many);
        return false;
      }
      p.vlan[p.vlan_count++] = be16(d.data()) & 0x0fff;
      return ethertype(c, p, be16(d.data() + 2), d.subspan(4));
    }
    case kEtherPppoeSess: {
      count(DecodeProto::k_pppoe);
      if (d.size() < 8) {
        event(DecodeEvent::k_pppoe_trunc);
        return false;
      }
      if (d[1] != 0) {  // session data carries code 0
        event(DecodeEvent::k_pppoe_wrong_code);
        return false;
      }
      uint16_t len = be16(d.data() + 4);
      auto payload = d.subspan(6, std::min<size_t>(len, d.size() - 6));
      return ppp(c, p, payload);
    }
    case kEtherPppoeDisc:
      count(DecodeProto::k_pppoe);
      return false;
    case kEtherMpls:
    case kEtherMplsMc:
      return mpls(c, p, d);
    case kEtherNsh:
      return nsh(c, p, d);
    case kEtherArp:
      count(DecodeProto::k_arp);
      return false;
    case kEtherTeb:
      return ethernet(c, p, d);
    default:
      count(DecodeProto::k_unknown_ethertype);
      return false;
  }
}

bool Decoder::ppp(Ctx& c, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_ppp);
  // Address/control (0xff 0x03) are optional (RFC 1661 ACFC); the protocol field is 1 or 2 bytes.
  if (d.size() >= 2 && d[0] == 0xff && d[1] == 0x03) d = d.subspan(2);
  if (d.empty()) {
    event(DecodeEvent::k_ppp_trunc);
    return false;
  }
  uint16_t proto;
  if (d[0] & 1) {
    proto = d[0];
    d = d.subspan(1);
  } else {
    if (d.size() < 2) {
      event(DecodeEvent::k_ppp_trunc);
      return false;
    }
    proto = be16(d.data());
    d = d.subspan(2);
  }
  if (proto == 0x0021) return ipv4(c, p, d);
  if (proto == 0x0057) return ipv6(c, p, d);
  event(DecodeEvent::k_ppp_unsupported);
  return false;
}

bool Decoder::mpls(Ctx& c, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_mpls);
  uint32_t label = 0;
  for (;;) {
    if (d.size() < 4) {
      event(DecodeEvent::k_mpls_trunc);
      return false;
    }
    uint32_t shim = be32(d.data());
    label = shim >> 12;
    d = d.subspan(4);
    if (shim & 0x100) break;  // bottom of stack
    if (++c.layers > config_.max_layers) {
      event(DecodeEvent::k_too_many_layers);
      return false;
    }
  }
  // Reserved labels say what follows (RFC 3032); otherwise guess from the first nibble like Suricata:
  // 4/6 is IP, 0 is a pseudowire control word followed by Ethernet.
  if (label == 0) return ipv4(c, p, d);
  if (label == 2) return ipv6(c, p, d);
  if (d.empty()) {
    event(DecodeEvent::k_mpls_trunc);
    return false;
  }
  switch (d[0] >> 4) {
    case 4: return ipv4(c, p, d);
    case 6: return ipv6(c, p, d);
    case 0:
      if (d.size() < 4) {
        event(DecodeEvent::k_mpls_trunc);
        return false;
      }
      return ethernet(c, p, d.subspan(4));
  }
  event(DecodeEvent::k_mpls_unknown);
  return false;
}

bool Decoder::nsh(Ctx& c, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_nsh);
  // RFC 8300: 4-byte base header (version, O, TTL, length in 4-byte words, MD type, next protocol),
  // 4-byte service path header, then metadata.
  if (d.size() < 8) {
    event(DecodeEvent::k_nsh_trunc);
    return false;
  }
  if ((d[0] >> 6) != 0) {
    event(DecodeEvent::k_nsh_unsupported);
    return false;
  }
  size_t len = static_cast<size_t>(d[1] & 0x3f) * 4;  // low 6 bits of the second byte, in 4-byte words
  uint8_t md_type = d[2] & 0x0f;
  uint8_t next = d[3];
  if (len < 8 || len > d.size() || (md_type == 1 && len != 24)) {
    event(DecodeEvent::k_nsh_bad_length);
    return false;
  }
  if (md_type != 1 && md_type != 2) {
    event(DecodeEvent::k_nsh_unsupported);
    return false;
  }
  auto rest = d.subspan(len);
  switch (next) {
    case 1: return ipv4(c, p, rest);
    case 2: return ipv6(c, p, rest);
    case 3: return ethernet(c, p, rest);
    case 5: return mpls(c, p, rest);
  }
  event(DecodeEvent::k_nsh_unsupported);
  return false;
}

bool Decoder::ipv4(Ctx& c, Packet& p, std::span<const uint8_t> d) {
  if (p.has_ip) {  // an IP header already decoded in this packet: this is a tunnel payload
    tunnel(c, p, Inner::kIpv4, d);
    return true;
  }
  count(DecodeProto::k_ipv4);
  if (d.size() < 20) {
    event(DecodeEvent::k_ipv4_trunc);
    return false;
  }
  if ((d[0] >> 4) != 4) {
    event(DecodeEvent::k_ipv4_wrong_version);
    return false;
  }
  size_t hlen = static_cast<size_t>(d[0] & 0x0f) * 4;
  if (hlen < 20) {
    event(DecodeEvent::k_ipv4_hlen_small);
    return false;
  }
  size_t total = be16(d.data() + 2);
  if (total < hlen) {
    event(DecodeEvent::k_ipv4_iplen_small);
    return false;
  }
  if (total > d.size() || hlen > d.size()) {
    event(DecodeEvent::k_ipv4_trunc_pkt);
    return false;
  }
  d = d.first(total);  // drop Ethernet padding
  rules::PacketFields& f = p.f;
  p.has_ip = true;
  p.ip_packet = d;
  f.ip_version = 4;
  f.tos = d[1];
  f.ip_id = be16(d.data() + 4);
  uint16_t frag = be16(d.data() + 6);
  f.frag_flags = frag & 0xe000;
  f.ttl = d[8];
  f.ip_proto = d[9];
  f.src = rules::Address{4, {}};
  f.dst = rules::Address{4, {}};
  std::memcpy(f.src.bytes.data(), d.data() + 12, 4);
  std::memcpy(f.dst.bytes.data(), d.data() + 16, 4);
  f.l3_header = d.first(hlen);

  // Options: type-length-value except EOL (0) and NOP (1). A bad length stops parsing (Suricata
  // raises ipv4.opt_invalid / opt_malformed and keeps the packet).
  for (size_t i = 20; i < hlen;) {
    uint8_t type = d[i];
    f.ipopts |= 1u << (type & 0x1f);
    if (type == 0) break;
    if (type == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= hlen) {
      event(DecodeEvent::k_ipv4_opt_malformed);
      break;
    }
    uint8_t olen = d[i + 1];
    if (olen < 2 || i + olen > hlen) {
      event(DecodeEvent::k_ipv4_opt_invalid);
      break;
    }
    i += olen;
  }
  if (config_.checksum_validation && !ipv4_header_checksum_ok(d.first(hlen))) {
    event(DecodeEvent::k_ipv4_bad_checksum);
    p.checksum_bad = true;
  }

  uint32_t offset = static_cast<uint32_t>(frag & 0x1fff) * 8;
  bool more = frag & 0x2000;
  auto payload = d.subspan(hlen);
  if (offset != 0 || more) {
    count(DecodeProto::k_fragments);
    if (offset + payload.size() > 65535) event(DecodeEvent::k_ipv4_frag_too_large);
    p.ip_fragment = true;
    p.ip_more_fragments = more;
    p.frag_offset = offset;
    p.frag_id = f.ip_id;
    p.frag_payload = payload;
    p.frag_next_proto = f.ip_proto;
    f.payload = payload;
    return true;
  }
  l4(c, p, f.ip_proto, payload);
  return true;
}

bool Decoder::ipv6(Ctx& c, Packet& p, std::span<const uint8_t> d) {
  if (p.has_ip) {
    tunnel(c, p, Inner::kIpv6, d);
    return true;
  }
  count(DecodeProto::k_ipv6);
  if (d.size() < 40) {
    event(DecodeEvent::k_ipv6_trunc);
    return false;
  }
  if ((d[0] >> 4) != 6) {
    event(DecodeEvent::k_ipv6_wrong_version);
    return false;
  }
  size_t plen = be16(d.data() + 4);
  if (40 + plen > d.size()) {
    event(DecodeEvent::k_ipv6_trunc_pkt);
    return false;
  }
  d = d.first(40 + plen);
  rules::PacketFields& f = p.f;
  p.has_ip = true;
  p.ip_packet = d;
  f.ip_version = 6;
  f.tos = static_cast<uint8_t>((be16(d.data()) >> 4) & 0xff);
  f.ttl = d[7];
  f.src = rules::Address{6, {}};
  f.dst = rules::Address{6, {}};
  std::memcpy(f.src.bytes.data(), d.data() + 8, 16);
  std::memcpy(f.dst.bytes.data(), d.data() + 24, 16);
  f.l3_header = d.first(40);

  uint8_t next = d[6];
  size_t off = 40;
  bool seen_frag = false, seen_hop = false;
  for (int guard = 0; guard < 32; ++guard) {
    switch (next) {
      case 0:    // hop-by-hop options
      case 43:   // routing
      case 60:   // destination options
      case 135:  // mobility
      case 139:  // HIP
      case 140:  // shim6
      case 51: {  // AH: length in 4-byte words minus 2
        if (off + 2 > d.size()) {
          event(DecodeEvent::k_ipv6_exthdr_trunc);
          f.ip_proto = next;
          return true;
        }
        if (next == 0) {
          if (off != 40) event(DecodeEvent::k_ipv6_hopopts_not_first);
          if (seen_hop) event(DecodeEvent::k_ipv6_exthdr_dupl_hh);
          seen_hop = true;
        }
        size_t len = next == 51 ? (static_cast<size_t>(d[off + 1]) + 2) * 4 : (static_cast<size_t>(d[off + 1]) + 1) * 8;
        if (off + len > d.size()) {
          event(DecodeEvent::k_ipv6_exthdr_trunc);
          f.ip_proto = next;
          return true;
        }
        next = d[off];
        off += len;
        continue;
      }
      case 44: {  // fragment
        if (off + 8 > d.size()) {
          event(DecodeEvent::k_ipv6_exthdr_trunc);
          f.ip_proto = next;
          return true;
        }
        if (seen_frag) event(DecodeEvent::k_ipv6_exthdr_dupl_fh);
        seen_frag = true;
        uint16_t fo = be16(d.data() + off + 2);
        uint32_t offset = static_cast<uint32_t>(fo >> 3) * 8;
        bool more = fo & 1;
        uint8_t after = d[off];
        if (offset == 0 && !more) {  // an atomic fragment: treat as unfragmented (RFC 6946)
          next = after;
          off += 8;
          continue;
        }
        count(DecodeProto::k_fragments);
        auto payload = d.subspan(off + 8);
        if (more && payload.size() % 8 != 0) event(DecodeEvent::k_ipv6_frag_invalid_length);
        if (offset + payload.size() > 65535) event(DecodeEvent::k_ipv6_frag_too_large);
        p.ip_fragment = true;
        p.ip_more_fragments = more;
        p.frag_offset = offset;
        p.frag_id = be32(d.data() + off + 4);
        p.frag_next_proto = after;
        p.frag_payload = payload;
        p.ipv6_unfrag = d.first(off);
        f.ip_proto = after;
        f.payload = payload;
        return true;
      }
      case 59:  // no next header
        f.ip_proto = 59;
        return true;
      default:
        f.ip_proto = next;
        l4(c, p, next, d.subspan(off));
        return true;
    }
  }
  event(DecodeEvent::k_too_many_layers);
  return true;
}

void Decoder::l4(Ctx& c, Packet& p, uint8_t proto, std::span<const uint8_t> d) {
  switch (proto) {
    case 6: tcp(c, p, d); return;
    case 17: udp(c, p, d); return;
    case 1: icmpv4(c, p, d); return;
    case 58: icmpv6(c, p, d); return;
    case 47: gre(c, p, d); return;
    case 4:
      count(p.f.ip_version == 4 ? DecodeProto::k_ipv4_in_ipv4 : DecodeProto::k_ipv4_in_ipv6);
      tunnel(c, p, Inner::kIpv4, d);
      return;
    case 41:
      count(p.f.ip_version == 4 ? DecodeProto::k_ipv6_in_ipv4 : DecodeProto::k_ipv6_in_ipv6);
      tunnel(c, p, Inner::kIpv6, d);
      return;
    default:
      p.f.payload = d;
      return;
  }
}

void Decoder::tcp(Ctx&, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_tcp);
  if (d.size() < 20) {
    event(DecodeEvent::k_tcp_trunc);
    return;
  }
  size_t hlen = static_cast<size_t>(d[12] >> 4) * 4;
  if (hlen < 20) {
    event(DecodeEvent::k_tcp_hlen_small);
    return;
  }
  if (hlen > d.size()) {
    event(DecodeEvent::k_tcp_invalid_optlen);
    return;
  }
  rules::PacketFields& f = p.f;
  f.sport = be16(d.data());
  f.dport = be16(d.data() + 2);
  f.tcp_seq = be32(d.data() + 4);
  f.tcp_ack = be32(d.data() + 8);
  f.tcp_flags = d[13];
  f.tcp_flags_hi = d[12] & 0x0f;
  f.tcp_window = be16(d.data() + 14);
  f.l4_header = d.first(hlen);
  f.payload = d.subspan(hlen);
  p.tcp_hdr_len = static_cast<uint8_t>(hlen);
  p.has_l4 = true;
  // Options (RFC 9293 3.2): EOL ends the list, NOP is one byte, the rest are kind-length-value.
  bool seen_mss = false, seen_ws = false, seen_sack = false, seen_ts = false;
  for (size_t i = 20; i < hlen;) {
    uint8_t kind = d[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= hlen) {
      event(DecodeEvent::k_tcp_opt_invalid_len);
      break;
    }
    uint8_t olen = d[i + 1];
    if (olen < 2 || i + olen > hlen) {
      event(DecodeEvent::k_tcp_opt_invalid_len);
      break;
    }
    switch (kind) {
      case 2:
        if (olen != 4) event(DecodeEvent::k_tcp_opt_invalid_len);
        else if (seen_mss) event(DecodeEvent::k_tcp_opt_duplicate);
        else f.tcp_mss = be16(d.data() + i + 2);
        seen_mss = true;
        break;
      case 3:
        if (olen != 3) event(DecodeEvent::k_tcp_opt_invalid_len);
        else if (seen_ws) event(DecodeEvent::k_tcp_opt_duplicate);
        else {
          p.tcp_has_wscale = true;
          p.tcp_wscale = std::min<uint8_t>(d[i + 2], 14);
        }
        seen_ws = true;
        break;
      case 4:
        if (olen != 2) event(DecodeEvent::k_tcp_opt_invalid_len);
        else if (seen_sack) event(DecodeEvent::k_tcp_opt_duplicate);
        else p.tcp_has_sack_perm = true;
        seen_sack = true;
        break;
      case 8:
        if (olen != 10) event(DecodeEvent::k_tcp_opt_invalid_len);
        else if (seen_ts) event(DecodeEvent::k_tcp_opt_duplicate);
        else p.tcp_has_ts = true;
        seen_ts = true;
        break;
      default:
        break;
    }
    i += olen;
  }
  if (config_.checksum_validation &&
      !transport_checksum_ok(std::span(f.src.bytes.data(), f.ip_version == 4 ? 4 : 16),
                             std::span(f.dst.bytes.data(), f.ip_version == 4 ? 4 : 16), 6, d)) {
    event(DecodeEvent::k_tcp_bad_checksum);
    p.checksum_bad = true;
  }
}

void Decoder::udp(Ctx& c, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_udp);
  if (d.size() < 8) {
    event(DecodeEvent::k_udp_trunc);
    return;
  }
  size_t len = be16(d.data() + 4);
  if (len < 8) {
    event(DecodeEvent::k_udp_hlen_invalid);
    return;
  }
  if (len > d.size()) {
    event(DecodeEvent::k_udp_len_invalid);
    return;
  }
  d = d.first(len);
  rules::PacketFields& f = p.f;
  f.sport = be16(d.data());
  f.dport = be16(d.data() + 2);
  f.l4_header = d.first(8);
  f.payload = d.subspan(8);
  p.has_l4 = true;
  uint16_t sum = be16(d.data() + 6);
  // A zero UDP checksum over IPv4 means "not computed" (RFC 768).
  if (config_.checksum_validation && !(sum == 0 && f.ip_version == 4) &&
      !transport_checksum_ok(std::span(f.src.bytes.data(), f.ip_version == 4 ? 4 : 16),
                             std::span(f.dst.bytes.data(), f.ip_version == 4 ? 4 : 16), 17, d)) {
    event(DecodeEvent::k_udp_bad_checksum);
    p.checksum_bad = true;
  }
  auto payload = f.payload;
  if (config_.vxlan_enabled && port_in(config_.vxlan_ports, f.dport)) {
    // RFC 7348: 8-byte header, the I flag (0x08) set; an inner Ethernet frame follows.
    if (payload.size() >= 8 + 14 && (payload[0] & 0x08)) {
      count(DecodeProto::k_vxlan);
      tunnel(c, p, Inner::kEthernet, payload.subspan(8));
    } else if (payload.size() < 8 + 14) {
      event(DecodeEvent::k_vxlan_trunc);
    }
    return;
  }
  if (config_.geneve_enabled && port_in(config_.geneve_ports, f.dport)) {
    // RFC 8926: 8 bytes + options (length in 4-byte words); protocol type says what follows.
    if (payload.size() >= 8 && (payload[0] >> 6) == 0) {
      size_t hl = 8 + static_cast<size_t>(payload[0] & 0x3f) * 4;
      uint16_t pt = be16(payload.data() + 2);
      if (payload.size() >= hl) {
        count(DecodeProto::k_geneve);
        if (pt == kEtherTeb) tunnel(c, p, Inner::kEthernet, payload.subspan(hl));
        else if (pt == kEtherIpv4) tunnel(c, p, Inner::kIpv4, payload.subspan(hl));
        else if (pt == kEtherIpv6) tunnel(c, p, Inner::kIpv6, payload.subspan(hl));
        return;
      }
    }
    event(DecodeEvent::k_geneve_trunc);
    return;
  }
  if (config_.teredo_enabled && (port_in(config_.teredo_ports, f.dport) || port_in(config_.teredo_ports, f.sport))) {
    // Teredo (RFC 4380): optional authentication (type 0x0001) and origin indication (0x0000)
    // headers, then a bare IPv6 packet. Only decode when what follows really looks like IPv6 with a
    // payload length that fits, as Suricata does, so random UDP on port 3544 is left alone.
    auto t = payload;
    if (t.size() >= 4 && t[0] == 0 && t[1] == 1) {
      size_t id_len = t[2], au_len = t[3];
      size_t skip = 4 + id_len + au_len + 8 + 1;
      if (t.size() < skip) return;
      t = t.subspan(skip);
    }
    if (t.size() >= 8 && t[0] == 0 && t[1] == 0) t = t.subspan(8);
    if (t.size() >= 40 && (t[0] >> 4) == 6 && 40u + be16(t.data() + 4) == t.size()) {
      count(DecodeProto::k_teredo);
      tunnel(c, p, Inner::kIpv6, t);
    }
    return;
  }
}

void Decoder::icmpv4(Ctx&, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_icmpv4);
  if (d.size() < 4) {
    event(DecodeEvent::k_icmpv4_trunc);
    return;
  }
  rules::PacketFields& f = p.f;
  f.has_icmp = true;
  f.icmp_type = d[0];
  f.icmp_code = d[1];
  size_t hl = 4;
  // Messages with an identifier/sequence pair: echo, timestamp, information, address mask.
  switch (f.icmp_type) {
    case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18:
      if (d.size() >= 8) {
        f.icmp_has_id = true;
        f.icmp_id = be16(d.data() + 4);
        f.icmp_seq = be16(d.data() + 6);
      }
      break;
  }
  if (d.size() >= 8) hl = 8;
  f.l4_header = d.first(hl);
  f.payload = d.subspan(hl);
  p.has_l4 = true;
  if (config_.checksum_validation && checksum_fold(checksum_add(d)) != 0xffff) {
    event(DecodeEvent::k_icmpv4_bad_checksum);
    p.checksum_bad = true;
  }
}

void Decoder::icmpv6(Ctx&, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_icmpv6);
  if (d.size() < 4) {
    event(DecodeEvent::k_icmpv6_trunc);
    return;
  }
  rules::PacketFields& f = p.f;
  f.has_icmp = true;
  f.icmp_type = d[0];
  f.icmp_code = d[1];
  if ((f.icmp_type == 128 || f.icmp_type == 129) && d.size() >= 8) {
    f.icmp_has_id = true;
    f.icmp_id = be16(d.data() + 4);
    f.icmp_seq = be16(d.data() + 6);
  }
  size_t hl = d.size() >= 8 ? 8 : 4;
  f.l4_header = d.first(hl);
  f.payload = d.subspan(hl);
  p.has_l4 = true;
  if (config_.checksum_validation &&
      !transport_checksum_ok(std::span(f.src.bytes.data(), 16), std::span(f.dst.bytes.data(), 16), 58, d)) {
    event(DecodeEvent::k_icmpv6_bad_checksum);
    p.checksum_bad = true;
  }
}

void Decoder::gre(Ctx& c, Packet& p, std::span<const uint8_t> d) {
  count(DecodeProto::k_gre);
  p.f.payload = d;
  if (d.size() < 4) {
    event(DecodeEvent::k_gre_trunc);
    return;
  }
  uint16_t flags = be16(d.data());
  uint16_t proto = be16(d.data() + 2);
  int version = flags & 0x7;
  size_t hl = 4;
  if (version == 0) {
    if (flags & 0x0f80) {  // recursion control / reserved bits must be zero (RFC 2784)
      event(DecodeEvent::k_gre_v0_recur);
      return;
    }
    if (flags & 0xc000) hl += 4;  // checksum or routing present: checksum + offset word
    if (flags & 0x2000) hl += 4;  // key
    if (flags & 0x1000) hl += 4;  // sequence
    if (flags & 0x4000) {          // source routing entries (RFC 1701) until a NULL entry
      for (;;) {
        if (d.size() < hl + 4) {
          event(DecodeEvent::k_gre_trunc);
          return;
        }
        uint8_t sre_len = d[hl + 3];
        uint16_t af = be16(d.data() + hl);
        hl += 4 + sre_len;
        if (af == 0 && sre_len == 0) break;
      }
    }
  } else if (version == 1) {
    // PPTP's enhanced GRE (RFC 2637): key present, carries PPP.
    if (!(flags & 0x2000) || proto != kEtherPpp) {
      event(DecodeEvent::k_gre_v1_malformed);
      return;
    }
    hl = 8;
    if (flags & 0x1000) hl += 4;
    if (flags & 0x0080) hl += 4;  // acknowledgment number
  } else {
    event(DecodeEvent::k_gre_wrong_version);
    return;
  }
  if (d.size() < hl) {
    event(DecodeEvent::k_gre_trunc);
    return;
  }
  auto rest = d.subspan(hl);
  switch (proto) {
    case kEtherIpv4: tunnel(c, p, Inner::kIpv4, rest); return;
    case kEtherIpv6: tunnel(c, p, Inner::kIpv6, rest); return;
    case kEtherTeb: tunnel(c, p, Inner::kEthernet, rest); return;
    case kEtherPpp: tunnel(c, p, Inner::kPpp, rest); return;
    case kEtherErspan2:
      if (!config_.erspan_enabled) return;
      count(DecodeProto::k_erspan);
      if (!(flags & 0x1000)) {  // type I: no sequence number, no ERSPAN header
        tunnel(c, p, Inner::kEthernet, rest);
        return;
      }
      if (rest.size() < 8) {
        event(DecodeEvent::k_erspan_trunc);
        return;
      }
      if ((rest[0] >> 4) != 1) {
        event(DecodeEvent::k_erspan_unsupported);
        return;
      }
      tunnel(c, p, Inner::kEthernet, rest.subspan(8), be16(rest.data()) & 0x0fff);
      return;
    case kEtherErspan3: {
      if (!config_.erspan_enabled) return;
      count(DecodeProto::k_erspan);
      if (rest.size() < 12) {
        event(DecodeEvent::k_erspan_trunc);
        return;
      }
      if ((rest[0] >> 4) != 2) {
        event(DecodeEvent::k_erspan_unsupported);
        return;
      }
      size_t ehl = 12 + ((rest[11] & 0x01) ? 8 : 0);  // O flag: platform-specific subheader
      if (rest.size() < ehl) {
        event(DecodeEvent::k_erspan_trunc);
        return;
      }
      tunnel(c, p, Inner::kEthernet, rest.subspan(ehl), be16(rest.data()) & 0x0fff);
      return;
    }
    case kEtherMpls:
    case kEtherMplsMc: {
      if (c.n >= c.out->size()) {
        event(DecodeEvent::k_too_many_layers);
        return;
      }
      tunnel(c, p, Inner::kIpAny, rest);  // mpls over GRE: handled as an IP guess below
      return;
    }
    default:
      return;
  }
}

void Decoder::tunnel(Ctx& c, Packet& parent, Inner kind, std::span<const uint8_t> d, uint16_t erspan_vlan) {
  if (c.n >= c.out->size() || ++c.layers > config_.max_layers) {
    event(DecodeEvent::k_too_many_layers);
    return;
  }
  size_t parent_index = static_cast<size_t>(&parent - c.out->data());
  Packet& p = (*c.out)[c.n++];
  p.reset();
  p.frame = parent.frame;
  p.frame_len = parent.frame_len;
  p.wire_len = static_cast<uint32_t>(d.size());
  p.pcap_cnt = parent.pcap_cnt;
  p.linktype = parent.linktype;
  p.f.ts_usec = parent.f.ts_usec;
  p.source = PacketOrigin::kTunnel;
  p.parent = static_cast<int8_t>(parent_index);
  p.depth = static_cast<uint8_t>(parent.depth + 1);
  p.in_tunnel = true;
  // VLAN ids carry over (Suricata keeps the outer tags on tunnel packets); an ERSPAN session's VLAN
  // comes first when the outer frame had none.
  p.vlan_count = parent.vlan_count;
  p.vlan = parent.vlan;
  if (erspan_vlan != 0 && p.vlan_count < kMaxVlan) p.vlan[p.vlan_count++] = erspan_vlan;
  switch (kind) {
    case Inner::kEthernet: ethernet(c, p, d); break;
    case Inner::kIpv4: ipv4(c, p, d); break;
    case Inner::kIpv6: ipv6(c, p, d); break;
    case Inner::kPpp: ppp(c, p, d); break;
    case Inner::kIpAny: mpls(c, p, d); break;
  }
  if (!p.has_ip) --c.n;  // nothing decodable inside: no pseudo packet
}

}  // namespace canh::sensor
