// TLS (SSLv3 to TLS 1.3) handshake visibility for one flow: the record layer is reassembled per
// direction (a record may span segments, a handshake message may span records, a record may hold
// several messages), and the clear-text handshake is read: ClientHello (SNI, JA3), ServerHello
// (negotiated version, JA3S) and, up to TLS 1.2, the server certificate (subject, issuer, serial,
// validity, SHA-1 fingerprint). After ChangeCipherSpec a direction is encrypted and only framed.
//
// JA3 (https://github.com/salesforce/ja3): "version,ciphers,extensions,groups,point_formats", decimal
// values joined by '-', GREASE values (RFC 8701, 0x?a?a) left out; the hash is its MD5 in hex. JA3S:
// "version,cipher,extensions" of the ServerHello.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sensor/app/app_types.h"
#include "sensor/app/x509.h"

namespace canh::sensor::app {

struct TlsLimits {
  uint32_t max_handshake = 64 * 1024;  // a bigger handshake message (certificate chain) is skipped
};

struct TlsSession {
  // ClientHello
  bool client_hello = false;
  uint16_t client_version = 0;  // legacy_version field
  std::string sni;
  std::string alpn;             // first offered protocol
  std::string ja3;
  std::string ja3_hash;
  // ServerHello
  bool server_hello = false;
  uint16_t server_version = 0;  // legacy_version field
  uint16_t version = 0;         // negotiated: supported_versions when present (TLS 1.3), else legacy
  uint16_t cipher = 0;
  std::string ja3s;
  std::string ja3s_hash;
  // Server certificate (the first of the chain)
  bool has_cert = false;
  X509Info cert;
  std::string cert_fingerprint;  // SHA-1 of the DER, lower-case hex joined by ':'
  uint32_t cert_count = 0;

  void clear();
  // "TLS 1.2", "TLS 1.3", "SSLv3", ... as EVE's tls.version; "UNDETERMINED" before a ServerHello.
  std::string_view version_name() const;
};

class TlsParser {
 public:
  explicit TlsParser(const TlsLimits& limits = {});
  void reset();
  void feed(Dir dir, std::span<const uint8_t> data, TxObserver* obs);
  // Bytes lost: record framing is gone for that direction, which stops.
  void gap(Dir dir);

  const TlsSession& session() const { return session_; }
  // Something that is not TLS framing was seen in that direction.
  bool desync(Dir dir) const { return sides_[dir_index(dir)].stopped && !sides_[dir_index(dir)].by_gap; }

 private:
  struct Side {
    uint8_t hdr[5] = {};
    uint8_t hdr_len = 0;
    uint32_t record_left = 0;
    uint8_t content_type = 0;
    bool sslv2 = false;
    // The handshake message being assembled.
    uint8_t hs_hdr[4] = {};
    uint8_t hs_hdr_len = 0;
    uint32_t hs_left = 0;
    bool hs_skip = false;
    std::string hs_body;
    bool encrypted = false;
    bool stopped = false;
    bool by_gap = false;
    bool dirty = false;
  };
  void handshake_bytes(Dir dir, std::span<const uint8_t> data);
  void on_handshake(Dir dir, uint8_t type, std::span<const uint8_t> body);
  void on_client_hello(std::span<const uint8_t> body);
  void on_server_hello(std::span<const uint8_t> body);
  void on_certificate(std::span<const uint8_t> body);

  TlsLimits limits_;
  TlsSession session_;
  std::array<Side, 2> sides_;
};

}  // namespace canh::sensor::app
