// Packet capture through libpcap: pcap/pcapng files and live interfaces.
//
// In the "workers" run mode every worker owns its own capture handle, so no packet crosses threads:
//  - live: each worker opens the interface and joins a PACKET_FANOUT group in hash mode, where the
//    kernel's symmetric flow hash sends both directions of a flow to the same socket (what Suricata's
//    af-packet cluster_flow does); if fanout is unavailable each worker sees every packet and keeps its
//    share by our own symmetric hash;
//  - file: each worker reads the file and keeps its share by the symmetric hash (reading is cheap next
//    to detection, and pcap_cnt stays the packet's index in the file for every worker).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/status.h"

typedef struct pcap pcap_t;

namespace canh::sensor {

struct RawPacket {
  std::span<const uint8_t> data;
  uint32_t wire_len = 0;
  uint64_t ts_usec = 0;
};

struct CaptureStats {
  uint64_t received = 0, dropped = 0, if_dropped = 0;
};

class PacketSource {
 public:
  enum class Next { kPacket, kTimeout, kEnd, kError };

  // Opens a capture file (pcap or pcapng; libpcap parses the file format). `bpf` may be empty.
  static Result<std::unique_ptr<PacketSource>> open_file(const std::string& path, const std::string& bpf);
  // Opens a live interface: immediate mode, the given kernel buffer, promiscuous. `fanout_group`
  // >= 0 joins that PACKET_FANOUT group (hash mode); `*fanout_ok` reports whether it worked.
  static Result<std::unique_ptr<PacketSource>> open_live(const std::string& iface, const std::string& bpf,
                                                         size_t buffer_size, int snaplen, int fanout_group,
                                                         bool* fanout_ok);
  ~PacketSource();

  Next next(RawPacket* out);
  int linktype() const { return linktype_; }
  bool live() const { return live_; }
  CaptureStats stats() const;
  std::string error() const;
  // Bytes read so far and the file size (files only; 0 for live), for progress reporting.
  uint64_t file_size() const { return file_size_; }
  uint64_t file_pos() const;
  void break_loop();

 private:
  PacketSource() = default;
  pcap_t* pcap_ = nullptr;
  int linktype_ = 1;
  bool live_ = false;
  uint64_t file_size_ = 0;
};

// Symmetric dispatch hash of a frame for splitting traffic between workers: both directions of a
// TCP connection give the same value. Fragments, UDP and other protocols hash on the address pair
// only, so fragments and tunnels (whose outer ports differ per direction, e.g. VXLAN) stay with
// the rest of their traffic.
uint32_t dispatch_hash(std::span<const uint8_t> frame, int linktype);

}  // namespace canh::sensor
