#include "cli/demo_data.h"

#include <array>
#include <cstring>

namespace canh::cli::demo {

// The rules are ours, written for the capture below; msg prefix CANH-DEMO, sids 9000001-9000099
// (the local range: ET Open and Snort keep clear of it). Severity comes from the classtype's
// priority in Suricata's classification.config: 1 for attacks that worked or nearly did, 2 for
// reconnaissance and suspicious downloads, 3 for policy and noise.
const char* const kRules = R"rules(# Canh demo rules: written for the demo capture (canh demo --export DIR writes both).
# Address variables are Suricata's defaults: HOME_NET is the private ranges, EXTERNAL_NET the rest.

alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"CANH-DEMO WEB SQL injection attempt (UNION SELECT in URI)"; flow:established,to_server; http.uri; content:"union"; nocase; content:"select"; nocase; distance:0; classtype:web-application-attack; sid:9000001; rev:1; metadata:attack_target Web_Server, created_at 2026_11_23;)
alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"CANH-DEMO SCAN sqlmap user agent"; flow:established,to_server; http.user_agent; content:"sqlmap/"; nocase; classtype:attempted-recon; sid:9000002; rev:1;)
alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"CANH-DEMO WEB path traversal to /etc/passwd"; flow:established,to_server; http.uri; content:"../"; content:"etc/passwd"; distance:0; classtype:web-application-attack; sid:9000003; rev:1;)
alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"CANH-DEMO WEB /etc/passwd contents in HTTP response"; flow:established,to_client; http.response_body; content:"root:x:0:0:"; classtype:successful-recon-limited; sid:9000004; rev:1;)
alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"CANH-DEMO WEB web shell command in POST body"; flow:established,to_server; http.method; content:"POST"; http.uri; content:".php"; http.request_body; content:"cmd="; startswith; classtype:attempted-admin; sid:9000005; rev:1;)
alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"CANH-DEMO SCAN Nikto web scanner"; flow:established,to_server; http.user_agent; content:"Nikto"; classtype:web-application-activity; sid:9000006; rev:1;)
alert dns $HOME_NET any -> any any (msg:"CANH-DEMO MALWARE DNS lookup of badcorp-updates C2 domain"; dns.query; content:"badcorp-updates.example"; nocase; endswith; classtype:trojan-activity; sid:9000007; rev:1;)
alert tls $HOME_NET any -> $EXTERNAL_NET any (msg:"CANH-DEMO MALWARE TLS session to badcorp-updates C2 (SNI)"; flow:established,to_server; tls.sni; content:"badcorp-updates.example"; nocase; endswith; classtype:trojan-activity; sid:9000008; rev:1;)
alert http $EXTERNAL_NET any -> $HOME_NET any (msg:"CANH-DEMO POLICY Windows executable downloaded over plain HTTP"; flow:established,to_client; http.response_body; content:"MZ"; depth:2; content:"This program cannot be run in DOS mode"; distance:0; classtype:bad-unknown; sid:9000009; rev:1;)
alert tcp $EXTERNAL_NET any -> $HOME_NET any (msg:"CANH-DEMO SCAN many SYNs from one outside address"; flow:stateless; flags:S,12; threshold:type threshold, track by_src, count 20, seconds 60; classtype:network-scan; sid:9000010; rev:1;)
alert tcp $HOME_NET any -> $HOME_NET 21 (msg:"CANH-DEMO POLICY FTP password sent in clear text"; flow:to_server; content:"|0d 0a|PASS "; classtype:misc-activity; sid:9000011; rev:1;)
alert icmp $EXTERNAL_NET any -> $HOME_NET any (msg:"CANH-DEMO ICMP echo request from outside"; itype:8; classtype:misc-activity; sid:9000012; rev:1;)
alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"CANH-DEMO WEB command output (id) in HTTP response"; flow:established,to_client; http.response_body; content:"uid="; content:"gid="; distance:0; classtype:attempted-admin; sid:9000013; rev:1;)
)rules";

