// The hook between the packet pipeline and the app-layer parsers (sensor/app/). See sensor/README.md.
//
// Per worker there is one AppLayerWorker (made by the AppLayerFactory the Sensor is given). For each
// flow it may keep state of its own (from its own pools: nothing is allocated per packet); the
// pipeline stores the pointer in the flow and hands it back:
//
//   flow_start(info)            -> state (nullptr: not interested in this flow)
//   on_data(state, ctx, bytes)  -> in-order reassembled TCP bytes of one direction, or one UDP
//                                  datagram; parses, may set *ctx.app_proto, remembers which
//                                  transactions progressed
//   inspect(state, dir, sink)   -> detection: sink.on_tx(buffers) for every transaction that progressed
//                                  since its last inspection in that direction, with the current packet
//   on_gap(state, dir, len)     -> bytes lost in one direction (the parser resynchronizes or gives up)
//   eve_fields(state, tx, ...)  -> the transaction's EVE members for an alert ("http":{...})
//   flow_end(state)             -> release the state
//
// Parsing and inspection are separate calls because Suricata (IDS mode) parses a direction's bytes
// when the other side acknowledges them, i.e. while handling a packet going the other way, and
// inspects a transaction with the next packet going the transaction's way: that packet is the one
// the alert names (pcap_cnt, addresses, flow counters). UDP datagrams are parsed and inspected with
// the packet that carries them.
//
// All calls for one flow come from the worker that owns it, in packet order.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "rules/detect.h"

namespace canh::sensor {

struct AppFlowInfo {
  uint64_t flow_id = 0;
  uint8_t ip_proto = 0;  // 6 or 17
  rules::Address src, dst;  // initiator first
  uint16_t sp = 0, dp = 0;
};

// Implemented by the pipeline: detection for one transaction's buffers, with the current packet.
class AppTxSink {
 public:
  virtual ~AppTxSink() = default;
  virtual void on_tx(const rules::AppBuffers& buffers) = 0;
};

struct AppDataContext {
  bool to_server = true;
  rules::AppProto* app_proto = nullptr;  // the flow's; the app layer sets it once it knows
  uint64_t ts_usec = 0;
  bool stream_end = false;  // last bytes of this direction (session closed, or flow end)
  // Out: a message of this direction completed (an HTTP request or response). Suricata's parser then
  // triggers raw reassembly, so the stream is inspected with the same packet as the transaction.
  bool raw_trigger = false;
};

class AppLayerWorker {
 public:
  virtual ~AppLayerWorker() = default;
  virtual void* flow_start(const AppFlowInfo& info) = 0;
  virtual void on_data(void* state, AppDataContext& ctx, std::span<const uint8_t> data) = 0;
  // Detection for the transactions that progressed (on either side) since they were last inspected
  // in this direction: one sink.on_tx() each, with buffers for rules of that direction.
  virtual void inspect(void* state, bool to_server, AppTxSink& sink) = 0;
  // Whether inspect() has anything to do for this direction (the flow-end pseudo packets).
  virtual bool has_pending(void* state, bool to_server) = 0;
  virtual void on_gap(void* state, bool to_server, uint64_t len) = 0;
  // Appends EVE members (`"http":{...}`, no surrounding braces, no leading comma) describing
  // transaction `tx_id` for an alert record. Nothing appended when unknown.
  virtual void eve_fields(void* state, uint64_t tx_id, bool to_server, std::string& out) = 0;
  virtual void flow_end(void* state) = 0;
};

class AppLayerFactory {
 public:
  virtual ~AppLayerFactory() = default;
  virtual std::unique_ptr<AppLayerWorker> make_worker(uint32_t worker_id) = 0;
};

}  // namespace canh::sensor
