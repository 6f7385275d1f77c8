#include "sensor/stream.h"

#include <gtest/gtest.h>

#include <string>

namespace canh::sensor {
namespace {

constexpr uint8_t kFin = 1, kSyn = 2, kRst = 4, kAck = 16;

std::span<const uint8_t> sv(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

struct Fixture {
  StreamConfig cfg;
  StreamPool pool{1 << 24};
  StreamCounters counters;
  StreamEngine eng{cfg, pool, counters};
  TcpSession s;
  ~Fixture() { eng.release(s); }
  SegmentResult c2s(uint8_t flags, uint32_t seq, uint32_t ack, std::string_view data = {}, bool first = false) {
    return eng.handle(s, true, flags, seq, ack, sv(data), first);
  }
  SegmentResult s2c(uint8_t flags, uint32_t seq, uint32_t ack, std::string_view data = {}) {
    return eng.handle(s, false, flags, seq, ack, sv(data), false);
  }
  void handshake() {
    c2s(kSyn, 100, 0, {}, true);
    s2c(kSyn | kAck, 500, 101);
    c2s(kAck, 101, 501);
  }
  std::string raw(bool to_server, bool advance = true) {
    std::string out;
    TcpStream& st = s.dir(to_server);
    for (;;) {
      auto c = eng.next_raw(st, true);
      if (c.data.empty()) break;
      out.append(c.data.begin(), c.data.end());
      if (!advance) break;
      eng.advance_raw(st, c.offset + c.data.size());
    }
    return out;
  }
};

TEST(TcpStream, ThreeWayHandshakeEstablishes) {
  Fixture t;
  t.c2s(kSyn, 100, 0, {}, true);
  EXPECT_FALSE(t.s.established());
  t.s2c(kSyn | kAck, 500, 101);
  EXPECT_FALSE(t.s.established());
  t.c2s(kAck, 101, 501);
  EXPECT_TRUE(t.s.established());
}

TEST(TcpStream, NoHandshakeWithoutMidstreamIsNotTracked) {
  Fixture t;
  SegmentResult r = t.c2s(kAck, 1000, 2000, "MATCH?", true);
  EXPECT_FALSE(r.tracked);
  EXPECT_FALSE(r.stream_added);
  EXPECT_FALSE(t.s.established());
}

TEST(TcpStream, MidstreamPickupEstablishes) {
  Fixture t;
  t.cfg.midstream = true;
  SegmentResult r = t.c2s(kAck, 1000, 2000, "hello", true);
  EXPECT_TRUE(r.tracked);
  EXPECT_TRUE(r.stream_added);
  EXPECT_TRUE(t.s.established());
  EXPECT_EQ(t.counters.midstream_pickups, 1u);
}

TEST(TcpStream, InOrderSegmentsReassemble) {
  Fixture t;
  t.handshake();
  t.c2s(kAck, 101, 501, "GET /ind");
  t.c2s(kAck, 109, 501, "ex.html");
  EXPECT_EQ(t.raw(true), "GET /index.html");
}

TEST(TcpStream, OutOfOrderSegmentWaitsForTheHole) {
  Fixture t;
  t.handshake();
  t.c2s(kAck, 105, 501, "DEF");
  EXPECT_EQ(t.s.client.next_off, 0u);
  t.c2s(kAck, 101, 501, "ABCD");
  EXPECT_EQ(t.s.client.next_off, 7u);
  EXPECT_EQ(t.raw(true), "ABCDDEF");
}

TEST(TcpStream, OverlapKeepsFirstData) {
  Fixture t;
  t.handshake();
  t.c2s(kAck, 101, 501, "GOOD");
  t.c2s(kAck, 101, 501, "EVILDATA");  // retransmission with different bytes, longer
  EXPECT_EQ(t.raw(true), "GOODDATA");
  EXPECT_GT(t.counters.overlaps, 0u);
}

TEST(TcpStream, GapAtStreamEndIsRecordedAndPrinted) {
  Fixture t;
  t.handshake();
  t.c2s(kAck, 101, 501, "VERY");
  t.c2s(kAck, 109, 501, "DATA");  // 4 bytes lost
  t.eng.close_gaps(t.s.client);
  EXPECT_EQ(t.counters.gaps, 1u);
  std::vector<uint8_t> out;
  t.eng.retained_payload(t.s.client, out, 4096);
  EXPECT_EQ(std::string(out.begin(), out.end()), "VERY[4 bytes missing]DATA");
  // Raw inspection offers the data on both sides of the gap, never across it.
  auto c1 = t.eng.next_raw(t.s.client, true);
  EXPECT_EQ(std::string(c1.data.begin(), c1.data.end()), "VERY");
}

TEST(TcpStream, LeadingGapIsPrinted) {
  Fixture t;
  t.handshake();
  t.c2s(kAck, 105, 501, "GOOD");
  t.c2s(kAck, 109, 501, "DATA");
  t.eng.close_gaps(t.s.client);
  std::vector<uint8_t> out;
  t.eng.retained_payload(t.s.client, out, 4096);
  EXPECT_EQ(std::string(out.begin(), out.end()), "[4 bytes missing]GOODDATA");
}

TEST(TcpStream, AckPastAHoleMakesAGap) {
  Fixture t;
  t.handshake();
  t.c2s(kAck, 101, 501, "AAAA");
  t.c2s(kAck, 109, 501, "CCCC");
  t.s2c(kAck, 501, 113);  // the server got everything, we missed 105..108
  EXPECT_EQ(t.counters.gaps, 1u);
  EXPECT_EQ(t.s.client.next_off, 12u);
}

TEST(TcpStream, DepthStopsReassembly) {
  Fixture t;
  t.cfg.reassembly_depth = 6;
  t.handshake();
  SegmentResult a = t.c2s(kAck, 101, 501, "1234");
  SegmentResult b = t.c2s(kAck, 105, 501, "5678");
  SegmentResult c = t.c2s(kAck, 109, 501, "9");
  EXPECT_TRUE(a.stream_added);
  EXPECT_TRUE(b.stream_added);
  EXPECT_FALSE(c.stream_added);
  EXPECT_EQ(t.raw(true), "123456");
  EXPECT_EQ(t.counters.depth_reached, 1u);
}

TEST(TcpStream, DataOnSynIsPartOfTheStream) {
  Fixture t;
  t.c2s(kSyn, 100, 0, "Hello!", true);
  t.s2c(kSyn | kAck, 500, 107);
  t.c2s(kAck, 107, 501);
  EXPECT_EQ(t.raw(true), "Hello!");
}

// IDS mode: a chunk is due once `chunk_size` bytes are acknowledged, and it is inspected with the next
// packet of the data's own direction (Suricata's StreamTcpReassembleRawCheckLimit on last_ack).
TEST(TcpStream, ChunkSizeOfAcknowledgedBytesTriggersRawInspection) {
  Fixture t;
  t.cfg.chunk_size = 8;
  t.handshake();
  EXPECT_FALSE(t.c2s(kAck, 101, 501, "abcd").raw_ready);
  EXPECT_FALSE(t.c2s(kAck, 105, 501, "efgh").raw_ready);  // 8 bytes in order, none acknowledged
  t.s2c(kAck, 501, 105);
  EXPECT_FALSE(t.c2s(kAck, 109, 501).raw_ready);  // 4 acknowledged: below the chunk size
  t.s2c(kAck, 501, 109);
  EXPECT_TRUE(t.c2s(kAck, 109, 501).raw_ready);
  EXPECT_EQ(t.eng.usable_end(t.s, t.s.client, false), 8u);
}

TEST(TcpStream, InlineModeUsesBytesBeforeTheirAcknowledgement) {
  Fixture t;
  t.cfg.chunk_size = 8;
  t.cfg.inline_mode = true;
  t.handshake();
  SegmentResult r = t.c2s(kAck, 101, 501, "abcd");
  EXPECT_TRUE(r.raw_ready);
  EXPECT_EQ(r.app_update, AppUpdate::kPacket);
  EXPECT_EQ(t.eng.usable_end(t.s, t.s.client, false), 4u);
}

TEST(TcpStream, FinTriggersRawInspectionOnceAcknowledgedAndCloses) {
  Fixture t;
  t.handshake();
  // The client's FIN moves the session past TIME_WAIT in Suricata's order (CLOSE_WAIT): no chunk
  // size is awaited any more, but "bye" is not acknowledged yet.
  EXPECT_FALSE(t.c2s(kAck | kFin, 101, 501, "bye").raw_ready);
  EXPECT_EQ(t.s.phase, TcpPhase::kCloseWait);
  SegmentResult srv = t.s2c(kAck | kFin, 501, 105);
  EXPECT_EQ(t.s.phase, TcpPhase::kLastAck);
  EXPECT_EQ(srv.app_update, AppUpdate::kBoth);  // a FIN after the other side's close: both directions
  SegmentResult last = t.c2s(kAck, 105, 502);
  EXPECT_TRUE(last.raw_ready);
  EXPECT_EQ(t.s.phase, TcpPhase::kClosed);
  EXPECT_EQ(last.app_update, AppUpdate::kBoth);
  EXPECT_EQ(t.s.state, TcpState::kClosed);
  EXPECT_TRUE(t.s.established());         // it was, for timeouts and stream-end pseudo packets
  EXPECT_TRUE(t.s.packet_established());  // the session was established when this packet came
}

// FLOW_PKT_ESTABLISHED is taken before the stream engine handles the packet (Suricata's flow
// handling): the handshake's last ACK is not established yet, the FIN and what follows still are.
TEST(TcpStream, PacketEstablishedFollowsTheStateBeforeThePacket) {
  Fixture t;
  t.c2s(kSyn, 100, 0, {}, true);
  EXPECT_FALSE(t.s.packet_established());
  t.s2c(kSyn | kAck, 500, 101);
  EXPECT_FALSE(t.s.packet_established());
  t.c2s(kAck, 101, 501);
  EXPECT_FALSE(t.s.packet_established());
  t.c2s(kAck | kFin, 101, 501, "x");
  EXPECT_TRUE(t.s.packet_established());
  t.s2c(kAck | kFin, 501, 103);
  EXPECT_TRUE(t.s.packet_established());
  t.c2s(kAck, 103, 502);
  EXPECT_TRUE(t.s.packet_established());
  EXPECT_EQ(t.s.phase, TcpPhase::kClosed);
}

TEST(TcpStream, AsyncOneSideEstablishesWithoutTheOtherSide) {
  Fixture t;
  t.cfg.async_oneside = true;
  t.c2s(kSyn, 100, 0, {}, true);
  t.c2s(kAck, 101, 501, "data");
  EXPECT_TRUE(t.s.established());
  EXPECT_TRUE(t.s.async);
}

TEST(TcpStream, RstCloses) {
  Fixture t;
  t.handshake();
  t.s2c(kRst, 501, 0);
  EXPECT_EQ(t.s.state, TcpState::kClosed);
}

// Suricata's AdjustToAcked: the flow-end pseudo packet takes unacknowledged bytes when the session
// did not close normally (still open, or reset), but not after a normal close.
TEST(TcpStream, FlowEndTakesUnacknowledgedBytesUnlessClosedNormally) {
  Fixture t;
  t.handshake();
  t.c2s(kAck, 101, 501, "request");
  EXPECT_EQ(t.eng.usable_end(t.s, t.s.client, false), 0u);
  EXPECT_EQ(t.eng.usable_end(t.s, t.s.client, true), 7u);
  SegmentResult rst = t.s2c(kRst | kAck, 501, 101);
  EXPECT_EQ(rst.app_update, AppUpdate::kPacket);  // a reset moves its own direction on
  EXPECT_EQ(t.s.phase, TcpPhase::kClosed);
  EXPECT_EQ(t.eng.usable_end(t.s, t.s.client, true), 7u);

  Fixture n;
  n.handshake();
  n.c2s(kAck | kFin, 101, 501, "abc");
  n.s2c(kAck | kFin, 501, 101);  // acknowledges none of it
  n.c2s(kAck, 105, 502);
  EXPECT_EQ(n.s.phase, TcpPhase::kClosed);
  EXPECT_EQ(n.eng.usable_end(n.s, n.s.client, true), 0u);
}

TEST(TcpStream, DataPacketsMoveTheOtherDirectionForward) {
  Fixture t;
  t.handshake();
  EXPECT_EQ(t.c2s(kAck, 101, 501, "GET").app_update, AppUpdate::kOpposing);
  EXPECT_EQ(t.s2c(kAck, 501, 104, "OK").app_update, AppUpdate::kOpposing);
  EXPECT_EQ(t.eng.usable_end(t.s, t.s.client, false), 3u);  // the server acknowledged "GET"
  EXPECT_EQ(t.eng.usable_end(t.s, t.s.server, false), 0u);
}

TEST(TcpStream, LongStreamSlidesBufferWithinPoolLimit) {
  Fixture t;
  t.handshake();
  std::string chunk(1000, 'x');
  uint32_t seq = 101;
  for (int i = 0; i < 2000; ++i) {
    t.c2s(kAck, seq, 501, chunk);
    seq += 1000;
    t.s2c(kAck, 501, seq);  // acknowledged: raw inspection (with the next client packet) may consume it
    if (t.c2s(kAck, seq, 501).raw_ready) t.raw(true);
    auto& st = t.s.client;
    uint64_t gap = 0;
    auto a = t.eng.next_app(st, &gap);
    t.eng.advance_app(st, a.offset + a.data.size());
  }
  EXPECT_LE(t.s.client.cap, StreamPool::kMaxSize);
  EXPECT_EQ(t.s.client.next_off, 1u << 20);  // 2 MB sent, reassembly stops at the 1 MiB default depth
}

}  // namespace
}  // namespace canh::sensor
