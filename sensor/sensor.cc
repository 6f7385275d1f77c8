#include "sensor/sensor.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdio>
#include <thread>

#include "common/log.h"

namespace canh::sensor {

namespace {
std::atomic<bool>* g_stop = nullptr;
extern "C" void on_signal(int) {
  if (g_stop) g_stop->store(true, std::memory_order_relaxed);
}

long peak_rss_kb() {
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

void add_totals(WorkerTotals& a, const WorkerTotals& b) {
  a.decode.add(b.decode);
  a.defrag.fragments += b.defrag.fragments;
  a.defrag.reassembled += b.defrag.reassembled;
  a.defrag.overlaps += b.defrag.overlaps;
  a.defrag.timeouts += b.defrag.timeouts;
  a.defrag.dropped_no_tracker += b.defrag.dropped_no_tracker;
  a.defrag.too_large += b.defrag.too_large;
  a.flow.created += b.flow.created;
  a.flow.tcp += b.flow.tcp;
  a.flow.udp += b.flow.udp;
  a.flow.icmp += b.flow.icmp;
  a.flow.other += b.flow.other;
  a.flow.timeouts += b.flow.timeouts;
  a.flow.evicted += b.flow.evicted;
  a.flow.shutdown += b.flow.shutdown;
  a.flow.memcap_hits += b.flow.memcap_hits;
  a.flow.active += b.flow.active;
  const StreamCounters& s = b.stream;
  StreamCounters& t = a.stream;
  t.sessions += s.sessions;
  t.midstream_pickups += s.midstream_pickups;
  t.syn += s.syn;
  t.synack += s.synack;
  t.rst += s.rst;
  t.fin += s.fin;
  t.segments += s.segments;
  t.overlaps += s.overlaps;
  t.gaps += s.gaps;
  t.depth_reached += s.depth_reached;
  t.memcap_drops += s.memcap_drops;
  t.invalid_checksum += s.invalid_checksum;
  t.ooo_dropped += s.ooo_dropped;
  a.alerts += b.alerts;
  a.alerts_suppressed += b.alerts_suppressed;
  a.alert_queue_overflow += b.alert_queue_overflow;
  a.pseudo_packets += b.pseudo_packets;
  a.cpu_seconds += b.cpu_seconds;
  a.capture.received += b.capture.received;
  a.capture.dropped += b.capture.dropped;
  a.capture.if_dropped += b.capture.if_dropped;
}
}  // namespace

Sensor::Sensor(SensorConfig config, SensorOptions options, std::shared_ptr<DetectorFactory> detectors,
               std::shared_ptr<AppLayerFactory> app)
    : config_(std::move(config)), options_(std::move(options)), detectors_(std::move(detectors)), app_(std::move(app)) {}

Sensor::~Sensor() {
  if (g_stop == &stop_) g_stop = nullptr;
}

Status Sensor::run(bool handle_signals) {
  if (options_.read_file.empty() == options_.interface.empty())
    return Status::invalid("give exactly one of -r FILE and -i IFACE");
  auto eve = EveFileSink::open(options_.log_dir + "/eve.json");
  if (!eve) return eve.status();
  sinks_.add(std::shared_ptr<EventSink>(std::move(eve.value())));

  unsigned n = std::max(1u, options_.workers);
  std::vector<std::unique_ptr<PacketSource>> sources;
  bool fanout_ok = false;
  int fanout_group = static_cast<int>(::getpid() & 0xffff);
  for (unsigned i = 0; i < n; ++i) {
    Result<std::unique_ptr<PacketSource>> src =
        options_.read_file.empty()
            ? PacketSource::open_live(options_.interface, config_.capture.bpf_filter, config_.capture.buffer_size,
                                      config_.capture.snaplen, n > 1 ? fanout_group : -1, &fanout_ok)
            : PacketSource::open_file(options_.read_file, config_.capture.bpf_filter);
    if (!src) return src.status();
    sources.push_back(std::move(src.value()));
  }
  // With kernel fanout each worker's socket already holds only its share.
  bool filter_share = n > 1 && !(sources[0]->live() && fanout_ok);
  if (n > 1 && sources[0]->live())
    log::info("sensor", fanout_ok ? "kernel fanout distributes flows" : "no kernel fanout: workers split by hash")
        .kv("workers", n);

  {
    std::lock_guard lock(workers_mu_);
    for (unsigned i = 0; i < n; ++i) {
      workers_.push_back(std::make_unique<Worker>(i, n, config_, detectors_->make(i),
                                                  app_ ? app_->make_worker(i) : nullptr, sinks_));
    }
  }
  if (handle_signals) {
    g_stop = &stop_;
    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
  }
  log::info("sensor", "started")
      .kv("source", options_.read_file.empty() ? options_.interface : options_.read_file)
      .kv("linktype", link_type_name(sources[0]->linktype()))
      .kv("workers", n);

  auto t0 = std::chrono::steady_clock::now();
  std::vector<Status> results(n);
  std::vector<std::thread> threads;
  std::mutex done_mu;
  std::condition_variable done_cv;
  unsigned done = 0;
  for (unsigned i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      // "canh-w0", ...: admins see the workers in top -H, and the metrics endpoint finds each
      // worker's CPU time by this name (sensor/metrics.h).
      pthread_setname_np(pthread_self(), ("canh-w" + std::to_string(i)).c_str());
      results[i] = workers_[i]->run(*sources[i], stop_, filter_share);
      workers_[i]->finish();
      std::lock_guard<std::mutex> lock(done_mu);
      ++done;
      done_cv.notify_all();
    });
  }
  // Progress for a large file read to a terminal; the main thread only reads published counters.
  bool show = options_.progress && !options_.read_file.empty() && ::isatty(2) &&
              sources[0]->file_size() > (64u << 20);
  auto last = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(done_mu);
      if (done_cv.wait_for(lock, std::chrono::seconds(1), [&] { return done == n; })) break;
    }
    if (!show) continue;
    auto now = std::chrono::steady_clock::now();
    last = now;
    uint64_t pkts = 0, alerts = 0;
    for (auto& w : workers_) {
      pkts += w->published().packets.load(std::memory_order_relaxed);
      alerts += w->published().alerts.load(std::memory_order_relaxed);
    }
    double pct = 100.0 * static_cast<double>(sources[0]->file_pos()) / static_cast<double>(sources[0]->file_size());
    std::fprintf(stderr, "\rcanh sensor: %5.1f%%  %llu packets  %llu alerts   ", pct,
                 static_cast<unsigned long long>(pkts), static_cast<unsigned long long>(alerts));
  }
  for (auto& t : threads) t.join();
  if (show) std::fputc('\n', stderr);
  totals_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto& w : workers_) {
    totals_.per_worker.push_back(w->totals());
    add_totals(totals_.sum, totals_.per_worker.back());
  }
  if (sources[0]->live())
    for (auto& s : sources) {
      CaptureStats cs = s->stats();
      totals_.sum.capture.received += cs.received;
    }
  write_stats();
  sinks_.flush();
  if (options_.summary) print_summary();
  for (auto& r : results)
    if (!r) return r;
  return Status::ok();
}

