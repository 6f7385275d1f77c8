// The per-worker flow table: bidirectional flows keyed by the normalized 5-tuple (plus VLAN ids and
// tunnel depth, as Suricata's flow hash does), allocated from a pool sized by `flow.memcap`, kept in
// an LRU list for timeouts and eviction. Nothing here locks: each worker owns its table.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "rules/detect.h"
#include "sensor/packet.h"
#include "sensor/stream.h"

namespace canh::sensor {

struct FlowConfig {
  size_t memcap = 128u << 20;  // flow.memcap: bounds the number of flows
  size_t hash_size = 65536;    // flow.hash-size
  // flow-timeouts.<proto>.{new,established,closed} in seconds (Suricata's defaults).
  struct Timeouts {
    uint32_t new_ = 30, established = 300, closed = 0;
  };
  Timeouts tcp{60, 600, 60};
  Timeouts udp{30, 300, 0};
  Timeouts icmp{30, 300, 0};
  Timeouts other{30, 300, 0};
  uint32_t emergency_recovery = 30;  // percent (kept for the config key; eviction is LRU)
};

struct FlowKey {
  rules::Address a, b;  // a <= b (address, port) order so both directions hash alike
  uint16_t pa = 0, pb = 0;
  uint8_t proto = 0;
  uint8_t depth = 0;
  uint16_t vlan0 = 0, vlan1 = 0;
  bool operator==(const FlowKey&) const = default;
};

enum class FlowState : uint8_t { kNew, kEstablished, kClosed };
enum class FlowEndReason : uint8_t { kTimeout, kShutdown, kEvicted };

struct Flow {
  FlowKey key;
  uint64_t hash = 0;
  // Orientation: the initiator (to_server side).
  rules::Address src, dst;
  uint16_t sp = 0, dp = 0;
  uint8_t proto = 0;
  uint64_t flow_id = 0;
  uint64_t start_usec = 0, last_usec = 0;
  uint64_t pkts_toserver = 0, pkts_toclient = 0, bytes_toserver = 0, bytes_toclient = 0;
  FlowState state = FlowState::kNew;
  bool alerted = false;
  bool seen_toserver = false, seen_toclient = false;
  uint8_t icmp_type = 0, icmp_code = 0, response_icmp_type = 0, response_icmp_code = 0;
  bool has_response_icmp = false;
  uint16_t vlan[kMaxVlan] = {};
  uint8_t vlan_count = 0;
  rules::AppProto app_proto = rules::AppProto::kUnknown;
  void* app_state = nullptr;  // owned by the app layer (see app_hook.h)
  bool tcp_tracked = false;
  TcpSession tcp;
  rules::FlowDetectState detect;

  // Intrusive links: hash chain and LRU list.
  Flow* hnext = nullptr;
  Flow* lru_prev = nullptr;
  Flow* lru_next = nullptr;
  bool in_use = false;
};

struct FlowCounters {
  uint64_t created = 0, tcp = 0, udp = 0, icmp = 0, other = 0;
  uint64_t timeouts = 0, evicted = 0, shutdown = 0, memcap_hits = 0;
  uint64_t active = 0;
};

class FlowTable {
 public:
  explicit FlowTable(const FlowConfig& config, uint32_t worker_id);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  static FlowKey make_key(const Packet& p, bool* a_is_src);
  static uint64_t hash_key(const FlowKey& k);

  // Finds the packet's flow or creates it. `*created` tells which; `*to_server` is the packet's
  // direction. Returns null when no flow could be had (memcap and nothing to evict: cannot happen
  // with a non-empty table) — the caller then inspects the packet without a flow.
  // `evict` is called for a flow pushed out to make room (before its memory is reused).
  template <class EvictFn>
  Flow* lookup(const Packet& p, bool* created, bool* to_server, EvictFn&& evict);

  // Calls `expire(flow)` for flows idle past their timeout at `now_usec`, then frees them. At most
  // `budget` flows are examined (the LRU list is in last-seen order, so expiry stops early).
  template <class ExpireFn>
  void expire(uint64_t now_usec, size_t budget, ExpireFn&& expire);
  // Every flow, oldest first (shutdown): calls fn then frees.
  template <class Fn>
  void drain(Fn&& fn);

  size_t size() const { return active_; }
  size_t capacity() const { return max_flows_; }
  const FlowCounters& counters() const { return counters_; }
  FlowCounters& counters() { return counters_; }
  uint64_t timeout_usec(const Flow& f) const;

 private:
  Flow* find(const FlowKey& k, uint64_t h);
  Flow* allocate();
  void unlink(Flow* f);
  void free_flow(Flow* f);
  void lru_touch(Flow* f);

