// The detection contract between a sensor and the rule engine: what the sensor hands the engine for
// one packet (decoded fields, payload, reassembled stream data, app-layer buffers, the flow's detection
// state) and what it gets back (alerts). `rules` knows nothing of capture: a sensor fills these plain
// structs from its own decoders; everything here is a view valid only for the duration of one call.
//
// Threading (STYLE.md, "Hyperscan's API"): an Engine is immutable and shared by all workers through
// std::shared_ptr<const Engine>; each worker owns a Scratch; each flow owns a FlowDetectState.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace canh::rules {

// An IPv4 or IPv6 address. IPv4 lives in bytes[0..3]; the rest stays zero.
struct Address {
  uint8_t family = 0;  // 4 or 6; 0 = none
  std::array<uint8_t, 16> bytes{};
  bool operator==(const Address&) const = default;
};

// Application protocols a rule header can name and a sensor can detect.
enum class AppProto : uint8_t {
  kUnknown = 0,  // not (yet) detected
  kFailed,       // detection gave up on this flow
  kHttp,
  kTls,
  kDns,
  kSsh,
  kSmtp,
  kFtp,
  kSmb,
  kDcerpc,
  kNfs,
  kSnmp,
  kSip,
  kKrb5,
  kDhcp,
  kNtp,
  kModbus,
  kDnp3,
  kEnip,
  kMqtt,
  kRdp,
  kRfb,
  kTftp,
  kIkev2,
  kHttp2,
  kImap,
  kPop3,
  kIrc,
  kTelnet,
  kCount
};
std::string_view app_proto_name(AppProto p);  // "http", "tls", ... as EVE's app_proto spells them

// Named inspection buffers. Sticky buffers (`http.uri;`) and legacy content modifiers (`http_uri`)
// both select one of these; kPayload is the packet payload or reassembled stream data.
enum class Buffer : uint8_t {
  kPayload = 0,
  // HTTP request
  kHttpUri,            // normalized (percent-decoded, path-normalized)
  kHttpUriRaw,
  kHttpMethod,
  kHttpProtocol,       // "HTTP/1.1"
  kHttpRequestLine,
  kHttpHeader,         // normalized request (or response, per direction) headers, "Name: value\r\n"...
  kHttpHeaderRaw,
  kHttpHeaderNames,
  kHttpHost,           // normalized (lower-cased), without port
  kHttpHostRaw,
  kHttpUserAgent,
  kHttpCookie,
  kHttpContentType,
  kHttpContentLen,
  kHttpReferer,
  kHttpAccept,
  kHttpAcceptEnc,
  kHttpAcceptLang,
  kHttpConnection,
  kHttpRequestBody,    // http_client_body
  // HTTP response
  kHttpResponseLine,
  kHttpStatCode,
  kHttpStatMsg,
  kHttpServer,
  kHttpLocation,
  kHttpResponseBody,   // http_server_body; file_data for HTTP responses
  // DNS
  kDnsQuery,
  // TLS
  kTlsSni,
  kTlsCertSubject,
  kTlsCertIssuer,
  kTlsCertSerial,
  kTlsCertFingerprint,
  kTlsVersion,
  kJa3Hash,
  kJa3String,
  kJa3sHash,
  kJa3sString,
  // Files (file.data / file_data on protocols other than HTTP response)
  kFileData,
  // Protocol headers (ipv4.hdr, tcp.hdr, ...)
  kIpv4Hdr,
  kIpv6Hdr,
  kTcpHdr,
  kUdpHdr,
  kIcmpv4Hdr,
  kIcmpv6Hdr,
  // Added after the first contract; values above keep their numbers.
  kHttpStart,           // http.start: request/response line plus headers, up to the blank line
  kHttpRequestHeader,   // http.request_header: multi-buffer, one "Name: value" per header (AppBuffers::set_multi)
  kHttpResponseHeader,  // http.response_header: multi-buffer, as above
  kSshProto,            // ssh.proto: "2.0"
  kSshSoftware,         // ssh.software: "OpenSSH_8.4p1"
  kCount
};
inline constexpr size_t kBufferCount = static_cast<size_t>(Buffer::kCount);

