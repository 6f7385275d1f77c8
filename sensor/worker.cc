#include "sensor/worker.h"

#include <time.h>

#include <algorithm>
#include <cstring>

#include "common/log.h"

namespace canh::sensor {

namespace {
constexpr uint64_t kSweepIntervalUsec = 1'000'000;
constexpr size_t kSweepBudget = 4096;
constexpr uint64_t kPublishEvery = 512;
constexpr uint64_t kChecksumSample = 1000;
constexpr uint64_t kTxStreamWindow = 32 * 1024;

void store_relaxed(std::atomic<uint64_t>& a, uint64_t v) { a.store(v, std::memory_order_relaxed); }

double thread_cpu_seconds() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
}  // namespace

// Collects one packet's alerts: one per rule (gid, sid) per packet, at most packet-alert-max, in the
// order the engine reports them (Suricata's order). Fixed storage, reused for every packet.
class Worker::AlertCollector : public rules::AlertSink {
 public:
  explicit AlertCollector(size_t max) : max_(max) { alerts_.reserve(max); }
  void on_alert(const rules::AlertInfo& a) override {
    for (const auto& x : alerts_)
      if (x.sid == a.sid && x.gid == a.gid) return;
    if (alerts_.size() >= max_) {
      ++overflow_;
      return;
    }
    alerts_.push_back(a);
  }
  void clear() {
    alerts_.clear();
  }
  const std::vector<rules::AlertInfo>& alerts() const { return alerts_; }
  uint64_t take_overflow() {
    uint64_t o = overflow_;
    overflow_ = 0;
    return o;
  }

 private:
  size_t max_;
  std::vector<rules::AlertInfo> alerts_;
  uint64_t overflow_ = 0;
};

// Runs detection on an app-layer transaction's buffers with the packet being processed.
class Worker::TxSink : public AppTxSink {
 public:
  explicit TxSink(Worker& w) : w_(w) {}
  void on_tx(const rules::AppBuffers& buffers) override {
    if (!w_.cur_packet_ || !w_.cur_flow_) return;
    rules::DetectInput in = w_.make_input(*w_.cur_packet_, w_.cur_flow_, w_.cur_to_server_, true);
    in.app = &buffers;
    // Rules mixing payload content with app buffers match their payload part in the stream bytes
    // behind this transaction (suricata-verify bug-28, bug-2576-04).
    if (!w_.cur_app_stream_.data.empty()) in.stream = &w_.cur_app_stream_;
    in.app_rules_only = true;  // the packet's own call runs every other rule once
    w_.detector_->inspect(in, w_.cur_flow_->detect, *w_.alerts_);
  }

