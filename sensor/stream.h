// TCP session tracking and stream reassembly, as Suricata's stream engine does it in IDS mode:
//
//  - the three-way handshake (and the 4/5-way "split" variants: a session is established once each
//    side's ISN is known and a non-SYN ACK arrives), midstream pickup when `stream.midstream` is on,
//    one-sided sessions when `stream.async-oneside` is on, data on SYN (TCP Fast Open);
//  - in-order reassembly per direction into a buffer from the worker's pool; overlapping data keeps
//    what arrived first; out-of-order data waits in the buffer until the hole fills; a hole that the
//    receiver acknowledged past, or that remains when the stream ends, becomes a gap (recorded, so
//    EVE payloads print "[N bytes missing]" as Suricata does);
//  - `stream.reassembly.depth`: bytes past it are not reassembled (those packets are inspected on
//    their own again, like Suricata);
//  - IDS-mode timing (Suricata's default, `stream.inline: no`): a direction's bytes count for the app
//    layer and for raw inspection once the other side acknowledged them. A packet hands the app layer
//    what it acknowledges of the opposite direction (Suricata's UPDATE_DIR_OPPOSING); RST, a FIN
//    after the other side's close, a closed session and one-sided (async) sessions update the
//    packet's own direction too (UPDATE_DIR_PACKET / _BOTH). `stream.inline: yes` uses every in-order
//    byte at once, with the packet that carried it;
//  - raw stream inspection of a direction runs with a packet of that direction, over acknowledged
//    bytes: when `chunk_size` of them are new, when the app layer completed a message in it (HTTP
//    request/response: Suricata's raw-reassembly trigger), when the depth is reached, once the session
//    is past TIME_WAIT in Suricata's state order, and at the end of the flow (the "stream (flow
//    timeout)" pseudo packet, which takes unacknowledged bytes too).
//
// Buffers come from a per-worker StreamPool (size classes, reused); the memcap bounds them.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace canh::sensor {

struct StreamConfig {
  bool midstream = false;            // stream.midstream
  bool async_oneside = false;        // stream.async-oneside
  uint64_t reassembly_depth = 1u << 20;  // stream.reassembly.depth; 0 = unlimited
  size_t memcap = 256u << 20;        // stream.reassembly.memcap, per process (split across workers)
  uint32_t chunk_size = 2560;        // stream.reassembly.toserver-chunk-size / toclient-chunk-size
  bool inline_mode = false;          // stream.inline: IPS timing (no wait for acknowledgements)
};

struct StreamCounters {
  uint64_t sessions = 0, midstream_pickups = 0, syn = 0, synack = 0, rst = 0, fin = 0;
  uint64_t segments = 0, overlaps = 0, gaps = 0, depth_reached = 0, memcap_drops = 0, invalid_checksum = 0;
  uint64_t pkt_on_wrong_thread = 0, ooo_dropped = 0;
};

// Reusable byte buffers in power-of-two sizes, per worker.
class StreamPool {
 public:
  static constexpr size_t kMinSize = 4096;
  static constexpr size_t kMaxSize = 256 * 1024;
  explicit StreamPool(size_t memcap) : memcap_(memcap) {}
  ~StreamPool();
  StreamPool(const StreamPool&) = delete;
  StreamPool& operator=(const StreamPool&) = delete;
  // A buffer of exactly `size` bytes (a size class), or nullptr when the memcap is reached.
  uint8_t* get(size_t size);
  void put(uint8_t* buf, size_t size);
  size_t in_use() const { return in_use_; }

 private:
  static int size_class(size_t size);
  size_t memcap_;
  size_t allocated_ = 0, in_use_ = 0;
  std::array<std::vector<uint8_t*>, 7> free_;  // 4K .. 256K
};

inline constexpr size_t kMaxOooRanges = 16;
inline constexpr size_t kMaxGaps = 8;

// One direction of a TCP session. Offsets are stream offsets: 0 is the byte after the SYN (or the
// first byte seen, when picked up midstream).
struct TcpStream {
  bool seen = false;       // a segment from this side was seen
  bool isn_known = false;  // its SYN was seen (or it was picked up)
  bool fin = false, rst = false;
  uint32_t base_seq = 0;   // sequence number of stream offset 0
  uint32_t next_seq = 0;   // next in-order sequence number expected
  uint64_t next_off = 0;   // stream offset of next_seq (== contiguous end)
  bool ack_seen = false;   // the other side acknowledged something of this stream
  uint64_t acked_off = 0;  // highest offset the other side acknowledged

  uint8_t* buf = nullptr;  // bytes [base_off, base_off + cap)
  uint32_t cap = 0;
  uint64_t base_off = 0;
  std::array<std::pair<uint64_t, uint64_t>, kMaxOooRanges> ooo{};  // out-of-order data held, [begin, end)
  uint8_t nooo = 0;
  std::array<std::pair<uint64_t, uint64_t>, kMaxGaps> gaps{};  // holes inside [base_off, next_off)
  uint8_t ngaps = 0;
  uint64_t raw_progress = 0;  // offered to raw stream inspection up to here
  uint64_t app_progress = 0;  // delivered to the app layer up to here
  bool app_eof = false;       // the app layer was told this direction ended
  bool flush_raw = false;     // inspect raw data with the next packet of this direction (depth, app trigger)
  bool fin_sent = false;      // fin_seq is valid
  uint32_t fin_seq = 0;       // sequence number the FIN occupies
  bool depth_reached = false;
  bool no_reassembly = false;  // memcap reached or disabled: packets of this side inspected on their own
};

