#include "sensor/stream.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace canh::sensor {

namespace {
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;
inline int32_t seq_diff(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b); }
}  // namespace

StreamPool::~StreamPool() {
  for (auto& list : free_)
    for (uint8_t* b : list) delete[] b;
}

int StreamPool::size_class(size_t size) {
  int c = 0;
  for (size_t s = kMinSize; s < size && c < 6; s <<= 1) ++c;
  return c;
}

uint8_t* StreamPool::get(size_t size) {
  int c = size_class(size);
  auto& list = free_[static_cast<size_t>(c)];
  size_t bytes = kMinSize << c;
  if (!list.empty()) {
    uint8_t* b = list.back();
    list.pop_back();
    in_use_ += bytes;
    return b;
  }
  if (allocated_ + bytes > memcap_) return nullptr;
  allocated_ += bytes;
  in_use_ += bytes;
  // Grow the free list's capacity now so put() never allocates on the packet path.
  list.reserve(allocated_ / bytes + 1);
  return new uint8_t[bytes];
}

void StreamPool::put(uint8_t* buf, size_t size) {
  if (!buf) return;
  int c = size_class(size);
  in_use_ -= kMinSize << c;
  free_[static_cast<size_t>(c)].push_back(buf);
}

void StreamEngine::release(TcpSession& s) {
  for (TcpStream* st : {&s.client, &s.server}) {
    pool_.put(st->buf, st->cap);
    st->buf = nullptr;
    st->cap = 0;
  }
}

void StreamEngine::ack_update(TcpStream& st, uint32_t ack) {
  // `ack` acknowledges data of stream `st` (sent by the other side).
  if (!st.isn_known) return;
  int32_t d = seq_diff(ack, st.next_seq);
  if (d > 0 && static_cast<uint32_t>(d) > (1u << 30)) return;  // nonsense
  uint64_t off = static_cast<uint64_t>(static_cast<int64_t>(st.next_off) + d);
  if (d < 0 && static_cast<uint64_t>(-static_cast<int64_t>(d)) > st.next_off) off = 0;
  if (!st.ack_seen || off > st.acked_off) st.acked_off = off;
  st.ack_seen = true;
}

