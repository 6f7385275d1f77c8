// libFuzzer target: TLS records in both directions cut at input-chosen points, plus the X.509 walk
// directly on the input (certificates are the deepest structure a client or server hands us).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sensor/app/buffers.h"
#include "sensor/app/eve.h"
#include "sensor/app/tls_parser.h"
#include "sensor/app/x509.h"

namespace {

using namespace canh::sensor::app;

struct Check : TxObserver {
  canh::rules::AppBuffers buffers;
  BufferScratch scratch;
  std::string eve;
  void on_tx(const TxEvent& ev) override {
    fill_buffers(ev, &buffers, &scratch);
    eve.clear();
    write_eve(ev, &eve);
    if (!ev.tls->ja3_hash.empty() && ev.tls->ja3_hash.size() != 32) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  X509Info info;
  parse_x509(in, &info);

  if (size < 1) return 0;
  Check check;
  TlsParser parser;
  const size_t chunk = (data[0] & 31) + 1;
  const Dir first = (data[0] & 0x80) ? Dir::kToClient : Dir::kToServer;
  for (size_t off = 1; off < size; off += chunk)
    parser.feed(first, in.subspan(off, std::min(chunk, size - off)), &check);
  // The same bytes the other way: client and server messages take different paths.
  TlsParser other;
  other.feed(first == Dir::kToServer ? Dir::kToClient : Dir::kToServer, in.subspan(1), &check);
  return 0;
}