enum class TcpState : uint8_t { kNone, kSynSent, kSynRecv, kEstablished, kClosing, kClosed };

// Suricata's TCP session states, in its order: several IDS-mode decisions compare against TIME_WAIT
// ("state > TCP_TIME_WAIT": raw inspection no longer waits for a chunk, a FIN also updates its own
// direction). Suricata names them from the client's side: the client's FIN moves an established
// session to CLOSE_WAIT, the server's to FIN_WAIT1.
enum class TcpPhase : uint8_t {
  kNone, kSynSent, kSynRecv, kEstablished, kFinWait1, kFinWait2, kTimeWait, kLastAck, kCloseWait, kClosing, kClosed
};

// Which direction(s) a packet moves the app layer forward (Suricata's StreamUpdateDir).
enum class AppUpdate : uint8_t { kNone, kOpposing, kPacket, kBoth };

struct TcpSession {
  TcpState state = TcpState::kNone;
  bool midstream = false;
  bool async = false;
  bool ever_established = false;  // closed sessions that were established still match flow:established
  TcpPhase phase = TcpPhase::kNone;
  bool closed_by_rst = false;
  TcpStream client, server;  // client: the flow's initiator (to_server direction)
  TcpStream& dir(bool to_server) { return to_server ? client : server; }
  bool established() const { return ever_established; }
  // Suricata's FLOW_PKT_ESTABLISHED for the packet being handled. Suricata sets it in its flow
  // handling, before the stream engine sees the packet: the session as the earlier packets left it
  // is ESTABLISHED or later in its state order (closing and closed states included). So the ACK that
  // completes the handshake and the first packet picked up midstream are not established, a FIN and
  // the packets after it are (detect-bidir-flowbits, http-request-header).
  bool pkt_established = false;
  void begin_packet() { pkt_established = phase >= TcpPhase::kEstablished; }
  bool packet_established() const { return pkt_established; }
};

// What handling one segment did, for the worker's detection and app-layer steps.
struct SegmentResult {
  bool tracked = false;        // the session engine handled the packet (it belongs to a session)
  bool stream_added = false;   // its payload went into the reassembled stream (Suricata PKT_STREAM_ADD)
  bool raw_ready = false;      // raw inspection of this direction may run now (see StreamEngine::raw_ready)
  bool app_ready = false;      // new in-order bytes in this direction (not necessarily acknowledged yet)
  bool invalid = false;        // not accepted (bad checksum, no session and no midstream, ...)
  AppUpdate app_update = AppUpdate::kNone;  // directions the app layer should move forward now
};

class StreamEngine {
 public:
  StreamEngine(const StreamConfig& config, StreamPool& pool, StreamCounters& counters)
      : config_(config), pool_(pool), counters_(counters) {}

  // Handles one TCP segment of a flow. `to_server` is the packet's direction in the flow.
  SegmentResult handle(TcpSession& s, bool to_server, uint8_t flags, uint32_t seq, uint32_t ack,
                       std::span<const uint8_t> payload, bool first_packet_of_flow);

  // The next contiguous chunk of raw stream data to inspect in a direction, up to `end_off` (the
  // contiguous end when `final`): stops at gaps. Empty when nothing new. Call advance_raw() after.
  struct Chunk {
    std::span<const uint8_t> data;
    uint64_t offset = 0;
  };
  Chunk next_raw(const TcpStream& st, bool final, uint64_t end = UINT64_MAX) const;
  // Where app-layer delivery and raw inspection of `st` may go up to now: the acknowledged end in IDS
  // mode, every in-order byte inline, for one-sided sessions and (unless the session closed normally)
  // for the flow-end pseudo packet (`pseudo`), as Suricata's AdjustToAcked.
  uint64_t usable_end(const TcpSession& s, const TcpStream& st, bool pseudo) const;
  // Whether raw inspection of `st` runs with the current packet of its direction (Suricata's
  // StreamTcpReassembleRawCheckLimit).
  bool raw_ready(const TcpSession& s, const TcpStream& st, bool pseudo) const;
  void advance_raw(TcpStream& st, uint64_t to) const;
  // In-order bytes not yet given to the app layer (stops at gaps; `gap_len` reports a gap to skip).
  Chunk next_app(const TcpStream& st, uint64_t* gap_len, uint64_t end = UINT64_MAX) const;
  void advance_app(TcpStream& st, uint64_t to) const;
  // Turns remaining holes before held out-of-order data into gaps (end of stream).
  void close_gaps(TcpStream& st);
  // Returns the stream's buffer to the pool.
  void release(TcpSession& s);

  // Writes the retained stream data of a direction as Suricata's payload logging prints it: gaps
  // become "[N bytes missing]". Appends raw bytes (the caller encodes).
  void retained_payload(const TcpStream& st, std::vector<uint8_t>& out, size_t max_bytes) const;

 private:
  void store(TcpStream& st, uint64_t off, std::span<const uint8_t> data, SegmentResult& r);
  bool make_room(TcpStream& st, uint64_t end);
  void merge_ooo(TcpStream& st);
  void ack_update(TcpStream& st, uint32_t ack);
  void update_phase(TcpSession& s, bool to_server, uint8_t flags, uint32_t ack);

  const StreamConfig& config_;
  StreamPool& pool_;
  StreamCounters& counters_;
};

}  // namespace canh::sensor
