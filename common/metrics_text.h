// Prometheus text exposition format 0.0.4, written by the server's GET /metrics (console/metrics.h)
// and the sensor's --metrics-listen endpoint (sensor/metrics.h), plus a lock-free latency histogram.
//
// The format (https://prometheus.io/docs/instrumenting/exposition_formats/): per metric family one
// "# HELP name text" and one "# TYPE name counter|gauge|histogram" line, then its samples
// "name{label=\"value\"} 123". Counters end in _total; a histogram is cumulative name_bucket{le=...}
// samples ending with le="+Inf", then name_sum and name_count. Label values escape \ " and newline;
// help text escapes \ and newline.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace canh::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

using Label = std::pair<std::string_view, std::string_view>;

class TextWriter {
 public:
  // Starts a family: HELP and TYPE lines. A family already started is not repeated, so samples of
  // one family with different labels may be written in several calls (they must stay adjacent).
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, std::initializer_list<Label> labels, uint64_t value);
  void sample(std::string_view name, const std::vector<Label>& labels, double value);
  void sample(std::string_view name, const std::vector<Label>& labels, uint64_t value);

  // One-sample families.
  void counter(std::string_view name, std::string_view help, uint64_t value) {
    family(name, "counter", help);
    sample(name, {}, value);
  }
  void gauge(std::string_view name, std::string_view help, double value) {
    family(name, "gauge", help);
    sample(name, {}, value);
  }
  void gauge(std::string_view name, std::string_view help, uint64_t value) {
    family(name, "gauge", help);
    sample(name, {}, value);
  }

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void start(std::string_view name, const Label* begin, const Label* end);
  void value(double v);
  void value(uint64_t v);
  std::string out_;
  std::vector<std::string> families_;
};

// Label value escaping and help escaping (exposed for tests).
std::string escape_label_value(std::string_view v);
std::string escape_help(std::string_view v);

// Latency histogram with fixed buckets, observed from any thread with relaxed atomics (no lock):
// request threads add, the scrape reads. A scrape may see a count one ahead of a bucket; Prometheus
// tolerates that, and the next scrape is consistent again.
class LatencyHistogram {
 public:
  // Upper bounds in seconds: 1 ms to 10 s, the range an API call can take.
  static constexpr std::array<double, 14> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25,  0.5,    1.0,   2.5,  5.0,   10.0, 30.0};
  void observe_ns(uint64_t ns);
  // Writes name_bucket / name_sum / name_count samples with `labels` added (the family must be
  // started by the caller with type "histogram").
  void write(TextWriter& w, std::string_view name, std::vector<Label> labels) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};  // not cumulative; summed on write
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_ns_{0};
};

// Process figures under the names the Prometheus client libraries use (process_resident_memory_bytes,
// process_cpu_seconds_total, process_start_time_seconds, process_open_fds), from /proc and getrusage.
void write_process_metrics(TextWriter& w);

}  // namespace canh::metrics
