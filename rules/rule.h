// One parsed rule in the Suricata dialect, as data: the header (action, protocol, addresses, ports,
// direction), the meta options (sid, msg, classtype, ...) and the detection options as a vector of
// typed operations (Snort 3's idea: a rule is data evaluated by a switch, not a tree of objects).
//
// Payload operations (content, pcre, byte_*, isdataat, bsize) each name the inspection buffer they
// run in (Buffer in detect.h): a sticky buffer keyword (`http.uri;`) selects the buffer for what
// follows, a legacy modifier (`content:"x"; http_uri;`) moves the one content before it. Operations
// of one buffer form that buffer's list, evaluated in rule order with one cursor (distance, within,
// isdataat relative, pcre /R and byte_* relative are relative to the previous operation of the list).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/address.h"
#include "rules/detect.h"

namespace canh::rules {

// Numeric values in AlertInfo::action.
enum class Action : uint8_t { kAlert = 0, kDrop = 1, kReject = 2, kPass = 3 };
std::string_view action_name(Action a);

// The transport a rule header names; app-layer protocols (alert http ...) leave it kAny and set app.
enum class Transport : uint8_t { kAny = 0, kTcp, kUdp, kIcmp, kIcmp4, kIcmp6, kSctp };

enum class StreamMode : uint8_t {
  kBoth = 0,     // tcp / ip: reassembled stream first, then the packet (Suricata's default)
  kPacketOnly,   // tcp-pkt, flow:no_stream, dsize and other per-packet keywords
  kStreamOnly,   // tcp-stream, flow:only_stream
};

// `dsize:<10`, `ttl:>64`, `bsize:10<>100`, `itype:!0`, ... (Suricata's integer keyword syntax).
struct IntMatch {
  enum class Mode : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kRange, kNotRange, kMaskEq, kMaskNe };
  Mode mode = Mode::kEq;
  uint64_t a = 0, b = 0;  // range: exclusive bounds a < v < b; mask: (v & a) == b
  bool matches(uint64_t v) const;
};
// `max` is the keyword's width (255 for u8 ...). Errors say what is wrong with the value.
Result<IntMatch> parse_int_match(std::string_view text, uint64_t max);

// A number that may come from a byte_extract variable at match time.
struct Value {
  int64_t v = 0;
  int8_t var = -1;  // index into Rule::vars when >= 0
  bool set = false;
};

struct ContentOp {
  std::string pattern;  // decoded bytes
  bool nocase = false, negated = false, startswith = false, endswith = false, rawbytes = false;
  Value offset, depth, distance, within;
  bool fast_pattern = false, fast_pattern_only = false;
  uint32_t fp_offset = 0, fp_length = 0;  // fast_pattern:offset,length (length 0: whole pattern)
  bool relative() const { return distance.set || within.set; }
};

struct PcreOp {
  std::string regex;     // between the delimiters, as written
  std::string flags;     // the modifier letters as written
  uint32_t options = 0;  // PCRE2 compile options from i s m x A E G
  bool relative = false, negated = false;
  uint32_t index = 0;    // the engine's compiled-regex slot, filled at build
};

enum class ByteKind : uint8_t { kTest, kJump, kExtract };
struct ByteOp {
  ByteKind kind = ByteKind::kTest;
  Value nbytes;             // 1..10 (string up to 20); byte_jump/test may name a variable
  Value offset;
  bool relative = false, little_endian = false, string = false, dce = false;
  uint8_t base = 10;        // string: 16 hex, 10 dec, 8 oct
  uint64_t bitmask = 0;     // 0: none
  // byte_test
  char op = '=';            // < > = & ^ and 'l' (<=), 'g' (>=)
  bool op_negated = false;
  Value value;
  // byte_jump / byte_extract
  uint64_t multiplier = 1;
  bool align = false;       // byte_jump: round up to 4
  uint8_t align_to = 0;     // byte_extract: 2 or 4
  bool from_beginning = false, from_end = false;
  int64_t post_offset = 0;
  int8_t var = -1;          // byte_extract target
};

struct IsdataatOp {
  Value n;
  bool relative = false, negated = false;
};

