// A worker: Suricata's "workers" run mode. One thread does capture -> decode -> defrag -> flow ->
// TCP stream -> app layer -> detection -> EVE output for its share of the flows, with no queue
// between the stages and no lock on the packet path. Everything mutable here belongs to this worker;
// the only shared things are the immutable rule engine (behind the Detector), the event sinks (one
// call per event) and the published counters (relaxed atomics written by this thread only).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sensor/app_hook.h"
#include "sensor/capture.h"
#include "sensor/config.h"
#include "sensor/decode.h"
#include "sensor/defrag.h"
#include "sensor/detector.h"
#include "sensor/eve.h"
#include "sensor/flow.h"
#include "sensor/stream.h"

namespace canh::sensor {

// Counters another thread may read at any time (heartbeat, metrics endpoint): written by the owning
// worker only, with relaxed stores, refreshed every few hundred packets and at the end.
struct PublishedCounters {
  std::atomic<uint64_t> packets{0}, bytes{0}, alerts{0}, flows_active{0}, flows_total{0}, decoder_events{0},
      capture_drops{0}, invalid_checksums{0};
};

struct WorkerTotals {
  DecodeCounters decode;
  DefragCounters defrag;
  FlowCounters flow;
  StreamCounters stream;
  uint64_t alerts = 0, alerts_suppressed = 0, alert_queue_overflow = 0, pseudo_packets = 0;
  uint64_t skipped_other_worker = 0;
  double cpu_seconds = 0;  // CPU time of this worker's thread in run() and finish()
  CaptureStats capture;
};

class Worker {
 public:
  Worker(uint32_t id, uint32_t nworkers, const SensorConfig& config, std::unique_ptr<Detector> detector,
         std::unique_ptr<AppLayerWorker> app, EventSink& sink);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Reads `source` until it ends or `stop` becomes true; keeps the packets whose dispatch hash is
  // this worker's share (all of them when nworkers == 1 or `filter_share` is false).
  Status run(PacketSource& source, const std::atomic<bool>& stop, bool filter_share);
  // Handles one captured frame (exposed for tests and for callers with their own capture loop).
  void handle_frame(std::span<const uint8_t> frame, uint32_t wire_len, int linktype, uint64_t ts_usec,
                    uint64_t pcap_cnt);
  // Ends every flow (stream flush + detection on what remains, flow records) and publishes counters.
  void finish();

  const WorkerTotals& totals();
  PublishedCounters& published() { return published_; }
  uint32_t id() const { return id_; }

 private:
  class AlertCollector;
  class TxSink;
  void process(Packet& p);
  void housekeeping(uint64_t now_usec);
  void end_flow(Flow& f, FlowEndReason reason);
  // Hands the app layer the usable (acknowledged, see StreamEngine::usable_end) bytes of one direction;
  // `pseudo` for the flow-end pseudo packet, which delivers everything and ends the direction.
  void app_deliver(Flow& f, bool to_server, bool pseudo, const Packet& carrier);
  // Detection for the flow's transactions due in this direction, with the current packet.
  void inspect_txs(Flow& f, bool to_server);
  void emit_alerts(const Packet& p, Flow* f, bool to_server);
  void write_alert(const Packet& p, Flow* f, bool to_server, const rules::AlertInfo& a);
  void write_flow(const Flow& f, FlowEndReason reason);
  void publish();
  rules::DetectInput make_input(const Packet& p, Flow* f, bool to_server, bool stream_added) const;

  uint32_t id_, nworkers_;
  const SensorConfig& config_;
  std::unique_ptr<Detector> detector_;
  std::unique_ptr<AppLayerWorker> app_;
  EventSink& sink_;
  Decoder decoder_;
  Defragmenter defrag_;
  FlowTable flows_;
  StreamPool pool_;
  StreamCounters stream_counters_;
  StreamEngine stream_;
  std::array<Packet, kMaxDecodedPackets> packets_{};
  Packet pseudo_;                    // the stream-end pseudo packet (reused)
  rules::FlowDetectState no_flow_state_;  // for packets that have no flow (fragments, bad headers)
  std::unique_ptr<AlertCollector> alerts_;
  std::unique_ptr<TxSink> tx_sink_;
  WorkerTotals totals_;
  PublishedCounters published_;
  std::string line_;                 // EVE line being built (reused)
  std::string scratch_;              // printable payload / app fields (reused)
  std::vector<uint8_t> stream_payload_;  // retained stream bytes for a stream alert (reused)
  uint64_t now_usec_ = 0, next_sweep_usec_ = 0;
  uint64_t packets_since_publish_ = 0;
  // `-k auto`: validate checksums until a sample shows the capture has many bad ones (offloading),
  // then stop, as Suricata's pcap-file checksum-checks: auto does.
  bool checksum_auto_ = false;
  uint64_t checksum_sampled_ = 0, checksum_bad_ = 0;
  // Current detection context (valid during one packet's processing), for app-layer transactions.
  const Packet* cur_packet_ = nullptr;
  Flow* cur_flow_ = nullptr;
  bool cur_to_server_ = true;
  // The reassembled bytes behind the transactions being inspected (TCP), for rules that mix payload
  // content with app-layer buffers: their payload part is matched here in the transaction's call.
  rules::StreamChunk cur_app_stream_;
};

}  // namespace canh::sensor
