// libFuzzer target for the compiler and the matcher: the input is split at the first NUL into rule
// text and a payload; whatever rules parse are built into an engine, and the payload is inspected as
// a TCP packet (with the same bytes as stream data and as HTTP buffers), so every option kind runs
// against arbitrary data. Invariants: build never fails on parsed rules (it may skip them), inspect
// never crashes, and alerts only name loaded rules.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "common/log.h"
#include "rules/engine.h"

namespace {

struct Sink : canh::rules::AlertSink {
  const canh::rules::Engine* engine = nullptr;
  void on_alert(const canh::rules::AlertInfo& a) override {
    if (engine->entry_of(a.gid, a.sid) == SIZE_MAX) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canh::rules;
  static const bool quiet = (canh::log::set_level(canh::log::Level::kWarn), true);
  (void)quiet;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t nul = all.find('\0');
  std::string_view text = all.substr(0, nul);
  std::string_view payload = nul == std::string_view::npos ? std::string_view() : all.substr(nul + 1);
  if (text.size() > 8192) return 0;  // keep each run cheap; the parser fuzzer covers long inputs
  RuleSet rs;
  rs.add_text(text, "fuzz.rules");
  // A small threshold table and one build thread: this runs thousands of times.
  EngineOptions options;
  options.threshold_table_size = 64;
  options.build_threads = 1;
  auto built = Engine::build(rs, options);
  if (!built) std::abort();
  const Engine& e = **built;
  auto scratch = e.make_scratch();
  Sink sink;
  sink.engine = &e;
  DetectInput in;
  in.packet.ip_version = 4;
  in.packet.ip_proto = 6;
  in.packet.src.family = in.packet.dst.family = 4;
  in.packet.src.bytes = {10, 0, 0, 1};
  in.packet.dst.bytes = {192, 168, 1, 1};
  in.packet.sport = 1234;
  in.packet.dport = 80;
  in.packet.payload = {reinterpret_cast<const uint8_t*>(payload.data()), payload.size()};
  in.packet.l3_header = in.packet.payload.subspan(0, std::min<size_t>(payload.size(), 20));
  in.packet.l4_header = in.packet.payload.subspan(0, std::min<size_t>(payload.size(), 20));
  in.flow.has_flow = true;
  in.flow.established = true;
  in.flow.app_proto = AppProto::kHttp;
  StreamChunk sc;
  sc.data = in.packet.payload;
  sc.new_from = payload.size() / 2;
  in.stream = &sc;
  AppBuffers app;
  for (size_t b = 1; b < kBufferCount; ++b) app.set(Buffer(b), payload);
  in.app = &app;
  FlowDetectState flow;
  for (int dir = 0; dir < 2; ++dir) {
    in.flow.to_server = dir == 0;
    app.to_server = dir == 0;
    e.inspect(in, flow, *scratch, sink);
  }
  in.packet.ip_proto = 17;
  in.stream = nullptr;
  e.inspect(in, flow, *scratch, sink);
  return 0;
}
