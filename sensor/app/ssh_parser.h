// SSH identification strings (RFC 4253 section 4.2): "SSH-protoversion-softwareversion SP comments"
// from each side, for ssh.proto / ssh.software and EVE's ssh.client / ssh.server. A server may send
// other lines before its identification; everything after it (the binary packet protocol) is only
// skipped.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sensor/app/app_types.h"

namespace canh::sensor::app {

struct SshBanner {
  bool seen = false;
  std::string line;    // the identification line, without CR LF
  Field proto;         // "2.0" (in line)
  Field software;      // "OpenSSH_9.2p1" (in line)
  std::string_view proto_version() const { return proto.in(line); }
  std::string_view software_version() const { return software.in(line); }
};

struct SshSession {
  SshBanner client, server;
  const SshBanner& side(Dir d) const { return d == Dir::kToServer ? client : server; }
  void clear();
};

// Splits "SSH-2.0-OpenSSH_9.2p1 Debian" into its parts; false when it is not an identification.
bool parse_ssh_banner(std::string_view line, SshBanner* out);

class SshParser {
 public:
  void reset();
  void feed(Dir dir, std::span<const uint8_t> data, TxObserver* obs);
  const SshSession& session() const { return session_; }

 private:
  // RFC 4253 allows 255 bytes per identification line; other pre-banner lines are bounded the same way.
  static constexpr size_t kMaxLine = 255;
  static constexpr int kMaxPreLines = 32;
  struct Side {
    std::string line;
    int lines = 0;
    bool done = false;
  };
  SshSession session_;
  std::array<Side, 2> sides_;
};

}  // namespace canh::sensor::app