std::vector<const PublishedCounters*> Sensor::published_counters() const {
  std::lock_guard lock(workers_mu_);
  std::vector<const PublishedCounters*> out;
  for (const auto& w : workers_) out.push_back(&w->published());
  return out;
}

void Sensor::write_stats() {
  const WorkerTotals& t = totals_.sum;
  std::string line;
  Json j(line);
  char ts[40];
  uint64_t now = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  format_timestamp(now, ts);
  j.begin();
  j.str("timestamp", ts);
  j.str("event_type", "stats");
  j.object("stats");
  j.num("uptime", static_cast<uint64_t>(totals_.seconds));
  j.object("capture");
  j.num("kernel_packets", t.capture.received);
  j.num("kernel_drops", t.capture.dropped);
  j.num("kernel_ifdrops", t.capture.if_dropped);
  j.end();
  j.object("decoder");
  j.num("pkts", t.decode.pkts);
  j.num("bytes", t.decode.bytes);
  for (size_t i = 0; i < kDecodeProtoCount; ++i) j.num(decode_proto_name(static_cast<DecodeProto>(i)), t.decode.proto[i]);
  j.object("event");
  // Grouped the way Suricata's stats name them: decoder.event.ipv4.trunc_pkt.
  std::string_view group;
  bool open = false;
  for (size_t i = 0; i < kDecodeEventCount; ++i) {
    std::string_view name = decode_event_name(static_cast<DecodeEvent>(i));
    size_t dot = name.find('.');
    std::string_view g = dot == std::string_view::npos ? std::string_view("generic") : name.substr(0, dot);
    std::string_view k = dot == std::string_view::npos ? name : name.substr(dot + 1);
    if (g != group) {
      if (open) j.end();
      j.object(g);
      group = g;
      open = true;
    }
    j.num(k, t.decode.event[i]);
  }
  if (open) j.end();
  j.end();
  j.end();
  j.object("defrag");
  j.num("fragments", t.defrag.fragments);
  j.num("reassembled", t.defrag.reassembled);
  j.num("overlaps", t.defrag.overlaps);
  j.num("timeouts", t.defrag.timeouts);
  j.num("max_trackers_reached", t.defrag.dropped_no_tracker);
  j.end();
  j.object("flow");
  j.num("total", t.flow.created);
  j.num("tcp", t.flow.tcp);
  j.num("udp", t.flow.udp);
  j.num("icmpv4", t.flow.icmp);
  j.num("other", t.flow.other);
  j.num("timeouts", t.flow.timeouts);
  j.num("evicted", t.flow.evicted);
  j.num("shutdown", t.flow.shutdown);
  j.num("memcap", t.flow.memcap_hits);
  j.end();
  j.object("tcp");
  j.num("sessions", t.stream.sessions);
  j.num("midstream_pickups", t.stream.midstream_pickups);
  j.num("syn", t.stream.syn);
  j.num("synack", t.stream.synack);
  j.num("rst", t.stream.rst);
  j.num("fin", t.stream.fin);
  j.num("segments", t.stream.segments);
  j.num("overlap", t.stream.overlaps);
  j.num("reassembly_gap", t.stream.gaps);
  j.num("reassembly_depth_reached", t.stream.depth_reached);
  j.num("segment_memcap_drop", t.stream.memcap_drops);
  j.num("ooo_dropped", t.stream.ooo_dropped);
  j.num("invalid_checksum", t.stream.invalid_checksum);
  j.num("pseudo", t.pseudo_packets);
  j.end();
  j.object("detect");
  j.num("alert", t.alerts);
  j.num("alert_queue_overflow", t.alert_queue_overflow);
  j.num("alerts_suppressed", t.alerts_suppressed);
  j.end();
  j.array("workers");
  for (size_t i = 0; i < totals_.per_worker.size(); ++i) {
    const WorkerTotals& w = totals_.per_worker[i];
    j.array_object();
    j.num("id", i);
    j.num("pkts", w.decode.pkts);
    j.num("bytes", w.decode.bytes);
    j.num("flows", w.flow.created);
    j.num("alerts", w.alerts);
    j.end();
  }
  j.end_array();
  j.end();
  j.end();
  sinks_.on_event("stats", line);
}

