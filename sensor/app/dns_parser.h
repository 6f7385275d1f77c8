// DNS messages over UDP (one datagram, one message) and TCP (RFC 1035 section 4.2.2: each message
// behind a two-byte length). Names are decompressed with loops and forward references rejected: a
// compression pointer must point before every position already visited for that name, so the walk
// strictly moves backwards and ends.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/app/app_types.h"

namespace canh::sensor::app {

struct DnsLimits {
  uint16_t max_questions = 16;  // kept per message (the counts in the header are still honoured)
  uint16_t max_answers = 64;
};

struct DnsQuestion {
  Field name;  // in DnsMessage::text, dotted, without the root dot
  uint16_t type = 0;
  uint16_t cls = 0;
};

struct DnsRecord {
  Field name;
  uint16_t type = 0;
  uint16_t cls = 0;
  uint32_t ttl = 0;
  Field data;  // printable rdata: A/AAAA address, CNAME/NS/PTR/MX/SOA name, first TXT string
};

enum class DnsError : uint8_t {
  kOk,
  kShort,        // message ends inside a field
  kBadLabel,     // reserved label type (0x40/0x80)
  kNameLoop,     // compression pointer not strictly backwards
  kNameTooLong,  // over 255 bytes
};
std::string_view dns_error_name(DnsError e);

struct DnsMessage {
  uint16_t id = 0;
  uint16_t flags = 0;
  uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  std::string text;  // names and rdata text
  std::vector<DnsQuestion> questions;
  std::vector<DnsRecord> answers;  // answer section only
  DnsError error = DnsError::kOk;  // first problem; what parsed before it is kept

  bool response() const { return (flags & 0x8000) != 0; }
  uint8_t opcode() const { return static_cast<uint8_t>((flags >> 11) & 0x0f); }
  uint8_t rcode() const { return static_cast<uint8_t>(flags & 0x0f); }
  std::string_view view(const Field& f) const { return f.in(text); }
  void clear();
};

// Parses one complete message. Returns its error (kOk when the whole message parsed).
DnsError parse_dns(std::span<const uint8_t> msg, const DnsLimits& limits, DnsMessage* out);

// Names as EVE prints them: "A", "AAAA", ...; the number otherwise (written to `buf`).
std::string_view dns_type_name(uint16_t type, char buf[8]);
std::string_view dns_rcode_name(uint8_t rcode, char buf[8]);

// One flow's DNS: messages from either transport, reported as transactions. A query opens a
// transaction; a response joins the open one with the same DNS id, or opens its own.
class DnsParser {
 public:
  explicit DnsParser(const DnsLimits& limits = {});
  void reset();
  void feed_datagram(Dir dir, std::span<const uint8_t> payload, TxObserver* obs);
  void feed_stream(Dir dir, std::span<const uint8_t> data, TxObserver* obs);
  // TCP bytes lost: the length framing is gone, so the direction stops.
  void gap(Dir dir);

  const DnsMessage& last() const { return msg_; }
  uint64_t last_tx() const { return last_tx_; }
  uint64_t tx_count() const { return next_tx_; }
  uint64_t malformed() const { return malformed_; }

 private:
  void on_message(Dir dir, std::span<const uint8_t> msg, TxObserver* obs);

  DnsLimits limits_;
  DnsMessage msg_;
  uint64_t next_tx_ = 0;
  uint64_t last_tx_ = 0;
  uint64_t malformed_ = 0;
  struct Open {
    uint16_t dns_id = 0;
    uint64_t tx = 0;
    bool used = false;
  };
  std::array<Open, 16> open_{};
  uint8_t open_next_ = 0;
  struct StreamSide {
    std::string buf;   // the message being assembled (length prefix excluded)
    uint8_t len_bytes[2] = {};
    uint8_t len_have = 0;
    uint32_t need = 0;
    bool stopped = false;
  };
  std::array<StreamSide, 2> stream_;
};

}  // namespace canh::sensor::app