 private:
  Worker& w_;
};

Worker::Worker(uint32_t id, uint32_t nworkers, const SensorConfig& config, std::unique_ptr<Detector> detector,
               std::unique_ptr<AppLayerWorker> app, EventSink& sink)
    : id_(id),
      nworkers_(std::max<uint32_t>(nworkers, 1)),
      config_(config),
      detector_(std::move(detector)),
      app_(std::move(app)),
      sink_(sink),
      decoder_(config.decoder),
      defrag_(config.defrag),
      flows_(config.flow, id),
      pool_(config.stream.memcap / std::max<uint32_t>(nworkers, 1)),
      stream_(config.stream, pool_, stream_counters_),
      alerts_(std::make_unique<AlertCollector>(config.packet_alert_max)),
      tx_sink_(std::make_unique<TxSink>(*this)) {
  decoder_.set_checksum_validation(config.checksum != ChecksumMode::kNone);
  checksum_auto_ = config.checksum == ChecksumMode::kAuto;
  line_.reserve(64 * 1024);
  scratch_.reserve(16 * 1024);
  stream_payload_.reserve(config.eve.payload_max + 64);
}

Worker::~Worker() {
  // A worker destroyed without finish() (an error path, a test) still gives every flow's buffers and
  // app state back; after finish() the table is already empty.
  flows_.drain([this](Flow& f) {
    if (app_ && f.app_state) app_->flow_end(f.app_state);
    f.app_state = nullptr;
    stream_.release(f.tcp);
  });
}

Status Worker::run(PacketSource& source, const std::atomic<bool>& stop, bool filter_share) {
  double cpu0 = thread_cpu_seconds();
  RawPacket raw;
  uint64_t pcap_cnt = 0;
  int linktype = source.linktype();
  while (!stop.load(std::memory_order_relaxed)) {
    PacketSource::Next n = source.next(&raw);
    if (n == PacketSource::Next::kTimeout) {
      // An idle link: still publish, and let the kernel's drop counter reach the heartbeat.
      if (source.live()) store_relaxed(published_.capture_drops, source.stats().dropped);
      publish();
      continue;
    }
    if (n == PacketSource::Next::kEnd) break;
    if (n == PacketSource::Next::kError) {
      std::string e = source.error();
      // A truncated last record is common in captures cut short: report it, keep what was read.
      log::warn("sensor", "capture read error").kv("worker", id_).kv("error", e);
      break;
    }
    ++pcap_cnt;
    if (filter_share && nworkers_ > 1 && dispatch_hash(raw.data, linktype) % nworkers_ != id_) {
      ++totals_.skipped_other_worker;
      housekeeping(raw.ts_usec);
      continue;
    }
    handle_frame(raw.data, raw.wire_len, linktype, raw.ts_usec, pcap_cnt);
    if (source.live() && (pcap_cnt & 0xffff) == 0) store_relaxed(published_.capture_drops, source.stats().dropped);
  }
  totals_.capture = source.stats();
  totals_.cpu_seconds += thread_cpu_seconds() - cpu0;
  return Status::ok();
}

void Worker::handle_frame(std::span<const uint8_t> frame, uint32_t wire_len, int linktype, uint64_t ts_usec,
                          uint64_t pcap_cnt) {
  detector_->maybe_reload();
  housekeeping(ts_usec);
  size_t n = decoder_.decode(frame, wire_len, linktype, ts_usec, pcap_cnt, packets_);
  for (size_t i = 0; i < n; ++i) {
    Packet& p = packets_[i];
    if (p.ip_fragment) {
      std::span<const uint8_t> dg = defrag_.add(p);
      if (!dg.empty()) n = decoder_.decode_datagram(dg, p.f.ip_version, i, packets_, n);
    }
    process(p);
  }
  if (checksum_auto_ && decoder_.checksum_validation()) {
    ++checksum_sampled_;
    for (size_t i = 0; i < n; ++i) checksum_bad_ += packets_[i].checksum_bad;
    if (checksum_sampled_ >= kChecksumSample) {
      if (checksum_bad_ * 10 > checksum_sampled_) {
        decoder_.set_checksum_validation(false);
        log::info("sensor", "many packets have bad checksums (offloading?): checksum validation turned off")
            .kv("worker", id_)
            .kv("sampled", checksum_sampled_)
            .kv("bad", checksum_bad_);
      }
      checksum_auto_ = false;
    }
  }
  if (++packets_since_publish_ >= kPublishEvery) publish();
}

void Worker::housekeeping(uint64_t now_usec) {
  if (now_usec > now_usec_) now_usec_ = now_usec;
  if (now_usec_ < next_sweep_usec_) return;
  next_sweep_usec_ = now_usec_ + kSweepIntervalUsec;
  flows_.expire(now_usec_, kSweepBudget, [this](Flow& f) { end_flow(f, FlowEndReason::kTimeout); });
  defrag_.expire(now_usec_);
}

rules::DetectInput Worker::make_input(const Packet& p, Flow* f, bool to_server, bool stream_added) const {
  rules::DetectInput in;
  in.packet = p.f;
  in.packet.stream_added = stream_added;
  if (f) {
    in.flow.has_flow = true;
    in.flow.to_server = to_server;
    in.flow.flow_id = f->flow_id;
    in.flow.app_proto = f->app_proto;
    // Stream-end pseudo packets count as established (Suricata sets the flag on them), so stream data
    // flushed at flow end still matches flow:established rules.
    bool est = f->proto == 6 ? (f->tcp_tracked && (p.f.stream_end ? f->tcp.established() : f->tcp.packet_established()))
                             : f->state == FlowState::kEstablished;
    in.flow.established = est;
    in.flow.not_established = !est;
  }
  return in;
}

void Worker::process(Packet& p) {
  if (!p.has_ip) return;
  Flow* f = nullptr;
  bool to_server = true, created = false;
  bool wants_flow = !p.ip_fragment && (p.has_l4 || (p.f.ip_proto != 6 && p.f.ip_proto != 17 && p.f.ip_proto != 1 &&
                                                     p.f.ip_proto != 58));
  if (wants_flow) {
    f = flows_.lookup(p, &created, &to_server, [this](Flow& victim) { end_flow(victim, FlowEndReason::kEvicted); });
  }
  bool stream_added = false;
  if (f) {
    // Suricata counts a packet's whole captured length (GET_PKT_LEN: link layer included) in the
    // flow's bytes (bug-814, bug-78-uricontent); packets decoded out of a tunnel or rebuilt from
    // fragments have no frame of their own, their IP datagram is what they carry.
    const bool own_frame = p.parent < 0 && p.source == PacketOrigin::kWire && p.frame_len >= p.ip_packet.size();
    uint32_t len = own_frame ? p.frame_len : static_cast<uint32_t>(p.ip_packet.size());
    if (to_server) {
      ++f->pkts_toserver;
      f->bytes_toserver += len;
      f->seen_toserver = true;
    } else {
      ++f->pkts_toclient;
      f->bytes_toclient += len;
      f->seen_toclient = true;
    }
    if (p.f.has_icmp) {
      if (to_server) {
        f->icmp_type = p.f.icmp_type;
        f->icmp_code = p.f.icmp_code;
      } else {
        f->response_icmp_type = p.f.icmp_type;
        f->response_icmp_code = p.f.icmp_code;
        f->has_response_icmp = true;
      }
    }
    if (f->proto != 6 && f->seen_toserver && f->seen_toclient) f->state = FlowState::kEstablished;
    if (app_ && created && (f->proto == 6 || f->proto == 17)) {
      AppFlowInfo info{f->flow_id, f->proto, f->src, f->dst, f->sp, f->dp};
      f->app_state = app_->flow_start(info);
    }
  }

  cur_packet_ = &p;
  cur_flow_ = f;
  cur_to_server_ = to_server;
  alerts_->clear();

  bool raw_ready = false;
  if (f && p.is_tcp()) {
    if (p.checksum_bad) {
      f->tcp.begin_packet();
      ++stream_counters_.invalid_checksum;  // Suricata keeps such segments out of the stream
    } else {
      SegmentResult seg = stream_.handle(f->tcp, to_server, p.f.tcp_flags, p.f.tcp_seq, p.f.tcp_ack, p.f.payload, created);
      if (seg.tracked) f->tcp_tracked = true;
      stream_added = seg.stream_added;
      if (f->tcp.established()) f->state = FlowState::kEstablished;
      if (f->tcp.state == TcpState::kClosed) f->state = FlowState::kClosed;
      if (app_ && f->app_state) {
        // IDS mode: the acknowledged bytes of the other direction first, then (RST, FIN after the
        // other side's close, closed or one-sided sessions, inline mode) this packet's own.
        if (seg.app_update == AppUpdate::kOpposing || seg.app_update == AppUpdate::kBoth)
          app_deliver(*f, !to_server, false, p);
        if (seg.app_update == AppUpdate::kPacket || seg.app_update == AppUpdate::kBoth)
          app_deliver(*f, to_server, false, p);
      } else {
        // Without an app-layer consumer the bytes are done with once in order, else the stream
        // buffer could never slide and reassembly would stop at the buffer limit.
        TcpStream& st = f->tcp.dir(to_server);
        stream_.advance_app(st, st.next_off);
      }
      raw_ready = stream_.raw_ready(f->tcp, f->tcp.dir(to_server), false);
    }
  } else if (f && p.is_udp() && app_ && f->app_state && !p.f.payload.empty()) {
    AppDataContext ctx{to_server, &f->app_proto, p.f.ts_usec, false};
    app_->on_data(f->app_state, ctx, p.f.payload);
  }

  // Packet detection, with the first chunk of newly reassembled stream data if any; further chunks
  // (after a gap) are inspected with the same packet.
  rules::DetectInput in = make_input(p, f, to_server, stream_added);
  rules::StreamChunk chunk;
  bool did_packet = false;
  if (raw_ready && f) {
    TcpStream& st = f->tcp.dir(to_server);
    const uint64_t end = stream_.usable_end(f->tcp, st, false);
    st.flush_raw = false;
    for (int guard = 0; guard < 64; ++guard) {
      StreamEngine::Chunk c = stream_.next_raw(st, false, end);
      if (c.data.empty()) {
        if (c.offset > st.raw_progress) stream_.advance_raw(st, c.offset);
        // Skip a gap at the current position and try again.
        bool skipped = false;
        for (uint8_t g = 0; g < st.ngaps; ++g)
          if (st.raw_progress >= st.gaps[g].first && st.raw_progress < st.gaps[g].second) {
            stream_.advance_raw(st, st.gaps[g].second);
            skipped = true;
          }
        if (!skipped) break;
        continue;
      }
      chunk.data = c.data;
      chunk.data_offset = c.offset;
      chunk.to_server = to_server;
      in.stream = &chunk;
      detector_->inspect(in, f->detect, *alerts_);
      did_packet = true;
      stream_.advance_raw(st, c.offset + c.data.size());
    }
  }
  if (!did_packet) {
    in.stream = nullptr;
    detector_->inspect(in, f ? f->detect : no_flow_state_, *alerts_);
  }
  // Transactions after the packet's own rules, as Suricata's DetectRun (packet rules, then DetectRunTx).
  if (f && app_ && f->app_state && (f->proto == 6 || f->proto == 17)) inspect_txs(*f, to_server);
  emit_alerts(p, f, to_server);
  cur_packet_ = nullptr;
  cur_flow_ = nullptr;
}

void Worker::inspect_txs(Flow& f, bool to_server) {
  if (!app_->has_pending(f.app_state, to_server)) return;
  cur_app_stream_ = rules::StreamChunk{};
  if (f.proto == 6) {
    // What the payload part of a rule mixing content with app buffers sees: the retained bytes of
    // this direction up to what the app layer parsed (after the last gap, at most kTxStreamWindow),
    // so content that arrived in an earlier segment of the same request still counts.
    const TcpStream& st = f.tcp.dir(to_server);
    const uint64_t end = std::min(st.app_progress, st.next_off);
    if (st.buf && end > st.base_off) {
      uint64_t from = std::max(st.base_off, end > kTxStreamWindow ? end - kTxStreamWindow : uint64_t{0});
      for (uint8_t g = 0; g < st.ngaps; ++g)
        if (st.gaps[g].second <= end && st.gaps[g].second > from) from = st.gaps[g].second;
      if (end > from) {
        cur_app_stream_.data = std::span<const uint8_t>(st.buf + (from - st.base_off), end - from);
        cur_app_stream_.data_offset = from;
        cur_app_stream_.to_server = to_server;
      }
    }
  }
  app_->inspect(f.app_state, to_server, *tx_sink_);
  cur_app_stream_ = rules::StreamChunk{};
}

void Worker::app_deliver(Flow& f, bool to_server, bool pseudo, const Packet& carrier) {
  TcpStream& st = f.tcp.dir(to_server);
  const uint64_t end = stream_.usable_end(f.tcp, st, pseudo);
  for (int guard = 0; guard < 64; ++guard) {
    uint64_t gap = 0;
    StreamEngine::Chunk c = stream_.next_app(st, &gap, end);
    if (gap > 0) {
      app_->on_gap(f.app_state, to_server, gap);
      stream_.advance_app(st, c.offset + gap);
      continue;
    }
    if (c.data.empty()) break;
    AppDataContext ctx{to_server, &f.app_proto, carrier.f.ts_usec, false};
    app_->on_data(f.app_state, ctx, c.data);
    if (ctx.raw_trigger) st.flush_raw = true;
    stream_.advance_app(st, c.offset + c.data.size());
  }
  // Suricata gives the parser its end-of-stream flag once the session is closed or at flow end.
  if (!st.app_eof && (pseudo || f.tcp.phase == TcpPhase::kClosed) && st.app_progress >= end) {
    st.app_eof = true;
    AppDataContext ctx{to_server, &f.app_proto, carrier.f.ts_usec, true};
    app_->on_data(f.app_state, ctx, {});
    if (ctx.raw_trigger) st.flush_raw = true;
  }
}

void Worker::end_flow(Flow& f, FlowEndReason reason) {
  if (f.proto == 6 && f.tcp_tracked) {
    // Suricata flushes each direction's remaining stream data through detection with a pseudo packet
    // ("stream (flow timeout)") before the flow goes: data nobody acknowledged, data after a hole.
    for (bool to_server : {true, false}) {
      TcpStream& st = f.tcp.dir(to_server);
      stream_.close_gaps(st);
      const bool has_app = app_ && f.app_state;
      bool app_pending = has_app && (st.next_off > st.app_progress || (!st.app_eof && st.next_off > 0));
      bool raw_pending = st.next_off > st.raw_progress;
      bool tx_pending = has_app && app_->has_pending(f.app_state, to_server);
      if (!raw_pending && !app_pending && !tx_pending) continue;
      Packet& p = pseudo_;
      p.reset();
      p.source = PacketOrigin::kStreamEnd;
      p.has_ip = true;
      p.has_l4 = true;
      p.f.ts_usec = std::max(f.last_usec, now_usec_);
      p.f.ip_version = f.src.family;
      p.f.ip_proto = 6;
      p.f.src = to_server ? f.src : f.dst;
      p.f.dst = to_server ? f.dst : f.src;
      p.f.sport = to_server ? f.sp : f.dp;
      p.f.dport = to_server ? f.dp : f.sp;
      p.f.tcp_flags = 0x10;
      p.f.stream_end = true;
      p.vlan_count = f.vlan_count;
      for (int i = 0; i < kMaxVlan; ++i) p.vlan[i] = f.vlan[i];
      ++totals_.pseudo_packets;
      cur_packet_ = &p;
      cur_flow_ = &f;
      cur_to_server_ = to_server;
      alerts_->clear();
      if (has_app) app_deliver(f, to_server, true, p);
      rules::DetectInput in = make_input(p, &f, to_server, false);
      rules::StreamChunk chunk;
      for (int guard = 0; guard < 64 && st.next_off > st.raw_progress; ++guard) {
        StreamEngine::Chunk c = stream_.next_raw(st, true);
        if (c.data.empty()) {
          uint64_t before = st.raw_progress;
          if (c.offset > st.raw_progress) stream_.advance_raw(st, c.offset);
          for (uint8_t g = 0; g < st.ngaps; ++g)
            if (st.raw_progress >= st.gaps[g].first && st.raw_progress < st.gaps[g].second)
              stream_.advance_raw(st, st.gaps[g].second);
          if (st.raw_progress == before) break;
          continue;
        }
        chunk.data = c.data;
        chunk.data_offset = c.offset;
        chunk.to_server = to_server;
        in.stream = &chunk;
        detector_->inspect(in, f.detect, *alerts_);
        stream_.advance_raw(st, c.offset + c.data.size());
      }
      if (has_app) inspect_txs(f, to_server);
      emit_alerts(p, &f, to_server);
      cur_packet_ = nullptr;
      cur_flow_ = nullptr;
    }
  }
  if (config_.eve.flow_records) write_flow(f, reason);
  if (app_ && f.app_state) app_->flow_end(f.app_state);
  f.app_state = nullptr;
  stream_.release(f.tcp);
}

void Worker::emit_alerts(const Packet& p, Flow* f, bool to_server) {
  totals_.alert_queue_overflow += alerts_->take_overflow();
  const auto& list = alerts_->alerts();
  if (list.empty()) return;
  for (const rules::AlertInfo& a : list) {
    if (a.action == 3) continue;  // pass: no record
    write_alert(p, f, to_server, a);
    ++totals_.alerts;
  }
  if (f) f->alerted = true;
  alerts_->clear();
}

void Worker::write_alert(const Packet& p, Flow* f, bool to_server, const rules::AlertInfo& a) {
  line_.clear();
  Json j(line_);
  char ts[40], src[48], dst[48], pb[8];
  format_timestamp(p.f.ts_usec, ts);
  format_address(p.f.src, src);
  format_address(p.f.dst, dst);
  bool ports = p.f.ip_proto == 6 || p.f.ip_proto == 17 || p.f.ip_proto == 132;
  j.begin();
  j.str("timestamp", ts);
  if (f) j.num("flow_id", f->flow_id);
  if (p.pcap_cnt) j.num("pcap_cnt", p.pcap_cnt);
  j.str("event_type", "alert");
  j.str("src_ip", src);
  if (ports) j.num("src_port", p.f.sport);
  j.str("dest_ip", dst);
  if (ports) j.num("dest_port", p.f.dport);
  j.num("ip_v", p.f.ip_version);
  j.str("proto", proto_name(p.f.ip_proto, pb));
  if (p.f.has_icmp) {
    j.num("icmp_type", p.f.icmp_type);
    j.num("icmp_code", p.f.icmp_code);
  }
  j.str("pkt_src", packet_source_name(p.source));
  if (a.from_app) j.num("tx_id", a.tx_id);
  if (p.vlan_count) {
    j.array("vlan");
    for (int i = 0; i < p.vlan_count; ++i) j.array_num(p.vlan[i]);
    j.end_array();
  }
  if (p.in_tunnel && p.parent >= 0) {
    // The outermost packet carries the tunnel endpoints (Suricata logs the root packet).
    const Packet* root = &packets_[static_cast<size_t>(p.parent)];
    while (root->parent >= 0) root = &packets_[static_cast<size_t>(root->parent)];
    char tsrc[48], tdst[48], tpb[8];
    format_address(root->f.src, tsrc);
    format_address(root->f.dst, tdst);
    j.object("tunnel");
    j.str("src_ip", tsrc);
    j.str("dest_ip", tdst);
    if (root->f.ip_proto == 6 || root->f.ip_proto == 17) {
      j.num("src_port", root->f.sport);
      j.num("dest_port", root->f.dport);
    }
    j.str("proto", proto_name(root->f.ip_proto, tpb));
    j.num("depth", root->depth);
    if (root->pcap_cnt) j.num("pcap_cnt", root->pcap_cnt);
    j.str("pkt_src", packet_source_name(root->source));
    j.end();
  }
  if (f) j.str("direction", to_server ? "to_server" : "to_client");
  if (config_.eve.ethernet && p.has_ether) {
    char m[18];
    j.object("ether");
    auto mac = [&](const std::array<uint8_t, 6>& x) {
      std::snprintf(m, sizeof m, "%02x:%02x:%02x:%02x:%02x:%02x", x[0], x[1], x[2], x[3], x[4], x[5]);
      return std::string_view(m, 17);
    };
    j.str("src_mac", mac(p.src_mac));
    j.str("dest_mac", mac(p.dst_mac));
    j.end();
  }
  j.object("alert");
  j.str("action", "allowed");
  j.num("gid", a.gid);
  j.num("signature_id", a.sid);
  j.num("rev", a.rev);
  j.str("signature", a.msg);
  j.str("category", a.category);
  j.num("severity", a.priority);
  if (!a.metadata.empty()) {
    // "key value, key value" -> {"key":["value",...]} as Suricata groups repeated keys.
    j.object("metadata");
    std::string_view md = a.metadata;
    std::array<std::pair<std::string_view, std::array<std::string_view, 8>>, 32> groups{};
    std::array<size_t, 32> counts{};
    size_t ng = 0;
    while (!md.empty()) {
      size_t comma = md.find(',');
      std::string_view item = md.substr(0, comma);
      md = comma == std::string_view::npos ? std::string_view() : md.substr(comma + 1);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      size_t sp = item.find(' ');
      if (item.empty()) continue;
      std::string_view k = item.substr(0, sp);
      std::string_view v = sp == std::string_view::npos ? std::string_view() : item.substr(sp + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      size_t gi = 0;
      while (gi < ng && groups[gi].first != k) ++gi;
      if (gi == ng) {
        if (ng == groups.size()) continue;
        groups[ng++].first = k;
      }
      if (counts[gi] < 8) groups[gi].second[counts[gi]++] = v;
    }
    for (size_t gi = 0; gi < ng; ++gi) {
      j.array(groups[gi].first);
      for (size_t vi = 0; vi < counts[gi]; ++vi) j.array_str(groups[gi].second[vi]);
      j.end_array();
    }
    j.end();
  }
  if (a.target != 0) {
    // target:src_ip / target:dest_ip: EVE names the attacked host "target" and the other "source".
    bool target_is_src = a.target == 1;
    j.object("source");
    j.str("ip", target_is_src ? dst : src);
    if (ports) j.num("port", target_is_src ? p.f.dport : p.f.sport);
    j.end();
    j.object("target");
    j.str("ip", target_is_src ? src : dst);
    if (ports) j.num("port", target_is_src ? p.f.sport : p.f.dport);
    j.end();
  }
  j.end();
  if (f && f->app_proto != rules::AppProto::kUnknown) j.str("app_proto", rules::app_proto_name(f->app_proto));
  if (f && app_ && f->app_state && a.from_app) {
    scratch_.clear();
    app_->eve_fields(f->app_state, a.tx_id, to_server, scratch_);
    j.raw_member(scratch_);
  }
  if (f) {
    char fs[40], fsrc[48], fdst[48];
    format_timestamp(f->start_usec, fs);
    format_address(f->src, fsrc);
    format_address(f->dst, fdst);
    j.object("flow");
    j.num("pkts_toserver", f->pkts_toserver);
    j.num("pkts_toclient", f->pkts_toclient);
    j.num("bytes_toserver", f->bytes_toserver);
    j.num("bytes_toclient", f->bytes_toclient);
    j.str("start", fs);
    j.str("src_ip", fsrc);
    j.str("dest_ip", fdst);
    if (ports) {
      j.num("src_port", f->sp);
      j.num("dest_port", f->dp);
    }
    j.end();
  }
  std::span<const uint8_t> payload = p.f.payload;
  bool stream = a.from_stream && f && f->proto == 6;
  if (stream) {
    stream_.retained_payload(f->tcp.dir(to_server), stream_payload_, config_.eve.payload_max);
    payload = stream_payload_;
  }
  if (config_.eve.payload) j.base64("payload", payload);
  if (config_.eve.payload_printable) {
    scratch_.clear();
    printable(payload, scratch_);
    j.str("payload_printable", scratch_);
  }
  j.num("stream", stream ? 1 : 0);
  if (config_.eve.packet && p.frame && p.source != PacketOrigin::kStreamEnd)
    j.base64("packet", std::span<const uint8_t>(p.frame, p.frame_len));
  // Inner packets of tunnels and reassembled datagrams are pseudo packets whose link type Suricata
  // reports as RAW (vxlan-decoder-04); the others keep the capture's.
  int linktype = p.linktype;
  if (p.source == PacketOrigin::kTunnel || p.source == PacketOrigin::kDefrag) linktype = kLinkRaw;
  if (p.source == PacketOrigin::kStreamEnd) linktype = kLinkEthernet;
  j.object("packet_info");
  j.num("linktype", static_cast<uint64_t>(linktype));
  j.str("linktype_name", link_type_name(linktype));
  j.end();
  j.object("verdict");
  j.str("action", "alert");
  j.end();
  j.end();
  sink_.on_event("alert", line_);
}

void Worker::write_flow(const Flow& f, FlowEndReason reason) {
  line_.clear();
  Json j(line_);
  char ts[40], fs[40], fe[40], src[48], dst[48], pb[8];
  format_timestamp(f.last_usec, ts);
  format_timestamp(f.start_usec, fs);
  format_timestamp(f.last_usec, fe);
  format_address(f.src, src);
  format_address(f.dst, dst);
  bool ports = f.proto == 6 || f.proto == 17 || f.proto == 132;
  j.begin();
  j.str("timestamp", ts);
  j.num("flow_id", f.flow_id);
  j.str("event_type", "flow");
  j.str("src_ip", src);
  if (ports) j.num("src_port", f.sp);
  j.str("dest_ip", dst);
  if (ports) j.num("dest_port", f.dp);
  j.num("ip_v", f.src.family);
  j.str("proto", proto_name(f.proto, pb));
  if (f.vlan_count) {
    j.array("vlan");
    for (int i = 0; i < f.vlan_count; ++i) j.array_num(f.vlan[i]);
    j.end_array();
  }
  if (f.proto == 1 || f.proto == 58) {
    j.num("icmp_type", f.icmp_type);
    j.num("icmp_code", f.icmp_code);
    if (f.has_response_icmp) {
      j.num("response_icmp_type", f.response_icmp_type);
      j.num("response_icmp_code", f.response_icmp_code);
    }
  }
  if (f.app_proto != rules::AppProto::kUnknown) j.str("app_proto", rules::app_proto_name(f.app_proto));
  j.object("flow");
  j.num("pkts_toserver", f.pkts_toserver);
  j.num("pkts_toclient", f.pkts_toclient);
  j.num("bytes_toserver", f.bytes_toserver);
  j.num("bytes_toclient", f.bytes_toclient);
  j.str("start", fs);
  j.str("end", fe);
  j.num("age", (f.last_usec - f.start_usec) / 1'000'000);
  const char* state = "new";
  if (f.proto == 6 && f.tcp_tracked) {
    state = f.tcp.state == TcpState::kClosed ? "closed" : f.tcp.established() ? "established" : "new";
  } else if (f.state == FlowState::kEstablished) {
    state = "established";
  }
  j.str("state", state);
  j.str("reason", reason == FlowEndReason::kTimeout ? "timeout" : reason == FlowEndReason::kShutdown ? "shutdown" : "forced");
  j.boolean("alerted", f.alerted);
  j.end();
  j.end();
  sink_.on_event("flow", line_);
}

void Worker::finish() {
  double cpu0 = thread_cpu_seconds();
  flows_.drain([this](Flow& f) { end_flow(f, FlowEndReason::kShutdown); });
  totals_.cpu_seconds += thread_cpu_seconds() - cpu0;
  publish();
}

void Worker::publish() {
  packets_since_publish_ = 0;
  const DecodeCounters& d = decoder_.counters();
  store_relaxed(published_.packets, d.pkts);
  store_relaxed(published_.bytes, d.bytes);
  store_relaxed(published_.alerts, totals_.alerts);
  store_relaxed(published_.flows_active, flows_.size());
  store_relaxed(published_.flows_total, flows_.counters().created);
  store_relaxed(published_.decoder_events, d.events_total());
  store_relaxed(published_.invalid_checksums, stream_counters_.invalid_checksum);
}

const WorkerTotals& Worker::totals() {
  totals_.decode = decoder_.counters();
  totals_.defrag = defrag_.counters();
  totals_.flow = flows_.counters();
  totals_.flow.active = flows_.size();
  totals_.stream = stream_counters_;
  return totals_;
}

}  // namespace canh::sensor
