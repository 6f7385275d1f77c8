// The detection engine: a rule set compiled for matching, and the per-packet entry point.
//
//   RuleSet rules = load_rule_files({"a.rules"}, opts);            // rule_set.h
//   auto engine = Engine::build(rules, EngineOptions{.cache_dir = "/var/lib/canh/hs"});
//   auto scratch = (*engine)->make_scratch();                      // one per worker thread
//   (*engine)->inspect(input, flow_state, *scratch, sink);         // per packet, no allocation
//
// Threading (STYLE.md, "Hyperscan's API"): an Engine is immutable after build() and shared by every
// worker through std::shared_ptr<const Engine>; each worker owns a Scratch; each flow owns a
// FlowDetectState (detect.h). A rule reload builds a new Engine beside the old one and swaps the
// pointer; packets in flight finish on the old one. The one piece of state shared between workers
// is the threshold/detection_filter table (by_src/by_dst counts must be global, as in Suricata):
// it is fixed-size, allocated at build, and touched only after a rule fully matched, under a
// striped lock.
//
// How a packet is inspected (matching Suricata as the suricata-verify tests show it):
// - Rules are grouped by (inspection buffer, transport, direction); each group has one Hyperscan
//   literal database built from every rule's fast pattern (the `fast_pattern` content, else the
//   longest positive content). A packet scans only the groups of its transport and direction; a
//   hit makes the rule a candidate; candidates are fully verified (header, flow, every option with a
//   Snort-3-style cursor). Rules whose only positive pattern is a pcre are prefiltered by Hyperscan
//   in prefilter mode (a superset of the regex's matches) and verified by PCRE2 (JIT). Rules with
//   neither sit in a per-group list checked each packet, indexed by their most selective address.
// - Packet payload vs reassembled stream (TCP): `tcp`/`ip` rules with payload options inspect the
//   StreamChunk first when the sensor passes one, then the packet payload (Suricata's order);
//   `tcp-pkt` rules and rules with dsize or flow:no_stream inspect the packet only; `tcp-stream` and
//   flow:only_stream rules inspect the stream only. A stream match that ends inside the part of the
//   chunk already offered before (StreamChunk::new_from) is not reported again.
// - App-layer buffers (http.uri, dns.query, file.data ...) come only from DetectInput::app; a rule
//   using them fires only when the sensor supplies those buffers for a transaction, and at most once
//   per transaction and direction (FlowDetectState remembers recent (tx, rule) pairs). Request-side
//   buffers need AppBuffers::to_server, response-side ones !to_server. When offering a response, the
//   sensor may also set the same transaction's request buffers (present[] true): rules mixing both
//   (http.uri with http.stat_code) then match, as Suricata inspects per transaction.
// - `alert http ...` (or a rule using an HTTP buffer) needs FlowFields::app_proto == kHttp (kHttp2
//   too for http); `alert dns` kDns, and so on. App-layer rules without buffers fire per packet once
//   the flow's protocol is known (Suricata's behaviour for e.g. `alert http ... (msg:"x"; sid:1;)`).
// - *.hdr buffers (ipv4.hdr, tcp.hdr, ...) come from PacketFields::l3_header / l4_header.
// - A rule alerts at most once per packet. Alerts reach the sink in Suricata's order: action (pass,
//   drop, reject, alert), then flowbits role (setters before readers), then priority, then sid; rules
//   are evaluated in that order too, so a flowbit set by one rule is seen by a later one in the same
//   packet. A matching `pass` rule is reported (action 3), stops inspection of the packet and marks
//   the flow passed (FlowDetectState::passed): later packets of the flow are not inspected. A
//   matching `drop`/`reject` rule marks the flow dropped (FlowDetectState::dropped) the same way,
//   after the packet's other alerts. Suricata evaluates packet rules before transaction rules of the
//   same packet; a sensor inspecting them in separate calls should make the packet's call first.
// - noalert rules, suppressed alerts and alerts held back by threshold/detection_filter still apply
//   their flowbits; they just do not reach the sink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "rules/detect.h"
#include "rules/rule_set.h"

