// libFuzzer target: the HTTP parser fed hostile bytes in both directions, cut at input-chosen points.
// Every event's buffers and EVE metadata are produced (as the sensor would), and the invariants the
// rest of the sensor relies on are checked: bodies stay within their limits, views stay inside.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sensor/app/buffers.h"
#include "sensor/app/eve.h"
#include "sensor/app/http_parser.h"

namespace {

using namespace canh::sensor::app;

struct Check : TxObserver {
  canh::rules::AppBuffers buffers;
  BufferScratch scratch;
  std::string eve;
  HttpLimits limits;
  void on_tx(const TxEvent& ev) override {
    fill_buffers(ev, &buffers, &scratch);
    eve.clear();
    write_eve(ev, &eve);
    if (ev.http->request().body().size() > limits.request_body_limit) std::abort();
    if (ev.http->response().body().size() > limits.response_body_limit) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Byte 0: chunk size for feeding (1..64); byte 1: limits variant. The rest alternates direction at
  // every 0xFF byte.
  const size_t chunk = (data[0] & 63) + 1;
  Check check;
  check.limits.max_tx = static_cast<uint16_t>((data[1] & 7) + 1);
  check.limits.request_body_limit = 1000;
  check.limits.response_body_limit = 1000 + (data[1] >> 3) * 100;
  check.limits.max_header_bytes = 4096;
  check.limits.max_line = 1024;
  HttpParser parser(check.limits);
  Dir dir = Dir::kToServer;
  size_t start = 2;
  for (size_t i = 2; i <= size; ++i) {
    if (i == size || data[i] == 0xFF) {
      for (size_t off = start; off < i; off += chunk) {
        size_t n = std::min(chunk, i - off);
        parser.feed(dir, std::span<const uint8_t>(data + off, n), &check);
      }
      dir = dir == Dir::kToServer ? Dir::kToClient : Dir::kToServer;
      start = i + 1;
    }
  }
  parser.gap(Dir::kToClient, 3);
  parser.finish(Dir::kToServer, &check);
  parser.finish(Dir::kToClient, &check);
  return 0;
}
