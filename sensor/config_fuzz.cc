// Fuzzes the sensor's configuration: canh.yaml / suricata.yaml text (parse_sensor_config, the rule
// part with parse_rules_config, the app layer's app-layer.protocols.* with app_config_from) and
// `--set KEY=VALUE` lines. Invariant beyond "no crash": a configuration that is accepted must run.
// A Worker is built from it and fed a few packets (TCP session with HTTP, IPv4 fragments, UDP DNS),
// so a value the parser lets through but the pipeline cannot take (a zero hash size, a zero memcap,
// a chunk size of 0) shows up here instead of at a sensor's start. Values that would only ask for a
// lot of memory (flow.memcap: 1tb) are accepted by design and skipped here.
//
// Input: YAML text, optionally followed by a NUL and `--set` lines (KEY=VALUE, one per line).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "rules/config.h"
#include "sensor/app/app_layer.h"
#include "sensor/config.h"
#include "sensor/fuzz_support.h"
#include "sensor/worker.h"

namespace {

using namespace canh::sensor;

class EveryPacket : public Detector {
 public:
  void inspect(const canh::rules::DetectInput&, canh::rules::FlowDetectState&, canh::rules::AlertSink& sink) override {
    canh::rules::AlertInfo a;
    a.sid = 1;
    a.msg = "config fuzz";
    sink.on_alert(a);
  }
};

std::vector<uint8_t> hex(std::string_view h) {
  std::vector<uint8_t> v;
  auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < h.size(); i += 2) v.push_back(static_cast<uint8_t>(nib(h[i]) << 4 | nib(h[i + 1])));
  return v;
}

// Raw IPv4 packets: a TCP handshake, an HTTP request, a FIN; two fragments of a UDP datagram; a DNS
// query. Checksums are right, so every checksum mode passes them on.
const std::vector<std::vector<uint8_t>>& packets() {
  static const std::vector<std::vector<uint8_t>> p = {
      hex("4500002800014000400626cd0a0000010a0000029c40005000000001000000005002ffffff4e0000"),
      hex("4500002800024000400626cc0a0000020a00000100509c4000000064000000025012fffffed90000"),
      hex("4500002800034000400626cb0a0000010a0000029c40005000000002000000655010fffffeda0000"),
      hex("4500004300044000400626af0a0000010a0000029c40005000000002000000655018ffffc2020000474554202f20"
          "485454502f312e310d0a486f73743a20610d0a0d0a"),
      hex("4500002800054000400626c90a0000010a0000029c4000500000001d000000655011fffffebe0000"),
      hex("4500002400062000401146c10a0000010a0000029c400035001c270c6162636465666768"),
      hex("4500002000060002401166c30a0000010a000002696a6b6c6d6e6f7071727374"),
      hex("4500003200074000401126b20a0000010a0000029c410035001e5533123401000001000000000000046576696c"
          "0000010001"),
  };
  return p;
}

bool bounded(const SensorConfig& c) {
  return c.flow.memcap <= (64u << 20) && c.flow.hash_size <= (1u << 20) && c.stream.memcap <= (64u << 20) &&
         c.defrag.memcap <= (64u << 20) && c.defrag.max_trackers <= 65536;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (canh::log::set_level(canh::log::Level::kError), true);
  (void)quiet;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t nul = all.find('\0');
  std::string_view yaml = all.substr(0, nul);
  std::string_view sets = nul == std::string_view::npos ? std::string_view() : all.substr(nul + 1);

  (void)canh::rules::parse_rules_config(yaml, "fuzz.yaml");
  auto cfg = parse_sensor_config(yaml, "fuzz.yaml");
  if (!cfg) {
    if (cfg.status().message().empty()) __builtin_trap();  // an error always says what is wrong
    return 0;
  }
  SensorConfig c = std::move(cfg).value();
  c.source = "--set";
  while (!sets.empty()) {
    size_t nl = sets.find('\n');
    std::string_view line = sets.substr(0, nl);
    sets = nl == std::string_view::npos ? std::string_view() : sets.substr(nl + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    if (!c.set(line.substr(0, eq), line.substr(eq + 1))) return 0;
    uint64_t n;
    (void)parse_size(line.substr(eq + 1), &n);
  }
  auto app = app::app_config_from(c.app_layer);
  if (!app || !bounded(c)) return 0;
  auto factory = app::make_app_layer_factory(*app);
  fuzz::NullSink sink;
  Worker w(0, 1, c, std::make_unique<EveryPacket>(), factory->make_worker(0), sink);
  uint64_t ts = 1'700'000'000'000'000ull, cnt = 0;
  for (const auto& p : packets()) {
    ts += 1000;
    w.handle_frame(std::span<const uint8_t>(p.data(), p.size()), static_cast<uint32_t>(p.size()), kLinkIpv4, ts, ++cnt);
  }
  w.finish();
  return 0;
}