namespace canh::rules {

struct EngineOptions {
  // Where serialized Hyperscan databases are cached, keyed by a hash of their inputs (patterns,
  // flags, ids; so of the rules and variables that produced them) and the Hyperscan version and
  // platform. Empty: no cache, always compile.
  std::string cache_dir;
  // Entries of the shared threshold table (by_src/by_dst/by_both/by_flow tracking). When full, the
  // oldest entry in a probe window is reused.
  size_t threshold_table_size = 1 << 16;
  // Compile PCRE2 patterns with the JIT (much faster matching; costs build time).
  bool pcre_jit = true;
  // Threads compiling Hyperscan databases (they are independent of each other).
  unsigned build_threads = 2;
};

// Why an enabled, parsed rule did not make it into the engine (besides RuleEntry::skip_reason).
struct SkippedRule {
  size_t entry = 0;     // index into RuleSet::entries()
  std::string reason;   // counted key, e.g. "pcre does not compile"
  std::string detail;   // the specific message, e.g. the PCRE2 error with its offset
};

struct EngineStats {
  size_t rules_loaded = 0;
  size_t rules_skipped = 0;          // enabled and parsed, not loaded (RuleEntry::skip_reason or SkippedRule)
  size_t prefilter_groups = 0;       // Hyperscan databases
  size_t prefilter_patterns = 0;     // distinct literals in them
  size_t prefiltered_rules = 0;        // by a content (literal databases) or a pcre (regex databases)
  size_t regex_prefiltered_rules = 0;  // of which by a pcre in a Hyperscan prefilter-mode database
  size_t unprefiltered_rules = 0;    // checked on every packet of their group
  size_t pcre_count = 0;
  size_t pcre_jit_count = 0;
  size_t database_bytes = 0;         // hs_database_size over all databases
  size_t cache_hits = 0, cache_misses = 0;
  double build_seconds = 0;
};

class Engine;

// Per-worker mutable state (Hyperscan scratch, candidate lists, PCRE2 match data). Not thread-safe;
// one per worker; valid only with the engine that made it.
// Per-worker counters kept by inspect() (plain integers: read them from the worker's thread, or
// snapshot them there for a metrics endpoint).
struct InspectCounters {
  uint64_t packets = 0;     // inspect() calls that ran rules
  uint64_t candidates = 0;  // rules verified in full (prefilter hits and unprefiltered rules)
  uint64_t matches = 0;     // rules that matched (alerting or not)
  uint64_t alerts = 0;      // alerts handed to the sink
};

class Scratch {
 public:
  ~Scratch();
  const InspectCounters& counters() const;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  struct Impl;  // private to rules/ (engine_impl.h)

 private:
  friend class Engine;
  explicit Scratch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Engine {
 public:
  // Compiles every loadable rule of `rules`. Rules that fail here (a pcre PCRE2 rejects, too many
  // flowbit names) are skipped and listed in skipped_rules(); the build fails only when nothing
  // can work at all (Hyperscan refuses a database, the cache directory is unusable).
  static Result<std::shared_ptr<const Engine>> build(const RuleSet& rules, const EngineOptions& options = {});
  ~Engine();

  std::unique_ptr<Scratch> make_scratch() const;

  // Inspects one packet. `flow` is the packet's flow state (a stack FlowDetectState for flowless
  // packets). Calls sink.on_alert() for each alert, in order, before returning. Allocates nothing.
  void inspect(const DetectInput& in, FlowDetectState& flow, Scratch& scratch, AlertSink& sink) const;

  // Identifies the compiled rule set: "<16 hex digits of a hash of the loaded rules and variables>".
  std::string version() const;
  size_t loaded() const;
  size_t skipped() const;
  const std::vector<SkippedRule>& skipped_rules() const;
  const EngineStats& stats() const;

  // The entry (index into the RuleSet it was built from) of the rule that raised an alert, for
  // callers that want more than AlertInfo carries (references, the rule text).
  size_t entry_of(uint32_t gid, uint32_t sid) const;

  // Flowbit names by bit index (FlowDetectState::flowbits), e.g. for EVE's `traffic.id` / `traffic.label`
  // tags, which Suricata derives from set flowbits named "traffic/id/..." and "traffic/label/...".
  const std::vector<std::string>& flowbit_names() const;

  struct Impl;

 private:
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace canh::rules