// Decoded packet fields. Fields that do not apply keep their "absent" value.
struct PacketFields {
  uint64_t ts_usec = 0;      // capture time, microseconds since the epoch
  uint8_t ip_version = 0;    // 4, 6, or 0 for non-IP
  uint8_t ip_proto = 0;      // IPPROTO_* of the transport header (after IPv6 extension headers)
  Address src, dst;
  uint16_t sport = 0, dport = 0;
  uint8_t ttl = 0;           // IPv4 TTL or IPv6 hop limit
  uint8_t tos = 0;           // IPv4 TOS / IPv6 traffic class
  uint16_t ip_id = 0;
  uint32_t ipopts = 0;       // bit set of IPv4 options present (bit = option type & 0x1f)
  uint16_t frag_flags = 0;   // IPv4 flags: 0x4000 DF, 0x2000 MF; reserved bit 0x8000
  bool fragment = false;     // this datagram was reassembled from fragments
  // TCP
  uint8_t tcp_flags = 0;     // FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80
  uint8_t tcp_flags_hi = 0;  // the reserved/NS bits
  uint32_t tcp_seq = 0, tcp_ack = 0;
  uint16_t tcp_window = 0;
  int32_t tcp_mss = -1;      // -1: no MSS option
  // ICMP / ICMPv6
  bool has_icmp = false;
  uint8_t icmp_type = 0, icmp_code = 0;
  bool icmp_has_id = false;  // echo and other messages that carry id/seq
  uint16_t icmp_id = 0, icmp_seq = 0;
  // Raw headers for the *.hdr sticky buffers; the link layer for MAC addresses in EVE.
  std::span<const uint8_t> l3_header;
  std::span<const uint8_t> l4_header;
  std::span<const uint8_t> payload;  // this packet's transport payload (dsize is its size)
  // TCP: this segment's payload went into the reassembled stream (Suricata's PKT_STREAM_ADD). Payload
  // rules that are not tcp-pkt then see these bytes through StreamChunk (with this packet or a later
  // one) and skip `payload`, so the same bytes never alert twice. False when the segment was not
  // reassembled (no session, depth reached, bad checksum): then `payload` is inspected as usual.
  bool stream_added = false;
  // A pseudo packet made to flush a TCP stream at flow end (EVE pkt_src "stream (flow timeout)"): it
  // carries no bytes of its own, so only rules that inspect stream data or app-layer buffers may
  // match it (a dsize or header-only rule matching it would alert on a packet that never was).
  bool stream_end = false;
};

// The flow a packet belongs to, as the sensor's flow table and stream tracker see it.
struct FlowFields {
  bool has_flow = false;
  bool to_server = true;         // direction of this packet: from the flow's initiator
  bool established = false;      // TCP: three-way handshake done (or picked up midstream); UDP: seen both ways
  bool not_established = false;
  AppProto app_proto = AppProto::kUnknown;
  uint64_t flow_id = 0;
  // TCP bytes seen so far per side (stream_size); -1: unknown, and stream_size never matches.
  int64_t stream_bytes_to_server = -1;
  int64_t stream_bytes_to_client = -1;
};

// Reassembled TCP data available for inspection with this packet, in this packet's direction
// unless noted. `data` is contiguous stream bytes; `data_offset` is the stream offset of data[0].
// The sensor guarantees each stream byte is offered at least once (chunks may overlap to let
// patterns span segment boundaries).
struct StreamChunk {
  std::span<const uint8_t> data;
  uint64_t data_offset = 0;
  bool to_server = true;
  // Index in `data` where bytes not offered before begin (0: all new). Bytes before it are the overlap
  // that lets patterns span chunks; a match that ends inside the overlap was already reported with an
  // earlier chunk and is not reported again.
  size_t new_from = 0;
};

// App-layer buffers of one transaction (or one protocol message), indexed by Buffer.
// A buffer that is absent (not seen yet, not applicable) has present[i] == false.
struct AppBuffers {
  std::array<std::span<const uint8_t>, kBufferCount> buf{};
  std::array<bool, kBufferCount> present{};
  uint64_t tx_id = 0;      // the transaction these came from, for "once per transaction" logic
  bool to_server = true;   // which side's buffers these are (request or response)

