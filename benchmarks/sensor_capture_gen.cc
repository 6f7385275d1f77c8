// Writes a realistic mixed capture for the sensor-throughput benchmark: many concurrent TCP sessions
// (HTTP with varied URIs and headers, TLS handshakes then encrypted records, SMB2-like binary
// exchanges, bulk downloads) and DNS over UDP, interleaved as on a real link, with correct
// checksums and ACKs. A small share of responses carries content that ET Open rules alert on
// ("uid=0(root)" for GPL ATTACK_RESPONSE 2100498, ActiveX exploit markers, known-bad User-Agents).
//
//   canh_bench_capture OUT.pcap [SIZE_MB=600] [SEED=1]
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  void fill(uint8_t* p, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t v = next();
      std::memcpy(p + i, &v, 8);
    }
    for (; i < n; ++i) p[i] = static_cast<uint8_t>(next());
  }
};

const char* kWords[] = {"account", "index", "static", "images", "api", "v2", "search", "login", "cart", "news",
                        "video", "assets", "user", "profile", "report", "download", "update", "config", "item",
                        "blog", "docs", "help", "media", "cdn", "portal", "gov", "tin-tuc", "van-ban", "dich-vu"};
const char* kExt[] = {".html", ".js", ".css", ".png", ".json", ".php", ".aspx", ""};
const char* kAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "curl/7.88.1", "python-requests/2.31.0", "Microsoft-CryptoAPI/10.0"};
const char* kHosts[] = {"www.example.gov.vn", "cdn.example.com", "api.example.net", "portal.example.org",
                        "mail.example.vn", "static.example.com", "news.example.vn", "update.example.com"};

uint16_t csum_fold(uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s);
}
uint32_t csum_add(const uint8_t* p, size_t n, uint32_t s = 0) {
  size_t i = 0;
  for (; i + 1 < n; i += 2) s += static_cast<uint32_t>(p[i]) << 8 | p[i + 1];
  if (i < n) s += static_cast<uint32_t>(p[i]) << 8;
  return s;
}

class Writer {
 public:
  explicit Writer(const char* path) : f_(std::fopen(path, "wb")) {
    if (!f_) {
      std::perror(path);
      std::exit(1);
    }
    std::setvbuf(f_, nullptr, _IOFBF, 8 << 20);
    uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1};
    std::fwrite(hdr, 1, sizeof hdr, f_);
    bytes_ = sizeof hdr;
  }
  ~Writer() { std::fclose(f_); }
  // Ethernet + IPv4 + (TCP|UDP) with payload.
  void packet(uint64_t ts, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, bool is_tcp, uint32_t seq,
              uint32_t ack, uint8_t flags, const uint8_t* payload, size_t n) {
    size_t l4 = is_tcp ? 20 : 8;
    size_t len = 14 + 20 + l4 + n;
    buf_.resize(len);
    uint8_t* b = buf_.data();
    static const uint8_t kMac[12] = {0x00, 0x1b, 0x21, 0x3c, 0x4d, 0x5e, 0x00, 0x25, 0x90, 0xe3, 0xd2, 0xe1};
    std::memcpy(b, kMac, 12);
    b[12] = 0x08;
    b[13] = 0x00;
    uint8_t* ip = b + 14;
    size_t iplen = 20 + l4 + n;
    ip[0] = 0x45;
    ip[1] = 0;
    ip[2] = static_cast<uint8_t>(iplen >> 8);
    ip[3] = static_cast<uint8_t>(iplen);
    ip[4] = static_cast<uint8_t>(id_ >> 8);
    ip[5] = static_cast<uint8_t>(id_++);
    ip[6] = 0x40;
    ip[7] = 0;
    ip[8] = 64;
    ip[9] = is_tcp ? 6 : 17;
    ip[10] = ip[11] = 0;
    for (int i = 0; i < 4; ++i) {
      ip[12 + i] = static_cast<uint8_t>(src >> (24 - 8 * i));
      ip[16 + i] = static_cast<uint8_t>(dst >> (24 - 8 * i));
    }
    uint16_t c = csum_fold(csum_add(ip, 20));
    ip[10] = static_cast<uint8_t>(c >> 8);
    ip[11] = static_cast<uint8_t>(c);
    uint8_t* t = ip + 20;
    t[0] = static_cast<uint8_t>(sp >> 8);
    t[1] = static_cast<uint8_t>(sp);
    t[2] = static_cast<uint8_t>(dp >> 8);
    t[3] = static_cast<uint8_t>(dp);
    if (is_tcp) {
      for (int i = 0; i < 4; ++i) {
        t[4 + i] = static_cast<uint8_t>(seq >> (24 - 8 * i));
        t[8 + i] = static_cast<uint8_t>(ack >> (24 - 8 * i));
      }
      t[12] = 0x50;
      t[13] = flags;
      t[14] = 0xff;
      t[15] = 0xff;
      t[16] = t[17] = t[18] = t[19] = 0;
    } else {
      t[4] = static_cast<uint8_t>((8 + n) >> 8);
      t[5] = static_cast<uint8_t>(8 + n);
      t[6] = t[7] = 0;
    }
    if (n) std::memcpy(t + l4, payload, n);
    uint32_t s = csum_add(ip + 12, 8);
    s += ip[9] + static_cast<uint32_t>(l4 + n);
    s = csum_add(t, l4 + n, s);
    uint16_t tc = csum_fold(s);
    if (!is_tcp && tc == 0) tc = 0xffff;
    t[is_tcp ? 16 : 6] = static_cast<uint8_t>(tc >> 8);
    t[is_tcp ? 17 : 7] = static_cast<uint8_t>(tc);
    uint32_t rec[4] = {static_cast<uint32_t>(ts / 1000000), static_cast<uint32_t>(ts % 1000000),
                       static_cast<uint32_t>(len), static_cast<uint32_t>(len)};
    std::fwrite(rec, 1, sizeof rec, f_);
    std::fwrite(b, 1, len, f_);
    bytes_ += sizeof rec + len;
    ++packets_;
  }
  uint64_t bytes() const { return bytes_; }
  uint64_t packets() const { return packets_; }

 private:
  std::FILE* f_;
  std::vector<uint8_t> buf_;
  uint16_t id_ = 1;
  uint64_t bytes_ = 0, packets_ = 0;
};

