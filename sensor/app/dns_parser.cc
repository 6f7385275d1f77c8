#include "sensor/app/dns_parser.h"

#include <algorithm>
#include <cstdio>

namespace canh::sensor::app {
namespace {

constexpr size_t kHeaderLen = 12;
constexpr size_t kMaxNameLen = 255;
constexpr int kMaxPointerHops = 64;

// Reads the (possibly compressed) name at msg[off], appending it dotted to *text. *after is the
// offset just past the name where it was written (not where pointers led).
DnsError read_name(std::span<const uint8_t> msg, size_t off, std::string* text, size_t* after) {
  size_t pos = off;
  size_t limit = off;  // every pointer must land strictly before this, which then moves down
  bool jumped = false;
  int hops = 0;
  size_t total = 0;
  bool first = true;
  for (;;) {
    if (pos >= msg.size()) return DnsError::kShort;
    uint8_t len = msg[pos];
    if (len == 0) {
      if (!jumped) *after = pos + 1;
      return DnsError::kOk;
    }
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= msg.size()) return DnsError::kShort;
      size_t target = (size_t{len & 0x3Fu} << 8) | msg[pos + 1];
      if (!jumped) *after = pos + 2;
      if (target >= limit || ++hops > kMaxPointerHops) return DnsError::kNameLoop;
      limit = target;
      pos = target;
      jumped = true;
      continue;
    }
    if ((len & 0xC0) != 0) return DnsError::kBadLabel;
    if (pos + 1 + len > msg.size()) return DnsError::kShort;
    total += len + 1;
    if (total > kMaxNameLen) return DnsError::kNameTooLong;
    if (!first) text->push_back('.');
    first = false;
    text->append(reinterpret_cast<const char*>(msg.data() + pos + 1), len);
    pos += 1 + len;
  }
}

DnsError read_name_field(std::span<const uint8_t> msg, size_t off, std::string* text, Field* f, size_t* after) {
  f->off = static_cast<uint32_t>(text->size());
  DnsError e = read_name(msg, off, text, after);
  f->len = static_cast<uint32_t>(text->size() - f->off);
  f->present = e == DnsError::kOk;
  return e;
}

// Suricata prints AAAA rdata as eight zero-padded groups, uncompressed.
void format_v6(const uint8_t* p, std::string* out) {
  char buf[48];
  int n = std::snprintf(buf, sizeof(buf), "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x",
                        p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13],
                        p[14], p[15]);
  out->append(buf, static_cast<size_t>(n));
}

}  // namespace

std::string_view dns_error_name(DnsError e) {
  switch (e) {
    case DnsError::kOk: return "ok";
    case DnsError::kShort: return "truncated";
    case DnsError::kBadLabel: return "bad label type";
    case DnsError::kNameLoop: return "compression loop";
    case DnsError::kNameTooLong: return "name too long";
  }
  return "unknown";
}

void DnsMessage::clear() {
  id = flags = qdcount = ancount = nscount = arcount = 0;
  text.clear();
  questions.clear();
  answers.clear();
  error = DnsError::kOk;
}

DnsError parse_dns(std::span<const uint8_t> msg, const DnsLimits& limits, DnsMessage* out) {
  out->clear();
  if (msg.size() < kHeaderLen) return out->error = DnsError::kShort;
  const uint8_t* h = msg.data();
  out->id = be16(h);
  out->flags = be16(h + 2);
  out->qdcount = be16(h + 4);
  out->ancount = be16(h + 6);
  out->nscount = be16(h + 8);
  out->arcount = be16(h + 10);
  size_t pos = kHeaderLen;
  for (uint32_t i = 0; i < out->qdcount; ++i) {
    DnsQuestion q;
    size_t after = 0;
    size_t mark = out->text.size();
    DnsError e = read_name_field(msg, pos, &out->text, &q.name, &after);
    if (e != DnsError::kOk) return out->error = e;
    if (after + 4 > msg.size()) return out->error = DnsError::kShort;
    q.type = be16(msg.data() + after);
    q.cls = be16(msg.data() + after + 2);
    pos = after + 4;
    if (out->questions.size() < limits.max_questions) {
      out->questions.push_back(q);
    } else {
      out->text.resize(mark);
    }
  }
  const uint32_t records = uint32_t{out->ancount} + out->nscount + out->arcount;
  for (uint32_t i = 0; i < records; ++i) {
    const bool answer = i < out->ancount;
    const bool keep = answer && out->answers.size() < limits.max_answers;
    DnsRecord r;
    size_t after = 0;
    size_t mark = out->text.size();
    DnsError e = read_name_field(msg, pos, &out->text, &r.name, &after);
    if (e != DnsError::kOk) return out->error = e;
    if (after + 10 > msg.size()) return out->error = DnsError::kShort;
    const uint8_t* p = msg.data() + after;
    r.type = be16(p);
    r.cls = be16(p + 2);
    r.ttl = be32(p + 4);
    const size_t rdlen = be16(p + 8);
    const size_t rd = after + 10;
    if (rd + rdlen > msg.size()) return out->error = DnsError::kShort;
    pos = rd + rdlen;
    if (!keep) {
      out->text.resize(mark);
      continue;
    }
    r.data.off = static_cast<uint32_t>(out->text.size());
    switch (r.type) {
      case 1:  // A
        if (rdlen == 4) {
          char buf[16];
          int n = std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", msg[rd], msg[rd + 1], msg[rd + 2], msg[rd + 3]);
          out->text.append(buf, static_cast<size_t>(n));
          r.data.present = true;
        }
        break;
      case 28:  // AAAA
        if (rdlen == 16) {
          format_v6(msg.data() + rd, &out->text);
          r.data.present = true;
        }
        break;
      case 2:   // NS
      case 5:   // CNAME
      case 6:   // SOA (primary name server)
      case 12:  // PTR
      case 15: {  // MX (after the preference)
        size_t name_at = r.type == 15 ? rd + 2 : rd;
        size_t ignored = 0;
        if (name_at < rd + rdlen) {
          size_t before = out->text.size();
          if (read_name(msg, name_at, &out->text, &ignored) == DnsError::kOk) {
            r.data.present = true;
          } else {
            out->text.resize(before);
          }
        }
        break;
      }
      case 16:  // TXT: the first character-string
        if (rdlen >= 1 && size_t{msg[rd]} + 1 <= rdlen) {
          out->text.append(reinterpret_cast<const char*>(msg.data() + rd + 1), msg[rd]);
          r.data.present = true;
        }
        break;
      default:
        break;
    }
    r.data.len = static_cast<uint32_t>(out->text.size() - r.data.off);
    out->answers.push_back(r);
  }
  return out->error = DnsError::kOk;
}