const std::vector<ExpectedAlert>& expected_alerts() {
  static const std::vector<ExpectedAlert> e = {
      {9000001, 1, "SQL injection (UNION SELECT) against the portal"},
      {9000002, 2, "sqlmap scanning the portal"},
      {9000003, 1, "path traversal to /etc/passwd"},
      {9000004, 1, "/etc/passwd leaked in the response"},
      {9000005, 1, "web shell command"},
      {9000006, 3, "Nikto scanning the portal"},
      {9000007, 2, "workstation looking up a C2 domain"},
      {9000008, 2, "workstation opening TLS to the C2 server"},
      {9000009, 1, "executable downloaded over HTTP"},
      {9000010, 2, "port scan"},
      {9000011, 1, "FTP password in clear text"},
      {9000012, 1, "ping from outside"},
      {9000013, 1, "command output returned by the web shell"},
  };
  return e;
}

const std::vector<std::string>& system_ranges() {
  static const std::vector<std::string> r = {"10.20.1.0/24", "10.20.5.0/24"};
  return r;
}

namespace {

// splitmix64: deterministic bytes for TLS randoms, ports and sequence numbers.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  std::string bytes(size_t n) {
    std::string b(n, '\0');
    for (auto& c : b) c = static_cast<char>(next() & 0xff);
    return b;
  }
};

struct Host {
  std::array<uint8_t, 6> mac;
  std::array<uint8_t, 4> ip;
};

// Hosts inside the agency (HOME_NET) are seen with their own MAC; everything outside arrives through
// the gateway's, as a SPAN port behind the router shows it.
const std::array<uint8_t, 6> kGatewayMac = {0x00, 0x1b, 0x21, 0x3a, 0x00, 0x01};
Host inside(uint8_t c, uint8_t d) { return {{0x52, 0x54, 0x00, 0x20, c, d}, {10, 20, c, d}}; }
Host outside(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {kGatewayMac, {a, b, c, d}}; }

void put16(std::string& s, uint16_t v) {
  s += static_cast<char>(v >> 8);
  s += static_cast<char>(v & 0xff);
}
void put32(std::string& s, uint32_t v) {
  put16(s, static_cast<uint16_t>(v >> 16));
  put16(s, static_cast<uint16_t>(v & 0xffff));
}
void le32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put24(std::string& s, uint32_t v) {
  s += static_cast<char>((v >> 16) & 0xff);
  put16(s, static_cast<uint16_t>(v & 0xffff));
}

uint32_t sum16(const std::string& s, uint32_t acc = 0) {
  for (size_t i = 0; i + 1 < s.size(); i += 2)
    acc += (static_cast<uint8_t>(s[i]) << 8) | static_cast<uint8_t>(s[i + 1]);
  if (s.size() & 1) acc += static_cast<uint8_t>(s.back()) << 8;
  return acc;
}
uint16_t fold(uint32_t acc) {
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint16_t>(~acc & 0xffff);
}

class Capture {
 public:
  Capture(int64_t start_us) : t_(start_us) {
    le32(out_, 0xa1b2c3d4);
    out_ += std::string("\x02\x00\x04\x00", 4);  // version 2.4
    le32(out_, 0);                                // thiszone
    le32(out_, 0);                                // sigfigs
    le32(out_, 262144);                           // snaplen
    le32(out_, 1);                                // LINKTYPE_ETHERNET
  }

  // Moves the clock to `offset_s` seconds after the start (flows are laid out on a timeline).
  void at(double offset_s, int64_t start_us) { t_ = std::max(t_, start_us + static_cast<int64_t>(offset_s * 1e6)); }
  void wait(int64_t us) { t_ += us; }
  Rng& rng() { return rng_; }

  void ip_packet(const Host& src, const Host& dst, uint8_t proto, const std::string& l4) {
    std::string eth(dst.mac.begin(), dst.mac.end());
    eth.append(src.mac.begin(), src.mac.end());
    put16(eth, 0x0800);
    std::string ip;
    ip += '\x45';
    ip += '\0';
    put16(ip, static_cast<uint16_t>(20 + l4.size()));
    put16(ip, ip_id_++);
    put16(ip, 0x4000);  // don't fragment
    ip += static_cast<char>(src.ip[0] == 10 ? 64 : 52);
    ip += static_cast<char>(proto);
    put16(ip, 0);
    ip.append(src.ip.begin(), src.ip.end());
    ip.append(dst.ip.begin(), dst.ip.end());
    uint16_t c = fold(sum16(ip));
    ip[10] = static_cast<char>(c >> 8);
    ip[11] = static_cast<char>(c & 0xff);
    record(eth + ip + l4);
  }

