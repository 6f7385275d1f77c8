// Private to rules/: the compiled form of a rule set, shared by engine.cc (build, inspect),
// verify.cc (option evaluation), prefilter.cc (Hyperscan) and threshold.cc.
#pragma once

#include <hs/hs.h>
#include <pcre2.h>

#include <array>
#include <deque>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rules/engine.h"
#include "rules/rule.h"

namespace canh::rules {

inline constexpr size_t kProtoClasses = 4;  // tcp, udp, icmp (v4 and v6), other IP
inline constexpr size_t kMaxRuleVars = 16;

inline size_t proto_class(uint8_t ip_proto) {
  switch (ip_proto) {
    case 6: return 0;
    case 17: return 1;
    case 1:
    case 58: return 2;
    default: return 3;
  }
}

// Which transaction side an app-layer rule inspects.
enum class TxSide : uint8_t { kNone = 0, kToServer, kToClient, kEither };

// The operations of one inspection buffer, in rule order: evaluated with one cursor.
struct OpList {
  Buffer buffer = Buffer::kPayload;
  uint32_t first = 0, count = 0;  // into CompiledRule::list_ops
};

struct CompiledFlowbit {
  FlowbitOp::Cmd cmd = FlowbitOp::Cmd::kSet;
  bool any_of = false;
  std::vector<uint16_t> bits;
};

struct Suppression {
  Track track = Track::kBySrc;  // kBySrc, kByDst, kByEither
  const IpSet* ip = nullptr;
};

struct CompiledRule {
  const Rule* rule = nullptr;
  size_t entry = 0;  // RuleSet entry index

  // header
  Transport transport = Transport::kAny;
  uint8_t ip_version = 0;
  AppProto app = AppProto::kUnknown;
  StreamMode stream = StreamMode::kBoth;
  bool bidirectional = false;
  bool transactional = false;  // `=>`: addresses are client -> server whatever the packet's direction
  const IpSet* src = nullptr;
  const IpSet* dst = nullptr;
  const PortSet* sport = nullptr;
  const PortSet* dport = nullptr;
  bool src_any = true, dst_any = true, sport_any = true, dport_any = true;
  FlowSpec flow;

  // detection
  std::vector<Op> packet_ops;  // header-field options, rule order
  std::vector<Op> list_ops;    // payload options grouped by buffer
  std::vector<OpList> lists;
  bool has_payload_list = false;  // a list on Buffer::kPayload
  bool has_app_list = false;
  // Suricata's SIG_MASK_REQUIRE_PAYLOAD: a rule without a prefilter pattern is only considered for
  // packets with payload when it inspects the payload or has a dsize that excludes 0 (so a
  // stream-end pseudo packet runs prefiltered stream rules, not `dsize:!9` or pcre-only rules).
  bool requires_payload = false;
  bool literal_prefiltered = false;  // found through a literal database (Suricata's MPM: not masked)
  // Suricata's SIG_MASK_REQUIRE_FLAGS_INITDEINIT: `flags` needing SYN, FIN or RST set.
  bool requires_initdeinit = false;
  // Suricata's IP-only signature: checked on the first packet of each flow direction only.
  bool ip_only = false;
  TxSide tx_side = TxSide::kNone;
  std::vector<uint32_t> pcre_slot;  // parallel to rule->pcres: index into Engine::Impl::pcres
  std::vector<CompiledFlowbit> flowbit_checks;   // isset / isnotset
  std::vector<CompiledFlowbit> flowbit_actions;  // set / unset / toggle