SegmentResult StreamEngine::handle(TcpSession& s, bool to_server, uint8_t flags, uint32_t seq, uint32_t ack,
                                   std::span<const uint8_t> payload, bool first_packet_of_flow) {
  SegmentResult r;
  s.begin_packet();
  TcpStream& me = s.dir(to_server);
  TcpStream& peer = s.dir(!to_server);
  bool syn = flags & kSyn, has_ack = flags & kAck;
  const uint32_t payload_len = static_cast<uint32_t>(payload.size());

  if (s.state == TcpState::kNone) {
    if (syn && !has_ack) {
      ++counters_.syn;
      ++counters_.sessions;
      s.state = TcpState::kSynSent;
      s.phase = TcpPhase::kSynSent;
    } else if (syn && has_ack) {
      if (!config_.midstream && !first_packet_of_flow) return r;
      if (!config_.midstream) return r;
      ++counters_.synack;
      ++counters_.sessions;
      ++counters_.midstream_pickups;
      s.midstream = true;
      s.state = TcpState::kSynRecv;
      s.phase = TcpPhase::kSynRecv;
      // The SYN/ACK acknowledges the client's ISN.
      peer.isn_known = true;
      peer.base_seq = ack;
      peer.next_seq = ack;
    } else if (flags & kRst) {
      return r;
    } else {
      if (!config_.midstream) return r;
      ++counters_.sessions;
      ++counters_.midstream_pickups;
      s.midstream = true;
      s.state = TcpState::kEstablished;
      s.phase = TcpPhase::kEstablished;
      me.isn_known = true;
      me.base_seq = seq;
      me.next_seq = seq;
      if (has_ack) {
        peer.isn_known = true;
        peer.base_seq = ack;
        peer.next_seq = ack;
      }
    }
  }
  r.tracked = true;
  me.seen = true;

  if (syn) {
    if (!me.isn_known || s.state == TcpState::kSynSent || s.state == TcpState::kSynRecv) {
      if (!me.isn_known || (seq_diff(seq + 1, me.base_seq) != 0 && me.next_off == 0)) {
        me.isn_known = true;
        me.base_seq = seq + 1;
        me.next_seq = seq + 1;
      }
      if (has_ack) {
        ++counters_.synack;
        ack_update(peer, ack);
        if (s.state == TcpState::kSynSent) s.state = TcpState::kSynRecv;
        if (s.phase == TcpPhase::kSynSent) s.phase = TcpPhase::kSynRecv;
      }
    }
    // Data on a SYN (TCP Fast Open, RFC 7413) starts at offset 0.
    if (!payload.empty()) store(me, 0, payload, r);
  } else {
    if (has_ack) ack_update(peer, ack);
    if (s.state == TcpState::kSynSent || s.state == TcpState::kSynRecv) {
      if (me.isn_known && peer.isn_known && has_ack) {
        s.state = TcpState::kEstablished;
      } else if (config_.async_oneside && me.isn_known && !peer.seen) {
        // Only one side of the connection is visible (asymmetric routing): accept it.
        s.async = true;
        s.state = TcpState::kEstablished;
      } else if (config_.async_oneside && !me.isn_known) {
        s.async = true;
        s.state = TcpState::kEstablished;
        me.isn_known = true;
        me.base_seq = seq;
        me.next_seq = seq;
      }
    }
    if (!me.isn_known && s.state == TcpState::kEstablished && config_.midstream) {
      me.isn_known = true;
      me.base_seq = seq;
      me.next_seq = seq;
    }
    if (flags & kRst) {
      ++counters_.rst;
      me.rst = true;
      s.state = TcpState::kClosed;
    }
    if (!payload.empty() && me.isn_known && s.state != TcpState::kNone) {
      int64_t off = static_cast<int64_t>(me.next_off) + seq_diff(seq, me.next_seq);
      if (off + static_cast<int64_t>(payload.size()) > 0) {
        if (off < 0) {
          payload = payload.subspan(static_cast<size_t>(-off));
          off = 0;
        }
        store(me, static_cast<uint64_t>(off), payload, r);
      }
    }
    if (flags & kFin) {
      ++counters_.fin;
      me.fin = true;
      if (!me.fin_sent) {
        me.fin_sent = true;
        me.fin_seq = seq + payload_len;
      }
      if (s.state == TcpState::kEstablished || s.state == TcpState::kSynRecv) s.state = TcpState::kClosing;
      if (me.fin && peer.fin) s.state = TcpState::kClosed;
    }
    if ((s.state == TcpState::kEstablished || s.state == TcpState::kClosing || s.state == TcpState::kClosed) &&
        s.phase < TcpPhase::kEstablished)
      s.phase = TcpPhase::kEstablished;
    update_phase(s, to_server, flags, ack);
  }

  // The receiver acknowledged past a hole we never saw: the data is lost to us, turn it into a gap.
  if (peer.ack_seen || me.ack_seen) {
    TcpStream* dirs[2] = {&me, &peer};
    for (TcpStream* st : dirs) {
      if (st->ack_seen && st->nooo > 0 && st->acked_off > st->next_off && st->ooo[0].first <= st->acked_off) {
        close_gaps(*st);
        if (st == &me) r.app_ready = true;
      }
    }
  }
  if (s.state == TcpState::kEstablished || s.state == TcpState::kClosing) s.ever_established = true;
  if (me.fin || me.rst || peer.fin || peer.rst) close_gaps(me);
  if (me.next_off > me.app_progress) r.app_ready = true;
  r.raw_ready = raw_ready(s, me, false);
  // Suricata's StreamTcpReassembleHandleSegment: in IDS mode a packet moves the app layer of the
  // other direction up to what it acknowledges; these cases move the packet's own direction too.
  if (config_.inline_mode || (flags & kRst)) {
    r.app_update = AppUpdate::kPacket;
  } else if ((flags & kFin) && s.phase > TcpPhase::kTimeWait) {
    r.app_update = has_ack ? AppUpdate::kBoth : AppUpdate::kPacket;
  } else if (s.phase == TcpPhase::kClosed) {
    r.app_update = AppUpdate::kBoth;
  } else if (s.async) {
    r.app_update = AppUpdate::kPacket;
  } else {
    r.app_update = AppUpdate::kOpposing;
  }
  return r;
}

