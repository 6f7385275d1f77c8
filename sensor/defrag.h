// IPv4 and IPv6 fragment reassembly for one worker, with bounded memory: a fixed number of trackers,
// a byte budget for fragment buffers (reused, never freed on the packet path) and a timeout.
//
// Overlaps: the first data received for a byte range wins, the policy Suricata calls "first" and
// close to its default "bsd" for the overlaps seen in practice; every overlap is counted
// (ipv4.frag_overlap / ipv6.frag_overlap) so an evasion attempt is visible in the stats.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sensor/packet.h"

namespace canh::sensor {

struct DefragConfig {
  size_t max_trackers = 4096;              // defrag.trackers
  size_t memcap = 32u << 20;               // defrag.memcap (bytes of fragment buffers)
  uint64_t timeout_usec = 60'000'000;      // defrag.timeout
};

struct DefragCounters {
  uint64_t fragments = 0, reassembled = 0, overlaps = 0, timeouts = 0, dropped_no_tracker = 0, too_large = 0;
};

class Defragmenter {
 public:
  explicit Defragmenter(DefragConfig config);
  ~Defragmenter();

  // Adds the fragment in `p`. When it completes a datagram, returns a view of the reassembled IP
  // datagram (valid until the next call) — header with offset/MF cleared and lengths fixed.
  std::span<const uint8_t> add(const Packet& p);
  // Expires trackers idle past the timeout (packet time).
  void expire(uint64_t now_usec);

  const DefragCounters& counters() const { return counters_; }

 private:
  struct Tracker;
  Tracker* find_or_create(const Packet& p);
  void release(Tracker* t);

  DefragConfig config_;
  DefragCounters counters_;
  std::vector<std::unique_ptr<Tracker>> trackers_;  // all trackers ever created (bounded by max_trackers)
  std::vector<Tracker*> free_;
  std::vector<std::unique_ptr<uint8_t[]>> free_buffers_;
  size_t buffers_bytes_ = 0;
  std::vector<uint8_t> out_;                         // the last reassembled datagram
};

}  // namespace canh::sensor