void Sensor::print_summary() const {
  const WorkerTotals& t = totals_.sum;
  double secs = totals_.seconds > 0 ? totals_.seconds : 1e-9;
  std::fprintf(stderr,
               "canh sensor: %llu packets (%.1f MB) in %.2f s, %.2f Gbit/s; %llu flows; %llu alerts; "
               "%llu decoder errors; %llu capture drops; peak RSS %ld MB\n",
               static_cast<unsigned long long>(t.decode.pkts), static_cast<double>(t.decode.bytes) / 1e6, secs,
               static_cast<double>(t.decode.bytes) * 8 / secs / 1e9, static_cast<unsigned long long>(t.flow.created),
               static_cast<unsigned long long>(t.alerts), static_cast<unsigned long long>(t.decode.events_total()),
               static_cast<unsigned long long>(t.capture.dropped), peak_rss_kb() / 1024);
  // CPU time of the workers: what the packet path costs, also on a machine shared with other work.
  double cpu = t.cpu_seconds > 0 ? t.cpu_seconds : 1e-9;
  std::fprintf(stderr, "canh sensor: workers used %.2f CPU s: %.2f Gbit/s per worker CPU second, %.3f Mpps\n", cpu,
               static_cast<double>(t.decode.bytes) * 8 / cpu / 1e9, static_cast<double>(t.decode.pkts) / cpu / 1e6);
  if (!options_.rules_summary.empty()) std::fprintf(stderr, "canh sensor: %s\n", options_.rules_summary.c_str());
  std::fprintf(stderr, "canh sensor: alerts in %s/eve.json\n", options_.log_dir.c_str());
}

}  // namespace canh::sensor