std::string_view dns_type_name(uint16_t type, char buf[8]) {
  switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 10: return "NULL";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 35: return "NAPTR";
    case 41: return "OPT";
    case 43: return "DS";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 257: return "CAA";
    default: {
      int n = std::snprintf(buf, 8, "%u", type);
      return {buf, static_cast<size_t>(n)};
    }
  }
}

std::string_view dns_rcode_name(uint8_t rcode, char buf[8]) {
  static constexpr std::string_view kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                                "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
  if (rcode < std::size(kNames)) return kNames[rcode];
  int n = std::snprintf(buf, 8, "%u", rcode);
  return {buf, static_cast<size_t>(n)};
}

DnsParser::DnsParser(const DnsLimits& limits) : limits_(limits) {}

void DnsParser::reset() {
  msg_.clear();
  next_tx_ = last_tx_ = malformed_ = 0;
  open_.fill(Open{});
  open_next_ = 0;
  for (auto& s : stream_) {
    s.buf.clear();
    s.len_have = 0;
    s.need = 0;
    s.stopped = false;
  }
}

void DnsParser::on_message(Dir dir, std::span<const uint8_t> msg, TxObserver* obs) {
  DnsError e = parse_dns(msg, limits_, &msg_);
  if (e != DnsError::kOk) ++malformed_;
  if (msg.size() < kHeaderLen) return;
  // Pair a response with the open query of the same id (Suricata keeps one transaction for both).
  uint64_t tx = next_tx_;
  bool joined = false;
  if (msg_.response()) {
    for (auto& o : open_) {
      if (o.used && o.dns_id == msg_.id) {
        tx = o.tx;
        o.used = false;
        joined = true;
        break;
      }
    }
  }
  if (!joined) {
    ++next_tx_;
    if (!msg_.response()) {
      open_[open_next_] = Open{msg_.id, tx, true};
      open_next_ = static_cast<uint8_t>((open_next_ + 1) % open_.size());
    }
  }
  last_tx_ = tx;
  if (obs == nullptr) return;
  TxEvent ev;
  ev.proto = rules::AppProto::kDns;
  ev.dir = dir;
  ev.tx_id = tx;
  ev.dns = &msg_;
  obs->on_tx(ev);
}

void DnsParser::feed_datagram(Dir dir, std::span<const uint8_t> payload, TxObserver* obs) {
  on_message(dir, payload, obs);
}

void DnsParser::feed_stream(Dir dir, std::span<const uint8_t> data, TxObserver* obs) {
  StreamSide& s = stream_[dir_index(dir)];
  while (!data.empty() && !s.stopped) {
    if (s.len_have < 2) {
      s.len_bytes[s.len_have++] = data[0];
      data = data.subspan(1);
      if (s.len_have == 2) {
        s.need = be16(s.len_bytes);
        s.buf.clear();
        if (s.need == 0) s.len_have = 0;
      }
      continue;
    }
    size_t take = std::min<size_t>(s.need - s.buf.size(), data.size());
    s.buf.append(reinterpret_cast<const char*>(data.data()), take);
    data = data.subspan(take);
    if (s.buf.size() == s.need) {
      on_message(dir, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.buf.data()), s.buf.size()), obs);
      s.len_have = 0;
      s.buf.clear();
    }
  }
}

void DnsParser::gap(Dir dir) { stream_[dir_index(dir)].stopped = true; }

}  // namespace canh::sensor::app
