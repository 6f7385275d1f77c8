// libFuzzer target: protocol detection and the session that holds bytes until a verdict, then
// feeds whichever parser won. Both transports, both directions, pieces of input-chosen sizes.
#include <cstdint>
#include <string>

#include "sensor/app/buffers.h"
#include "sensor/app/detect.h"
#include "sensor/app/session.h"

namespace {

using namespace canh::sensor::app;

struct Sink : TxObserver {
  canh::rules::AppBuffers buffers;
  BufferScratch scratch;
  void on_tx(const TxEvent& ev) override { fill_buffers(ev, &buffers, &scratch); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  std::span<const uint8_t> in(data + 3, size - 3);
  const uint16_t port = static_cast<uint16_t>((data[1] << 8) | data[2]);
  detect_tcp(Dir::kToServer, in, 40000, port);
  detect_tcp(Dir::kToClient, in, port, 40000);
  detect_udp(Dir::kToServer, in, 40000, port);

  AppConfig cfg;
  cfg.detect_window = 512;
  AppPools pools(cfg);
  Sink sink;
  auto session = pools.take_session();
  const bool udp = data[0] & 1;
  session->start(udp ? 17 : 6, 40000, port);
  const size_t chunk = (data[0] >> 1) + 1;
  Dir dir = (data[0] & 2) ? Dir::kToClient : Dir::kToServer;
  for (size_t off = 0; off < in.size(); off += chunk) {
    session->on_data(pools, dir, in.subspan(off, std::min(chunk, in.size() - off)), &sink);
    if (in[off] == 0xFF) dir = dir == Dir::kToServer ? Dir::kToClient : Dir::kToServer;
  }
  session->on_end(Dir::kToServer, &sink);
  std::string eve;
  session->write_eve(0, &eve);
  pools.give(std::move(session));
  return 0;
}
