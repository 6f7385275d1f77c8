// Engine::build compiles a RuleSet; Engine::inspect runs one packet. See engine.h for the semantics.
#include "rules/engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <atomic>
#include <map>
#include <thread>
#include <unordered_map>

#include "common/log.h"
#include "rules/engine_impl.h"
#include "rules/parser.h"
#include "rules/prefilter.h"

namespace canh::rules {
namespace {

// Suricata's default pcre limits (suricata.yaml pcre.match-limit / match-limit-recursion).
constexpr uint32_t kPcreMatchLimit = 3500;
constexpr uint32_t kPcreDepthLimit = 1500;

int action_rank(Action a) {
  switch (a) {
    case Action::kPass: return 0;
    case Action::kDrop: return 1;
    case Action::kReject: return 2;
    case Action::kAlert: return 3;
  }
  return 3;
}

// Suricata's flowbits ordering: rules that only set come first, then set+read, then read-only, then
// rules without flowbits.
int flowbits_rank(const Rule& r) {
  bool read = false, write = false;
  for (const auto& f : r.flowbits) {
    if (f.cmd == FlowbitOp::Cmd::kIsset || f.cmd == FlowbitOp::Cmd::kIsnotset) read = true;
    else write = true;
  }
  if (write && !read) return 0;
  if (write && read) return 1;
  if (read) return 2;
  return 3;
}

// Buffers only a request (client side) carries, and only a response carries.
bool request_only(Buffer b) {
  switch (b) {
    case Buffer::kHttpUri: case Buffer::kHttpUriRaw: case Buffer::kHttpMethod: case Buffer::kHttpRequestLine:
    case Buffer::kHttpHost: case Buffer::kHttpHostRaw: case Buffer::kHttpUserAgent: case Buffer::kHttpReferer:
    case Buffer::kHttpAccept: case Buffer::kHttpAcceptEnc: case Buffer::kHttpAcceptLang:
    case Buffer::kHttpRequestBody: case Buffer::kHttpRequestHeader: case Buffer::kDnsQuery: case Buffer::kTlsSni:
    case Buffer::kJa3Hash: case Buffer::kJa3String:
      return true;
    default:
      return false;
  }
}
bool response_only(Buffer b) {
  switch (b) {
    case Buffer::kHttpResponseLine: case Buffer::kHttpStatCode: case Buffer::kHttpStatMsg: case Buffer::kHttpServer:
    case Buffer::kHttpLocation: case Buffer::kHttpResponseBody: case Buffer::kHttpResponseHeader:
    case Buffer::kTlsCertSubject: case Buffer::kTlsCertIssuer: case Buffer::kTlsCertSerial:
    case Buffer::kTlsCertFingerprint: case Buffer::kJa3sHash: case Buffer::kJa3sString:
      return true;
    default:
      return false;
  }
}

uint32_t v4_of(const Address& a) {
  return uint32_t(a.bytes[0]) << 24 | uint32_t(a.bytes[1]) << 16 | uint32_t(a.bytes[2]) << 8 | a.bytes[3];
}
Uint128 v6_of(const Address& a) {
  Uint128 v = 0;
  for (int i = 0; i < 16; ++i) v = v << 8 | a.bytes[size_t(i)];
  return v;
}

// Builds elementary intervals over the union of every rule's ranges; each maps to the rules covering it.
template <class V, class R>
void build_index(const std::vector<std::pair<uint32_t, const std::vector<R>*>>& sets, std::vector<V>* starts,
                 std::vector<uint32_t>* offsets, std::vector<uint32_t>* postings, V max) {
  std::vector<V> points;
  for (const auto& [rule, ranges] : sets) {
    for (const auto& r : *ranges) {
      points.push_back(r.lo);
      if (r.hi != max) points.push_back(V(r.hi + 1));
    }
  }
  if (points.empty()) return;
  points.push_back(V(0));
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  std::vector<std::vector<uint32_t>> lists(points.size());
  for (const auto& [rule, ranges] : sets) {
    for (const auto& r : *ranges) {
      size_t a = size_t(std::lower_bound(points.begin(), points.end(), r.lo) - points.begin());
      size_t b = r.hi == max ? points.size()
                             : size_t(std::lower_bound(points.begin(), points.end(), V(r.hi + 1)) - points.begin());
      for (size_t i = a; i < b; ++i) lists[i].push_back(rule);
    }
  }
  size_t base = postings->size();
  *starts = points;
  offsets->clear();
  for (auto& l : lists) {
    offsets->push_back(uint32_t(postings->size() - base));
    std::sort(l.begin(), l.end());
    l.erase(std::unique(l.begin(), l.end()), l.end());
    postings->insert(postings->end(), l.begin(), l.end());
  }
  offsets->push_back(uint32_t(postings->size() - base));
}

struct MatchCtx {
  Scratch::Impl* s;
  const PrefilterGroup* g;
};

inline void add_candidate(Scratch::Impl& s, uint32_t idx) {
  uint64_t& w = s.seen[idx >> 6];
  uint64_t bit = uint64_t(1) << (idx & 63);
  if (w & bit) return;
  w |= bit;
  s.candidates.push_back(idx);
}

int on_hs_match(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  auto* m = static_cast<MatchCtx*>(ctx);
  const PrefilterGroup& g = *m->g;
  for (uint32_t k = g.offsets[id]; k < g.offsets[id + 1]; ++k) add_candidate(*m->s, g.postings[k]);
  return 0;
}

void scan(const Engine::Impl& e, Scratch::Impl& s, int gi, std::span<const uint8_t> data, bool allow_empty = false) {
  if (gi < 0 || (data.empty() && !allow_empty)) return;
  static const char kNothing = 0;
  const PrefilterGroup& g = e.groups[size_t(gi)];
  MatchCtx m{&s, &g};
  const char* p = data.empty() ? &kNothing : reinterpret_cast<const char*>(data.data());
  // A scan error (only possible on a bad scratch, a bug) just leaves the candidates found so far.
  hs_scan(g.db, p, unsigned(std::min<size_t>(data.size(), UINT32_MAX)), 0, s.hs, on_hs_match, &m);
}

void add_indexed(Scratch::Impl& s, const AddressIndex& ix, const Address& a) {
  if (ix.empty()) return;
  if (a.family == 4 && !ix.v4_starts.empty()) {
    uint32_t v = v4_of(a);
    size_t i = size_t(std::upper_bound(ix.v4_starts.begin(), ix.v4_starts.end(), v) - ix.v4_starts.begin()) - 1;
    for (uint32_t k = ix.v4_offsets[i]; k < ix.v4_offsets[i + 1]; ++k) add_candidate(s, ix.rules[k]);
  } else if (a.family == 6 && !ix.v6_starts.empty()) {
    Uint128 v = v6_of(a);
    size_t i = size_t(std::upper_bound(ix.v6_starts.begin(), ix.v6_starts.end(), v) - ix.v6_starts.begin()) - 1;
    size_t base = ix.v4_offsets.empty() ? 0 : ix.v4_offsets.back();
    for (uint32_t k = ix.v6_offsets[i]; k < ix.v6_offsets[i + 1]; ++k) add_candidate(s, ix.rules[base + k]);
  }
}

bool suppressed(const CompiledRule& r, const PacketFields& p) {
  if (r.suppress_all) return true;
  for (const auto& sup : r.suppressions) {
    bool src = sup.ip->contains(p.src), dst = sup.ip->contains(p.dst);
    if (sup.track == Track::kBySrc ? src : sup.track == Track::kByDst ? dst : (src || dst)) return true;
  }
  return false;
}

// A fast pattern for the prefilter: the content marked fast_pattern, else the longest positive one,
// preferring app-layer buffers when the rule has any (their scans are smaller and, for sensors
// inspecting transactions separately, the payload then need not be scanned in transaction calls).
int choose_fast_pattern(const Rule& r) {
  int best = -1;
  size_t best_len = 0;
  bool best_app = false;
  for (size_t i = 0; i < r.ops.size(); ++i) {
    const Op& op = r.ops[i];
    if (op.kind != OpKind::kContent) continue;
    const ContentOp& c = r.contents[op.index];
    if (c.negated) continue;
    if (c.fast_pattern) return int(i);
    size_t len = c.fp_length ? c.fp_length : c.pattern.size();
    bool app = !is_packet_buffer(op.buffer);
    if (best < 0 || (app && !best_app) || (app == best_app && len > best_len)) {
      best = int(i);
      best_len = len;
      best_app = app;
    }
  }
  return best;
}

// For a rule without a usable content: its first positive, non-relative pcre as a Hyperscan regex in
// prefilter mode (relative ones anchor at a cursor Hyperscan does not know). -1 when none fits.
int choose_prefilter_pcre(const Rule& r, Regex* out) {
  for (size_t i = 0; i < r.ops.size(); ++i) {
    const Op& op = r.ops[i];
    if (op.kind != OpKind::kPcre) continue;
    const PcreOp& p = r.pcres[op.index];
    if (p.negated || p.relative) continue;
    // Extended syntax and $-at-end-only have no Hyperscan flag; leave those to PCRE2 alone.
    if (p.options & (PCRE2_EXTENDED | PCRE2_DOLLAR_ENDONLY)) continue;
    Regex re;
    re.expr = (p.options & PCRE2_ANCHORED) ? "^(?:" + p.regex + ")" : p.regex;
    re.flags = HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY;
    if (p.options & PCRE2_CASELESS) re.flags |= HS_FLAG_CASELESS;
    if (p.options & PCRE2_DOTALL) re.flags |= HS_FLAG_DOTALL;
    if (p.options & PCRE2_MULTILINE) re.flags |= HS_FLAG_MULTILINE;
    if (re.expr.find('\0') != std::string::npos || !regex_supported(re)) continue;
    *out = std::move(re);
    return int(i);
  }
  return -1;
}

bool dsize_requires_payload(const IntMatch& m) {
  switch (m.mode) {
    case IntMatch::Mode::kRange:
    case IntMatch::Mode::kGt:
    case IntMatch::Mode::kGe:
    case IntMatch::Mode::kNe:
    case IntMatch::Mode::kNotRange:
      return true;
    case IntMatch::Mode::kEq:
      return m.a > 0;
    default:
      return false;
  }
}

}  // namespace

Engine::Impl::~Impl() {
  for (auto& g : groups)
    if (g.db) hs_free_database(g.db);
  for (auto& p : pcres)
    if (p.code) pcre2_code_free(p.code);
  if (proto_scratch) hs_free_scratch(proto_scratch);
}

Scratch::Impl::~Impl() {
  if (hs) hs_free_scratch(hs);
  if (match) pcre2_match_data_free(match);
  if (mctx) pcre2_match_context_free(mctx);
  if (mctx_nolimit) pcre2_match_context_free(mctx_nolimit);
}

Scratch::Scratch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
const InspectCounters& Scratch::counters() const { return impl_->counters; }
Scratch::~Scratch() = default;
Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

std::string Engine::version() const { return impl_->version; }
size_t Engine::loaded() const { return impl_->stats.rules_loaded; }
size_t Engine::skipped() const { return impl_->stats.rules_skipped; }
const std::vector<SkippedRule>& Engine::skipped_rules() const { return impl_->skipped; }
const EngineStats& Engine::stats() const { return impl_->stats; }
const std::vector<std::string>& Engine::flowbit_names() const { return impl_->flowbit_names; }

size_t Engine::entry_of(uint32_t gid, uint32_t sid) const {
  uint64_t key = uint64_t(gid) << 32 | sid;
  auto it = std::lower_bound(impl_->by_gid_sid.begin(), impl_->by_gid_sid.end(), std::make_pair(key, uint32_t(0)));
  if (it == impl_->by_gid_sid.end() || it->first != key) return SIZE_MAX;
  return impl_->rules[it->second].entry;
}

std::unique_ptr<Scratch> Engine::make_scratch() const {
  auto s = std::make_unique<Scratch::Impl>();
  s->engine = impl_.get();
  if (impl_->proto_scratch && hs_clone_scratch(impl_->proto_scratch, &s->hs) != HS_SUCCESS) s->hs = nullptr;
  s->match = pcre2_match_data_create(1, nullptr);
  s->mctx = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(s->mctx, kPcreMatchLimit);
  pcre2_set_depth_limit(s->mctx, kPcreDepthLimit);
  s->mctx_nolimit = pcre2_match_context_create(nullptr);
  s->candidates.reserve(impl_->rules.size());
  s->seen.assign(impl_->rules.size() / 64 + 1, 0);
  return std::unique_ptr<Scratch>(new Scratch(std::move(s)));
}

void Engine::inspect(const DetectInput& in, FlowDetectState& flow, Scratch& scratch, AlertSink& sink) const {
  const Impl& e = *impl_;
  Scratch::Impl& s = *scratch.impl_;
  const PacketFields& p = in.packet;
  if (flow.passed || flow.dropped || p.ip_version == 0 || e.rules.empty()) return;
  const size_t cls = proto_class(p.ip_proto);
  const size_t dir = (!in.flow.has_flow || in.flow.to_server) ? 1 : 0;
  s.candidates.clear();

  const bool app_only = in.app_rules_only;
  if (app_only && !in.app) return;
  if (s.hs) {
    // The server's port: where packets to the server go, where packets to the client come from.
    const uint16_t server_port = dir == 1 ? p.dport : p.sport;
    auto packet_scan = [&](Buffer b, std::span<const uint8_t> data) {
      const size_t bi = static_cast<size_t>(b);
      scan(e, s, e.slots[bi][cls][dir].lookup(server_port), data);
      scan(e, s, e.regex_group_of[bi][cls][dir], data);
    };
    if (!app_only || e.app_rules_need_payload_scan) {
      if (p.ip_proto == 6 && p.stream_added) {
        // Only packet-only rules read the payload of a segment that went into the stream (verify.cc).
        scan(e, s, e.tcp_packet_only_group[dir], p.payload);
        scan(e, s, e.tcp_packet_only_regex[dir], p.payload);
      } else {
        packet_scan(Buffer::kPayload, p.payload);
      }
      if (in.stream && p.ip_proto == 6) packet_scan(Buffer::kPayload, in.stream->data);
    }
    if (!app_only) {
      packet_scan(p.ip_version == 4 ? Buffer::kIpv4Hdr : Buffer::kIpv6Hdr, p.l3_header);
      Buffer l4 = p.ip_proto == 6    ? Buffer::kTcpHdr
                  : p.ip_proto == 17 ? Buffer::kUdpHdr
                  : p.ip_proto == 1  ? Buffer::kIcmpv4Hdr
                  : p.ip_proto == 58 ? Buffer::kIcmpv6Hdr
                                     : Buffer::kCount;
      if (l4 != Buffer::kCount) packet_scan(l4, p.l4_header);
    }
    if (in.app) {
      const AppBuffers& a = *in.app;
      const size_t side = a.to_server ? 1 : 0;
      for (size_t b = 1; b < kBufferCount; ++b) {
        if (!a.present[b]) continue;
        for (int gi : {int(e.slots[b][0][side].group[0]), int(e.regex_group_of[b][0][side])}) {
          if (gi < 0) continue;
          if (!a.multi[b].empty()) {
            for (const auto& part : a.multi[b]) scan(e, s, gi, part);
          } else {
            // An empty buffer is still a buffer: a regex like /^.{0,2}$/ matches it.
            scan(e, s, gi, a.buf[b], /*allow_empty=*/true);
          }
        }
      }
    }
  }
  // Rules without a prefilter pattern: the ones needing payload are skipped for packets without it,
  // as Suricata's signature masks do for its non-prefilter list (prefiltered rules are not masked).
  const size_t prefiltered = s.candidates.size();
  const UnprefilteredList& up = e.unprefiltered[cls][dir];
  for (uint32_t idx : up.residual) add_candidate(s, idx);
  add_indexed(s, up.by_src, p.src);
  add_indexed(s, up.by_dst, p.dst);
  add_indexed(s, up.by_src, p.dst);  // bidirectional rules are indexed on both sides
  add_indexed(s, up.by_dst, p.src);
  auto add_port = [&](const std::vector<std::pair<uint16_t, uint32_t>>& ix, uint16_t port) {
    auto it = std::lower_bound(ix.begin(), ix.end(), std::make_pair(port, uint32_t(0)));
    for (; it != ix.end() && it->first == port; ++it) add_candidate(s, it->second);
  };
  if (p.ip_proto == 6 || p.ip_proto == 17 || p.ip_proto == 132) {
    add_port(up.by_dport, p.dport);
    add_port(up.by_sport, p.sport);
  }
  const bool has_payload = !p.payload.empty();
  // IP-only rules: the first real packet of each direction of a flow (any packet without a flow).
  const uint8_t dir_bit = dir == 1 ? 1 : 2;
  const bool ip_only_now =
      !app_only && !p.stream_end && (!in.flow.has_flow || !(flow.ip_only_done & dir_bit));
  if (in.flow.has_flow && !app_only && !p.stream_end) flow.ip_only_done |= dir_bit;
  size_t keep = prefiltered;
  for (size_t i = prefiltered; i < s.candidates.size(); ++i) {
    uint32_t idx = s.candidates[i];
    const CompiledRule& r = e.rules[idx];
    if ((r.requires_payload && !has_payload) || (app_only && !r.has_app_list) ||
        (r.requires_initdeinit && !(p.tcp_flags & 0x07)) || (r.ip_only && !ip_only_now)) {
      s.seen[idx >> 6] = 0;
      continue;
    }
    s.candidates[keep++] = idx;
  }
  s.candidates.resize(keep);

  std::sort(s.candidates.begin(), s.candidates.end());
  for (uint32_t idx : s.candidates) s.seen[idx >> 6] = 0;
  ++s.counters.packets;
  s.counters.candidates += s.candidates.size();

  for (uint32_t idx : s.candidates) {
    const CompiledRule& r = e.rules[idx];
    if (app_only && !r.has_app_list) continue;
    if (r.requires_payload && !has_payload && !r.literal_prefiltered) continue;
    bool from_stream = false, from_app = false;
    if (!rule_matches(e, s, r, in, flow, &from_stream, &from_app)) continue;
    ++s.counters.matches;
    if (r.has_app_list && in.app) {
      // Once per transaction and direction: a transaction offered again (it grew) does not re-alert.
      bool dup = false;
      for (const auto& t : flow.tx_alerts) {
        if (t.rule == idx + 1 && t.tx_id == in.app->tx_id && t.to_server == in.app->to_server) dup = true;
      }
      if (dup) continue;
      auto& slot = flow.tx_alerts[flow.tx_alerts_next];
      slot.tx_id = in.app->tx_id;
      slot.rule = idx + 1;
      slot.to_server = in.app->to_server;
      flow.tx_alerts_next = uint8_t((flow.tx_alerts_next + 1) % kTxAlertMemory);
    }
    for (const auto& fb : r.flowbit_actions) {
      for (uint16_t b : fb.bits) {
        uint64_t bit = uint64_t(1) << (b & 63);
        uint64_t& w = flow.flowbits[b >> 6];
        if (fb.cmd == FlowbitOp::Cmd::kSet) w |= bit;
        else if (fb.cmd == FlowbitOp::Cmd::kUnset) w &= ~bit;
        else w ^= bit;
      }
    }
    bool alert = !r.noalert && !suppressed(r, p);
    if (alert && r.detection_filter) alert = e.thresholds->allow(idx, *r.detection_filter, p, in.flow);
    if (alert && r.threshold) alert = e.thresholds->allow(idx, *r.threshold, p, in.flow);
    if (alert) {
      AlertInfo info = r.info;
      info.from_stream = from_stream;
      info.from_app = from_app;
      info.tx_id = from_app && in.app ? in.app->tx_id : 0;
      ++s.counters.alerts;
      sink.on_alert(info);
    }
    if (r.rule->action == Action::kPass) {
      // Suricata: a matching pass rule ends inspection of the packet and passes the flow.
      flow.passed = in.flow.has_flow;
      break;
    }
    if (r.rule->action == Action::kDrop || r.rule->action == Action::kReject) {
      // The packet's other rules still run (Suricata alerts on every match of a dropped packet).
      if (in.flow.has_flow) flow.dropped = true;
    }
  }
}

Result<std::shared_ptr<const Engine>> Engine::build(const RuleSet& rs, const EngineOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  auto impl = std::make_unique<Impl>();
  Impl& e = *impl;
  const RuleLoadOptions& lo = rs.options();
  const auto& entries = rs.entries();

  // --- threshold.config: per-rule overrides and suppressions
  std::map<uint64_t, const ThresholdEntry*> threshold_override;
  std::vector<const ThresholdEntry*> suppress_entries;
  for (const auto& t : lo.thresholds) {
    if (t.kind == ThresholdEntry::Kind::kThreshold) threshold_override[uint64_t(t.gid) << 32 | t.sid] = &t;
    else suppress_entries.push_back(&t);
  }

  // --- pcre compilation, shared between identical expressions
  std::map<std::pair<std::string, uint32_t>, uint32_t> pcre_ids;
  auto compile_pcre = [&](const PcreOp& p, std::string* err) -> int64_t {
    auto key = std::make_pair(p.regex, p.options);
    auto it = pcre_ids.find(key);
    if (it != pcre_ids.end()) return it->second;
    int ec = 0;
    PCRE2_SIZE eo = 0;
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p.regex.data()), p.regex.size(), p.options, &ec, &eo,
                                     nullptr);
    if (!code) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(ec, buf, sizeof buf);
      *err = "pcre \"" + p.regex.substr(0, 80) + "\": " + reinterpret_cast<char*>(buf) + " at offset " + std::to_string(eo);
      return -1;
    }
    CompiledPcre cp;
    cp.code = code;
    cp.no_limit = p.flags.find('O') != std::string::npos;
    if (options.pcre_jit && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0) cp.jit = true;
    e.pcres.push_back(cp);
    ++e.stats.pcre_count;
    if (cp.jit) ++e.stats.pcre_jit_count;
    uint32_t id = uint32_t(e.pcres.size() - 1);
    pcre_ids.emplace(std::move(key), id);
    return id;
  };

  // --- first pass: everything per rule that does not depend on order
  std::unordered_map<std::string, uint16_t> flowbit_ids;
  struct Draft {
    CompiledRule r;
    int action, fb_rank, priority;
  };
  std::vector<Draft> drafts;
  for (size_t i = 0; i < entries.size(); ++i) {
    const RuleEntry& en = entries[i];
    if (!en.enabled || !en.rule) continue;
    if (!en.skip_reason.empty()) {
      ++e.stats.rules_skipped;
      continue;
    }
    const Rule& rule = *en.rule;
    CompiledRule r;
    r.rule = &rule;
    r.entry = i;
    std::string err;
    bool ok = true;
    for (const auto& p : rule.pcres) {
      int64_t id = compile_pcre(p, &err);
      if (id < 0) {
        ok = false;
        break;
      }
      r.pcre_slot.push_back(uint32_t(id));
    }
    if (!ok) {
      e.skipped.push_back({i, "pcre does not compile", err});
      ++e.stats.rules_skipped;
      continue;
    }
    for (const auto& fb : rule.flowbits) {
      CompiledFlowbit cf;
      cf.cmd = fb.cmd;
      cf.any_of = fb.any_of;
      for (const auto& name : fb.names) {
        auto it = flowbit_ids.find(name);
        if (it == flowbit_ids.end()) {
          if (flowbit_ids.size() >= kMaxFlowbits) {
            ok = false;
            break;
          }
          it = flowbit_ids.emplace(name, uint16_t(flowbit_ids.size())).first;
        }
        cf.bits.push_back(it->second);
      }
      if (!ok) break;
      bool check = fb.cmd == FlowbitOp::Cmd::kIsset || fb.cmd == FlowbitOp::Cmd::kIsnotset;
      (check ? r.flowbit_checks : r.flowbit_actions).push_back(std::move(cf));
    }
    if (!ok) {
      e.skipped.push_back({i, "more than 4096 flowbit names", "flowbit table full"});
      ++e.stats.rules_skipped;
      continue;
    }
    // header
    r.transport = rule.transport;
    r.ip_version = rule.ip_version;
    r.app = rule.app;
    r.stream = rule.stream;
    r.bidirectional = rule.bidirectional;
    r.transactional = rule.transactional;
    r.src = rule.src_addr.get();
    r.dst = rule.dst_addr.get();
    r.sport = rule.src_port.get();
    r.dport = rule.dst_port.get();
    r.src_any = r.src->is_any();
    r.dst_any = r.dst->is_any();
    r.sport_any = r.sport->is_any();
    r.dport_any = r.dport->is_any();
    r.flow = rule.flow;
    // options: packet ops, then one list per buffer in order of first use
    std::vector<Buffer> order;
    for (const Op& op : rule.ops) {
      if (!is_payload_op(op.kind)) {
        r.packet_ops.push_back(op);
        continue;
      }
      if (std::find(order.begin(), order.end(), op.buffer) == order.end()) order.push_back(op.buffer);
    }
    // The payload list last: app and header lists are short and reject early.
    std::stable_partition(order.begin(), order.end(), [](Buffer b) { return b != Buffer::kPayload; });
    bool req = false, resp = false;
    for (Buffer b : order) {
      OpList l;
      l.buffer = b;
      l.first = uint32_t(r.list_ops.size());
      for (const Op& op : rule.ops)
        if (is_payload_op(op.kind) && op.buffer == b) r.list_ops.push_back(op);
      l.count = uint32_t(r.list_ops.size() - l.first);
      r.lists.push_back(l);
      if (b == Buffer::kPayload) r.has_payload_list = true;
      else if (!is_packet_buffer(b)) {
        r.has_app_list = true;
        req |= request_only(b);
        resp |= response_only(b);
      }
    }
    // IP-only as Suricata's SignatureIsIPOnly: no app protocol, no buffer at all, no flow direction,
    // any ports for TCP/UDP, and among packet keywords only flowbits other than isset (threshold and
    // detection_filter live outside the option list here and are compatible too).
    r.ip_only = rule.app == AppProto::kUnknown && r.lists.empty() && r.packet_ops.empty() && !rule.flow.to_server &&
                !rule.flow.to_client && !rule.flow.established && !rule.flow.not_established &&
                !rule.flow.only_stream && !rule.flow.no_stream && !rule.flow.only_frag && !rule.flow.no_frag &&
                !rule.flow.stateless && r.stream == StreamMode::kBoth &&
                ((rule.transport != Transport::kTcp && rule.transport != Transport::kUdp) ||
                 (r.sport_any && r.dport_any));
    for (const auto& fb : rule.flowbits)
      if (fb.cmd == FlowbitOp::Cmd::kIsset) r.ip_only = false;
    r.requires_payload = r.has_payload_list;
    for (const Op& op : r.packet_ops) {
      if (op.kind != OpKind::kFlags) continue;
      const BitsMatch& bm = rule.bits[op.index];
      if ((bm.modifier == 0 || bm.modifier == '+') && (bm.mask & 0x07)) r.requires_initdeinit = true;
    }
    for (const Op& op : r.packet_ops)
      if (op.kind == OpKind::kDsize && dsize_requires_payload(rule.ints[op.index])) r.requires_payload = true;
    if (r.has_app_list) {
      if (rule.flow.to_client || resp) r.tx_side = TxSide::kToClient;
      else if (rule.flow.to_server || req) r.tx_side = TxSide::kToServer;
      else r.tx_side = TxSide::kEither;
    }
    // alert template
    const Classification* cls = rule.classtype.empty() ? nullptr : lo.classification.find(rule.classtype);
    int priority = rule.priority ? rule.priority : (cls ? cls->priority : 3);
    r.info.gid = rule.gid;
    r.info.sid = rule.sid;
    r.info.rev = rule.rev;
    r.info.action = uint8_t(rule.action);
    r.info.priority = uint8_t(std::clamp(priority, 1, 255));
    r.info.msg = rule.msg;
    r.info.classtype = rule.classtype;
    if (cls) {
      e.categories.push_back(cls->description);
      r.info.category = e.categories.back();
    }
    r.info.metadata = rule.metadata;
    r.info.target = rule.target;
    r.noalert = rule.noalert;
    // thresholds
    auto ov = threshold_override.find(uint64_t(rule.gid) << 32 | rule.sid);
    if (ov != threshold_override.end()) {
      e.threshold_specs.push_back(std::make_unique<ThresholdSpec>(ov->second->spec));
      r.threshold = e.threshold_specs.back().get();
    } else if (rule.threshold) {
      r.threshold = &*rule.threshold;
    }
    if (rule.detection_filter) r.detection_filter = &*rule.detection_filter;
    for (const ThresholdEntry* t : suppress_entries) {
      if ((t->gid != 0 && t->gid != rule.gid) || (t->sid != 0 && t->sid != rule.sid)) continue;
      if (!t->has_ip) r.suppress_all = true;
      else r.suppressions.push_back({t->track, t->ip.get()});
    }
    e.keepalive.push_back(en.rule);
    drafts.push_back({std::move(r), action_rank(rule.action), flowbits_rank(rule), priority});
  }

  // --- evaluation order
  std::stable_sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
    if (a.action != b.action) return a.action < b.action;
    if (a.fb_rank != b.fb_rank) return a.fb_rank < b.fb_rank;
    if (a.priority != b.priority) return a.priority < b.priority;
    if (a.r.info.sid != b.r.info.sid) return a.r.info.sid < b.r.info.sid;
    return a.r.info.gid < b.r.info.gid;
  });
  e.rules.reserve(drafts.size());
  for (auto& d : drafts) {
    d.r.index = uint32_t(e.rules.size());
    e.rules.push_back(std::move(d.r));
  }
  e.stats.rules_loaded = e.rules.size();
  e.max_flowbit = flowbit_ids.size();
  e.flowbit_names.resize(flowbit_ids.size());
  for (const auto& [name, bit] : flowbit_ids) e.flowbit_names[bit] = name;
  for (uint32_t i = 0; i < e.rules.size(); ++i)
    e.by_gid_sid.emplace_back(uint64_t(e.rules[i].info.gid) << 32 | e.rules[i].info.sid, i);
  std::sort(e.by_gid_sid.begin(), e.by_gid_sid.end());

  // --- prefilter groups: plans per (buffer, class, direction), then one database per port slot
  struct PlanEntry {
    uint32_t rule = 0;
    uint32_t lit = 0;
    const PortSet* ports = nullptr;  // the rule's server-side ports; null: any (or too many to split on)
  };
  struct Plan {
    std::vector<Literal> lits;
    std::map<std::pair<std::string, bool>, uint32_t> lit_ids;
    std::vector<PlanEntry> entries;
  };
  std::map<std::tuple<int, int, int>, Plan> plans;  // (buffer, class, dir)
  struct RegexPlan {
    std::vector<Regex> res;
    std::map<std::pair<std::string, unsigned>, uint32_t> ids;
    std::vector<std::vector<uint32_t>> rules_of;
  };
  std::map<std::tuple<int, int, int>, RegexPlan> regex_plans;
  std::array<std::array<std::vector<uint32_t>, 2>, kProtoClasses> unpre;
  for (const CompiledRule& r : e.rules) {
    const Rule& rule = *r.rule;
    std::vector<size_t> classes;
    switch (rule.transport) {
      case Transport::kTcp: classes = {0}; break;
      case Transport::kUdp: classes = {1}; break;
      case Transport::kIcmp: case Transport::kIcmp4: case Transport::kIcmp6: classes = {2}; break;
      case Transport::kSctp: classes = {3}; break;
      case Transport::kAny:
        classes = rule.app != AppProto::kUnknown ? std::vector<size_t>{0, 1} : std::vector<size_t>{0, 1, 2, 3};
        break;
    }
    std::vector<size_t> dirs;
    if (rule.flow.to_server) dirs = {1};
    else if (rule.flow.to_client) dirs = {0};
    else dirs = {0, 1};
    int fp = choose_fast_pattern(rule);
    if (fp < 0) {
      Regex re;
      int rp = choose_prefilter_pcre(rule, &re);
      if (rp >= 0) {
        const Op& op = rule.ops[size_t(rp)];
        bool packet_buffer = is_packet_buffer(op.buffer);
        std::vector<size_t> gclasses = packet_buffer ? classes : std::vector<size_t>{0};
        std::vector<size_t> gdirs = dirs;
        if (!packet_buffer) {
          gdirs = r.tx_side == TxSide::kToServer ? std::vector<size_t>{1}
                  : r.tx_side == TxSide::kToClient ? std::vector<size_t>{0}
                                                   : std::vector<size_t>{0, 1};
        }
        if (r.has_app_list && packet_buffer) e.app_rules_need_payload_scan = true;
        for (size_t c : gclasses) {
          for (size_t d : gdirs) {
            RegexPlan& rp_plan = regex_plans[{int(op.buffer), int(c), int(d)}];
            auto key = std::make_pair(re.expr, re.flags);
            auto it = rp_plan.ids.find(key);
            if (it == rp_plan.ids.end()) {
              it = rp_plan.ids.emplace(key, uint32_t(rp_plan.res.size())).first;
              rp_plan.res.push_back(re);
              rp_plan.rules_of.emplace_back();
            }
            rp_plan.rules_of[it->second].push_back(r.index);
          }
        }
        ++e.stats.prefiltered_rules;
        ++e.stats.regex_prefiltered_rules;
        continue;
      }
      for (size_t c : classes)
        for (size_t d : dirs) unpre[c][d].push_back(r.index);
      ++e.stats.unprefiltered_rules;
      continue;
    }
    const Op& op = rule.ops[size_t(fp)];
    const ContentOp& ct = rule.contents[op.index];
    e.rules[r.index].literal_prefiltered = true;
    if (r.has_app_list && is_packet_buffer(op.buffer)) e.app_rules_need_payload_scan = true;
    Literal lit;
    lit.bytes = ct.fp_length ? ct.pattern.substr(ct.fp_offset, ct.fp_length) : ct.pattern;
    lit.nocase = ct.nocase;
    std::vector<size_t> gclasses = classes, gdirs = dirs;
    bool packet_buffer = is_packet_buffer(op.buffer);
    if (!packet_buffer) {
      gclasses = {0};
      if (r.tx_side == TxSide::kToServer) gdirs = {1};
      else if (r.tx_side == TxSide::kToClient) gdirs = {0};
      else gdirs = {0, 1};
    }
    for (size_t c : gclasses) {
      for (size_t d : gdirs) {
        Plan& plan = plans[{int(op.buffer), int(c), int(d)}];
        auto key = std::make_pair(lit.bytes, lit.nocase);
        auto it = plan.lit_ids.find(key);
        if (it == plan.lit_ids.end()) {
          it = plan.lit_ids.emplace(key, uint32_t(plan.lits.size())).first;
          plan.lits.push_back(lit);
        }
        // The server port is the destination for packets to the server and the source for those
        // to the client; sets of more than 32 ports (1024:, !80) are not worth a split.
        const PortSet* ports = nullptr;
        if (packet_buffer && c <= 1 && !rule.bidirectional) {
          const PortSet* ps = d == 1 ? r.dport : r.sport;
          if (!ps->is_any() && ps->count() <= 32) ports = ps;
        }
        plan.entries.push_back({r.index, it->second, ports});
      }
    }
    ++e.stats.prefiltered_rules;
  }

  struct GroupBuild {
    Buffer buffer;
    int cls, dir, slot, port;
    std::vector<Literal> lits;
    std::vector<std::vector<uint32_t>> rules_of;
    bool packet_only = false;  // for tcp_packet_only_group
  };
  std::vector<GroupBuild> builds;
  // A port earns its own database when at least this many rules name it.
  constexpr size_t kMinRulesForPortGroup = 8;
  for (auto& [key, plan] : plans) {
    auto [buffer, cls, dir] = key;
    std::map<uint16_t, size_t> per_port;
    for (const auto& en : plan.entries)
      if (en.ports)
        for (const auto& [lo, hi] : en.ports->ranges())
          for (uint32_t p = lo; p <= hi; ++p) ++per_port[uint16_t(p)];
    // A port database pays for its compile time and memory only when it leaves out a good share of
    // the group (the rules bound to other ports); otherwise one database serves every port.
    size_t specific = 0;
    for (const auto& en : plan.entries) specific += en.ports != nullptr;
    std::vector<std::pair<size_t, uint16_t>> ranked;
    for (const auto& [port, n] : per_port)
      if (n >= kMinRulesForPortGroup && (specific - n) * 4 >= plan.entries.size()) ranked.emplace_back(n, port);
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (ranked.size() > kMaxHotPorts) ranked.resize(kMaxHotPorts);
    GroupSlots& gs = e.slots[size_t(buffer)][size_t(cls)][size_t(dir)];
    gs.nports = uint8_t(ranked.size());
    for (size_t i = 0; i < ranked.size(); ++i) gs.ports[i] = ranked[i].second;
    const bool tcp_payload = Buffer(buffer) == Buffer::kPayload && cls == 0;
    for (size_t slot = 0; slot <= ranked.size(); ++slot) {
      GroupBuild gb;
      gb.buffer = Buffer(buffer);
      gb.cls = cls;
      gb.dir = dir;
      gb.slot = int(slot);
      gb.port = slot == 0 ? -1 : int(ranked[slot - 1].second);
      std::vector<int64_t> remap(plan.lits.size(), -1);
      for (const auto& en : plan.entries) {
        bool in = !en.ports;
        if (!in && slot > 0) in = en.ports->contains(uint16_t(gb.port));
        if (!in && slot == 0) {
          // "Other ports": any port of the rule that has no database of its own.
          for (const auto& [lo, hi] : en.ports->ranges()) {
            for (uint32_t p = lo; p <= hi && !in; ++p) {
              bool hot = false;
              for (size_t h = 0; h < ranked.size(); ++h) hot |= ranked[h].second == p;
              in = !hot;
            }
          }
        }
        if (!in) continue;
        if (remap[en.lit] < 0) {
          remap[en.lit] = int64_t(gb.lits.size());
          gb.lits.push_back(plan.lits[en.lit]);
          gb.rules_of.emplace_back();
        }
        gb.rules_of[size_t(remap[en.lit])].push_back(en.rule);
      }
      if (!gb.lits.empty()) builds.push_back(std::move(gb));
    }
    if (tcp_payload) {
      // One database per direction, not split by port: packet-only rules are few (about 480 of ET
      // Open's 16,000 TCP rules, mostly dsize), and every Hyperscan database costs memory of its own;
      // a rule bound to another port that becomes a candidate fails its header check.
      GroupBuild po;
      po.buffer = Buffer(buffer);
      po.cls = cls;
      po.dir = dir;
      po.slot = 0;
      po.port = -1;
      po.packet_only = true;
      std::vector<int64_t> remap(plan.lits.size(), -1);
      for (const auto& en : plan.entries) {
        if (e.rules[en.rule].stream != StreamMode::kPacketOnly) continue;
        if (remap[en.lit] < 0) {
          remap[en.lit] = int64_t(po.lits.size());
          po.lits.push_back(plan.lits[en.lit]);
          po.rules_of.emplace_back();
        }
        po.rules_of[size_t(remap[en.lit])].push_back(en.rule);
      }
      if (!po.lits.empty()) builds.push_back(std::move(po));
    }
  }
  // Hyperscan compiles are independent: use both cores.
  std::string cache_warning;
  std::vector<Result<hs_database_t*>> dbs(builds.size(), Status::internal("not built"));
  std::vector<char> hits(builds.size(), 0);
  std::vector<std::string> warnings(builds.size());
  {
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i = next++; i < builds.size(); i = next++) {
        bool hit = false;
        dbs[i] = build_literal_db(builds[i].lits, options.cache_dir, &hit, &warnings[i]);
        hits[i] = hit;
      }
    };
    std::vector<std::thread> threads;
    unsigned n = std::max(1u, std::min(options.build_threads, unsigned(builds.size())));
    for (unsigned t = 1; t < n; ++t) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
  }
  for (size_t i = 0; i < builds.size(); ++i) {
    if (!dbs[i]) {
      for (size_t j = 0; j < builds.size(); ++j)
        if (dbs[j]) hs_free_database(*dbs[j]);
      return dbs[i].status();
    }
    if (cache_warning.empty()) cache_warning = warnings[i];
  }
  for (size_t i = 0; i < builds.size(); ++i) {
    GroupBuild& gb = builds[i];
    PrefilterGroup g;
    g.buffer = gb.buffer;
    g.proto_class = uint8_t(gb.cls);
    g.to_server = gb.dir == 1;
    g.port = gb.port;
    g.db = *dbs[i];
    g.patterns = gb.lits.size();
    for (auto& rl : gb.rules_of) {
      g.offsets.push_back(uint32_t(g.postings.size()));
      g.postings.insert(g.postings.end(), rl.begin(), rl.end());
    }
    g.offsets.push_back(uint32_t(g.postings.size()));
    size_t sz = 0;
    if (hs_database_size(g.db, &sz) == HS_SUCCESS) e.stats.database_bytes += sz;
    e.stats.prefilter_patterns += g.patterns;
    (hits[i] ? e.stats.cache_hits : e.stats.cache_misses) += 1;
    (gb.packet_only ? e.tcp_packet_only_group[size_t(gb.dir)]
                    : e.slots[size_t(gb.buffer)][size_t(gb.cls)][size_t(gb.dir)].group[size_t(gb.slot)]) =
        int16_t(e.groups.size());
    e.groups.push_back(std::move(g));
  }
  for (auto& a : e.regex_group_of)
    for (auto& b : a) b.fill(-1);
  // The packet-only part of the TCP payload regex plans (see tcp_packet_only_regex).
  std::map<std::tuple<int, int, int>, RegexPlan> packet_only_regex;
  for (auto& [key, plan] : regex_plans) {
    auto [buffer, cls, dir] = key;
    if (Buffer(buffer) != Buffer::kPayload || cls != 0) continue;
    RegexPlan po;
    for (size_t i = 0; i < plan.res.size(); ++i) {
      std::vector<uint32_t> rl;
      for (uint32_t r : plan.rules_of[i])
        if (e.rules[r].stream == StreamMode::kPacketOnly) rl.push_back(r);
      if (rl.empty()) continue;
      po.res.push_back(plan.res[i]);
      po.rules_of.push_back(std::move(rl));
    }
    if (!po.res.empty()) packet_only_regex.emplace(std::make_tuple(buffer, -1, dir), std::move(po));
  }
  regex_plans.merge(packet_only_regex);
  for (auto& [key, plan] : regex_plans) {
    auto [buffer, cls_key, dir] = key;
    const bool packet_only = cls_key < 0;
    const int cls = packet_only ? 0 : cls_key;
    bool hit = false;
    std::string warning;
    auto db = build_regex_db(plan.res, options.cache_dir, &hit, &warning);
    if (!db) return db.status();
    if (cache_warning.empty()) cache_warning = warning;
    PrefilterGroup g;
    g.buffer = Buffer(buffer);
    g.proto_class = uint8_t(cls);
    g.to_server = dir == 1;
    g.db = *db;
    g.patterns = plan.res.size();
    e.stats.prefilter_patterns += g.patterns;
    for (auto& rl : plan.rules_of) {
      g.offsets.push_back(uint32_t(g.postings.size()));
      g.postings.insert(g.postings.end(), rl.begin(), rl.end());
    }
    g.offsets.push_back(uint32_t(g.postings.size()));
    size_t sz = 0;
    if (hs_database_size(g.db, &sz) == HS_SUCCESS) e.stats.database_bytes += sz;
    (hit ? e.stats.cache_hits : e.stats.cache_misses) += 1;
    (packet_only ? e.tcp_packet_only_regex[size_t(dir)] : e.regex_group_of[size_t(buffer)][size_t(cls)][size_t(dir)]) =
        int16_t(e.groups.size());
    e.groups.push_back(std::move(g));
  }
  for (auto& g : e.groups)
    if (hs_alloc_scratch(g.db, &e.proto_scratch) != HS_SUCCESS)
      return Status::internal("Hyperscan could not allocate scratch space");
  e.stats.prefilter_groups = e.groups.size();
  if (!cache_warning.empty()) log::warn("rules", "prefilter cache not used").kv("reason", cache_warning);

  // --- unprefiltered rules, indexed by their most selective address side
  for (size_t c = 0; c < kProtoClasses; ++c) {
    for (size_t d = 0; d < 2; ++d) {
      UnprefilteredList& ul = e.unprefiltered[c][d];
      std::vector<std::pair<uint32_t, const std::vector<Ip4Range>*>> src4, dst4;
      std::vector<std::pair<uint32_t, const std::vector<Ip6Range>*>> src6, dst6;
      for (uint32_t idx : unpre[c][d]) {
        const CompiledRule& r = e.rules[idx];
        // A side is selective when it covers at most a /8's worth of addresses per family.
        constexpr double kSelective = double(1u << 24);
        bool src_sel = !r.src_any && r.src->size_estimate() <= kSelective;
        bool dst_sel = !r.dst_any && r.dst->size_estimate() <= kSelective;
        if (!src_sel && !dst_sel) {
          // Index by port when the rule names a few; bidirectional rules by either of their sets.
          auto few = [](const PortSet* ps) { return !ps->is_any() && ps->count() <= 32; };
          auto add_ports = [&](const PortSet* ps, std::vector<std::pair<uint16_t, uint32_t>>& ix) {
            for (const auto& [lo, hi] : ps->ranges())
              for (uint32_t port = lo; port <= hi; ++port) ix.emplace_back(uint16_t(port), idx);
          };
          if (few(r.dport) && (!r.bidirectional || few(r.sport))) {
            add_ports(r.dport, ul.by_dport);
            if (r.bidirectional) add_ports(r.sport, ul.by_dport), add_ports(r.dport, ul.by_sport), add_ports(r.sport, ul.by_sport);
          } else if (few(r.sport) && !r.bidirectional) {
            add_ports(r.sport, ul.by_sport);
          } else {
            ul.residual.push_back(idx);
          }
          continue;
        }
        bool use_src = src_sel && (!dst_sel || r.src->size_estimate() <= r.dst->size_estimate());
        const IpSet* set = use_src ? r.src : r.dst;
        // by_src lookups use the packet source, by_dst the destination; inspect() also tries the
        // swapped addresses so bidirectional rules are found, and the full header check decides.
        if (use_src) {
          src4.emplace_back(idx, &set->v4());
          src6.emplace_back(idx, &set->v6());
        } else {
          dst4.emplace_back(idx, &set->v4());
          dst6.emplace_back(idx, &set->v6());
        }
      }
      auto fill = [](AddressIndex& ix, const auto& s4, const auto& s6) {
        build_index<uint32_t, Ip4Range>(s4, &ix.v4_starts, &ix.v4_offsets, &ix.rules, 0xffffffffu);
        std::vector<uint32_t> v6post;
        build_index<Uint128, Ip6Range>(s6, &ix.v6_starts, &ix.v6_offsets, &v6post, ~Uint128(0));
        ix.rules.insert(ix.rules.end(), v6post.begin(), v6post.end());
      };
      fill(ul.by_src, src4, src6);
      fill(ul.by_dst, dst4, dst6);
      std::sort(ul.by_dport.begin(), ul.by_dport.end());
      ul.by_dport.erase(std::unique(ul.by_dport.begin(), ul.by_dport.end()), ul.by_dport.end());
      std::sort(ul.by_sport.begin(), ul.by_sport.end());
      ul.by_sport.erase(std::unique(ul.by_sport.begin(), ul.by_sport.end()), ul.by_sport.end());
    }
  }

  e.thresholds = std::make_unique<ThresholdTable>(options.threshold_table_size);

  // --- version: the loaded rules and the variables they were resolved with
  {
    uint64_t h = 0x6a09e667f3bcc908ULL;
    for (const auto& r : e.rules) {
      const std::string& text = entries[r.entry].text;
      h = stable_hash64(text.data(), text.size(), h);
    }
    for (const auto* m : {&lo.vars.address, &lo.vars.port}) {
      for (const auto& [k, v] : *m) {
        std::string kv = k + "=" + v;
        h = stable_hash64(kv.data(), kv.size(), h);
      }
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    e.version = buf;
  }
  e.stats.build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  log::info("rules", "detection engine built")
      .kv("loaded", e.stats.rules_loaded)
      .kv("skipped", e.stats.rules_skipped)
      .kv("groups", e.stats.prefilter_groups)
      .kv("patterns", e.stats.prefilter_patterns)
      .kv("unprefiltered", e.stats.unprefiltered_rules)
      .kv("cache_hits", e.stats.cache_hits)
      .kv("seconds", e.stats.build_seconds)
      .kv("version", e.version);
  return std::shared_ptr<const Engine>(new Engine(std::move(impl)));
}

}  // namespace canh::rules
