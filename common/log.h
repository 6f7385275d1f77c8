// One logger for the whole process: levels and structured key=value fields, one line per event,
// written whole (lines from different threads never interleave). Never log per packet.
//
//   log::info("sensor", "capture started").kv("iface", "eth0").kv("workers", 2);
//   -> 2026-11-23T15:33:30.123Z INFO sensor: capture started iface=eth0 workers=2
#pragma once

#include <atomic>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>

namespace canh::log {

enum class Level : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void set_level(Level level);
Level level();
// Parses "debug", "info", "warn"/"warning", "error", "off"; false when unknown.
bool parse_level(std::string_view text, Level* out);
// Where lines go: stderr by default. A file path appends there instead (opened once, kept open).
bool set_output_file(const std::string& path);
// Tests capture lines through this hook; null restores normal output.
using Sink = void (*)(std::string_view line);
void set_sink(Sink sink);

// One log line, built by chaining kv() and written when the temporary dies.
class Line {
 public:
  Line(Level level, std::string_view component, std::string_view message);
  ~Line();
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& kv(std::string_view key, std::string_view value);
  Line& kv(std::string_view key, const char* value) { return kv(key, std::string_view(value)); }
  Line& kv(std::string_view key, const std::string& value) { return kv(key, std::string_view(value)); }
  Line& kv(std::string_view key, bool value) { return kv(key, value ? std::string_view("true") : "false"); }
  template <class N, class = std::enable_if_t<std::is_arithmetic_v<N>>>
  Line& kv(std::string_view key, N value) {
    if (!enabled_) return *this;
    std::ostringstream s;
    s << value;
    return kv(key, std::string_view(s.str()));
  }

 private:
  bool enabled_;
  Level level_;
  std::string text_;
};

inline Line debug(std::string_view component, std::string_view message) {
  return Line(Level::kDebug, component, message);
}
inline Line info(std::string_view component, std::string_view message) {
  return Line(Level::kInfo, component, message);
}
inline Line warn(std::string_view component, std::string_view message) {
  return Line(Level::kWarn, component, message);
}
inline Line error(std::string_view component, std::string_view message) {
  return Line(Level::kError, component, message);
}

// Quotes a value when it holds spaces, quotes, '=' or control bytes, so a line stays one line
// and splits unambiguously on spaces. Exposed for tests.
std::string quote_value(std::string_view value);

}  // namespace canh::log
