#include "sensor/app/tls_parser.h"

#include <algorithm>
#include <cstdio>

#include "sensor/app/digest.h"

namespace canh::sensor::app {
namespace {

constexpr uint8_t kChangeCipherSpec = 20;
constexpr uint8_t kHandshake = 22;
constexpr uint32_t kMaxRecord = 16384 + 2048;  // TLSCiphertext limit (RFC 5246 section 6.2.3)

// Bounds-checked reader over a handshake message: a read past the end yields zeros and clears ok,
// so one check at the end tells whether the message was whole.
struct Reader {
  std::span<const uint8_t> s;
  bool ok = true;

  bool take(size_t n, std::span<const uint8_t>* out) {
    if (!ok || s.size() < n) {
      ok = false;
      *out = {};
      return false;
    }
    *out = s.first(n);
    s = s.subspan(n);
    return true;
  }
  uint32_t uint(size_t n) {
    std::span<const uint8_t> b;
    if (!take(n, &b)) return 0;
    uint32_t v = 0;
    for (uint8_t x : b) v = (v << 8) | x;
    return v;
  }
  std::span<const uint8_t> vec(size_t len_bytes) {
    std::span<const uint8_t> b;
    take(uint(len_bytes), &b);
    return b;
  }
  bool empty() const { return s.empty(); }
};

bool grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

void append_number(uint32_t v, std::string* out) {
  char buf[12];
  int n = std::snprintf(buf, sizeof(buf), "%u", v);
  out->append(buf, static_cast<size_t>(n));
}

// Appends the non-GREASE 16-bit values of `list`, '-' separated.
void append_u16_list(std::span<const uint8_t> list, std::string* out) {
  bool first = true;
  for (size_t i = 0; i + 1 < list.size(); i += 2) {
    uint16_t v = be16(list.data() + i);
    if (grease(v)) continue;
    if (!first) out->push_back('-');
    first = false;
    append_number(v, out);
  }
}

void set_md5_hex(std::string_view text, std::string* out) {
  auto digest = md5(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  out->clear();
  append_hex(digest, out);
}

}  // namespace

void TlsSession::clear() {
  client_hello = server_hello = has_cert = false;
  client_version = server_version = version = cipher = 0;
  sni.clear();
  alpn.clear();
  ja3.clear();
  ja3_hash.clear();
  ja3s.clear();
  ja3s_hash.clear();
  cert.clear();
  cert_fingerprint.clear();
  cert_count = 0;
}

std::string_view TlsSession::version_name() const {
  switch (version) {
    case 0x0002: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return "UNDETERMINED";
  }
}

TlsParser::TlsParser(const TlsLimits& limits) : limits_(limits) {}

void TlsParser::reset() {
  session_.clear();
  for (Side& s : sides_) {
    std::string keep = std::move(s.hs_body);
    keep.clear();
    s = Side{};
    s.hs_body = std::move(keep);
  }
}

void TlsParser::gap(Dir dir) {
  Side& s = sides_[dir_index(dir)];
  s.stopped = true;
  s.by_gap = true;
}

void TlsParser::feed(Dir dir, std::span<const uint8_t> data, TxObserver* obs) {
  Side& s = sides_[dir_index(dir)];
  while (!data.empty() && !s.stopped) {
    if (s.hdr_len < 5) {
      size_t take = std::min<size_t>(5 - s.hdr_len, data.size());
      std::copy_n(data.begin(), take, s.hdr + s.hdr_len);
      s.hdr_len = static_cast<uint8_t>(s.hdr_len + take);
      data = data.subspan(take);
      if (s.hdr_len < 5) break;
      if ((s.hdr[0] & 0x80) != 0 && s.hdr[2] == 0x01) {
        // SSLv2-format ClientHello (two-byte header, type 1): some clients still open with it before
        // switching to TLS records. Its body is skipped; three body bytes are already in hdr.
        uint32_t len = (uint32_t{s.hdr[0] & 0x7fu} << 8) | s.hdr[1];
        if (len < 3) {
          s.stopped = true;
          break;
        }
        s.sslv2 = true;
        s.content_type = 0;
        s.record_left = len - 3;
      } else {
        uint8_t type = s.hdr[0];
        uint32_t len = be16(s.hdr + 3);
        if (type < 20 || type > 24 || s.hdr[1] != 3 || s.hdr[2] > 4 || len > kMaxRecord) {
          s.stopped = true;  // not TLS framing (or lost sync): nothing sensible follows
          break;
        }
        s.content_type = type;
        s.record_left = len;
        if (type == kChangeCipherSpec) s.encrypted = true;
      }
      if (s.record_left == 0) s.hdr_len = 0;
      continue;
    }
    size_t n = std::min<size_t>(s.record_left, data.size());
    if (s.content_type == kHandshake && !s.encrypted) handshake_bytes(dir, data.first(n));
    s.record_left -= static_cast<uint32_t>(n);
    data = data.subspan(n);
    if (s.record_left == 0) s.hdr_len = 0;
  }
  if (s.dirty) {
    s.dirty = false;
    if (obs != nullptr) {
      TxEvent ev;
      ev.proto = rules::AppProto::kTls;
      ev.dir = dir;
      ev.tx_id = 0;  // one transaction per TLS session, as Suricata has
      ev.tls = &session_;
      obs->on_tx(ev);
    }
  }
}

void TlsParser::handshake_bytes(Dir dir, std::span<const uint8_t> data) {
  Side& s = sides_[dir_index(dir)];
  while (!data.empty()) {
    if (s.hs_hdr_len < 4) {
      size_t take = std::min<size_t>(4 - s.hs_hdr_len, data.size());
      std::copy_n(data.begin(), take, s.hs_hdr + s.hs_hdr_len);
      s.hs_hdr_len = static_cast<uint8_t>(s.hs_hdr_len + take);
      data = data.subspan(take);
      if (s.hs_hdr_len < 4) return;
      s.hs_left = be24(s.hs_hdr + 1);
      s.hs_skip = s.hs_left > limits_.max_handshake;
      s.hs_body.clear();
      if (s.hs_left == 0) {
        on_handshake(dir, s.hs_hdr[0], {});
        s.hs_hdr_len = 0;
      }
      continue;
    }
    size_t n = std::min<size_t>(s.hs_left, data.size());
    if (!s.hs_skip) s.hs_body.append(reinterpret_cast<const char*>(data.data()), n);
    s.hs_left -= static_cast<uint32_t>(n);
    data = data.subspan(n);
    if (s.hs_left == 0) {
      if (!s.hs_skip)
        on_handshake(dir, s.hs_hdr[0],
                     std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.hs_body.data()), s.hs_body.size()));
      s.hs_hdr_len = 0;
    }
  }
}

