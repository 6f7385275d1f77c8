// Application protocol detection by content, not by port (HTTP on 8080 or 81 is HTTP, TLS on 8443 is
// TLS), looking at the first bytes each direction sends, the way Suricata's pattern and probing
// detection does:
//   HTTP  request: a method token then SP/HT ("GET ", "POST ", WebDAV verbs ...), case-insensitive;
//         response: "HTTP/".
//   TLS   a record header: handshake/alert/CCS/application content type, version 3.0-3.4, sane length;
//         or an SSLv2-format ClientHello.
//   SSH   "SSH-" banner.
//   DNS   (UDP, and TCP with its length prefix) a header and question section that parse. On port 53
//         that suffices, as Suricata's probing parser; elsewhere the whole message must parse with one
//         question, exactly to its end: random datagrams are not DNS.
#pragma once

#include <cstdint>
#include <span>

#include "rules/detect.h"
#include "sensor/app/app_types.h"

namespace canh::sensor::app {

enum class Verdict : uint8_t { kNeedMore, kMatch, kNoMatch };

struct Detection {
  Verdict verdict = Verdict::kNeedMore;
  rules::AppProto proto = rules::AppProto::kUnknown;
};

// `data`: the first bytes of one direction of a TCP stream (all of them so far).
Detection detect_tcp(Dir dir, std::span<const uint8_t> data, uint16_t sport, uint16_t dport);
// One UDP datagram.
Detection detect_udp(Dir dir, std::span<const uint8_t> payload, uint16_t sport, uint16_t dport);

}  // namespace canh::sensor::app