  void set(Buffer b, std::span<const uint8_t> v) {
    buf[static_cast<size_t>(b)] = v;
    present[static_cast<size_t>(b)] = true;
  }
  void set(Buffer b, std::string_view v) {
    set(b, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
  }

  // Multi-buffers (http.request_header, http.response_header): several instances of one buffer; a
  // rule matches when its options for that buffer all match within one instance. `parts` must stay
  // valid for the inspect() call. set_multi() also marks the buffer present.
  std::array<std::span<const std::span<const uint8_t>>, kBufferCount> multi{};
  void set_multi(Buffer b, std::span<const std::span<const uint8_t>> parts) {
    multi[static_cast<size_t>(b)] = parts;
    present[static_cast<size_t>(b)] = true;
  }
};

// Everything the engine inspects for one packet.
struct DetectInput {
  PacketFields packet;
  FlowFields flow;
  const StreamChunk* stream = nullptr;  // null: no reassembled data (UDP, or nothing new)
  const AppBuffers* app = nullptr;      // null: no app-layer transaction progressed with this packet
  // For sensors that inspect a packet and each transaction it completes in separate calls: true in
  // the transaction calls, where only rules using app-layer buffers run (rules without them ran in
  // the packet's own call), so no rule is evaluated twice for one packet. With one call per packet
  // carrying everything, leave it false.
  bool app_rules_only = false;
};

// Per-flow detection state, owned by the sensor's flow, sized at compile time so flows can be pooled
// without allocation. Flowbit names map to indexes at engine build time.
inline constexpr size_t kMaxFlowbits = 4096;
inline constexpr size_t kTxAlertMemory = 16;
struct FlowDetectState {
  std::array<uint64_t, kMaxFlowbits / 64> flowbits{};
  // The last app-layer alerts of this flow, (tx_id, rule) pairs, so offering a transaction's buffers
  // again (as they grow) does not repeat an alert: a rule alerts once per transaction and direction.
  struct TxAlert {
    uint64_t tx_id = 0;
    uint32_t rule = 0;  // engine rule index + 1; 0 empty
    bool to_server = true;
  };
  std::array<TxAlert, kTxAlertMemory> tx_alerts{};
  uint8_t tx_alerts_next = 0;
  // Set when a `pass` rule matched a packet of this flow: Suricata then passes the whole flow, so
  // inspect() returns at once for its later packets.
  bool passed = false;
  // Set when a `drop` or `reject` rule matched: Suricata 7 drops the rest of the flow (EVE
  // flow.action "drop", even in IDS mode), so later packets are not inspected either.
  bool dropped = false;
  // Suricata runs "IP-only" rules (addresses, any ports, no payload, flow or packet keywords: the
  // reputation lists of ET Open) on the first packet of each direction of a flow only; bit 0: to
  // server done, bit 1: to client done.
  uint8_t ip_only_done = 0;
  void reset() {
    flowbits.fill(0);
    tx_alerts.fill(TxAlert{});
    tx_alerts_next = 0;
    passed = false;
    dropped = false;
    ip_only_done = 0;
  }
};

// One alert, handed to the AlertSink during Engine::inspect(). Pointers point into the engine and
// stay valid for the engine's life.
struct AlertInfo {
  uint32_t gid = 1;
  uint32_t sid = 0;
  uint32_t rev = 0;
  uint8_t action = 0;             // 0 alert, 1 drop, 2 reject, 3 pass (see rules/rule.h)
  uint8_t priority = 3;           // EVE alert.severity
  std::string_view msg;
  std::string_view classtype;     // short name, e.g. "trojan-activity"
  std::string_view category;      // from classification.config, e.g. "A Network Trojan was detected"
  std::string_view metadata;      // raw metadata option text, "key value, key value"
  int8_t target = 0;              // 0 none, 1 target:src_ip, 2 target:dest_ip
  bool from_stream = false;       // matched in reassembled stream data rather than the packet
  bool from_app = false;          // matched an app-layer buffer
  uint64_t tx_id = 0;
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Called once per rule per packet at most, in Suricata's order (action priority, then rule
  // priority, then sid).
  virtual void on_alert(const AlertInfo& alert) = 0;
};

}  // namespace canh::rules
