#include "sensor/app/detect.h"

#include <string_view>

#include "sensor/app/dns_parser.h"

namespace canh::sensor::app {
namespace {

using rules::AppProto;

// Methods Suricata's HTTP detection knows, plus the WebDAV family libhtp parses.
constexpr std::string_view kMethods[] = {
    "GET",    "POST",     "HEAD",      "PUT",    "DELETE",  "OPTIONS",  "CONNECT",    "TRACE",
    "PATCH",  "PROPFIND", "PROPPATCH", "MKCOL",  "COPY",    "MOVE",     "LOCK",       "UNLOCK",
    "SEARCH", "REPORT",   "CHECKOUT",  "CHECKIN", "MERGE",  "MKACTIVITY", "SUBSCRIBE", "UNSUBSCRIBE",
    "NOTIFY", "POLL",     "BPROPFIND", "BDELETE", "BCOPY",  "BMOVE",    "MKCALENDAR", "VERSION-CONTROL",
};

Detection need_more() { return {Verdict::kNeedMore, AppProto::kUnknown}; }
Detection no_match() { return {Verdict::kNoMatch, AppProto::kUnknown}; }
Detection match(AppProto p) { return {Verdict::kMatch, p}; }

// kMatch/kNoMatch on `data` against a literal prefix (case-insensitive), kNeedMore while `data` is
// a proper prefix of it.
Verdict prefix(std::span<const uint8_t> data, std::string_view lit) {
  size_t n = std::min(data.size(), lit.size());
  for (size_t i = 0; i < n; ++i)
    if (ascii_lower(static_cast<char>(data[i])) != ascii_lower(lit[i])) return Verdict::kNoMatch;
  return n == lit.size() ? Verdict::kMatch : Verdict::kNeedMore;
}

Verdict http_request(std::span<const uint8_t> data) {
  // Blank lines before the first request are tolerated by servers and by libhtp.
  while (!data.empty() && (data[0] == '\r' || data[0] == '\n')) data = data.subspan(1);
  if (data.empty()) return Verdict::kNeedMore;
  bool more = false;
  for (std::string_view m : kMethods) {
    Verdict v = prefix(data, m);
    if (v == Verdict::kNeedMore) {
      more = true;
    } else if (v == Verdict::kMatch) {
      if (data.size() == m.size()) {
        more = true;
      } else if (data[m.size()] == ' ' || data[m.size()] == '\t') {
        return Verdict::kMatch;
      }
    }
  }
  return more ? Verdict::kNeedMore : Verdict::kNoMatch;
}

Verdict tls(std::span<const uint8_t> data) {
  if (data.empty()) return Verdict::kNeedMore;
  uint8_t b0 = data[0];
  if (b0 & 0x80) {
    // SSLv2 record header, ClientHello (1) offering SSL 2.0 or 3.x.
    if (data.size() < 5) return Verdict::kNeedMore;
    bool v2 = data[2] == 0x01 && ((data[3] == 0x00 && data[4] == 0x02) || (data[3] == 0x03 && data[4] <= 0x04));
    return v2 ? Verdict::kMatch : Verdict::kNoMatch;
  }
  if (b0 < 20 || b0 > 23) return Verdict::kNoMatch;
  if (data.size() < 2) return Verdict::kNeedMore;
  if (data[1] != 0x03) return Verdict::kNoMatch;
  if (data.size() < 3) return Verdict::kNeedMore;
  if (data[2] > 0x04) return Verdict::kNoMatch;
  if (data.size() < 5) return Verdict::kNeedMore;
  uint16_t len = be16(data.data() + 3);
  if (len == 0 || len > 16384 + 2048) return Verdict::kNoMatch;
  if (b0 == 22) {
    // A handshake record starts with a handshake message type that exists.
    if (data.size() < 6) return Verdict::kNeedMore;
    uint8_t hs = data[5];
    bool known = hs <= 4 || (hs >= 11 && hs <= 16) || hs == 8 || hs == 20 || hs == 24;
    return known ? Verdict::kMatch : Verdict::kNoMatch;
  }
  return Verdict::kMatch;
}

bool dns_ports(uint16_t sport, uint16_t dport) { return sport == 53 || dport == 53; }

// A DNS message that is plausible: header flags sane, the question section parses. `strict` (off
// port 53) also wants exactly one question and the whole message consumed without error.
bool plausible_dns(std::span<const uint8_t> msg, bool strict) {
  if (msg.size() < 12) return false;
  uint16_t flags = be16(msg.data() + 2);
  uint8_t opcode = (flags >> 11) & 0x0f;
  if (opcode > 6 || opcode == 3) return false;
  uint16_t qd = be16(msg.data() + 4);
  if (qd == 0 || qd > 16) return false;
  if (strict && (qd != 1 || (flags & 0x0040) != 0)) return false;  // Z bit must be zero
  DnsLimits limits;
  thread_local DnsMessage scratch;  // detection runs per flow, not per byte; reuse the buffers
  DnsError e = parse_dns(msg, limits, &scratch);
  if (!strict) return scratch.questions.size() == qd || e == DnsError::kOk;
  return e == DnsError::kOk;
}

}  // namespace

Detection detect_tcp(Dir dir, std::span<const uint8_t> data, uint16_t sport, uint16_t dport) {
  if (data.empty()) return need_more();
  bool more = false;
  Verdict v = dir == Dir::kToServer ? http_request(data) : prefix(data, "HTTP/");
  if (v == Verdict::kMatch) return match(AppProto::kHttp);
  more |= v == Verdict::kNeedMore;
  if (dir == Dir::kToServer) {
    // A response seen first (one-sided capture) still says HTTP.
    v = prefix(data, "HTTP/");
    if (v == Verdict::kMatch) return match(AppProto::kHttp);
    more |= v == Verdict::kNeedMore;
  }
  v = tls(data);
  if (v == Verdict::kMatch) return match(AppProto::kTls);
  more |= v == Verdict::kNeedMore;
  v = prefix(data, "SSH-");
  if (v == Verdict::kMatch) return match(AppProto::kSsh);
  more |= v == Verdict::kNeedMore;
  if (dns_ports(sport, dport)) {
    if (data.size() < 2) {
      more = true;
    } else {
      size_t len = be16(data.data());
      if (len >= 12 && data.size() >= 2 + len) {
        if (plausible_dns(data.subspan(2, len), false)) return match(AppProto::kDns);
      } else if (len >= 12 && data.size() < 2 + len) {
        more = true;
      }
    }
  }
  return more ? need_more() : no_match();
}

Detection detect_udp(Dir dir, std::span<const uint8_t> payload, uint16_t sport, uint16_t dport) {
  (void)dir;
  if (plausible_dns(payload, !dns_ports(sport, dport))) return match(AppProto::kDns);
  return no_match();
}

}  // namespace canh::sensor::app
