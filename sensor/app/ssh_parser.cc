#include "sensor/app/ssh_parser.h"

#include <cstring>

namespace canh::sensor::app {

void SshSession::clear() {
  client = SshBanner{};
  server = SshBanner{};
}

bool parse_ssh_banner(std::string_view line, SshBanner* out) {
  if (line.substr(0, 4) != "SSH-") return false;
  out->line.assign(line);
  std::string_view l = out->line;
  size_t dash = l.find('-', 4);
  if (dash == std::string_view::npos) return false;
  size_t sw_end = l.find_first_of(" \t", dash + 1);
  if (sw_end == std::string_view::npos) sw_end = l.size();
  out->proto = Field{4, static_cast<uint32_t>(dash - 4), true};
  out->software = Field{static_cast<uint32_t>(dash + 1), static_cast<uint32_t>(sw_end - dash - 1), true};
  out->seen = true;
  return true;
}

void SshParser::reset() {
  session_.clear();
  for (Side& s : sides_) {
    s.line.clear();
    s.lines = 0;
    s.done = false;
  }
}

void SshParser::feed(Dir dir, std::span<const uint8_t> data, TxObserver* obs) {
  Side& s = sides_[dir_index(dir)];
  SshBanner& banner = dir == Dir::kToServer ? session_.client : session_.server;
  while (!data.empty() && !s.done) {
    const auto* lf = static_cast<const uint8_t*>(std::memchr(data.data(), '\n', data.size()));
    size_t take = lf != nullptr ? static_cast<size_t>(lf - data.data()) + 1 : data.size();
    if (s.line.size() + take > kMaxLine + 2) {
      s.done = true;  // not an identification line and too long to be one: give up on this side
      break;
    }
    s.line.append(reinterpret_cast<const char*>(data.data()), take);
    data = data.subspan(take);
    if (lf == nullptr) break;
    std::string_view line = s.line;
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (parse_ssh_banner(line, &banner)) {
      s.done = true;
      if (obs != nullptr) {
        TxEvent ev;
        ev.proto = rules::AppProto::kSsh;
        ev.dir = dir;
        ev.tx_id = 0;  // one transaction per SSH session, as Suricata has
        ev.ssh = &session_;
        obs->on_tx(ev);
      }
    } else if (++s.lines >= kMaxPreLines) {
      s.done = true;
    }
    s.line.clear();
  }
}

}  // namespace canh::sensor::app