enum class OpKind : uint8_t {
  // Payload: run in `buffer`, with a cursor.
  kContent, kPcre, kByte, kIsdataat, kBsize,
  // Packet: decoded header fields. IntMatch against the field unless noted.
  kDsize, kTtl, kTos, kIpId, kItype, kIcode, kIcmpId, kIcmpSeq, kIpProto, kSameip, kFlags, kFragbits,
  kIpopts, kTcpSeq, kTcpAck, kWindow, kTcpMss, kStreamSize,
};
bool is_payload_op(OpKind k);
// Buffers taken from the packet itself (payload and the *.hdr buffers) rather than the app layer.
inline bool is_packet_buffer(Buffer b) {
  return b == Buffer::kPayload || (b >= Buffer::kIpv4Hdr && b <= Buffer::kIcmpv6Hdr);
}

struct Op {
  OpKind kind = OpKind::kContent;
  Buffer buffer = Buffer::kPayload;
  // Into the typed vector of the kind: contents, pcres, bytes, isdataats, bits (kFlags, kFragbits),
  // stream_sizes; kIpopts holds the option bit; kSameip nothing; every other kind indexes ints.
  uint32_t index = 0;
};

// flags:[modifier]<flags>[,<ignore>]; fragbits:[modifier]<bits>
struct BitsMatch {
  uint8_t mask = 0;      // bits named
  uint8_t ignore = 0;    // bits ignored (flags second argument)
  char modifier = 0;     // 0 exact, '+' all of these and any others, '*' any of these, '!' none of these
  bool matches(uint8_t v) const;
};

struct FlowSpec {
  bool to_server = false, to_client = false, established = false, not_established = false, stateless = false;
  bool only_stream = false, no_stream = false, only_frag = false, no_frag = false;
};

struct FlowbitOp {
  enum class Cmd : uint8_t { kSet, kUnset, kToggle, kIsset, kIsnotset };
  Cmd cmd = Cmd::kSet;
  std::vector<std::string> names;
  bool any_of = false;  // isset/isnotset with `|`: OR; otherwise every name (`&`)
  std::vector<uint16_t> bits;  // filled at engine build
};

enum class Track : uint8_t { kBySrc, kByDst, kByRule, kByBoth, kByFlow, kByEither };
struct ThresholdSpec {
  enum class Type : uint8_t { kLimit, kThreshold, kBoth, kDetectionFilter };
  Type type = Type::kLimit;
  Track track = Track::kBySrc;
  uint32_t count = 1;
  uint32_t seconds = 60;
};

struct Reference {
  std::string type, value;
};

struct Rule {
  // --- header
  Action action = Action::kAlert;
  Transport transport = Transport::kAny;
  uint8_t ip_version = 0;  // 0 any; 4 or 6 for `ipv4`/`ipv6` headers
  AppProto app = AppProto::kUnknown;
  StreamMode stream = StreamMode::kBoth;
  std::shared_ptr<const IpSet> src_addr, dst_addr;
  std::shared_ptr<const PortSet> src_port, dst_port;
  bool bidirectional = false;
  bool transactional = false;  // `=>` (Suricata 8): one rule over a whole transaction, both directions
  std::string proto_text, src_text, sport_text, dst_text, dport_text;

  // --- meta
  uint32_t gid = 1, sid = 0, rev = 0;
  std::string msg, classtype, metadata;
  int priority = 0;  // 0: from classtype (or 3)
  std::vector<Reference> references;
  int8_t target = 0;  // 1 src_ip, 2 dest_ip

  // --- detection
  std::vector<Op> ops;  // in rule order
  std::vector<ContentOp> contents;
  std::vector<PcreOp> pcres;
  std::vector<ByteOp> bytes;
  std::vector<IsdataatOp> isdataats;
  std::vector<IntMatch> ints;           // kBsize, kDsize, kTtl, ...
  std::vector<BitsMatch> bits;          // kFlags, kFragbits (index into this via Op::index)
  struct StreamSize {
    uint8_t side = 0;  // 0 server, 1 client, 2 both, 3 either
    IntMatch m;
  };
  std::vector<StreamSize> stream_sizes;  // kStreamSize
  std::vector<std::string> vars;        // byte_extract names, index = Value::var
  FlowSpec flow;
  std::vector<FlowbitOp> flowbits;
  bool noalert = false;
  std::optional<ThresholdSpec> threshold;
  std::optional<ThresholdSpec> detection_filter;
  bool prefilter_keyword = false;  // `prefilter;` names the rule's prefilter engine (a hint only here)

  // --- what the parser could not honour
  std::vector<std::string> unsupported;  // Suricata keywords the engine does not evaluate
  std::vector<std::string> notes;        // accepted but without effect here (tag, ...), for `rules check`

  bool uses_buffer(Buffer b) const;
};

}  // namespace canh::rules
