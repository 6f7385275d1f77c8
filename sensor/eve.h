// EVE JSON output: the record layout Suricata writes (so jq recipes, EveBox and SIEM parsers read
// ours unchanged) and the sinks finished lines go to.
//
// Output is a small sink interface: each finished EVE line is handed to every EventSink — the file
// writer (DIR/eve.json) is one, the collector shipper (sensor/ship/) another. Sinks are called from
// worker threads, once per event (never per packet without an event), and synchronize themselves.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "rules/detect.h"

namespace canh::sensor {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // `line` is one complete JSON object without the trailing newline; `event_type` is its
  // event_type ("alert", "stats", "flow").
  virtual void on_event(std::string_view event_type, std::string_view line) = 0;
  virtual void flush() {}
};

// Appends lines to a file (DIR/eve.json), buffered; flushed on flush() and at close.
class EveFileSink : public EventSink {
 public:
  static Result<std::unique_ptr<EveFileSink>> open(const std::string& path);
  ~EveFileSink() override;
  void on_event(std::string_view event_type, std::string_view line) override;
  void flush() override;
  uint64_t lines() const { return lines_; }

 private:
  explicit EveFileSink(std::FILE* f) : f_(f) {}
  std::mutex mu_;
  std::FILE* f_;
  uint64_t lines_ = 0;
};

// Fans one event out to several sinks (the EVE file and, later, the shipper).
class SinkList : public EventSink {
 public:
  void add(std::shared_ptr<EventSink> s) { sinks_.push_back(std::move(s)); }
  void on_event(std::string_view event_type, std::string_view line) override {
    for (auto& s : sinks_) s->on_event(event_type, line);
  }
  void flush() override {
    for (auto& s : sinks_) s->flush();
  }
  bool empty() const { return sinks_.empty(); }

 private:
  std::vector<std::shared_ptr<EventSink>> sinks_;
};

// Minimal JSON writer over a reused std::string (capacity kept across events: no allocation once warm).
class Json {
 public:
  explicit Json(std::string& out) : out_(out) {}
  void begin() { out_.push_back('{'); first_ = true; }
  void end() { out_.push_back('}'); first_ = false; }
  Json& key(std::string_view k);
  Json& str(std::string_view k, std::string_view v);
  Json& str_bytes(std::string_view k, std::span<const uint8_t> v);  // escaped as str()
  Json& num(std::string_view k, uint64_t v);
  Json& snum(std::string_view k, int64_t v);
  Json& boolean(std::string_view k, bool v);
  Json& base64(std::string_view k, std::span<const uint8_t> v);
  Json& object(std::string_view k);  // opens {...}; close with end()
  Json& array(std::string_view k);   // opens [...]; close with end_array()
  void end_array() { out_.push_back(']'); first_ = false; }
  void array_object() { sep(); out_.push_back('{'); first_ = true; }  // close with end()
  void array_str(std::string_view v);
  void array_num(uint64_t v);
  void raw_member(std::string_view json_members);  // "k":v,... written by someone else (app layer)
  std::string& out() { return out_; }

  static void escape(std::string& out, std::string_view s);

 private:
  void sep();
  std::string& out_;
  bool first_ = true;
};

// "2026-11-23T15:33:30.123456+0000" (UTC), as Suricata's EVE timestamps.
void format_timestamp(uint64_t ts_usec, char out[40]);
// An address as EVE prints it (dotted quad, or RFC 5952 IPv6).
void format_address(const rules::Address& a, char out[48]);
// EVE's proto names: "TCP", "UDP", "ICMP", "IPv6-ICMP", else the number.
std::string_view proto_name(uint8_t proto, char buf[8]);
// Suricata's payload_printable: printable ASCII kept, everything else '.'.
void printable(std::span<const uint8_t> v, std::string& out);

}  // namespace canh::sensor