void StreamEngine::update_phase(TcpSession& s, bool to_server, uint8_t flags, uint32_t ack) {
  if (flags & kRst) {
    s.phase = TcpPhase::kClosed;
    s.closed_by_rst = true;
    return;
  }
  const TcpStream& peer = s.dir(!to_server);
  const bool fin = flags & kFin;
  const bool acks_peer_fin = (flags & kAck) && peer.fin_sent && seq_diff(ack, peer.fin_seq + 1) >= 0;
  switch (s.phase) {
    case TcpPhase::kEstablished:
      if (fin) s.phase = to_server ? TcpPhase::kCloseWait : TcpPhase::kFinWait1;
      break;
    case TcpPhase::kFinWait1:  // the server closed first
      if (to_server && fin) s.phase = acks_peer_fin ? TcpPhase::kTimeWait : TcpPhase::kClosing;
      else if (to_server && acks_peer_fin) s.phase = TcpPhase::kFinWait2;
      break;
    case TcpPhase::kFinWait2:
      if (to_server && fin) s.phase = TcpPhase::kTimeWait;
      break;
    case TcpPhase::kCloseWait:  // the client closed first
      if (!to_server && fin) s.phase = TcpPhase::kLastAck;
      break;
    case TcpPhase::kLastAck:
      if (to_server && acks_peer_fin) s.phase = TcpPhase::kClosed;
      break;
    case TcpPhase::kClosing:
      if (acks_peer_fin) s.phase = TcpPhase::kTimeWait;
      break;
    case TcpPhase::kTimeWait:
      if (acks_peer_fin) s.phase = TcpPhase::kClosed;
      break;
    default:
      break;
  }
}

uint64_t StreamEngine::usable_end(const TcpSession& s, const TcpStream& st, bool pseudo) const {
  if (config_.inline_mode || s.async) return st.next_off;
  if (pseudo && (s.phase < TcpPhase::kClosed || s.closed_by_rst)) return st.next_off;
  if (!st.ack_seen) return std::min(st.next_off, st.base_off);
  return std::min(st.acked_off, st.next_off);
}

bool StreamEngine::raw_ready(const TcpSession& s, const TcpStream& st, bool pseudo) const {
  if (pseudo) return st.next_off > st.raw_progress;
  const uint64_t end = usable_end(s, st, false);
  if (end <= st.raw_progress) return false;
  if (config_.inline_mode || st.flush_raw || s.phase > TcpPhase::kTimeWait) return true;
  return end - st.raw_progress >= config_.chunk_size;
}

bool StreamEngine::make_room(TcpStream& st, uint64_t end) {
  if (end <= st.base_off + st.cap) return true;
  // Slide out what both the raw inspection and the app layer are done with, as far as the
  // held out-of-order data and retained gaps allow.
  uint64_t consumed = std::min({st.raw_progress, st.app_progress, st.next_off});
  uint64_t need = end - st.base_off;
  if (need > st.cap && consumed > st.base_off) {
    uint64_t shift = consumed - st.base_off;
    uint64_t keep = (st.next_off > consumed ? st.next_off - consumed : 0);
    uint64_t ooo_end = st.nooo ? st.ooo[st.nooo - 1].second : st.next_off;
    if (ooo_end > st.next_off) keep = ooo_end - consumed;
    if (keep > 0 && keep <= st.cap) std::memmove(st.buf, st.buf + shift, keep);
    st.base_off = consumed;
    // Gaps before the new base are gone.
    uint8_t w = 0;
    for (uint8_t i = 0; i < st.ngaps; ++i)
      if (st.gaps[i].second > st.base_off) st.gaps[w++] = st.gaps[i];
    st.ngaps = w;
    need = end - st.base_off;
  }
  if (need <= st.cap) return true;
  if (need > StreamPool::kMaxSize) return false;
  size_t size = StreamPool::kMinSize;
  while (size < need) size <<= 1;
  uint8_t* nb = pool_.get(size);
  if (!nb) return false;
  if (st.buf) {
    uint64_t used_end = std::max(st.next_off, st.nooo ? st.ooo[st.nooo - 1].second : 0);
    if (used_end > st.base_off) std::memcpy(nb, st.buf, used_end - st.base_off);
    pool_.put(st.buf, st.cap);
  }
  st.buf = nb;
  st.cap = static_cast<uint32_t>(size);
  return true;
}

