// Shared vocabulary of the app-layer parsers (sensor/app/): directions, fields stored as offsets into
// buffers a parser owns, and the observer that learns when a transaction progressed.
//
// The parsers are mechanism only (STYLE.md, "Zeek"): they turn stream bytes into typed transactions
// and know nothing of rules, flows or output. buffers.h maps a transaction onto rules::AppBuffers;
// eve.h writes its EVE metadata; session.h ties detection and the parsers to one flow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rules/detect.h"

namespace canh::sensor::app {

// Direction of bytes on a flow: from the initiator (client) or from the responder (server).
enum class Dir : uint8_t { kToServer = 0, kToClient = 1 };
inline constexpr size_t dir_index(Dir d) { return static_cast<size_t>(d); }

// A slice of a buffer the parser owns, kept as offsets so that the buffer may grow (and reallocate)
// while a message is still arriving. `present` distinguishes "absent" from "present but empty":
// Suricata's `bsize:0` matches an empty User-Agent header, never a missing one.
struct Field {
  uint32_t off = 0;
  uint32_t len = 0;
  bool present = false;

  std::string_view in(const std::string& buf) const {
    if (!present) return {};
    return std::string_view(buf).substr(off, len);
  }
};

inline std::string_view as_chars(std::span<const uint8_t> s) {
  return {reinterpret_cast<const char*>(s.data()), s.size()};
}

class HttpTx;
struct DnsMessage;
struct TlsSession;
struct SshSession;

// One step of progress on one transaction, reported while a parser consumes bytes. Exactly one of
// the protocol pointers is set; all of them (and every view reachable from them) are valid only for
// the duration of the on_tx() call.
struct TxEvent {
  rules::AppProto proto = rules::AppProto::kUnknown;
  Dir dir = Dir::kToServer;  // the side whose data progressed
  uint64_t tx_id = 0;        // per flow, from 0, as EVE's `tx_id`
  const HttpTx* http = nullptr;
  const DnsMessage* dns = nullptr;
  const TlsSession* tls = nullptr;
  const SshSession* ssh = nullptr;
};

// Receives progress events. Called synchronously from inside feed(): a detection glue inspects the
// transaction right there, so pipelined requests in one segment are each seen while still alive.
class TxObserver {
 public:
  virtual ~TxObserver() = default;
  virtual void on_tx(const TxEvent& event) = 0;
};

// Byte helpers shared by the parsers. ASCII only: protocol tokens are ASCII, and locale-dependent
// <cctype> has no place on a packet path.
inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
inline bool ascii_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}
inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
// Case-insensitive search for an ASCII token; npos when absent.
size_t ifind(std::string_view haystack, std::string_view needle);
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && ascii_space(s.back())) s.remove_suffix(1);
  return s;
}
inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t be24(const uint8_t* p) { return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2]; }
inline uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace canh::sensor::app