  // TCP/UDP checksum over the IPv4 pseudo header.
  static uint16_t l4_checksum(const Host& src, const Host& dst, uint8_t proto, const std::string& l4) {
    std::string ph(src.ip.begin(), src.ip.end());
    ph.append(dst.ip.begin(), dst.ip.end());
    ph += '\0';
    ph += static_cast<char>(proto);
    put16(ph, static_cast<uint16_t>(l4.size()));
    return fold(sum16(l4, sum16(ph)));
  }

  void udp(const Host& src, uint16_t sport, const Host& dst, uint16_t dport, const std::string& payload) {
    std::string u;
    put16(u, sport);
    put16(u, dport);
    put16(u, static_cast<uint16_t>(8 + payload.size()));
    put16(u, 0);
    u += payload;
    uint16_t c = l4_checksum(src, dst, 17, u);
    u[6] = static_cast<char>(c >> 8);
    u[7] = static_cast<char>(c & 0xff);
    ip_packet(src, dst, 17, u);
  }

  void icmp_echo(const Host& src, const Host& dst, bool request, uint16_t id, uint16_t seq) {
    std::string m;
    m += static_cast<char>(request ? 8 : 0);
    m += '\0';
    put16(m, 0);
    put16(m, id);
    put16(m, seq);
    for (int i = 0; i < 48; ++i) m += static_cast<char>(0x10 + i);  // the pattern ping(8) sends
    uint16_t c = fold(sum16(m));
    m[2] = static_cast<char>(c >> 8);
    m[3] = static_cast<char>(c & 0xff);
    ip_packet(src, dst, 1, m);
  }

  std::string take() { return std::move(out_); }

 private:
  void record(const std::string& frame) {
    le32(out_, static_cast<uint32_t>(t_ / 1000000));
    le32(out_, static_cast<uint32_t>(t_ % 1000000));
    le32(out_, static_cast<uint32_t>(frame.size()));
    le32(out_, static_cast<uint32_t>(frame.size()));
    out_ += frame;
    t_ += 37;  // the next frame cannot share the timestamp
  }

  std::string out_;
  int64_t t_;
  uint16_t ip_id_ = 0x1c46;
  Rng rng_{0xca4e2026};
};

// One TCP connection: handshake, data both ways in MSS-sized segments with ACKs, orderly close.
class Tcp {
 public:
  enum Flags : uint8_t { kFin = 1, kSyn = 2, kRst = 4, kPsh = 8, kAck = 16 };

  Tcp(Capture& cap, Host client, Host server, uint16_t sport, int64_t rtt_us)
      : cap_(cap), c_(client), s_(server), cport_(static_cast<uint16_t>(40000 + cap.rng().below(20000))), sport_(sport),
        rtt_(rtt_us) {
    cseq_ = static_cast<uint32_t>(cap.rng().next());
    sseq_ = static_cast<uint32_t>(cap.rng().next());
  }

  void open() {
    seg(true, kSyn, "", cseq_, 0, true);
    ++cseq_;
    cap_.wait(rtt_ / 2);
    seg(false, kSyn | kAck, "", sseq_, cseq_, true);
    ++sseq_;
    cap_.wait(rtt_ / 2);
    seg(true, kAck, "", cseq_, sseq_);
  }
  void client(const std::string& data) { send(true, data); }
  void server(const std::string& data) { send(false, data); }
  void close() {
    cap_.wait(200);
    seg(true, kFin | kAck, "", cseq_, sseq_);
    ++cseq_;
    cap_.wait(rtt_ / 2);
    seg(false, kFin | kAck, "", sseq_, cseq_);
    ++sseq_;
    cap_.wait(rtt_ / 2);
    seg(true, kAck, "", cseq_, sseq_);
  }
  // A port that is closed: SYN, then RST-ACK.
  void refused() {
    seg(true, kSyn, "", cseq_, 0, true);
    cap_.wait(rtt_ / 2);
    seg(false, kRst | kAck, "", 0, cseq_ + 1);
  }
  // A scanner that got SYN-ACK and resets instead of completing the handshake.
  void half_open() {
    seg(true, kSyn, "", cseq_, 0, true);
    cap_.wait(rtt_ / 2);
    seg(false, kSyn | kAck, "", sseq_, cseq_ + 1, true);
    cap_.wait(100);
    seg(true, kRst, "", cseq_ + 1, 0);
  }

