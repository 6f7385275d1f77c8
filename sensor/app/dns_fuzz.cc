// libFuzzer target: DNS messages parsed whole (as UDP datagrams) and as a TCP byte stream cut into
// pieces; names, records and EVE output must stay within what the input holds.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sensor/app/buffers.h"
#include "sensor/app/dns_parser.h"
#include "sensor/app/eve.h"

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
    for (const auto& q : ev.dns->questions)
      if (q.name.len > 255 + 255) std::abort();  // a decoded name is at most 255 bytes plus dots
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  DnsLimits limits;
  DnsMessage msg;
  parse_dns(in, limits, &msg);
  if (msg.questions.size() > limits.max_questions || msg.answers.size() > limits.max_answers) std::abort();

  Check check;
  DnsParser udp;
  udp.feed_datagram(Dir::kToServer, in, &check);
  udp.feed_datagram(Dir::kToClient, in, &check);

  DnsParser tcp;
  size_t chunk = size > 0 ? (data[0] % 17) + 1 : 1;
  for (size_t off = 0; off < size; off += chunk)
    tcp.feed_stream(Dir::kToServer, in.subspan(off, std::min(chunk, size - off)), &check);
  return 0;
}