void StreamEngine::store(TcpStream& st, uint64_t off, std::span<const uint8_t> data, SegmentResult& r) {
  ++counters_.segments;
  if (st.no_reassembly) return;
  uint64_t end = off + data.size();
  if (config_.reassembly_depth != 0) {
    if (off >= config_.reassembly_depth) {
      if (!st.depth_reached) {
        ++counters_.depth_reached;
        st.flush_raw = true;  // Suricata inspects what it has at once when the depth is reached
      }
      st.depth_reached = true;
      return;
    }
    if (end > config_.reassembly_depth) {
      end = config_.reassembly_depth;
      data = data.first(end - off);
      st.flush_raw = true;
    }
  }
  // Bytes below the contiguous end are old: first data wins (count the overlap).
  if (off < st.next_off) {
    ++counters_.overlaps;
    if (end <= st.next_off) {
      r.stream_added = true;  // a retransmission of stream data: it is part of the stream already
      return;
    }
    data = data.subspan(st.next_off - off);
    off = st.next_off;
  }
  if (off < st.base_off) return;
  if (!make_room(st, end)) {
    if (off == st.next_off) {
      ++counters_.memcap_drops;
      st.no_reassembly = true;  // cannot buffer in-order data: stop reassembling this side
    } else {
      ++counters_.ooo_dropped;
    }
    return;
  }
  if (off == st.next_off) {
    // Skip any part already held as out-of-order data (first wins) by copying only uncovered bytes.
    uint64_t pos = off;
    for (uint8_t i = 0; i < st.nooo && pos < end; ++i) {
      auto [b, e] = st.ooo[i];
      if (e <= pos) continue;
      if (b >= end) break;
      if (b > pos) std::memcpy(st.buf + (pos - st.base_off), data.data() + (pos - off), b - pos);
      ++counters_.overlaps;
      pos = std::max(pos, e);
    }
    if (pos < end) std::memcpy(st.buf + (pos - st.base_off), data.data() + (pos - off), end - pos);
    st.next_off = end;
    st.next_seq = st.base_seq + static_cast<uint32_t>(end);
    merge_ooo(st);
    r.stream_added = true;
    return;
  }
  // Out of order: hold it, keeping the first copy of overlapping bytes.
  uint64_t pos = off;
  for (uint8_t i = 0; i < st.nooo && pos < end; ++i) {
    auto [b, e] = st.ooo[i];
    if (e <= pos) continue;
    if (b >= end) break;
    if (b > pos) std::memcpy(st.buf + (pos - st.base_off), data.data() + (pos - off), b - pos);
    ++counters_.overlaps;
    pos = std::max(pos, e);
  }
  if (pos < end) std::memcpy(st.buf + (pos - st.base_off), data.data() + (pos - off), end - pos);
  if (st.nooo == kMaxOooRanges) {
    ++counters_.ooo_dropped;
    return;
  }
  uint8_t i = 0;
  while (i < st.nooo && st.ooo[i].first < off) ++i;
  for (uint8_t j = st.nooo; j > i; --j) st.ooo[j] = st.ooo[j - 1];
  st.ooo[i] = {off, end};
  ++st.nooo;
  uint8_t w = 0;
  for (uint8_t k = 1; k < st.nooo; ++k) {
    if (st.ooo[k].first <= st.ooo[w].second) st.ooo[w].second = std::max(st.ooo[w].second, st.ooo[k].second);
    else st.ooo[++w] = st.ooo[k];
  }
  st.nooo = static_cast<uint8_t>(w + 1);
  r.stream_added = true;
}

