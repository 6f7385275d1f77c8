#include "common/metrics_text.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace canh::metrics {

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string escape_help(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void TextWriter::family(std::string_view name, std::string_view type, std::string_view help) {
  if (std::find(families_.begin(), families_.end(), name) != families_.end()) return;
  families_.emplace_back(name);
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += escape_help(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void TextWriter::start(std::string_view name, const Label* begin, const Label* end) {
  out_ += name;
  if (begin != end) {
    out_ += '{';
    for (const Label* l = begin; l != end; ++l) {
      if (l != begin) out_ += ',';
      out_ += l->first;
      out_ += "=\"";
      out_ += escape_label_value(l->second);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
}

void TextWriter::value(double v) {
  if (std::isnan(v)) {
    out_ += "NaN";
  } else if (std::isinf(v)) {
    out_ += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out_ += buf;
  }
  out_ += '\n';
}

void TextWriter::value(uint64_t v) {
  out_ += std::to_string(v);
  out_ += '\n';
}

void TextWriter::sample(std::string_view name, std::initializer_list<Label> ls, double v) {
  start(name, ls.begin(), ls.end());
  value(v);
}

void TextWriter::sample(std::string_view name, std::initializer_list<Label> ls, uint64_t v) {
  start(name, ls.begin(), ls.end());
  value(v);
}

void TextWriter::sample(std::string_view name, const std::vector<Label>& ls, double v) {
  start(name, ls.data(), ls.data() + ls.size());
  value(v);
}

void TextWriter::sample(std::string_view name, const std::vector<Label>& ls, uint64_t v) {
  start(name, ls.data(), ls.data() + ls.size());
  value(v);
}

void LatencyHistogram::observe_ns(uint64_t ns) {
  double s = static_cast<double>(ns) / 1e9;
  size_t i = 0;
  while (i < kBounds.size() && s > kBounds[i]) ++i;
  // Beyond the last bound only the count and the sum grow: that is the +Inf bucket.
  if (i < kBounds.size()) buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(ns, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void LatencyHistogram::write(TextWriter& w, std::string_view name, std::vector<Label> labels) const {
  std::string bucket = std::string(name) + "_bucket";
  uint64_t cumulative = 0;
  char le[32];
  labels.emplace_back("le", "");
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::snprintf(le, sizeof le, "%g", kBounds[i]);
    labels.back().second = le;
    w.sample(bucket, labels, cumulative);
  }
  // Read the count after the buckets: it is never below their sum, so +Inf stays the largest.
  uint64_t count = std::max(cumulative, count_.load(std::memory_order_relaxed));
  labels.back().second = "+Inf";
  w.sample(bucket, labels, count);
  labels.pop_back();
  // _sum in seconds, the base unit Prometheus expects.
  w.sample(std::string(name) + "_sum", labels, static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9);
  w.sample(std::string(name) + "_count", labels, count);
}

void write_process_metrics(TextWriter& w) {
  struct rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  w.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
  w.sample("process_cpu_seconds_total", {}, cpu);

  long page = sysconf(_SC_PAGESIZE);
  uint64_t size_pages = 0, resident_pages = 0;
  if (std::ifstream statm("/proc/self/statm"); statm >> size_pages >> resident_pages) {
    w.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", resident_pages * static_cast<uint64_t>(page));
    w.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", size_pages * static_cast<uint64_t>(page));
  }
  // Start time: field 22 of /proc/self/stat (clock ticks after boot) plus the boot time.
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  size_t paren = line.rfind(')');
  std::ifstream boot_in("/proc/stat");
  uint64_t btime = 0;
  for (std::string l; std::getline(boot_in, l);)
    if (l.rfind("btime ", 0) == 0) btime = std::strtoull(l.c_str() + 6, nullptr, 10);
  if (paren != std::string::npos && btime) {
    std::istringstream rest(line.substr(paren + 2));
    std::string field;
    // After "pid (comm) " the state is field 3; starttime is field 22.
    for (int i = 3; i <= 22 && (rest >> field); ++i) {
      if (i == 22) {
        double start = static_cast<double>(btime) + static_cast<double>(std::strtoull(field.c_str(), nullptr, 10)) /
                                                        static_cast<double>(sysconf(_SC_CLK_TCK));
        w.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.", start);
      }
    }
  }
  std::error_code ec;
  uint64_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    ++fds;
  if (!ec) w.gauge("process_open_fds", "Open file descriptors.", fds);
}

}  // namespace canh::metrics
