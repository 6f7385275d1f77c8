#include "sensor/capture.h"

#include <linux/if_packet.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "sensor/packet.h"

namespace canh::sensor {

namespace {
Status apply_filter(pcap_t* p, const std::string& bpf, const std::string& what) {
  if (bpf.empty()) return Status::ok();
  struct bpf_program prog;
  if (pcap_compile(p, &prog, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    return Status::invalid(what + ": BPF filter \"" + bpf + "\": " + pcap_geterr(p));
  int rc = pcap_setfilter(p, &prog);
  pcap_freecode(&prog);
  if (rc != 0) return Status::invalid(what + ": BPF filter \"" + bpf + "\": " + pcap_geterr(p));
  return Status::ok();
}
}  // namespace

Result<std::unique_ptr<PacketSource>> PacketSource::open_file(const std::string& path, const std::string& bpf) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
  if (!p) {
    // libpcap usually names the file itself; do not say it twice.
    std::string e = err;
    return Status::io(e.rfind(path, 0) == 0 ? e : path + ": " + e);
  }
  std::unique_ptr<PacketSource> s(new PacketSource());
  s->pcap_ = p;
  s->linktype_ = pcap_datalink(p);
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) s->file_size_ = static_cast<uint64_t>(st.st_size);
  CANH_RETURN_IF_ERROR(apply_filter(p, bpf, path));
  return s;
}

Result<std::unique_ptr<PacketSource>> PacketSource::open_live(const std::string& iface, const std::string& bpf,
                                                              size_t buffer_size, int snaplen, int fanout_group,
                                                              bool* fanout_ok) {
  char err[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_create(iface.c_str(), err);
  if (!p) return Status::io(iface + ": " + err);
  std::unique_ptr<PacketSource> s(new PacketSource());
  s->pcap_ = p;
  s->live_ = true;
  pcap_set_snaplen(p, snaplen);
  pcap_set_promisc(p, 1);
  // Immediate mode delivers each packet as it arrives; the timeout lets the loop see shutdown.
  pcap_set_immediate_mode(p, 1);
  pcap_set_timeout(p, 100);
  if (buffer_size > 0) pcap_set_buffer_size(p, static_cast<int>(std::min<size_t>(buffer_size, 1u << 30)));
  int rc = pcap_activate(p);
  if (rc < 0) return Status::io(iface + ": cannot start capture: " + pcap_geterr(p));
  s->linktype_ = pcap_datalink(p);
  CANH_RETURN_IF_ERROR(apply_filter(p, bpf, iface));
  // Non-blocking, with our own poll in next(): with TPACKET_V3 a blocking pcap_next_ex() may not
  // return on its timeout, and the worker must see the stop flag on an idle link.
  if (pcap_setnonblock(p, 1, err) != 0) return Status::io(iface + ": " + err);
  if (fanout_ok) *fanout_ok = false;
  if (fanout_group >= 0) {
    // PACKET_FANOUT_HASH: the kernel's symmetric flow hash picks the socket (see capture.h).
    int arg = (fanout_group & 0xffff) | (PACKET_FANOUT_HASH << 16) | (PACKET_FANOUT_FLAG_DEFRAG << 16);
    int fd = pcap_fileno(p);
    if (fd >= 0 && setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg) == 0 && fanout_ok) *fanout_ok = true;
  }
  return s;
}

PacketSource::~PacketSource() {
  if (pcap_) pcap_close(pcap_);
}

PacketSource::Next PacketSource::next(RawPacket* out) {
  struct pcap_pkthdr* h;
  const u_char* data;
  int rc = pcap_next_ex(pcap_, &h, &data);
  if (rc == 1) {
    out->data = std::span<const uint8_t>(data, h->caplen);
    out->wire_len = h->len;
    out->ts_usec = static_cast<uint64_t>(h->ts.tv_sec) * 1'000'000ull + static_cast<uint64_t>(h->ts.tv_usec);
    return Next::kPacket;
  }
  if (rc == 0) {
    int fd = pcap_get_selectable_fd(pcap_);
    if (fd >= 0) {
      struct pollfd pfd{fd, POLLIN, 0};
      ::poll(&pfd, 1, 100);
    }
    return Next::kTimeout;
  }
  if (rc == PCAP_ERROR_BREAK) return Next::kEnd;
  return Next::kError;
}

std::string PacketSource::error() const { return pcap_ ? pcap_geterr(pcap_) : ""; }

CaptureStats PacketSource::stats() const {
  CaptureStats s;
  if (!live_) return s;
  struct pcap_stat ps;
  if (pcap_stats(pcap_, &ps) == 0) {
    s.received = ps.ps_recv;
    s.dropped = ps.ps_drop;
    s.if_dropped = ps.ps_ifdrop;
  }
  return s;
}

uint64_t PacketSource::file_pos() const {
  if (live_ || !pcap_) return 0;
  FILE* f = pcap_file(pcap_);
  if (!f) return 0;
  long pos = std::ftell(f);
  return pos > 0 ? static_cast<uint64_t>(pos) : 0;
}

void PacketSource::break_loop() {
  if (pcap_) pcap_breakloop(pcap_);
}

namespace {
inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t fold(uint32_t a, uint32_t b) { return a < b ? a * 0x9e3779b1u + b : b * 0x9e3779b1u + a; }
}  // namespace

uint32_t dispatch_hash(std::span<const uint8_t> d, int linktype) {
  size_t off = 0;
  uint16_t type = 0;
  switch (linktype) {
    case kLinkEthernet:
      if (d.size() < 14) return 0;
      type = be16(d.data() + 12);
      off = 14;
      break;
    case kLinkSll:
      if (d.size() < 16) return 0;
      type = be16(d.data() + 14);
      off = 16;
      break;
    case kLinkSll2:
      if (d.size() < 20) return 0;
      type = be16(d.data());
      off = 20;
      break;
    case kLinkNull:
    case kLinkLoop:
      if (d.size() < 5) return 0;
      off = 4;
      type = (d[4] >> 4) == 6 ? 0x86dd : 0x0800;
      break;
    default:
      if (d.empty()) return 0;
      type = (d[0] >> 4) == 6 ? 0x86dd : 0x0800;
      break;
  }
  for (int i = 0; i < 3 && (type == 0x8100 || type == 0x88a8 || type == 0x9100); ++i) {
    if (d.size() < off + 4) return 0;
    type = be16(d.data() + off + 2);
    off += 4;
  }
  uint32_t h = 0;
  if (type == 0x0800) {
    if (d.size() < off + 20) return 0;
    const uint8_t* ip = d.data() + off;
    uint32_t a, b;
    std::memcpy(&a, ip + 12, 4);
    std::memcpy(&b, ip + 16, 4);
    h = fold(a, b);
    size_t hl = static_cast<size_t>(ip[0] & 15) * 4;
    bool frag = (be16(ip + 6) & 0x3fff) != 0;
    if (ip[9] == 6 && !frag && d.size() >= off + hl + 4) {
      h = fold(h, fold(be16(ip + hl), be16(ip + hl + 2)) + 6);
    }
  } else if (type == 0x86dd) {
    if (d.size() < off + 40) return 0;
    const uint8_t* ip = d.data() + off;
    uint32_t a = 0, b = 0;
    for (int i = 0; i < 4; ++i) {
      uint32_t x, y;
      std::memcpy(&x, ip + 8 + 4 * i, 4);
      std::memcpy(&y, ip + 24 + 4 * i, 4);
      a = a * 31 + x;
      b = b * 31 + y;
    }
    h = fold(a, b);
    if (ip[6] == 6 && d.size() >= off + 44) h = fold(h, fold(be16(ip + 40), be16(ip + 42)) + 6);
  }
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  return h;
}

}  // namespace canh::sensor
