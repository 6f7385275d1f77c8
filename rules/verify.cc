// Full verification of a candidate rule: header, flow, packet fields, then each buffer's options with
// one cursor (Snort 3's idea). Every option kind is a case of a switch; nothing here allocates.
//
// The payload matcher follows Suricata's content inspection (detect-engine-content-inspection.c as
// its documentation describes it): a content's search window comes from offset/depth (absolute) or
// from the previous match end plus distance/within (relative); a positive match moves the cursor to
// its end; when a later relative option fails, the content (or pcre) is searched again from one byte
// past its previous match start, so `content:"A"; content:"B"; distance:0; within:5;` finds an "A"
// followed by "B" even when the first "A" is not. Negated options never move the cursor.
#include <algorithm>
#include <cstring>

#include "rules/engine_impl.h"

namespace canh::rules {
namespace {

// Suricata's inspection recursion limit (detect.inspection-recursion-limit default 3000).
constexpr int kRecursionBudget = 3000;

struct Lower {
  std::array<uint8_t, 256> t{};
  constexpr Lower() {
    for (int i = 0; i < 256; ++i) t[size_t(i)] = uint8_t(i >= 'A' && i <= 'Z' ? i + 32 : i);
  }
};
constexpr Lower kLower;

bool eq_nocase(const uint8_t* a, const uint8_t* b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (kLower.t[a[i]] != kLower.t[b[i]]) return false;
  return true;
}

// First occurrence of pat in hay[from, to) fully inside it, or -1.
int64_t find(const uint8_t* hay, size_t from, size_t to, const std::string& pat, bool nocase) {
  size_t n = pat.size();
  if (to < from || to - from < n) return -1;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(pat.data());
  if (!nocase) {
    if (n >= 16) {
      // Long needles: glibc's two-way search is linear in the worst case.
      const void* r = memmem(hay + from, to - from, p, n);
      return r ? static_cast<const uint8_t*>(r) - hay : -1;
    }
    // Short needles (most verification contents): memchr on the first byte is vectorised and beats
    // memmem's setup several times over; candidates are confirmed with memcmp.
    const uint8_t* cur = hay + from;
    const uint8_t* last = hay + to - n;
    while (cur <= last) {
      const void* q = std::memchr(cur, p[0], size_t(last - cur) + 1);
      if (!q) return -1;
      const uint8_t* c = static_cast<const uint8_t*>(q);
      if (std::memcmp(c + 1, p + 1, n - 1) == 0) return c - hay;
      cur = c + 1;
    }
    return -1;
  }
  uint8_t c0 = kLower.t[p[0]];
  uint8_t c0u = (c0 >= 'a' && c0 <= 'z') ? uint8_t(c0 - 32) : c0;
  size_t last = to - n;
  for (size_t i = from; i <= last; ++i) {
    uint8_t h = hay[i];
    if ((h == c0 || h == c0u) && eq_nocase(hay + i + 1, p + 1, n - 1)) return int64_t(i);
  }
  return -1;
}

struct Ctx {
  const Engine::Impl& e;
  Scratch::Impl& s;
  const CompiledRule& r;
  const Rule& rule;
  const uint8_t* buf;
  size_t len;
  size_t new_from;  // stream: a match must end past this index (0: no constraint)
  int budget = kRecursionBudget;
  std::array<int64_t, kMaxRuleVars> vars{};
};

int64_t value(const Ctx& c, const Value& v) { return v.var >= 0 ? c.vars[size_t(v.var)] : v.v; }

// Reads nbytes at p as a number, the way Suricata's byte_* keywords do. Returns the bytes consumed
// (string: digits parsed, as strtoull's end pointer), 0 on failure.
size_t extract(const ByteOp& b, const uint8_t* p, size_t avail, int64_t nbytes, uint64_t* out) {
  if (!b.string) {
    if (nbytes < 0 || nbytes > 8 || size_t(nbytes) > avail) return 0;
    uint64_t v = 0;
    if (b.little_endian) {
      for (int64_t i = nbytes - 1; i >= 0; --i) v = v << 8 | p[i];
    } else {
      for (int64_t i = 0; i < nbytes; ++i) v = v << 8 | p[i];
    }
    *out = v;
    return nbytes == 0 ? 1 : size_t(nbytes);  // 1: "ok" marker for a zero-byte read (value 0)
  }
  // nbytes 0 with string: Suricata hands strtoull an unbounded string; bound it by 23 digits.
  size_t limit = nbytes == 0 ? std::min<size_t>(avail, 23) : size_t(nbytes);
  if (limit > avail) return 0;
  size_t i = 0;
  while (i < limit && (p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r'))) ++i;  // strtoull skips blanks
  bool neg = false;
  if (i < limit && (p[i] == '+' || p[i] == '-')) {
    neg = p[i] == '-';
    ++i;
  }
  int base = b.base;
  if (base == 16 && i + 1 < limit && p[i] == '0' && (p[i + 1] == 'x' || p[i + 1] == 'X')) i += 2;
  uint64_t v = 0;
  size_t digits = 0;
  for (; i < limit; ++i) {
    int d;
    uint8_t ch = p[i];
    if (ch >= '0' && ch <= '9') d = ch - '0';
    else if (ch >= 'a' && ch <= 'f') d = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F') d = ch - 'A' + 10;
    else break;
    if (d >= base) break;
    if (v > (UINT64_MAX - uint64_t(d)) / uint64_t(base)) return 0;  // ERANGE
    v = v * uint64_t(base) + uint64_t(d);
    ++digits;
  }
  if (digits == 0) return 0;
  *out = neg ? uint64_t(0) - v : v;
  return i;
}

uint64_t apply_bitmask(uint64_t v, uint64_t mask) {
  if (mask == 0) return v;
  v &= mask;
  return v >> __builtin_ctzll(mask);
}

bool next_is_relative(const Ctx& c, const Op* ops, size_t i, size_t n) {
  if (i + 1 >= n) return false;
  const Op& op = ops[i + 1];
  switch (op.kind) {
    case OpKind::kContent: return c.rule.contents[op.index].relative();
    case OpKind::kPcre: return c.rule.pcres[op.index].relative;
    case OpKind::kByte: return c.rule.bytes[op.index].relative;
    case OpKind::kIsdataat: return c.rule.isdataats[op.index].relative;
    default: return false;
  }
}

bool match_from(Ctx& c, const Op* ops, size_t i, size_t n, size_t cursor, size_t last_end);

bool match_content(Ctx& c, const Op* ops, size_t i, size_t n, size_t cursor, size_t last_end) {
  const ContentOp& ct = c.rule.contents[ops[i].index];
  const size_t len = c.len;
  const int64_t plen = int64_t(ct.pattern.size());
  int64_t start, end;  // search window [start, end)
  if (ct.relative()) {
    int64_t dist = ct.distance.set ? value(c, ct.distance) : 0;
    start = int64_t(cursor) + dist;
    if (start < 0) start = 0;
    end = int64_t(len);
    if (ct.within.set) end = std::min<int64_t>(end, int64_t(cursor) + dist + value(c, ct.within));
    if (ct.depth.set) end = std::min<int64_t>(end, int64_t(cursor) + value(c, ct.depth));
    if (ct.offset.set) start = std::max<int64_t>(start, value(c, ct.offset));
  } else {
    start = ct.offset.set ? value(c, ct.offset) : 0;
    end = ct.depth.set ? start + value(c, ct.depth) : int64_t(len);
    if (ct.startswith) {
      start = 0;
      end = plen;
    }
    if (start < 0) start = 0;
  }
  if (end > int64_t(len)) end = int64_t(len);
  if (ct.endswith) {
    // The only placement ending at the buffer end; it must also fit the window.
    int64_t pos = int64_t(len) - plen;
    bool found = pos >= start && pos >= 0 && int64_t(len) <= end &&
                 (ct.nocase ? eq_nocase(c.buf + pos, reinterpret_cast<const uint8_t*>(ct.pattern.data()), size_t(plen))
                            : std::memcmp(c.buf + pos, ct.pattern.data(), size_t(plen)) == 0);
    if (ct.negated) return !found && match_from(c, ops, i + 1, n, cursor, last_end);
    if (!found) return false;
    return match_from(c, ops, i + 1, n, len, std::max(last_end, len));
  }
  if (start >= end) {
    if (ct.negated) return match_from(c, ops, i + 1, n, cursor, last_end);
    return false;
  }
  int64_t pos = find(c.buf, size_t(start), size_t(end), ct.pattern, ct.nocase);
  if (ct.negated) return pos < 0 && match_from(c, ops, i + 1, n, cursor, last_end);
  bool retry = next_is_relative(c, ops, i, n) || c.new_from > 0;
  while (pos >= 0) {
    size_t mend = size_t(pos + plen);
    if (match_from(c, ops, i + 1, n, mend, std::max(last_end, mend))) return true;
    if (!retry || --c.budget <= 0) return false;
    pos = find(c.buf, size_t(pos + 1), size_t(end), ct.pattern, ct.nocase);
  }
  return false;
}

bool match_pcre(Ctx& c, const Op* ops, size_t i, size_t n, size_t cursor, size_t last_end) {
  const PcreOp& p = c.rule.pcres[ops[i].index];
  const CompiledPcre& cp = c.e.pcres[c.r.pcre_slot[ops[i].index]];
  size_t base = p.relative ? cursor : 0;
  if (base > c.len) return p.negated && match_from(c, ops, i + 1, n, cursor, last_end);
  const uint8_t* subj = c.buf + base;
  size_t slen = c.len - base;
  pcre2_match_context* mctx = cp.no_limit ? c.s.mctx_nolimit : c.s.mctx;
  size_t start_offset = 0;
  bool retry = next_is_relative(c, ops, i, n) || c.new_from > 0;
  while (true) {
    int rc = pcre2_match(cp.code, subj, slen, start_offset, 0, c.s.match, mctx);
    bool matched = rc >= 0;  // 0: matched, ovector too small for the captures (we need pair 0 only)
    if (p.negated) return !matched && match_from(c, ops, i + 1, n, cursor, last_end);
    if (!matched) return false;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(c.s.match);
    size_t mstart = ov[0], mend = ov[1];
    size_t abs_end = base + mend;
    if (match_from(c, ops, i + 1, n, abs_end, std::max(last_end, abs_end))) return true;
    if (!retry || --c.budget <= 0) return false;
    start_offset = mstart + 1;
    if (start_offset > slen) return false;
  }
}

bool match_byte(Ctx& c, const Op* ops, size_t i, size_t n, size_t cursor, size_t last_end) {
  const ByteOp& b = c.rule.bytes[ops[i].index];
  const int64_t len = int64_t(c.len);
  if (len == 0) return false;
  int64_t nbytes = value(c, b.nbytes);
  int64_t off = value(c, b.offset);
  int64_t ptr = b.relative ? int64_t(cursor) + off : off;
  int64_t avail = len - ptr;
  // Suricata: a relative read needs data left after the cursor; any read needs its bytes in the buffer.
  if (b.relative && avail <= 0) return false;
  if (ptr < 0 || avail < 0 || nbytes > avail) return false;
  uint64_t v = 0;
  size_t used = extract(b, c.buf + ptr, size_t(avail), nbytes, &v);
  if (used == 0) return false;
  if (!b.string && nbytes == 0) used = 0;
  switch (b.kind) {
    case ByteKind::kTest: {
      v = apply_bitmask(v, b.bitmask);
      uint64_t want = uint64_t(value(c, b.value));
      bool m = false;
      switch (b.op) {
        case '=': m = v == want; break;
        case '<': m = v < want; break;
        case '>': m = v > want; break;
        case 'l': m = v <= want; break;
        case 'g': m = v >= want; break;
        case '&': m = (v & want) != 0; break;
        case '^': m = (v ^ want) != 0; break;
      }
      if (m == b.op_negated) return false;
      return match_from(c, ops, i + 1, n, cursor, last_end);
    }
    case ByteKind::kJump: {
      v = apply_bitmask(v, b.bitmask);
      uint64_t jump = v * b.multiplier;
      if (b.align && jump % 4 != 0) jump += 4 - jump % 4;
      int64_t j = int64_t(jump) + b.post_offset;
      int64_t target;
      if (b.from_beginning) target = j;
      else if (b.from_end) target = len + j;
      else target = ptr + int64_t(used) + j;
      // Suricata clamps a jump before the buffer to its start and rejects one at or past its end.
      if (target < 0) target = 0;
      else if (target >= len) return false;
      return match_from(c, ops, i + 1, n, size_t(target), last_end);
    }
    case ByteKind::kExtract: {
      v = apply_bitmask(v, b.bitmask);
      v *= b.multiplier;
      if (b.align_to && v % b.align_to != 0) v += b.align_to - v % b.align_to;
      c.vars[size_t(b.var)] = int64_t(v);
      return match_from(c, ops, i + 1, n, size_t(ptr) + used, last_end);
    }
  }
  return false;
}

bool match_from(Ctx& c, const Op* ops, size_t i, size_t n, size_t cursor, size_t last_end) {
  if (i == n) return c.new_from == 0 || last_end > c.new_from;
  const Op& op = ops[i];
  switch (op.kind) {
    case OpKind::kContent: return match_content(c, ops, i, n, cursor, last_end);
    case OpKind::kPcre: return match_pcre(c, ops, i, n, cursor, last_end);
    case OpKind::kByte: return match_byte(c, ops, i, n, cursor, last_end);
    case OpKind::kIsdataat: {
      const IsdataatOp& d = c.rule.isdataats[op.index];
      int64_t v = value(c, d.n);
      // Suricata: absolute needs offset < length; relative needs cursor + offset <= length.
      bool data = d.relative ? int64_t(cursor) + v <= int64_t(c.len) : v < int64_t(c.len);
      if (data == d.negated) return false;
      return match_from(c, ops, i + 1, n, cursor, last_end);
    }
    case OpKind::kBsize:
      if (!c.rule.ints[op.index].matches(c.len)) return false;
      return match_from(c, ops, i + 1, n, cursor, last_end);
    default:
      return false;  // packet options never appear in a list
  }
}

bool has_ports(uint8_t ip_proto) { return ip_proto == 6 || ip_proto == 17 || ip_proto == 132; }

bool packet_op_matches(const CompiledRule& r, const Op& op, const PacketFields& p, const FlowFields& f) {
  const Rule& rule = *r.rule;
  auto im = [&](uint64_t v) { return rule.ints[op.index].matches(v); };
  switch (op.kind) {
    case OpKind::kDsize: return im(p.payload.size());
    case OpKind::kTtl: return p.ip_version != 0 && im(p.ttl);
    case OpKind::kTos: return p.ip_version != 0 && im(p.tos);
    case OpKind::kIpId: return p.ip_version == 4 && im(p.ip_id);
    case OpKind::kItype: return p.has_icmp && im(p.icmp_type);
    case OpKind::kIcode: return p.has_icmp && im(p.icmp_code);
    case OpKind::kIcmpId: return p.has_icmp && p.icmp_has_id && im(p.icmp_id);
    case OpKind::kIcmpSeq: return p.has_icmp && p.icmp_has_id && im(p.icmp_seq);
    case OpKind::kIpProto: return p.ip_version != 0 && im(p.ip_proto);
    case OpKind::kSameip: return p.ip_version != 0 && p.src == p.dst;
    case OpKind::kFlags: return p.ip_proto == 6 && rule.bits[op.index].matches(p.tcp_flags);
    case OpKind::kFragbits:
      return p.ip_version == 4 && rule.bits[op.index].matches(uint8_t((p.frag_flags >> 13) & 0x7));
    case OpKind::kIpopts: return p.ip_version == 4 && (p.ipopts & op.index) != 0;
    case OpKind::kTcpSeq: return p.ip_proto == 6 && im(p.tcp_seq);
    case OpKind::kTcpAck: return p.ip_proto == 6 && im(p.tcp_ack);
    case OpKind::kWindow: return p.ip_proto == 6 && im(p.tcp_window);
    case OpKind::kTcpMss: return p.ip_proto == 6 && p.tcp_mss >= 0 && im(uint64_t(p.tcp_mss));
    case OpKind::kStreamSize: {
      const auto& ss = rule.stream_sizes[op.index];
      if (p.ip_proto != 6 || f.stream_bytes_to_server < 0 || f.stream_bytes_to_client < 0) return false;
      bool srv = ss.m.matches(uint64_t(f.stream_bytes_to_client));  // bytes the server sent
      bool cli = ss.m.matches(uint64_t(f.stream_bytes_to_server));  // bytes the client sent
      switch (ss.side) {
        case 0: return srv;
        case 1: return cli;
        case 2: return srv && cli;
        default: return srv || cli;
      }
    }
    default: return false;
  }
}

bool flow_matches(const FlowSpec& fs, const PacketFields& p, const FlowFields& f) {
  if (fs.to_server || fs.to_client || fs.established || fs.not_established) {
    if (!f.has_flow) return false;
    if (fs.to_server && !f.to_server) return false;
    if (fs.to_client && f.to_server) return false;
    if (fs.established && !f.established) return false;
    if (fs.not_established && f.established) return false;
  }
  if (fs.only_frag && !p.fragment) return false;
  if (fs.no_frag && p.fragment) return false;
  return true;
}

bool flowbits_ok(const CompiledRule& r, const FlowDetectState& st) {
  for (const auto& fb : r.flowbit_checks) {
    bool want_set = fb.cmd == FlowbitOp::Cmd::kIsset;
    bool any = false, all = true;
    for (uint16_t b : fb.bits) {
      bool set = (st.flowbits[b >> 6] >> (b & 63)) & 1;
      bool ok = set == want_set;
      any |= ok;
      all &= ok;
    }
    if (fb.any_of ? !any : !all) return false;
  }
  return true;
}

}  // namespace

bool header_matches(const CompiledRule& r, const PacketFields& p, const FlowFields& f) {
  if (p.ip_version == 0) return false;
  if (r.ip_version && r.ip_version != p.ip_version) return false;
  switch (r.transport) {
    case Transport::kAny: break;
    case Transport::kTcp: if (p.ip_proto != 6) return false; break;
    case Transport::kUdp: if (p.ip_proto != 17) return false; break;
    case Transport::kIcmp: if (p.ip_proto != 1 && p.ip_proto != 58) return false; break;
    case Transport::kIcmp4: if (p.ip_proto != 1) return false; break;
    case Transport::kIcmp6: if (p.ip_proto != 58) return false; break;
    case Transport::kSctp: if (p.ip_proto != 132) return false; break;
  }
  if (r.app != AppProto::kUnknown) {
    if (f.app_proto != r.app && !(r.app == AppProto::kHttp && f.app_proto == AppProto::kHttp2)) return false;
  }
  bool ports = has_ports(p.ip_proto);
  if (!ports && (!r.sport_any || !r.dport_any)) return false;
  auto side = [&](const Address& s, uint16_t sp, const Address& d, uint16_t dp) {
    if (!r.src_any && !r.src->contains(s)) return false;
    if (!r.dst_any && !r.dst->contains(d)) return false;
    if (ports) {
      if (!r.sport_any && !r.sport->contains(sp)) return false;
      if (!r.dport_any && !r.dport->contains(dp)) return false;
    }
    return true;
  };
  if (r.transactional && f.has_flow && !f.to_server) return side(p.dst, p.dport, p.src, p.sport);
  if (side(p.src, p.sport, p.dst, p.dport)) return true;
  return r.bidirectional && side(p.dst, p.dport, p.src, p.sport);
}

bool list_matches(const Engine::Impl& e, Scratch::Impl& s, const CompiledRule& r, const OpList& list,
                  const uint8_t* data, size_t len, size_t new_from) {
  static const uint8_t kEmpty = 0;
  Ctx c{e, s, r, *r.rule, data ? data : &kEmpty, len, new_from};
  return match_from(c, r.list_ops.data() + list.first, 0, list.count, 0, 0);
}

namespace {

std::span<const uint8_t> packet_buffer(Buffer b, const PacketFields& p, bool* ok) {
  *ok = true;
  switch (b) {
    case Buffer::kIpv4Hdr: if (p.ip_version == 4) return p.l3_header; break;
    case Buffer::kIpv6Hdr: if (p.ip_version == 6) return p.l3_header; break;
    case Buffer::kTcpHdr: if (p.ip_proto == 6) return p.l4_header; break;
    case Buffer::kUdpHdr: if (p.ip_proto == 17) return p.l4_header; break;
    case Buffer::kIcmpv4Hdr: if (p.ip_proto == 1) return p.l4_header; break;
    case Buffer::kIcmpv6Hdr: if (p.ip_proto == 58) return p.l4_header; break;
    default: break;
  }
  *ok = false;
  return {};
}

}  // namespace

bool rule_matches(const Engine::Impl& e, Scratch::Impl& s, const CompiledRule& r, const DetectInput& in,
                  const FlowDetectState& flow, bool* from_stream, bool* from_app) {
  const PacketFields& p = in.packet;
  const FlowFields& f = in.flow;
  *from_stream = false;
  *from_app = false;
  if (p.stream_end && !(r.has_payload_list && r.stream != StreamMode::kPacketOnly) && !r.has_app_list) return false;
  if (!header_matches(r, p, f)) return false;
  if (!flow_matches(r.flow, p, f)) return false;
  for (const Op& op : r.packet_ops)
    if (!packet_op_matches(r, op, p, f)) return false;
  if (!flowbits_ok(r, flow)) return false;

  if (r.has_app_list) {
    const AppBuffers* app = in.app;
    if (!app) return false;
    if (r.tx_side == TxSide::kToServer && !app->to_server) return false;
    if (r.tx_side == TxSide::kToClient && app->to_server) return false;
  }
  for (const OpList& list : r.lists) {
    if (list.buffer == Buffer::kPayload) {
      bool tcp = p.ip_proto == 6;
      bool matched = false;
      if (tcp && r.stream != StreamMode::kPacketOnly && in.stream && !in.stream->data.empty()) {
        const StreamChunk& sc = *in.stream;
        size_t old_len = std::min(sc.new_from, sc.data.size());
        // New when a match ends in the new bytes, or when the bytes offered before did not match
        // (a condition needing the data that follows, like isdataat or a jump, only holds now).
        bool m = list_matches(e, s, r, list, sc.data.data(), sc.data.size(), old_len);
        if (!m && old_len > 0 && list_matches(e, s, r, list, sc.data.data(), sc.data.size(), 0))
          m = !list_matches(e, s, r, list, sc.data.data(), old_len, 0);
        if (m) {
          matched = true;
          *from_stream = true;
        }
      }
      // A segment that went into the stream is inspected through the stream (Suricata skips the
      // packet payload for such packets unless the rule is tcp-pkt): PacketFields::stream_added.
      bool packet_ok = !(tcp && r.stream == StreamMode::kStreamOnly) &&
                       !(tcp && r.stream != StreamMode::kPacketOnly && p.stream_added);
      if (!matched && packet_ok) {
        matched = list_matches(e, s, r, list, p.payload.data(), p.payload.size(), 0);
      }
      if (!matched) return false;
      continue;
    }
    if (is_packet_buffer(list.buffer)) {
      bool ok;
      auto buf = packet_buffer(list.buffer, p, &ok);
      if (!ok || !list_matches(e, s, r, list, buf.data(), buf.size(), 0)) return false;
      continue;
    }
    const AppBuffers* app = in.app;
    size_t bi = static_cast<size_t>(list.buffer);
    if (!app || !app->present[bi]) return false;
    bool matched = false;
    if (!app->multi[bi].empty()) {
      for (const auto& part : app->multi[bi]) {
        if (list_matches(e, s, r, list, part.data(), part.size(), 0)) {
          matched = true;
          break;
        }
      }
    } else {
      matched = list_matches(e, s, r, list, app->buf[bi].data(), app->buf[bi].size(), 0);
    }
    if (!matched) return false;
    *from_app = true;
  }
  return true;
}

}  // namespace canh::rules
