#include "sensor/flow.h"

#include <algorithm>
#include <cstring>

namespace canh::sensor {

namespace {
constexpr size_t kSlab = 1024;

inline uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

// ICMP messages that carry an identifier pair requests with replies: the id plays the port's part.
bool icmp_query(uint8_t type, uint8_t v) {
  if (v == 6) return type == 128 || type == 129;
  switch (type) {
    case 0: case 8: case 13: case 14: case 15: case 16: case 17: case 18: return true;
  }
  return false;
}
}  // namespace

FlowTable::FlowTable(const FlowConfig& config, uint32_t worker_id) : config_(config), worker_id_(worker_id) {
  max_flows_ = std::max<size_t>(config.memcap / sizeof(Flow), 64);
  size_t n = 1;
  while (n < config.hash_size) n <<= 1;
  buckets_.assign(n, nullptr);
  mask_ = n - 1;
  free_.reserve(max_flows_);
  slabs_.reserve(max_flows_ / kSlab + 1);
  uint32_t m = config.tcp.closed;
  for (const FlowConfig::Timeouts* t : {&config.tcp, &config.udp, &config.icmp, &config.other})
    m = std::min({m, t->new_, t->established});
  min_timeout_usec_ = static_cast<uint64_t>(m) * 1'000'000ull;
}

FlowTable::~FlowTable() = default;

FlowKey FlowTable::make_key(const Packet& p, bool* a_is_src) {
  FlowKey k;
  const rules::PacketFields& f = p.f;
  uint16_t sp = f.sport, dp = f.dport;
  if (f.has_icmp) {
    sp = dp = icmp_query(f.icmp_type, f.ip_version) ? f.icmp_id : 0;
  }
  k.proto = f.ip_proto;
  k.depth = p.depth;
  k.vlan0 = p.vlan_count > 0 ? p.vlan[0] : 0;
  k.vlan1 = p.vlan_count > 1 ? p.vlan[1] : 0;
  int c = std::memcmp(f.src.bytes.data(), f.dst.bytes.data(), 16);
  bool src_first = c < 0 || (c == 0 && sp <= dp);
  *a_is_src = src_first;
  if (src_first) {
    k.a = f.src;
    k.b = f.dst;
    k.pa = sp;
    k.pb = dp;
  } else {
    k.a = f.dst;
    k.b = f.src;
    k.pa = dp;
    k.pb = sp;
  }
  return k;
}

uint64_t FlowTable::hash_key(const FlowKey& k) {
  uint64_t h = 0xcbf29ce484222325ull;
  uint64_t w[4];
  std::memcpy(w, k.a.bytes.data(), 16);
  std::memcpy(w + 2, k.b.bytes.data(), 16);
  for (uint64_t v : w) h = mix(h, v);
  h = mix(h, static_cast<uint64_t>(k.pa) << 16 | k.pb);
  h = mix(h, static_cast<uint64_t>(k.proto) << 40 | static_cast<uint64_t>(k.depth) << 32 |
                 static_cast<uint64_t>(k.vlan0) << 16 | k.vlan1);
  return h;
}

Flow* FlowTable::find(const FlowKey& k, uint64_t h) {
  for (Flow* f = buckets_[h & mask_]; f; f = f->hnext)
    if (f->hash == h && f->key == k) return f;
  return nullptr;
}

Flow* FlowTable::allocate() {
  if (free_.empty()) {
    if (allocated_ >= max_flows_) return nullptr;
    // Grow by one slab: memory for flows arrives in bounded steps up to the memcap, never per packet.
    size_t n = std::min(kSlab, max_flows_ - allocated_);
    slabs_.push_back(std::make_unique<Flow[]>(n));
    Flow* s = slabs_.back().get();
    for (size_t i = n; i-- > 0;) free_.push_back(&s[i]);
    allocated_ += n;
  }
  Flow* f = free_.back();
  free_.pop_back();
  return f;
}

void FlowTable::unlink(Flow* f) {
  Flow** pp = &buckets_[f->hash & mask_];
  while (*pp && *pp != f) pp = &(*pp)->hnext;
  if (*pp) *pp = f->hnext;
  if (f->lru_prev) f->lru_prev->lru_next = f->lru_next;
  else lru_head_ = f->lru_next;
  if (f->lru_next) f->lru_next->lru_prev = f->lru_prev;
  else lru_tail_ = f->lru_prev;
  f->lru_prev = f->lru_next = f->hnext = nullptr;
  --active_;
}

void FlowTable::free_flow(Flow* f) {
  // Reset by assignment: TcpSession buffers were returned by the caller's expire/evict callback.
  *f = Flow{};
  free_.push_back(f);
}

void FlowTable::lru_touch(Flow* f) {
  if (lru_tail_ == f) return;
  if (f->lru_prev || f->lru_next || lru_head_ == f) {
    if (f->lru_prev) f->lru_prev->lru_next = f->lru_next;
    else lru_head_ = f->lru_next;
    if (f->lru_next) f->lru_next->lru_prev = f->lru_prev;
  }
  f->lru_prev = lru_tail_;
  f->lru_next = nullptr;
  if (lru_tail_) lru_tail_->lru_next = f;
  lru_tail_ = f;
  if (!lru_head_) lru_head_ = f;
}

uint64_t FlowTable::timeout_usec(const Flow& f) const {
  const FlowConfig::Timeouts* t = &config_.other;
  switch (f.proto) {
    case 6: t = &config_.tcp; break;
    case 17: t = &config_.udp; break;
    case 1: case 58: t = &config_.icmp; break;
  }
  uint32_t s = t->new_;
  if (f.proto == 6 && f.tcp_tracked) {
    if (f.tcp.state == TcpState::kClosed) s = t->closed;
    else if (f.tcp.established()) s = t->established;
  } else if (f.state == FlowState::kEstablished) {
    s = t->established;
  } else if (f.state == FlowState::kClosed) {
    s = t->closed;
  }
  return static_cast<uint64_t>(s) * 1'000'000ull;
}

}  // namespace canh::sensor
