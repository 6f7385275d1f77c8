// Packet decoders: link layers (Ethernet, 802.1Q/QinQ, Linux SLL/SLL2, raw IP, null/loopback, Cisco
// HDLC, PPP), IPv4 (options, fragments), IPv6 (extension headers, fragments), TCP (options), UDP,
// ICMP, ICMPv6, and the encapsulations Suricata decodes: GRE (incl. PPTP's GREv1), ERSPAN type I/II/III,
// VXLAN, Geneve, Teredo, NSH, MPLS, PPPoE, IP-in-IP.
//
// Every input byte is hostile: each header is length-checked before it is read, every malformed packet
// is counted by reason (Suricata's decoder event names, so `stats.decoder.event.ipv4.trunc_pkt` reads
// the same) and decoding stops at the last layer that made sense. Nothing allocates.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sensor/packet.h"

namespace canh::sensor {

// Protocol counters ("stats.decoder.<name>") and decoder events ("stats.decoder.event.<name>").
#define CANH_DECODE_PROTOS(X) \
  X(ethernet, "ethernet") X(vlan, "vlan") X(vlan_qinq, "vlan_qinq") X(sll, "sll") X(sll2, "sll2")        \
  X(raw, "raw") X(null, "null") X(chdlc, "chdlc") X(ppp, "ppp") X(pppoe, "pppoe") X(mpls, "mpls")         \
  X(ipv4, "ipv4") X(ipv6, "ipv6") X(tcp, "tcp") X(udp, "udp") X(icmpv4, "icmpv4") X(icmpv6, "icmpv6")     \
  X(gre, "gre") X(erspan, "erspan") X(vxlan, "vxlan") X(geneve, "geneve") X(teredo, "teredo")           \
  X(nsh, "nsh") X(ipv4_in_ipv4, "ipv4_in_ipv4") X(ipv6_in_ipv4, "ipv6_in_ipv4")                          \
  X(ipv4_in_ipv6, "ipv4_in_ipv6") X(ipv6_in_ipv6, "ipv6_in_ipv6") X(arp, "arp") X(unknown_ethertype, "unknown_ethertype") \
  X(fragments, "fragments") X(invalid, "invalid")

#define CANH_DECODE_EVENTS(X)                                                                             \
  X(link_unsupported, "link.unsupported")                                                                \
  X(eth_trunc, "ethernet.pkt_too_small") X(vlan_trunc, "vlan.header_too_small")                           \
  X(vlan_too_many, "vlan.too_many_layers") X(sll_trunc, "sll.pkt_too_small")                              \
  X(sll2_trunc, "sll2.pkt_too_small") X(null_trunc, "null.pkt_too_small")                                \
  X(null_unsupported, "null.unsupported_type") X(chdlc_trunc, "chdlc.pkt_too_small")                     \
  X(ppp_trunc, "ppp.pkt_too_small") X(ppp_unsupported, "ppp.unsup_proto")                                \
  X(pppoe_trunc, "pppoe.pkt_too_small") X(pppoe_wrong_code, "pppoe.wrong_code")                         \
  X(mpls_trunc, "mpls.header_too_small") X(mpls_unknown, "mpls.unknown_payload_type")                    \
  X(ipraw_invalid_version, "ipraw.invalid_ip_version")                                                   \
  X(ipv4_trunc, "ipv4.pkt_too_small") X(ipv4_hlen_small, "ipv4.hlen_too_small")                          \
  X(ipv4_iplen_small, "ipv4.iplen_smaller_than_hlen") X(ipv4_trunc_pkt, "ipv4.trunc_pkt")                 \
  X(ipv4_wrong_version, "ipv4.wrong_ip_version") X(ipv4_opt_invalid, "ipv4.opt_invalid")                 \
  X(ipv4_opt_malformed, "ipv4.opt_malformed") X(ipv4_opt_duplicate, "ipv4.opt_duplicate")                \
  X(ipv4_frag_too_large, "ipv4.frag_pkt_too_large") X(ipv4_frag_overlap, "ipv4.frag_overlap")            \
  X(ipv4_bad_checksum, "ipv4.invalid_checksum")                                                          \
  X(ipv6_trunc, "ipv6.pkt_too_small") X(ipv6_trunc_pkt, "ipv6.trunc_pkt")                                \
  X(ipv6_wrong_version, "ipv6.wrong_ip_version") X(ipv6_exthdr_trunc, "ipv6.trunc_exthdr")              \
  X(ipv6_exthdr_dupl_fh, "ipv6.exthdr_dupl_fh") X(ipv6_exthdr_dupl_hh, "ipv6.exthdr_dupl_hh")           \
  X(ipv6_hopopts_not_first, "ipv6.hopopts_only_after_header") X(ipv6_frag_too_large, "ipv6.frag_pkt_too_large") \
  X(ipv6_frag_overlap, "ipv6.frag_overlap") X(ipv6_frag_invalid_length, "ipv6.frag_invalid_length")      \
  X(tcp_trunc, "tcp.pkt_too_small") X(tcp_hlen_small, "tcp.hlen_too_small")                              \
  X(tcp_invalid_optlen, "tcp.invalid_optlen") X(tcp_opt_invalid_len, "tcp.opt_invalid_len")              \
  X(tcp_opt_duplicate, "tcp.opt_duplicate") X(tcp_bad_checksum, "tcp.invalid_checksum")                  \
  X(udp_trunc, "udp.pkt_too_small") X(udp_hlen_invalid, "udp.hlen_invalid") X(udp_len_invalid, "udp.len_invalid") \
  X(udp_bad_checksum, "udp.invalid_checksum")                                                           \
  X(icmpv4_trunc, "icmpv4.pkt_too_small") X(icmpv4_bad_checksum, "icmpv4.invalid_checksum")              \
  X(icmpv6_trunc, "icmpv6.pkt_too_small") X(icmpv6_bad_checksum, "icmpv6.invalid_checksum")              \
  X(gre_trunc, "gre.pkt_too_small") X(gre_wrong_version, "gre.wrong_version")                           \
  X(gre_v0_recur, "gre.version0_recur") X(gre_v1_malformed, "gre.version1_malformed")                   \
  X(erspan_trunc, "erspan.header_too_small") X(erspan_unsupported, "erspan.unsupported_version")        \
  X(vxlan_trunc, "vxlan.pkt_too_small") X(geneve_trunc, "geneve.pkt_too_small")                         \
  X(nsh_trunc, "nsh.header_too_small") X(nsh_unsupported, "nsh.unsupported_type")                       \
  X(nsh_bad_length, "nsh.bad_header_length") X(teredo_invalid, "teredo.invalid")                         \
  X(too_many_layers, "too_many_layers")

enum class DecodeProto : uint8_t {
#define CANH_X(id, name) k_##id,
  CANH_DECODE_PROTOS(CANH_X)
#undef CANH_X
  kCount
};
enum class DecodeEvent : uint8_t {
#define CANH_X(id, name) k_##id,
  CANH_DECODE_EVENTS(CANH_X)
#undef CANH_X
  kCount
};
inline constexpr size_t kDecodeProtoCount = static_cast<size_t>(DecodeProto::kCount);
inline constexpr size_t kDecodeEventCount = static_cast<size_t>(DecodeEvent::kCount);
std::string_view decode_proto_name(DecodeProto p);
std::string_view decode_event_name(DecodeEvent e);

// Counters owned by one worker's decoder (plain integers: the worker publishes snapshots).
struct DecodeCounters {
  uint64_t pkts = 0, bytes = 0;
  std::array<uint64_t, kDecodeProtoCount> proto{};
  std::array<uint64_t, kDecodeEventCount> event{};
  uint64_t events_total() const;
  void add(const DecodeCounters& o);
};

enum class ChecksumMode : uint8_t { kNone, kAll, kAuto };

struct DecoderConfig {
  bool vxlan_enabled = true;
  std::vector<uint16_t> vxlan_ports{4789};
  bool geneve_enabled = true;
  std::vector<uint16_t> geneve_ports{6081};
  bool teredo_enabled = true;
  std::vector<uint16_t> teredo_ports{3544};
  bool erspan_enabled = true;
  bool checksum_validation = false;  // resolved from ChecksumMode by the worker
  int max_layers = 16;               // Suricata's decoder.max-layers
};

inline constexpr size_t kMaxDecodedPackets = 8;

class Decoder {
 public:
  explicit Decoder(DecoderConfig config);