// One message of a TCP session: text, or `size` bytes of generated binary with an optional prefix.
struct Message {
  bool from_client;
  std::string text;
  size_t random = 0;
};

struct Session {
  uint32_t cli, srv;
  uint16_t cport, sport;
  uint32_t cseq, sseq;
  std::deque<Message> msgs;
  int stage = 0;  // 0 syn, 1 synack, 2 ack, 3 data, 4 fin c, 5 fin s, 6 last ack, 7 done
  size_t msg_off = 0;
  int unacked = 0;
};

constexpr size_t kMss = 1448;

std::string word(Rng& r) { return kWords[r.below(sizeof kWords / sizeof *kWords)]; }

std::string html_body(Rng& r, size_t n, const char* inject) {
  std::string b = "<html><head><title>" + word(r) + "</title></head><body>";
  if (inject) b += inject;
  while (b.size() < n) {
    b += "<p>" + word(r) + " " + word(r) + " " + std::to_string(r.below(100000)) + " " + word(r) + "</p>\n";
  }
  b += "</body></html>";
  return b;
}

Session make_session(Rng& r) {
  Session s{};
  s.cli = (192u << 24) | (168u << 16) | (r.below(64) << 8) | (1 + r.below(250));
  s.srv = ((r.below(2) ? 93u : 151u) << 24) | (r.below(256) << 16) | (r.below(256) << 8) | (1 + r.below(250));
  s.cport = static_cast<uint16_t>(32768 + r.below(28000));
  s.cseq = static_cast<uint32_t>(r.next());
  s.sseq = static_cast<uint32_t>(r.next());
  uint32_t kind = r.below(100);
  bool evil = r.below(150) == 0;
  if (kind < 45) {  // HTTP, keep-alive with 1-4 requests
    s.sport = 80;
    int n = 1 + static_cast<int>(r.below(4));
    for (int i = 0; i < n; ++i) {
      std::string uri = "/" + word(r) + "/" + word(r) + "/" + std::to_string(r.below(1000000)) +
                        kExt[r.below(sizeof kExt / sizeof *kExt)];
      if (r.below(3) == 0) uri += "?id=" + std::to_string(r.below(99999)) + "&q=" + word(r);
      std::string req = std::string(r.below(10) == 0 ? "POST " : "GET ") + uri + " HTTP/1.1\r\nHost: " +
                        kHosts[r.below(sizeof kHosts / sizeof *kHosts)] + "\r\nUser-Agent: " +
                        kAgents[r.below(sizeof kAgents / sizeof *kAgents)] +
                        "\r\nAccept: */*\r\nAccept-Language: vi-VN,vi;q=0.9,en;q=0.8\r\nCookie: session=" +
                        std::to_string(r.next() % 1000000007) + "\r\nConnection: keep-alive\r\n\r\n";
      s.msgs.push_back({true, req, 0});
      const char* inject = nullptr;
      if (evil) {
        static const char* kEvil[] = {"uid=0(root) gid=0(root) groups=0(root)",
                                      "<script>var x = new ActiveXObject('EasyMail.IMAP4.6'); x.LicenseKey = 'AAAA';</script>"};
        inject = kEvil[r.below(2)];
      }
      size_t body = 500 + r.below(r.below(10) == 0 ? 400000 : 30000);
      std::string b = html_body(r, body, inject);
      std::string resp = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                         std::to_string(b.size()) + "\r\n\r\n" + b;
      s.msgs.push_back({false, resp, 0});
    }
  } else if (kind < 75) {  // TLS: hello with SNI, server hello + certificate, then records
    s.sport = 443;
    std::string host = std::string(kHosts[r.below(sizeof kHosts / sizeof *kHosts)]);
    std::string sni = std::string("\x00\x00", 2) + char(0) + char(host.size() + 5) + char(0) + char(host.size() + 3) +
                      char(0) + char(0) + char(host.size()) + host;
    std::string ch = std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + std::string(32, 'R') +
                     std::string("\x20", 1) + std::string(32, 'S') + std::string("\x00\x08\x13\x01\x13\x02\xc0\x2b\xc0\x2f\x01\x00", 12) + sni;
    ch.resize(517, '\0');
    s.msgs.push_back({true, ch, 0});
    std::string sh = std::string("\x16\x03\x03\x00\x5a\x02\x00\x00\x56\x03\x03", 11);
    s.msgs.push_back({false, sh, 3000 + r.below(2000)});
    s.msgs.push_back({true, std::string("\x14\x03\x03\x00\x01\x01\x17\x03\x03", 9), 300 + r.below(2000)});
    s.msgs.push_back({false, std::string("\x17\x03\x03", 3), 2000 + r.below(r.below(8) == 0 ? 2000000 : 60000)});
  } else if (kind < 85) {  // SMB2-like request/response pairs
    s.sport = 445;
    int n = 2 + static_cast<int>(r.below(6));
    for (int i = 0; i < n; ++i) {
      std::string hdr = std::string("\x00\x00\x01\x00\xfeSMB\x40\x00", 10);
      s.msgs.push_back({true, hdr, 100 + r.below(400)});
      s.msgs.push_back({false, hdr, 200 + r.below(r.below(4) == 0 ? 200000 : 4000)});
    }
  } else {  // bulk download
    s.sport = static_cast<uint16_t>(r.below(2) ? 8080 : 21);
    s.msgs.push_back({true, "GET /files/backup-" + std::to_string(r.below(9999)) + ".tar.gz HTTP/1.1\r\nHost: files\r\n\r\n", 0});
    s.msgs.push_back({false, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n", 200000 + r.below(1500000)});
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::fprintf(stderr, "usage: %s OUT.pcap [SIZE_MB=600] [SEED=1]\n", argv[0]);
    return 2;
  }
  uint64_t target = (argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 600) << 20;
  Rng r{argc > 3 ? std::strtoull(argv[3], nullptr, 10) * 0x9e3779b97f4a7c15ull + 1 : 88172645463325252ull};
  Writer w(argv[1]);
  std::vector<Session> active;
  uint64_t ts = 1'763'900'000'000'000ull;
  std::vector<uint8_t> seg(kMss);
  const size_t kConcurrent = 300;
  uint64_t dns_id = 0;
  while (w.bytes() < target || !active.empty()) {
    while (w.bytes() < target && active.size() < kConcurrent) active.push_back(make_session(r));
    ts += 2 + r.below(8);
    if (r.below(20) == 0) {  // DNS query and answer
      uint32_t cli = (192u << 24) | (168u << 16) | (r.below(64) << 8) | (1 + r.below(250));
      uint32_t dns = (8u << 24) | (8u << 16) | (8u << 8) | 8u;
      uint16_t port = static_cast<uint16_t>(1024 + r.below(60000));
      std::string name = word(r) + "." + kHosts[r.below(sizeof kHosts / sizeof *kHosts)];
      std::string q;
      q += char(dns_id >> 8);
      q += char(dns_id++);
      q += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);
      size_t start = 0;
      while (start <= name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string::npos) dot = name.size();
        q += char(dot - start);
        q += name.substr(start, dot - start);
        start = dot + 1;
      }
      q += std::string("\x00\x00\x01\x00\x01", 5);
      w.packet(ts, cli, dns, port, 53, false, 0, 0, 0, reinterpret_cast<const uint8_t*>(q.data()), q.size());
      std::string a = q;
      a[2] = '\x81';
      a[3] = '\x80';
      a[7] = 1;
      a += std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04", 12);
      a += char(93);
      a += char(r.below(256));
      a += char(r.below(256));
      a += char(1 + r.below(250));
      w.packet(ts + 1, dns, cli, 53, port, false, 0, 0, 0, reinterpret_cast<const uint8_t*>(a.data()), a.size());
      continue;
    }
    size_t i = r.below(static_cast<uint32_t>(active.size()));
    Session& s = active[i];
    switch (s.stage) {
      case 0:
        w.packet(ts, s.cli, s.srv, s.cport, s.sport, true, s.cseq++, 0, 0x02, nullptr, 0);
        s.stage = 1;
        break;
      case 1:
        w.packet(ts, s.srv, s.cli, s.sport, s.cport, true, s.sseq++, s.cseq, 0x12, nullptr, 0);
        s.stage = 2;
        break;
      case 2:
        w.packet(ts, s.cli, s.srv, s.cport, s.sport, true, s.cseq, s.sseq, 0x10, nullptr, 0);
        s.stage = 3;
        break;
      case 3: {
        if (s.msgs.empty()) {
          s.stage = 4;
          break;
        }
        Message& m = s.msgs.front();
        size_t total = m.text.size() + m.random;
        size_t n = std::min(kMss, total - s.msg_off);
        for (size_t k = 0; k < n; ++k) {
          size_t pos = s.msg_off + k;
          if (pos < m.text.size()) seg[k] = static_cast<uint8_t>(m.text[pos]);
          else {
            r.fill(seg.data() + k, n - k);
            break;
          }
        }
        bool last = s.msg_off + n == total;
        uint32_t& seq = m.from_client ? s.cseq : s.sseq;
        uint32_t ack = m.from_client ? s.sseq : s.cseq;
        if (m.from_client) w.packet(ts, s.cli, s.srv, s.cport, s.sport, true, seq, ack, last ? 0x18 : 0x10, seg.data(), n);
        else w.packet(ts, s.srv, s.cli, s.sport, s.cport, true, seq, ack, last ? 0x18 : 0x10, seg.data(), n);
        seq += static_cast<uint32_t>(n);
        s.msg_off += n;
        // The receiver ACKs every second segment and at the end of a message.
        if (++s.unacked >= 2 || last) {
          s.unacked = 0;
          if (m.from_client) w.packet(ts + 1, s.srv, s.cli, s.sport, s.cport, true, s.sseq, s.cseq, 0x10, nullptr, 0);
          else w.packet(ts + 1, s.cli, s.srv, s.cport, s.sport, true, s.cseq, s.sseq, 0x10, nullptr, 0);
        }
        if (last) {
          s.msgs.pop_front();
          s.msg_off = 0;
        }
        break;
      }
      case 4:
        w.packet(ts, s.cli, s.srv, s.cport, s.sport, true, s.cseq++, s.sseq, 0x11, nullptr, 0);
        s.stage = 5;
        break;
      case 5:
        w.packet(ts, s.srv, s.cli, s.sport, s.cport, true, s.sseq++, s.cseq, 0x11, nullptr, 0);
        s.stage = 6;
        break;
      case 6:
        w.packet(ts, s.cli, s.srv, s.cport, s.sport, true, s.cseq, s.sseq, 0x10, nullptr, 0);
        s.stage = 7;
        break;
    }
    if (s.stage == 7) {
      active[i] = active.back();
      active.pop_back();
    }
  }
  std::fprintf(stderr, "wrote %s: %llu packets, %.1f MB\n", argv[1], static_cast<unsigned long long>(w.packets()),
               static_cast<double>(w.bytes()) / (1 << 20));
  return 0;
}
