// Fuzzes the packet path below detection: one input is a sequence of frames, each prefixed by a
// link-type selector byte and a 2-byte length, fed through a Worker (decode, defrag, flow table,
// TCP reassembly, EVE writing) with a detector that reports an alert for every packet so the alert
// writer runs too. Nothing may crash, hang or read out of bounds (run under ASan + UBSan).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "sensor/worker.h"

namespace {

using namespace canh::sensor;

class EveryPacket : public Detector {
 public:
  void inspect(const canh::rules::DetectInput& in, canh::rules::FlowDetectState&, canh::rules::AlertSink& sink) override {
    canh::rules::AlertInfo a;
    a.sid = 1;
    a.msg = "fuzz";
    a.from_stream = in.stream != nullptr;
    sink.on_alert(a);
  }
};

class NullSink : public EventSink {
 public:
  void on_event(std::string_view, std::string_view line) override { bytes += line.size(); }
  size_t bytes = 0;
};

constexpr int kLinks[] = {kLinkEthernet, kLinkSll, kLinkSll2, kLinkRaw, kLinkNull, kLinkLoop, kLinkChdlc, kLinkPpp,
                          kLinkIpv4, kLinkIpv6};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static SensorConfig config = [] {
    SensorConfig c;
    c.stream.midstream = true;
    c.flow.memcap = 256 * sizeof(Flow);
    c.defrag.max_trackers = 16;
    c.defrag.memcap = 1 << 20;
    c.stream.memcap = 4 << 20;
    c.checksum = ChecksumMode::kAll;
    return c;
  }();
  NullSink sink;
  Worker w(0, 1, config, std::make_unique<EveryPacket>(), nullptr, sink);
  uint64_t ts = 1'000'000;
  size_t off = 0;
  uint64_t cnt = 0;
  while (off + 3 <= size) {
    int link = kLinks[data[off] % (sizeof kLinks / sizeof kLinks[0])];
    size_t len = static_cast<size_t>(data[off + 1]) << 8 | data[off + 2];
    off += 3;
    len = std::min(len, size - off);
    // Time moves on a little per frame, a lot when the selector's high bit says so (timeouts).
    ts += (data[off - 3] & 0x80) ? 700'000'000 : 1000;
    w.handle_frame(std::span<const uint8_t>(data + off, len), static_cast<uint32_t>(len), link, ts, ++cnt);
    off += len;
  }
  w.finish();
  return 0;
}