 private:
  void send(bool from_client, const std::string& data) {
    constexpr size_t kMss = 1448;
    uint32_t& seq = from_client ? cseq_ : sseq_;
    uint32_t& ack = from_client ? sseq_ : cseq_;
    for (size_t off = 0; off < data.size(); off += kMss) {
      std::string part = data.substr(off, kMss);
      bool last = off + kMss >= data.size();
      seg(from_client, kAck | (last ? kPsh : 0), part, seq, ack);
      seq += static_cast<uint32_t>(part.size());
      cap_.wait(120);
    }
    cap_.wait(rtt_ / 2);
    seg(!from_client, kAck, "", ack, seq);
    cap_.wait(300);
  }

  void seg(bool from_client, uint8_t flags, const std::string& payload, uint32_t seq, uint32_t ack, bool syn_options = false) {
    const Host& src = from_client ? c_ : s_;
    const Host& dst = from_client ? s_ : c_;
    std::string t;
    put16(t, from_client ? cport_ : sport_);
    put16(t, from_client ? sport_ : cport_);
    put32(t, seq);
    put32(t, (flags & kAck) ? ack : 0);
    std::string opts;
    if (syn_options) {
      // MSS 1460, SACK permitted, window scale 7: what Linux and Windows offer.
      opts = std::string("\x02\x04\x05\xb4\x04\x02\x01\x03\x03\x07", 10);
      opts += std::string(2, '\x01');
    }
    t += static_cast<char>(((20 + opts.size()) / 4) << 4);
    t += static_cast<char>(flags);
    put16(t, from_client ? 64240 : 65160);
    put16(t, 0);
    put16(t, 0);
    t += opts;
    t += payload;
    uint16_t c = Capture::l4_checksum(src, dst, 6, t);
    t[16] = static_cast<char>(c >> 8);
    t[17] = static_cast<char>(c & 0xff);
    cap_.ip_packet(src, dst, 6, t);
  }

  Capture& cap_;
  Host c_, s_;
  uint16_t cport_, sport_;
  uint32_t cseq_ = 0, sseq_ = 0;
  int64_t rtt_;
};

// --- application payloads --------------------------------------------------------------------

std::string dns_name(const std::string& name) {
  std::string out;
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    out += static_cast<char>(dot - start);
    out += name.substr(start, dot - start);
    start = dot + 1;
  }
  out += '\0';
  return out;
}

std::string dns_query(uint16_t id, const std::string& name) {
  std::string m;
  put16(m, id);
  put16(m, 0x0100);  // standard query, recursion desired
  put16(m, 1);
  put16(m, 0);
  put16(m, 0);
  put16(m, 0);
  m += dns_name(name);
  put16(m, 1);  // A
  put16(m, 1);  // IN
  return m;
}

std::string dns_answer(uint16_t id, const std::string& name, std::array<uint8_t, 4> addr) {
  std::string m;
  put16(m, id);
  put16(m, 0x8180);  // response, recursion desired and available, no error
  put16(m, 1);
  put16(m, 1);
  put16(m, 0);
  put16(m, 0);
  m += dns_name(name);
  put16(m, 1);
  put16(m, 1);
  put16(m, 0xc00c);  // the name of the question
  put16(m, 1);
  put16(m, 1);
  put32(m, 300);
  put16(m, 4);
  m.append(addr.begin(), addr.end());
  return m;
}

