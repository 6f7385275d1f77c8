// Fuzzes the sensor as `canh sensor -r FILE` runs it: the input is a capture file (pcap or pcapng,
// read by libpcap as PacketSource does) and every packet goes through a whole Worker — decode,
// defrag, flows, TCP reassembly, app layer, a real rule engine, EVE writing. Seeds are small captures;
// at test time the suricata-verify captures join them (tests/fuzz/shared_seeds.py), so mutations
// start from real traffic of every protocol the verify suite covers.
#include <pcap/pcap.h>

#include <cstdint>
#include <cstdio>

#include "sensor/app/app_layer.h"
#include "sensor/engine_detector.h"
#include "sensor/fuzz_support.h"
#include "sensor/worker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canh::sensor;
  static const auto engine = fuzz::build_engine();
  static EngineDetectorFactory detectors(engine);
  static const SensorConfig config = [] {
    SensorConfig c;
    c.flow.memcap = 256 * sizeof(Flow);
    c.stream.memcap = 16u << 20;
    c.defrag.max_trackers = 32;
    c.defrag.memcap = 1u << 20;
    c.checksum = ChecksumMode::kAuto;  // as a capture file is read by default
    return c;
  }();
  static const auto app_factory = app::make_app_layer_factory(app::AppConfig{});
  if (size == 0) return 0;

  // fmemopen needs a writable buffer pointer in its signature only; "rb" never writes through it.
  std::FILE* f = fmemopen(const_cast<uint8_t*>(data), size, "rb");
  if (!f) return 0;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, err);
  if (!p) {
    std::fclose(f);
    return 0;
  }
  const int link = pcap_datalink(p);
  fuzz::NullSink sink;
  {
    Worker w(0, 1, config, detectors.make(0), app_factory->make_worker(0), sink);
    pcap_pkthdr* h;
    const u_char* pkt;
    uint64_t cnt = 0;
    while (cnt < 20000 && pcap_next_ex(p, &h, &pkt) == 1) {
      uint64_t ts = static_cast<uint64_t>(h->ts.tv_sec) * 1'000'000ull + static_cast<uint64_t>(h->ts.tv_usec);
      w.handle_frame(std::span<const uint8_t>(pkt, h->caplen), h->len, link, ts, ++cnt);
    }
    w.finish();
  }
  pcap_close(p);  // closes f
  return 0;
}