void TlsParser::on_handshake(Dir dir, uint8_t type, std::span<const uint8_t> body) {
  Side& s = sides_[dir_index(dir)];
  if (dir == Dir::kToServer && type == 1) {
    on_client_hello(body);
    s.dirty = true;
  } else if (dir == Dir::kToClient && type == 2) {
    on_server_hello(body);
    s.dirty = true;
  } else if (dir == Dir::kToClient && type == 11 && !session_.has_cert) {
    on_certificate(body);
    s.dirty = true;
  }
}

void TlsParser::on_client_hello(std::span<const uint8_t> body) {
  Reader r{body};
  uint16_t version = static_cast<uint16_t>(r.uint(2));
  std::span<const uint8_t> skip;
  r.take(32, &skip);  // random
  r.vec(1);           // session id
  std::span<const uint8_t> ciphers = r.vec(2);
  r.vec(1);  // compression methods
  if (!r.ok) return;
  std::span<const uint8_t> exts = r.empty() ? std::span<const uint8_t>() : r.vec(2);

  session_.client_hello = true;
  session_.client_version = version;
  session_.sni.clear();
  session_.alpn.clear();
  std::string& ja3 = session_.ja3;
  ja3.clear();
  append_number(version, &ja3);
  ja3.push_back(',');
  append_u16_list(ciphers, &ja3);
  ja3.push_back(',');
  std::span<const uint8_t> groups, formats;
  Reader e{exts};
  bool first = true;
  while (e.ok && !e.empty()) {
    uint16_t type = static_cast<uint16_t>(e.uint(2));
    std::span<const uint8_t> data = e.vec(2);
    if (!e.ok) break;
    if (!grease(type)) {
      if (!first) ja3.push_back('-');
      first = false;
      append_number(type, &ja3);
    }
    Reader x{data};
    switch (type) {
      case 0: {  // server_name: the first host_name entry
        Reader list{x.vec(2)};
        while (list.ok && !list.empty() && session_.sni.empty()) {
          uint8_t name_type = static_cast<uint8_t>(list.uint(1));
          std::span<const uint8_t> name = list.vec(2);
          if (list.ok && name_type == 0) session_.sni.assign(reinterpret_cast<const char*>(name.data()), name.size());
        }
        break;
      }
      case 10: groups = x.vec(2); break;    // supported_groups
      case 11: formats = x.vec(1); break;   // ec_point_formats
      case 16: {                             // ALPN: the first protocol
        Reader list{x.vec(2)};
        std::span<const uint8_t> proto = list.vec(1);
        if (list.ok) session_.alpn.assign(reinterpret_cast<const char*>(proto.data()), proto.size());
        break;
      }
      default: break;
    }
  }
  ja3.push_back(',');
  append_u16_list(groups, &ja3);
  ja3.push_back(',');
  for (size_t i = 0; i < formats.size(); ++i) {
    if (i > 0) ja3.push_back('-');
    append_number(formats[i], &ja3);
  }
  set_md5_hex(ja3, &session_.ja3_hash);
}

