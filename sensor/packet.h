// A decoded packet as one worker sees it. Everything here is a view into capture memory (or into the
// worker's defragmentation buffer) valid until the worker reads the next packet: never stored.
//
// One captured frame can yield several decoded packets: the outer one and, for tunnels (GRE, ERSPAN,
// VXLAN, Teredo, IP-in-IP) and reassembled fragments, inner "pseudo" packets. Suricata treats each as
// a packet of its own (own flow, own detection pass, EVE `tunnel` object pointing at the outer one),
// and so do we: the decoder fills a small fixed array of Packet, parent first.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "rules/detect.h"

namespace canh::sensor {

// libpcap link types (LINKTYPE_* values as written in pcap/pcapng files).
enum LinkType : int {
  kLinkNull = 0,        // BSD loopback: 4-byte host-order address family
  kLinkEthernet = 1,
  kLinkPpp = 9,
  kLinkRaw12 = 12,      // DLT_RAW on OpenBSD-derived files
  kLinkRaw14 = 14,      // DLT_RAW on some BSDs
  kLinkRaw = 101,       // LINKTYPE_RAW
  kLinkChdlc = 104,     // Cisco HDLC
  kLinkLoop = 108,      // OpenBSD loopback: network-order address family
  kLinkSll = 113,       // Linux cooked capture v1
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkSll2 = 276,      // Linux cooked capture v2
};
// The name EVE's packet_info.linktype_name uses ("EN10MB", "LINUX_SLL", "RAW", "IPv4", ...).
const char* link_type_name(int linktype);

// Where a packet came from, as EVE's `pkt_src` says it.
enum class PacketOrigin : uint8_t {
  kWire,            // "wire/pcap"
  kTunnel,          // "tunnel (from wire)" — an inner packet of an encapsulation
  kDefrag,          // "defrag" — a datagram reassembled from IP fragments
  kStreamEnd,       // "stream (flow timeout)" — pseudo packet flushing a TCP stream at flow end
};
const char* packet_source_name(PacketOrigin s);

inline constexpr int kMaxVlan = 3;

struct Packet {
  // Capture.
  const uint8_t* frame = nullptr;  // the whole captured frame (outer packet's bytes)
  uint32_t frame_len = 0;
  uint32_t wire_len = 0;
  uint64_t pcap_cnt = 0;           // 1-based index in the capture, as EVE's pcap_cnt
  int linktype = kLinkEthernet;
  PacketOrigin source = PacketOrigin::kWire;
  int8_t parent = -1;              // index of the enclosing packet in the decode result, -1 for the outer one
  uint8_t depth = 0;               // tunnel depth: 0 outer

  // Layer 2 (of the outermost Ethernet header this packet was carried in).
  bool has_ether = false;
  std::array<uint8_t, 6> src_mac{}, dst_mac{};
  uint8_t vlan_count = 0;
  std::array<uint16_t, kMaxVlan> vlan{};

  // Layer 3/4 for detection (spans point into frame or the defrag buffer).
  rules::PacketFields f;
  bool has_ip = false;
  bool has_l4 = false;             // a valid TCP/UDP/ICMP header was decoded (fragments and bad headers: false)
  bool ip_fragment = false;        // an IPv4/IPv6 fragment (not yet reassembled)
  bool ip_more_fragments = false;
  uint32_t frag_offset = 0;        // bytes
  uint32_t frag_id = 0;            // IPv4 id or IPv6 fragment identification
  uint8_t frag_next_proto = 0;     // IPv6: the protocol after the fragment header
  std::span<const uint8_t> ip_packet;      // the whole IP datagram (header + payload), for EVE `packet` and defrag
  std::span<const uint8_t> frag_payload;   // fragment data (after the IP/fragment headers)
  std::span<const uint8_t> ipv6_unfrag;    // IPv6: header plus extension headers before the fragment header
  uint8_t tcp_hdr_len = 0;
  bool tcp_has_sack_perm = false, tcp_has_ts = false, tcp_has_wscale = false;
  uint8_t tcp_wscale = 0;
  bool checksum_bad = false;       // a checksum was checked and is wrong

  // Tunnel data for the EVE `tunnel` object, copied from the parent packet.
  bool in_tunnel = false;

  void reset() { *this = Packet{}; }
  bool is_tcp() const { return has_l4 && f.ip_proto == 6; }
  bool is_udp() const { return has_l4 && f.ip_proto == 17; }
};

}  // namespace canh::sensor
