#include "common/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace canh::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<Sink> g_sink{nullptr};
std::mutex g_out_mu;
FILE* g_out = nullptr;  // guarded by g_out_mu; null means stderr

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarn: return "WARN";
    case Level::kError: return "ERROR";
    case Level::kOff: return "OFF";
  }
  return "?";
}

void append_timestamp(std::string& out) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  out += buf;
}

}  // namespace

void set_level(Level level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }
Level level() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

bool parse_level(std::string_view t, Level* out) {
  if (t == "debug") *out = Level::kDebug;
  else if (t == "info") *out = Level::kInfo;
  else if (t == "warn" || t == "warning") *out = Level::kWarn;
  else if (t == "error") *out = Level::kError;
  else if (t == "off") *out = Level::kOff;
  else return false;
  return true;
}

bool set_output_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "a");
  if (!f) return false;
  std::setvbuf(f, nullptr, _IOLBF, 0);
  std::lock_guard lock(g_out_mu);
  if (g_out) std::fclose(g_out);
  g_out = f;
  return true;
}

void set_sink(Sink sink) { g_sink.store(sink); }

std::string quote_value(std::string_view v) {
  bool needs = v.empty();
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) { needs = true; break; }
  }
  if (!needs) return std::string(v);
  std::string out = "\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    } else out += static_cast<char>(c);
  }
  out += '"';
  return out;
}

Line::Line(Level level, std::string_view component, std::string_view message)
    : enabled_(static_cast<int>(level) >= g_level.load(std::memory_order_relaxed)), level_(level) {
  if (!enabled_) return;
  text_.reserve(128);
  append_timestamp(text_);
  text_ += ' ';
  text_ += level_name(level);
  text_ += ' ';
  text_ += component;
  text_ += ": ";
  text_ += message;
}

Line& Line::kv(std::string_view key, std::string_view value) {
  if (!enabled_) return *this;
  text_ += ' ';
  text_ += key;
  text_ += '=';
  text_ += quote_value(value);
  return *this;
}

Line::~Line() {
  if (!enabled_) return;
  if (Sink sink = g_sink.load()) {
    sink(text_);
    return;
  }
  text_ += '\n';
  std::lock_guard lock(g_out_mu);
  FILE* f = g_out ? g_out : stderr;
  std::fwrite(text_.data(), 1, text_.size(), f);
  if (level_ >= Level::kWarn) std::fflush(f);
}

}  // namespace canh::log