void TlsParser::on_server_hello(std::span<const uint8_t> body) {
  Reader r{body};
  uint16_t version = static_cast<uint16_t>(r.uint(2));
  std::span<const uint8_t> skip;
  r.take(32, &skip);
  r.vec(1);
  uint16_t cipher = static_cast<uint16_t>(r.uint(2));
  r.uint(1);  // compression
  if (!r.ok) return;
  std::span<const uint8_t> exts = r.empty() ? std::span<const uint8_t>() : r.vec(2);

  session_.server_hello = true;
  session_.server_version = version;
  session_.version = version;
  session_.cipher = cipher;
  std::string& ja3s = session_.ja3s;
  ja3s.clear();
  append_number(version, &ja3s);
  ja3s.push_back(',');
  append_number(cipher, &ja3s);
  ja3s.push_back(',');
  Reader e{exts};
  bool first = true;
  while (e.ok && !e.empty()) {
    uint16_t type = static_cast<uint16_t>(e.uint(2));
    std::span<const uint8_t> data = e.vec(2);
    if (!e.ok) break;
    if (!grease(type)) {
      if (!first) ja3s.push_back('-');
      first = false;
      append_number(type, &ja3s);
    }
    if (type == 43 && data.size() == 2) session_.version = be16(data.data());  // supported_versions
  }
  set_md5_hex(ja3s, &session_.ja3s_hash);
}

void TlsParser::on_certificate(std::span<const uint8_t> body) {
  Reader r{body};
  Reader list{r.vec(3)};
  bool first = true;
  while (list.ok && !list.empty()) {
    std::span<const uint8_t> der = list.vec(3);
    if (!list.ok) break;
    ++session_.cert_count;
    if (!first) continue;
    first = false;
    parse_x509(der, &session_.cert);
    session_.has_cert = true;
    session_.cert_fingerprint.clear();
    append_hex(sha1(der), &session_.cert_fingerprint, ':');
  }
}

}  // namespace canh::sensor::app