std::string tls_client_hello(Rng& rng, const std::string& sni) {
  std::string ext;
  // server_name
  std::string sn;
  put16(sn, static_cast<uint16_t>(sni.size() + 3));
  sn += '\0';
  put16(sn, static_cast<uint16_t>(sni.size()));
  sn += sni;
  put16(ext, 0x0000);
  put16(ext, static_cast<uint16_t>(sn.size()));
  ext += sn;
  // supported_groups: x25519, secp256r1, secp384r1
  put16(ext, 0x000a);
  put16(ext, 8);
  put16(ext, 6);
  put16(ext, 0x001d);
  put16(ext, 0x0017);
  put16(ext, 0x0018);
  // ec_point_formats: uncompressed
  put16(ext, 0x000b);
  put16(ext, 2);
  ext += '\x01';
  ext += '\0';
  // signature_algorithms
  put16(ext, 0x000d);
  put16(ext, 8);
  put16(ext, 6);
  put16(ext, 0x0403);
  put16(ext, 0x0804);
  put16(ext, 0x0401);
  // application_layer_protocol_negotiation: http/1.1
  put16(ext, 0x0010);
  put16(ext, 11);
  put16(ext, 9);
  ext += '\x08';
  ext += "http/1.1";
  std::string body;
  put16(body, 0x0303);
  body += rng.bytes(32);
  body += '\x20';
  body += rng.bytes(32);
  const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0x009c};
  put16(body, sizeof suites);
  for (uint16_t s : suites) put16(body, s);
  body += '\x01';
  body += '\0';
  put16(body, static_cast<uint16_t>(ext.size()));
  body += ext;
  std::string hs;
  hs += '\x01';
  put24(hs, static_cast<uint32_t>(body.size()));
  hs += body;
  std::string rec;
  rec += '\x16';
  put16(rec, 0x0301);
  put16(rec, static_cast<uint16_t>(hs.size()));
  return rec + hs;
}

std::string tls_server_hello(Rng& rng) {
  std::string body;
  put16(body, 0x0303);
  body += rng.bytes(32);
  body += '\x20';
  body += rng.bytes(32);
  put16(body, 0xc02f);  // ECDHE-RSA-AES128-GCM-SHA256
  body += '\0';
  put16(body, 5);       // extensions: renegotiation_info
  put16(body, 0xff01);
  put16(body, 1);
  body += '\0';
  std::string hs;
  hs += '\x02';
  put24(hs, static_cast<uint32_t>(body.size()));
  hs += body;
  std::string rec;
  rec += '\x16';
  put16(rec, 0x0303);
  put16(rec, static_cast<uint16_t>(hs.size()));
  return rec + hs;
}

std::string tls_app_data(Rng& rng, size_t n) {
  std::string rec;
  rec += '\x17';
  put16(rec, 0x0303);
  put16(rec, static_cast<uint16_t>(n));
  return rec + rng.bytes(n);
}

std::string http_response(const std::string& status, const std::string& type, const std::string& body,
                          const std::string& extra = "") {
  return "HTTP/1.1 " + status + "\r\nServer: nginx/1.22.1\r\nDate: Mon, 23 Nov 2026 08:00:00 GMT\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "Connection: keep-alive\r\n\r\n" + body;
}

std::string http_get(const std::string& host, const std::string& uri, const std::string& ua,
                     const std::string& accept = "text/html,application/xhtml+xml,*/*;q=0.8") {
  return "GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: " + ua + "\r\nAccept: " + accept +
         "\r\nAccept-Language: vi-VN,vi;q=0.9,en;q=0.8\r\nAccept-Encoding: identity\r\nConnection: keep-alive\r\n\r\n";
}

std::string portal_page(const std::string& title, size_t paragraphs) {
  std::string b = "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>" + title +
                  "</title><link rel=\"stylesheet\" href=\"/assets/site.css\"></head>\n<body><h1>" + title + "</h1>\n";
  for (size_t i = 0; i < paragraphs; ++i)
    b += "<p>Thong bao so " + std::to_string(100 + i) +
         ": lich tiep cong dan, thu tuc hanh chinh va van ban chi dao dieu hanh cua Uy ban nhan dan tinh.</p>\n";
  return b + "</body></html>\n";
}

const char* kFirefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
const char* kChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

}  // namespace