  // alerting
  AlertInfo info;
  bool noalert = false;
  bool suppress_all = false;
  std::vector<Suppression> suppressions;
  const ThresholdSpec* threshold = nullptr;         // rule keyword or threshold.config override
  const ThresholdSpec* detection_filter = nullptr;
  uint32_t index = 0;  // position in evaluation order
};

struct CompiledPcre {
  pcre2_code* code = nullptr;
  bool jit = false;
  bool no_limit = false;  // the 'O' modifier
};

// One Hyperscan database over the fast patterns of one (buffer, transport class, direction) group.
struct PrefilterGroup {
  Buffer buffer = Buffer::kPayload;
  uint8_t proto_class = 0;
  bool to_server = true;
  int32_t port = -1;  // the hot server port this database is for; -1: every other port
  hs_database_t* db = nullptr;
  // pattern id -> rules: postings[offsets[id] .. offsets[id+1])
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> postings;
  size_t patterns = 0;
};

inline constexpr size_t kMaxHotPorts = 8;
struct GroupSlots {
  uint8_t nports = 0;
  std::array<uint16_t, kMaxHotPorts> ports{};
  std::array<int16_t, kMaxHotPorts + 1> group{-1, -1, -1, -1, -1, -1, -1, -1, -1};  // [0]: other ports
  int16_t lookup(uint16_t port) const {
    for (uint8_t i = 0; i < nports; ++i)
      if (ports[i] == port) return group[size_t(i) + 1];
    return group[0];
  }
};

// Rules without a prefilter pattern for one (transport class, direction), indexed by address so a
// packet touches only the rules whose most selective address side covers it.
struct AddressIndex {
  // Elementary intervals: starts[i] .. starts[i+1]-1 map to rules[offsets[i] .. offsets[i+1]).
  std::vector<uint32_t> v4_starts;
  std::vector<uint32_t> v4_offsets;
  std::vector<Uint128> v6_starts;
  std::vector<uint32_t> v6_offsets;
  std::vector<uint32_t> rules;
  bool empty() const { return rules.empty(); }
};

struct UnprefilteredList {
  std::vector<uint32_t> residual;  // checked on every packet of the group
  AddressIndex by_src, by_dst;
  // Rules with no selective address but a few ports (flags:S scan rules on 22, 3389, 1433 ...):
  // (port, rule) sorted, looked up with the packet's destination / source port.
  std::vector<std::pair<uint16_t, uint32_t>> by_dport, by_sport;
};

class ThresholdTable;

struct Engine::Impl {
  std::vector<std::shared_ptr<const Rule>> keepalive;
  std::vector<CompiledRule> rules;  // evaluation order
  std::vector<CompiledPcre> pcres;
  std::vector<std::unique_ptr<ThresholdSpec>> threshold_specs;  // overrides from threshold.config
  std::vector<PrefilterGroup> groups;
  // Group per (buffer, proto class, direction), split by server port: for TCP and UDP packet buffers
  // the busiest ports of the rules (445, 139, 1521, 25 ...) get a database of their own holding the
  // any-port rules plus that port's, so a packet scans exactly one database per buffer and web
  // traffic does not wade through SMB or Oracle patterns. App buffers use proto class 0, one slot.
  std::array<std::array<std::array<GroupSlots, 2>, kProtoClasses>, kBufferCount> slots{};
  // Rules whose only positive pattern is a pcre: Hyperscan in prefilter mode (it over-approximates
  // the regex), one database per (buffer, class, direction) in `groups`; PCRE2 verifies. -1: none.
  std::array<std::array<std::array<int16_t, 2>, kProtoClasses>, kBufferCount> regex_group_of{};
  // TCP payload databases holding only the packet-only rules (tcp-pkt, dsize, flow:no_stream), one
  // per direction for every port. A segment whose bytes went into the reassembled stream
  // (PacketFields::stream_added) is matched through the stream by every other rule, so its payload is
  // scanned with these instead of the full databases (the stream chunk is scanned with the full
  // ones): each TCP byte goes through the big databases once, not twice. [dir], -1: none.
  std::array<int16_t, 2> tcp_packet_only_group{-1, -1};
  std::array<int16_t, 2> tcp_packet_only_regex{-1, -1};
  std::array<std::array<UnprefilteredList, 2>, kProtoClasses> unprefiltered;
  std::deque<std::string> categories;  // storage for AlertInfo::category (stable addresses)
  std::unique_ptr<ThresholdTable> thresholds;
  std::vector<SkippedRule> skipped;
  EngineStats stats;
  std::string version;
  hs_scratch_t* proto_scratch = nullptr;  // cloned per worker
  pcre2_match_context* pcre_ctx_template = nullptr;
  size_t max_flowbit = 0;
  std::vector<std::string> flowbit_names;
  // Some app-layer rule has its fast pattern in the payload: app_rules_only calls still scan it.
  bool app_rules_need_payload_scan = false;
  std::vector<std::pair<uint64_t, uint32_t>> by_gid_sid;  // sorted (gid<<32|sid) -> rule index

  ~Impl();
};

struct Scratch::Impl {
  const Engine::Impl* engine = nullptr;
  hs_scratch_t* hs = nullptr;
  pcre2_match_data* match = nullptr;
  pcre2_match_context* mctx = nullptr;        // Suricata's default match limits
  pcre2_match_context* mctx_nolimit = nullptr;
  std::vector<uint32_t> candidates;
  std::vector<uint64_t> seen;                 // bitmap over rule indexes
  InspectCounters counters;
  ~Impl();
};

// verify.cc: full evaluation of one candidate rule against one packet. Returns true when the rule
// matches; sets *from_stream / *from_app for the alert.
bool rule_matches(const Engine::Impl& e, Scratch::Impl& s, const CompiledRule& r, const DetectInput& in,
                  const FlowDetectState& flow, bool* from_stream, bool* from_app);
bool header_matches(const CompiledRule& r, const PacketFields& p, const FlowFields& f);

// Exposed for tests: one payload list evaluated against one buffer.
bool list_matches(const Engine::Impl& e, Scratch::Impl& s, const CompiledRule& r, const OpList& list,
                  const uint8_t* data, size_t len, size_t new_from);

// threshold.cc
class ThresholdTable {
 public:
  explicit ThresholdTable(size_t capacity);
  // true: the alert passes this threshold (or detection_filter) now. Thread-safe.
  bool allow(uint32_t rule_index, const ThresholdSpec& spec, const PacketFields& p, const FlowFields& f);

 private:
  struct Entry {
    uint64_t key_hash = 0;
    uint32_t rule_plus1 = 0;  // 0: empty
    uint8_t track = 0;
    std::array<uint8_t, 33> key{};  // addresses (or flow id) making the key
    uint64_t window_start_us = 0;
    uint64_t last_us = 0;
    uint32_t count = 0;
    bool alerted = false;
  };
  static constexpr size_t kStripes = 64;
  static constexpr size_t kProbe = 8;
  std::vector<Entry> entries_;
  std::array<std::mutex, kStripes> locks_;
};

}  // namespace canh::rules
