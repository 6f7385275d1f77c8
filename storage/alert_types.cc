#include "storage/alert_types.h"

#include <arpa/inet.h>

#include <cstdio>
#include <cstring>

namespace canh::storage {

namespace {
constexpr uint8_t kV4Mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}

bool IpAddr::is_v4() const { return std::memcmp(bytes.data(), kV4Mapped, 12) == 0; }

IpAddr IpAddr::v4(uint32_t h) {
  IpAddr a;
  std::memcpy(a.bytes.data(), kV4Mapped, 12);
  a.bytes[12] = static_cast<uint8_t>(h >> 24);
  a.bytes[13] = static_cast<uint8_t>(h >> 16);
  a.bytes[14] = static_cast<uint8_t>(h >> 8);
  a.bytes[15] = static_cast<uint8_t>(h);
  return a;
}

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4()) {
    inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  }
  return buf;
}

std::optional<IpAddr> IpAddr::parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  IpAddr a;
  unsigned char v4[4];
  if (inet_pton(AF_INET, buf, v4) == 1) {
    std::memcpy(a.bytes.data(), kV4Mapped, 12);
    std::memcpy(a.bytes.data() + 12, v4, 4);
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) return a;
  return std::nullopt;
}

IpAddr mask(const IpAddr& a, unsigned bits) {
  IpAddr m = a;
  for (unsigned i = 0; i < 16; ++i) {
    unsigned keep = bits >= (i + 1) * 8 ? 8 : bits > i * 8 ? bits - i * 8 : 0;
    m.bytes[i] &= static_cast<uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  return m;
}

bool Cidr::contains(const IpAddr& a) const { return mask(a, bits) == base; }

std::string Cidr::to_string() const { return base.to_string() + "/" + std::to_string(written_bits()); }

Result<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  auto a = IpAddr::parse(addr);
  if (!a) return Status::invalid("\"" + std::string(text) + "\" is not an IP address or CIDR block");
  Cidr c;
  c.base = *a;
  unsigned max = a->is_v4() ? 32 : 128;
  unsigned n = max;
  if (slash != std::string_view::npos) {
    std::string_view len = text.substr(slash + 1);
    if (len.empty() || len.size() > 3) return Status::invalid("\"" + std::string(text) + "\": bad prefix length");
    n = 0;
    for (char ch : len) {
      if (ch < '0' || ch > '9') return Status::invalid("\"" + std::string(text) + "\": bad prefix length");
      n = n * 10 + (ch - '0');
    }
    if (n > max)
      return Status::invalid("\"" + std::string(text) + "\": prefix length above " + std::to_string(max));
  }
  c.bits = static_cast<uint8_t>(a->is_v4() ? 96 + n : n);
  if (!(mask(*a, c.bits) == *a)) {
    return Status::invalid("\"" + std::string(text) + "\" has host bits set (did you mean " +
                           Cidr{mask(*a, c.bits), c.bits}.to_string() + "?)");
  }
  return c;
}

std::string_view triage_state_name(TriageState s) {
  switch (s) {
    case TriageState::kNew: return "new";
    case TriageState::kAcknowledged: return "acknowledged";
    case TriageState::kEscalated: return "escalated";
    case TriageState::kClosed: return "closed";
    case TriageState::kFalsePositive: return "false-positive";
  }
  return "new";
}

std::optional<TriageState> parse_triage_state(std::string_view n) {
  for (int i = 0; i < kTriageStateCount; ++i) {
    auto s = static_cast<TriageState>(i);
    if (triage_state_name(s) == n) return s;
  }
  if (n == "false_positive" || n == "fp") return TriageState::kFalsePositive;
  return std::nullopt;
}

std::string AlertId::to_string() const {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(ts_us),
                static_cast<unsigned long long>(seq));
  return buf;
}

std::optional<AlertId> AlertId::parse(std::string_view text) {
  if (text.size() != 32) return std::nullopt;
  uint64_t v[2] = {0, 0};
  for (size_t i = 0; i < 32; ++i) {
    char c = text[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v[i / 16] = v[i / 16] << 4 | static_cast<unsigned>(d);
  }
  if (v[0] > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return AlertId{static_cast<int64_t>(v[0]), v[1]};
}

}  // namespace canh::storage