std::string make_capture(int64_t start_us) {
  Capture cap(start_us);
  Rng& rng = cap.rng();
  const Host portal = inside(1, 10), resolver = inside(1, 53), ftp = inside(1, 21);
  const Host ws21 = inside(5, 21), ws30 = inside(5, 30), ws37 = inside(5, 37), ws44 = inside(5, 44);
  const Host web_ext = outside(203, 0, 113, 10), c2 = outside(203, 0, 113, 66), files = outside(203, 0, 113, 80);
  const Host attacker = outside(198, 51, 100, 23), scanner = outside(198, 51, 100, 77);
  const std::string portal_name = "cong.example.gov.vn";
  uint16_t dns_id = 0x3a10;

  auto lookup = [&](const Host& client, const std::string& name, std::array<uint8_t, 4> addr) {
    uint16_t sport = static_cast<uint16_t>(30000 + rng.below(30000));
    cap.udp(client, sport, resolver, 53, dns_query(dns_id, name));
    cap.wait(900);
    cap.udp(resolver, 53, client, sport, dns_answer(dns_id, name, addr));
    ++dns_id;
    cap.wait(2000);
  };
  auto browse_portal = [&](const Host& client, const char* ua, std::initializer_list<const char*> pages) {
    Tcp t(cap, client, portal, 80, 600);
    t.open();
    for (const char* uri : pages) {
      t.client(http_get(portal_name, uri, ua));
      std::string path = uri;
      if (path.ends_with(".css"))
        t.server(http_response("200 OK", "text/css", "body{font-family:sans-serif;margin:0 auto;max-width:60em}\n"));
      else
        t.server(http_response("200 OK", "text/html; charset=utf-8", portal_page("Cong thong tin dien tu tinh", 12 + rng.below(20))));
      cap.wait(150000);
    }
    t.close();
  };
  auto tls_session = [&](const Host& client, const Host& server, const std::string& sni, int records) {
    Tcp t(cap, client, server, 443, 24000);
    t.open();
    t.client(tls_client_hello(rng, sni));
    t.server(tls_server_hello(rng) + tls_app_data(rng, 1200 + rng.below(1500)));
    t.client(tls_app_data(rng, 80));
    for (int i = 0; i < records; ++i) {
      t.client(tls_app_data(rng, 300 + rng.below(400)));
      t.server(tls_app_data(rng, 900 + rng.below(3000)));
    }
    t.close();
  };

  // 0-60 s: a normal morning: the portal, DNS, an external HTTPS site, a backup job over FTP.
  cap.at(2, start_us);
  lookup(ws21, portal_name, portal.ip);
  browse_portal(ws21, kFirefox, {"/", "/assets/site.css", "/tin-tuc/thong-bao.html"});
  cap.at(14, start_us);
  lookup(ws30, "www.example.com", web_ext.ip);
  tls_session(ws30, web_ext, "www.example.com", 3);
  cap.at(25, start_us);
  {
    Tcp t(cap, ws44, ftp, 21, 500);
    t.open();
    t.server("220 (vsFTPd 3.0.3)\r\n");
    t.client("USER backup\r\n");
    t.server("331 Please specify the password.\r\n");
    t.client("PASS Sao-luu-2026\r\n");
    t.server("230 Login successful.\r\n");
    t.client("QUIT\r\n");
    t.server("221 Goodbye.\r\n");
    t.close();
  }
  cap.at(38, start_us);
  lookup(ws37, portal_name, portal.ip);
  browse_portal(ws37, kChrome, {"/", "/thu-tuc/danh-sach.html"});

  // 60-70 s: someone outside pings the portal, then sweeps its ports.
  cap.at(60, start_us);
  cap.icmp_echo(scanner, portal, true, 0x4d2, 1);
  cap.wait(31000);
  cap.icmp_echo(portal, scanner, false, 0x4d2, 1);
  cap.at(62, start_us);
  const uint16_t ports[] = {21,  22,  23,  25,   53,   80,   110,  111,  135,  139,  143,  389,  443,  445,
                            465, 587, 993, 995,  1433, 1521, 1723, 2049, 3306, 3389, 5432, 5900, 6379, 8000,
                            8008, 8080, 8443, 8888, 9000, 9090, 9200, 9443, 10000, 11211, 27017, 50000};
  for (uint16_t p : ports) {
    Tcp t(cap, scanner, portal, p, 30000);
    if (p == 80 || p == 443) t.half_open();
    else t.refused();
    cap.wait(2500);
  }

  // 120-200 s: Nikto against the portal, then sqlmap, from another address.
  cap.at(120, start_us);
  {
    Tcp t(cap, attacker, portal, 80, 28000);
    t.open();
    const char* ua = "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000124)";
    for (const char* uri : {"/admin/", "/phpmyadmin/", "/.env"}) {
      t.client(http_get(portal_name, uri, ua, "*/*"));
      t.server(http_response("404 Not Found", "text/html", "<html><body><h1>404 Not Found</h1></body></html>\n"));
    }
    t.close();
  }
  cap.at(150, start_us);
  {
    Tcp t(cap, attacker, portal, 80, 28000);
    t.open();
    const char* ua = "sqlmap/1.7.2#stable (https://sqlmap.org)";
    t.client(http_get(portal_name, "/tin-tuc/chi-tiet.php?id=1%20AND%205193%3D5193", ua, "*/*"));
    t.server(http_response("200 OK", "text/html; charset=utf-8", portal_page("Tin tuc", 4)));
    t.client(http_get(portal_name,
                      "/tin-tuc/chi-tiet.php?id=1%20UNION%20ALL%20SELECT%20NULL%2Cusername%2Cpassword%20FROM%20users--%20-",
                      ua, "*/*"));
    t.server(http_response("500 Internal Server Error", "text/html",
                           "<b>Warning</b>: mysqli_query(): (21000/1222): The used SELECT statements have a different "
                           "number of columns in /var/www/html/tin-tuc/chi-tiet.php on line 42\n"));
    t.close();
  }

  // 210-260 s: path traversal that works, then a web shell someone left in the uploads folder.
  cap.at(210, start_us);
  {
    Tcp t(cap, attacker, portal, 80, 28000);
    t.open();
    t.client(http_get(portal_name, "/van-ban/tai-ve.php?file=../../../../etc/passwd", "curl/8.4.0", "*/*"));
    t.server(http_response("200 OK", "application/octet-stream",
                           "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                           "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"));
    t.close();
  }
  cap.at(245, start_us);
  {
    Tcp t(cap, attacker, portal, 80, 28000);
    t.open();
    std::string body = "cmd=id%3Bhostname";
    t.client("POST /uploads/2026/11/anh_3921.php HTTP/1.1\r\nHost: " + portal_name +
             "\r\nUser-Agent: python-requests/2.31.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    t.server(http_response("200 OK", "text/plain", "uid=33(www-data) gid=33(www-data) groups=33(www-data)\nweb01\n"));
    t.close();
  }

  // 300-420 s: an infected workstation beacons to its C2 twice; another downloads an executable.
  for (double when : {300.0, 390.0}) {
    cap.at(when, start_us);
    lookup(ws37, "c2.badcorp-updates.example", c2.ip);
    tls_session(ws37, c2, "c2.badcorp-updates.example", 1);
  }
  cap.at(330, start_us);
  lookup(ws44, "files.example.net", files.ip);
  {
    Tcp t(cap, ws44, files, 80, 35000);
    t.open();
    t.client(http_get("files.example.net", "/download/hoa-don-thang-11.exe", kChrome, "*/*"));
    // A PE file's start: the MZ header, then the DOS stub (its code, then its famous message).
    const uint8_t stub[] = {0x0e, 0x1f, 0xba, 0x0e, 0x00, 0xb4, 0x09, 0xcd, 0x21, 0xb8, 0x01, 0x4c, 0xcd, 0x21};
    std::string exe = std::string("MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0", 16) + std::string(48, '\0') +
                      std::string(reinterpret_cast<const char*>(stub), sizeof stub) +
                      "This program cannot be run in DOS mode.\r\r\n$" + rng.bytes(900);
    t.server(http_response("200 OK", "application/octet-stream", exe,
                           "Content-Disposition: attachment; filename=\"hoa-don-thang-11.exe\"\r\n"));
    t.close();
  }

  // 420-480 s: ordinary work goes on.
  cap.at(420, start_us);
  lookup(ws21, "www.example.com", web_ext.ip);
  tls_session(ws21, web_ext, "www.example.com", 2);
  cap.at(450, start_us);
  browse_portal(ws30, kChrome, {"/", "/tin-tuc/thong-bao.html", "/assets/site.css"});
  return cap.take();
}

}  // namespace canh::cli::demo
