#include "sensor/eve.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "common/json.h"

namespace canh::sensor {

Result<std::unique_ptr<EveFileSink>> EveFileSink::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return Status::io(path + ": cannot open for writing: " + std::strerror(errno));
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  return std::unique_ptr<EveFileSink>(new EveFileSink(f));
}

EveFileSink::~EveFileSink() {
  if (f_) std::fclose(f_);
}

void EveFileSink::on_event(std::string_view, std::string_view line) {
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), f_);
  std::fputc('\n', f_);
  ++lines_;
}

void EveFileSink::flush() {
  std::lock_guard<std::mutex> lock(mu_);
  std::fflush(f_);
}

void Json::sep() {
  if (!first_) out_.push_back(',');
  first_ = false;
}

Json& Json::key(std::string_view k) {
  sep();
  out_.push_back('"');
  out_.append(k);
  out_.append("\":");
  return *this;
}

// Suricata's rule for strings (common/json.h): valid UTF-8 kept, anything else as \u00XX.
void Json::escape(std::string& out, std::string_view s) { json_escape_append(out, s); }

Json& Json::str(std::string_view k, std::string_view v) {
  key(k);
  out_.push_back('"');
  escape(out_, v);
  out_.push_back('"');
  return *this;
}

Json& Json::str_bytes(std::string_view k, std::span<const uint8_t> v) {
  return str(k, std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
}

Json& Json::num(std::string_view k, uint64_t v) {
  key(k);
  char b[24];
  int n = std::snprintf(b, sizeof b, "%llu", static_cast<unsigned long long>(v));
  out_.append(b, static_cast<size_t>(n));
  return *this;
}

Json& Json::snum(std::string_view k, int64_t v) {
  key(k);
  char b[24];
  int n = std::snprintf(b, sizeof b, "%lld", static_cast<long long>(v));
  out_.append(b, static_cast<size_t>(n));
  return *this;
}

Json& Json::boolean(std::string_view k, bool v) {
  key(k);
  out_.append(v ? "true" : "false");
  return *this;
}

Json& Json::base64(std::string_view k, std::span<const uint8_t> v) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  key(k);
  out_.push_back('"');
  size_t i = 0;
  for (; i + 2 < v.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(v[i]) << 16 | static_cast<uint32_t>(v[i + 1]) << 8 | v[i + 2];
    out_.push_back(kAlphabet[n >> 18]);
    out_.push_back(kAlphabet[(n >> 12) & 63]);
    out_.push_back(kAlphabet[(n >> 6) & 63]);
    out_.push_back(kAlphabet[n & 63]);
  }
  if (i + 1 == v.size()) {
    uint32_t n = static_cast<uint32_t>(v[i]) << 16;
    out_.push_back(kAlphabet[n >> 18]);
    out_.push_back(kAlphabet[(n >> 12) & 63]);
    out_.append("==");
  } else if (i + 2 == v.size()) {
    uint32_t n = static_cast<uint32_t>(v[i]) << 16 | static_cast<uint32_t>(v[i + 1]) << 8;
    out_.push_back(kAlphabet[n >> 18]);
    out_.push_back(kAlphabet[(n >> 12) & 63]);
    out_.push_back(kAlphabet[(n >> 6) & 63]);
    out_.push_back('=');
  }
  out_.push_back('"');
  return *this;
}

Json& Json::object(std::string_view k) {
  key(k);
  out_.push_back('{');
  first_ = true;
  return *this;
}

Json& Json::array(std::string_view k) {
  key(k);
  out_.push_back('[');
  first_ = true;
  return *this;
}

void Json::array_str(std::string_view v) {
  sep();
  out_.push_back('"');
  escape(out_, v);
  out_.push_back('"');
}

void Json::array_num(uint64_t v) {
  sep();
  char b[24];
  int n = std::snprintf(b, sizeof b, "%llu", static_cast<unsigned long long>(v));
  out_.append(b, static_cast<size_t>(n));
}

void Json::raw_member(std::string_view members) {
  if (members.empty()) return;
  sep();
  out_.append(members);
}

void format_timestamp(uint64_t ts_usec, char out[40]) {
  time_t secs = static_cast<time_t>(ts_usec / 1'000'000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  size_t n = std::strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(out + n, 40 - n, ".%06u+0000", static_cast<unsigned>(ts_usec % 1'000'000));
}

void format_address(const rules::Address& a, char out[48]) {
  // IPv6 as Suricata's EVE writes it: eight groups of four hex digits, nothing compressed
  // ("fe80:0000:0000:0000:020c:29ff:faf2:ab42"), so string matches on addresses behave alike.
  if (a.family == 6) {
    const uint8_t* b = a.bytes.data();
    std::snprintf(out, 48, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x", b[0], b[1],
                  b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  } else if (a.family == 4) {
    inet_ntop(AF_INET, a.bytes.data(), out, 48);
  } else {
    out[0] = 0;
  }
}

std::string_view proto_name(uint8_t proto, char buf[8]) {
  switch (proto) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 1: return "ICMP";
    case 58: return "IPv6-ICMP";
    case 47: return "GRE";
    case 132: return "SCTP";
  }
  int n = std::snprintf(buf, 8, "%u", proto);
  return std::string_view(buf, static_cast<size_t>(n));
}

void printable(std::span<const uint8_t> v, std::string& out) {
  for (uint8_t c : v) out.push_back((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' ? static_cast<char>(c) : '.');
}

}  // namespace canh::sensor