  // Decodes one captured frame into out[0..n), the outer packet first, then inner (tunnel) packets,
  // each with `parent` set. Returns n; 0 only when not even the outer packet could be represented.
  size_t decode(std::span<const uint8_t> frame, uint32_t wire_len, int linktype, uint64_t ts_usec,
                uint64_t pcap_cnt, std::array<Packet, kMaxDecodedPackets>& out);

  // Decodes an IP datagram (a reassembled fragment set) as a child of out[parent]; appends to out
  // starting at `n`. Returns the new count.
  size_t decode_datagram(std::span<const uint8_t> datagram, int ip_version, size_t parent,
                         std::array<Packet, kMaxDecodedPackets>& out, size_t n);

  DecodeCounters& counters() { return counters_; }
  const DecodeCounters& counters() const { return counters_; }
  void set_checksum_validation(bool on) { config_.checksum_validation = on; }
  bool checksum_validation() const { return config_.checksum_validation; }

 private:
  struct Ctx;
  void count(DecodeProto p) { ++counters_.proto[static_cast<size_t>(p)]; }
  void event(DecodeEvent e) { ++counters_.event[static_cast<size_t>(e)]; }

  bool link(Ctx& c, Packet& p, std::span<const uint8_t> d, int linktype);
  bool ethernet(Ctx& c, Packet& p, std::span<const uint8_t> d);
  bool ethertype(Ctx& c, Packet& p, uint16_t type, std::span<const uint8_t> d);
  bool ppp(Ctx& c, Packet& p, std::span<const uint8_t> d);
  bool mpls(Ctx& c, Packet& p, std::span<const uint8_t> d);
  bool nsh(Ctx& c, Packet& p, std::span<const uint8_t> d);
  bool ipv4(Ctx& c, Packet& p, std::span<const uint8_t> d);
  bool ipv6(Ctx& c, Packet& p, std::span<const uint8_t> d);
  void l4(Ctx& c, Packet& p, uint8_t proto, std::span<const uint8_t> d);
  void tcp(Ctx& c, Packet& p, std::span<const uint8_t> d);
  void udp(Ctx& c, Packet& p, std::span<const uint8_t> d);
  void icmpv4(Ctx& c, Packet& p, std::span<const uint8_t> d);
  void icmpv6(Ctx& c, Packet& p, std::span<const uint8_t> d);
  void gre(Ctx& c, Packet& p, std::span<const uint8_t> d);
  // Starts an inner packet for a tunnel and decodes `d` at the given layer into it.
  enum class Inner : uint8_t { kEthernet, kIpv4, kIpv6, kIpAny, kPpp };
  void tunnel(Ctx& c, Packet& parent, Inner kind, std::span<const uint8_t> d, uint16_t erspan_vlan = 0);
  bool port_in(const std::vector<uint16_t>& ports, uint16_t port) const;

  DecoderConfig config_;
  DecodeCounters counters_;
};

}  // namespace canh::sensor