  const FlowConfig& config_;
  uint32_t worker_id_;
  size_t max_flows_;
  std::vector<Flow*> buckets_;
  size_t mask_;
  std::vector<std::unique_ptr<Flow[]>> slabs_;
  std::vector<Flow*> free_;
  size_t allocated_ = 0;
  size_t active_ = 0;
  Flow* lru_head_ = nullptr;  // least recently seen
  Flow* lru_tail_ = nullptr;
  uint64_t next_id_ = 1;
  uint64_t min_timeout_usec_ = 0;  // shortest configured timeout: where an expiry sweep may stop
  FlowCounters counters_;
};

// ---- template definitions ----

template <class EvictFn>
Flow* FlowTable::lookup(const Packet& p, bool* created, bool* to_server, EvictFn&& evict) {
  bool a_is_src = true;
  FlowKey k = make_key(p, &a_is_src);
  uint64_t h = hash_key(k);
  *created = false;
  Flow* f = find(k, h);
  if (!f) {
    f = allocate();
    if (!f) {
      ++counters_.memcap_hits;
      Flow* victim = lru_head_;
      if (!victim) return nullptr;
      evict(*victim);
      ++counters_.evicted;
      unlink(victim);
      free_flow(victim);
      f = allocate();
      if (!f) return nullptr;
    }
    f->key = k;
    f->hash = h;
    f->in_use = true;
    f->src = p.f.src;
    f->dst = p.f.dst;
    f->sp = p.f.sport;
    f->dp = p.f.dport;
    // A flow first seen with a SYN/ACK was started by the other side (Suricata swaps it too), and
    // so was one first seen with an ICMP reply.
    // A TCP flow picked up midstream from a packet sent by a well-known port to an ephemeral one is
    // oriented with the well-known side as server (smb1-03-midstream: `flow:to_server` to port 445
    // matches the client's packets although the server's came first).
    bool swap = (p.is_tcp() && (p.f.tcp_flags & 0x12) == 0x12) ||
                (p.is_tcp() && !(p.f.tcp_flags & 0x02) && p.f.sport < 1024 && p.f.dport >= 1024) ||
                (p.f.has_icmp && (p.f.icmp_type == 0 || p.f.icmp_type == 129 || p.f.icmp_type == 14 ||
                                  p.f.icmp_type == 16 || p.f.icmp_type == 18));
    if (swap) {
      std::swap(f->src, f->dst);
      std::swap(f->sp, f->dp);
    }
    f->proto = p.f.ip_proto;
    f->start_usec = p.f.ts_usec;
    f->last_usec = p.f.ts_usec;
    // flow_id: unique within the process and positive in a JSON double (53 bits): worker id in the
    // top bits, then a per-worker sequence, then a few hash bits so ids look unrelated.
    f->flow_id = ((static_cast<uint64_t>(worker_id_ & 0x3f) << 45) | ((next_id_++ & 0x3fffffffull) << 15) |
                  (h & 0x7fff)) & 0x1fffffffffffffull;
    f->vlan_count = p.vlan_count;
    for (int i = 0; i < kMaxVlan; ++i) f->vlan[i] = p.vlan[i];
    f->hnext = buckets_[h & mask_];
    buckets_[h & mask_] = f;
    ++active_;
    ++counters_.created;
    switch (f->proto) {
      case 6: ++counters_.tcp; break;
      case 17: ++counters_.udp; break;
      case 1: case 58: ++counters_.icmp; break;
      default: ++counters_.other; break;
    }
    *created = true;
  }
  *to_server = p.f.src == f->src && p.f.sport == f->sp;
  f->last_usec = std::max(f->last_usec, p.f.ts_usec);
  lru_touch(f);
  return f;
}

template <class ExpireFn>
void FlowTable::expire(uint64_t now_usec, size_t budget, ExpireFn&& fn) {
  Flow* f = lru_head_;
  while (f && budget-- > 0) {
    Flow* next = f->lru_next;
    if (now_usec >= f->last_usec + timeout_usec(*f)) {
      fn(*f);
      ++counters_.timeouts;
      unlink(f);
      free_flow(f);
    } else if (now_usec < f->last_usec + min_timeout_usec_) {
      break;  // the rest were seen more recently than the shortest timeout
    }
    f = next;
  }
}

template <class Fn>
void FlowTable::drain(Fn&& fn) {
  while (Flow* f = lru_head_) {
    fn(*f);
    ++counters_.shutdown;
    unlink(f);
    free_flow(f);
  }
}

}  // namespace canh::sensor