void StreamEngine::merge_ooo(TcpStream& st) {
  while (st.nooo > 0 && st.ooo[0].first <= st.next_off) {
    if (st.ooo[0].second > st.next_off) {
      st.next_off = st.ooo[0].second;
      st.next_seq = st.base_seq + static_cast<uint32_t>(st.next_off);
    }
    for (uint8_t j = 1; j < st.nooo; ++j) st.ooo[j - 1] = st.ooo[j];
    --st.nooo;
  }
}

void StreamEngine::close_gaps(TcpStream& st) {
  while (st.nooo > 0) {
    uint64_t b = st.ooo[0].first;
    if (b > st.next_off) {
      ++counters_.gaps;
      if (st.ngaps < kMaxGaps) st.gaps[st.ngaps++] = {st.next_off, b};
      else st.gaps[kMaxGaps - 1].second = b;  // keep the count bounded: merge into the last gap
      if (st.buf && b - st.base_off <= st.cap) std::memset(st.buf + (st.next_off - st.base_off), 0, b - st.next_off);
      st.next_off = b;
      st.next_seq = st.base_seq + static_cast<uint32_t>(b);
    }
    merge_ooo(st);
  }
}

StreamEngine::Chunk StreamEngine::next_raw(const TcpStream& st, bool, uint64_t end) const {
  Chunk c;
  uint64_t from = std::max(st.raw_progress, st.base_off);
  uint64_t to = std::min(st.next_off, end);
  // Skip a gap at the start; stop at the next one.
  for (uint8_t i = 0; i < st.ngaps; ++i) {
    auto [b, e] = st.gaps[i];
    if (from >= b && from < e) from = e;
  }
  for (uint8_t i = 0; i < st.ngaps; ++i) {
    auto [b, e] = st.gaps[i];
    if (b >= from && b < to) to = b;
  }
  if (!st.buf || to <= from) {
    c.offset = to;
    return c;
  }
  c.data = std::span<const uint8_t>(st.buf + (from - st.base_off), to - from);
  c.offset = from;
  return c;
}

void StreamEngine::advance_raw(TcpStream& st, uint64_t to) const { st.raw_progress = std::max(st.raw_progress, to); }

StreamEngine::Chunk StreamEngine::next_app(const TcpStream& st, uint64_t* gap_len, uint64_t end) const {
  *gap_len = 0;
  Chunk c;
  uint64_t from = std::max(st.app_progress, st.base_off);
  for (uint8_t i = 0; i < st.ngaps; ++i) {
    auto [b, e] = st.gaps[i];
    if (from >= b && from < e) {
      *gap_len = e - from;
      c.offset = from;
      return c;
    }
  }
  uint64_t to = std::min(st.next_off, end);
  for (uint8_t i = 0; i < st.ngaps; ++i) {
    auto [b, e] = st.gaps[i];
    if (b >= from && b < to) to = b;
  }
  c.offset = from;
  if (st.buf && to > from) c.data = std::span<const uint8_t>(st.buf + (from - st.base_off), to - from);
  return c;
}

void StreamEngine::advance_app(TcpStream& st, uint64_t to) const { st.app_progress = std::max(st.app_progress, to); }

void StreamEngine::retained_payload(const TcpStream& st, std::vector<uint8_t>& out, size_t max_bytes) const {
  out.clear();
  if (!st.buf) return;
  uint64_t pos = st.base_off;
  auto append = [&](const uint8_t* p, size_t n) {
    n = std::min(n, max_bytes - std::min(max_bytes, out.size()));
    out.insert(out.end(), p, p + n);
  };
  // A stream that starts with a hole (its first bytes were never seen) prints that hole too.
  for (uint8_t i = 0; i <= st.ngaps && pos < st.next_off; ++i) {
    uint64_t gb = i < st.ngaps ? st.gaps[i].first : st.next_off;
    uint64_t ge = i < st.ngaps ? st.gaps[i].second : st.next_off;
    if (gb < pos) continue;
    append(st.buf + (pos - st.base_off), gb - pos);
    if (ge > gb) {
      char m[48];
      int n = std::snprintf(m, sizeof m, "[%llu bytes missing]", static_cast<unsigned long long>(ge - gb));
      append(reinterpret_cast<const uint8_t*>(m), static_cast<size_t>(n));
    }
    pos = ge;
  }
}

}  // namespace canh::sensor
