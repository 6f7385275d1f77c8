#include "sensor/app/tls_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/x509.h"

namespace canh::sensor::app {
namespace {

using Bytes = std::vector<uint8_t>;

// A self-signed P-256 certificate made with
//   openssl req -new -x509 -subj "/C=VN/O=Canh Test/CN=test.canh.example" -set_serial 0xC0FFEE
// Expected values below are what `openssl x509 -noout -serial -dates -fingerprint -sha1` printed.
const char kCertHex[] =
    "308201c030820165a003020102020400c0ffee300a06082a8648ce3d040302303d310b300906035504061302564e3112"
    "3010060355040a0c0943616e682054657374311a301806035504030c11746573742e63616e682e6578616d706c65301e"
    "170d3236313132333135353932315a170d3336313132303135353932315a303d310b300906035504061302564e311230"
    "10060355040a0c0943616e682054657374311a301806035504030c11746573742e63616e682e6578616d706c65305930"
    "1306072a8648ce3d020106082a8648ce3d03010703420004d9e09a21dabdd679ddbdf5ebe51f4e88d304b10c1a62ad55"
    "bf37473d653cbc77d00fff0331480a2ebce2b4027c50628d5d882d224fb96025c6eb77960beab6dfa3533051301d0603"
    "551d0e04160414c1c03c915496f5116ea9d350279fa4ce36ef0641301f0603551d23041830168014c1c03c915496f511"
    "6ea9d350279fa4ce36ef0641300f0603551d130101ff040530030101ff300a06082a8648ce3d04030203490030460221"
    "00a387ce175ea239d95238fe9f88094ea84c648bcd8243372bd44be3442acc6be0022100f6fe5c4412d64eb76956b97e"
    "a54dc610454934ac8db39f6462bcd065c4ecba55";

Bytes from_hex(std::string_view h) {
  Bytes out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

void u8(Bytes& b, uint32_t v) { b.push_back(static_cast<uint8_t>(v)); }
void u16(Bytes& b, uint32_t v) { u8(b, v >> 8); u8(b, v); }
void u24(Bytes& b, uint32_t v) { u8(b, v >> 16); u16(b, v & 0xffff); }
void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }

Bytes handshake(uint8_t type, const Bytes& body) {
  Bytes m;
  u8(m, type);
  u24(m, static_cast<uint32_t>(body.size()));
  append(m, body);
  return m;
}
Bytes record(uint8_t type, const Bytes& payload, uint16_t version = 0x0301) {
  Bytes r;
  u8(r, type);
  u16(r, version);
  u16(r, static_cast<uint32_t>(payload.size()));
  append(r, payload);
  return r;
}
Bytes ext(uint16_t type, const Bytes& data) {
  Bytes e;
  u16(e, type);
  u16(e, static_cast<uint32_t>(data.size()));
  append(e, data);
  return e;
}

// The ClientHello of the JA3 README's example, with GREASE values sprinkled in (they must not count).
Bytes client_hello() {
  Bytes body;
  u16(body, 0x0301);
  body.insert(body.end(), 32, 0x11);
  u8(body, 0);  // session id
  const uint16_t ciphers[] = {0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4};
  u16(body, sizeof(ciphers));
  for (uint16_t c : ciphers) u16(body, c);
  u8(body, 1);
  u8(body, 0);  // compression: null
  Bytes exts;
  append(exts, ext(0x1a1a, {}));
  Bytes sni;
  std::string host = "Test.Example";
  u16(sni, static_cast<uint32_t>(host.size() + 3));
  u8(sni, 0);
  u16(sni, static_cast<uint32_t>(host.size()));
  sni.insert(sni.end(), host.begin(), host.end());
  append(exts, ext(0, sni));
  Bytes groups;
  u16(groups, 8);
  for (uint16_t g : {0x2a2a, 23, 24, 25}) u16(groups, g);
  append(exts, ext(10, groups));
  append(exts, ext(11, {1, 0}));
  u16(body, static_cast<uint32_t>(exts.size()));
  append(body, exts);
  return handshake(1, body);
}

Bytes server_hello() {
  Bytes body;
  u16(body, 0x0303);
  body.insert(body.end(), 32, 0x22);
  u8(body, 0);
  u16(body, 0xc02f);
  u8(body, 0);
  Bytes exts;
  append(exts, ext(0xff01, {0}));
  append(exts, ext(11, {1, 0}));
  u16(body, static_cast<uint32_t>(exts.size()));
  append(body, exts);
  return handshake(2, body);
}

Bytes certificate() {
  Bytes der = from_hex(kCertHex);
  Bytes list;
  u24(list, static_cast<uint32_t>(der.size()));
  append(list, der);
  Bytes body;
  u24(body, static_cast<uint32_t>(list.size()));
  append(body, list);
  return handshake(11, body);
}

struct Count : TxObserver {
  int to_server = 0, to_client = 0;
  void on_tx(const TxEvent& ev) override { (ev.dir == Dir::kToServer ? to_server : to_client)++; }
};

void feed_bytewise(TlsParser& p, Dir d, const Bytes& b, TxObserver* obs) {
  for (uint8_t x : b) p.feed(d, std::span<const uint8_t>(&x, 1), obs);
}

TEST(TlsParser, Ja3OfTheReadmeExampleIgnoringGrease) {
  TlsParser p;
  Count c;
  p.feed(Dir::kToServer, record(22, client_hello()), &c);
  const TlsSession& s = p.session();
  EXPECT_EQ(s.ja3, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
  EXPECT_EQ(s.ja3_hash, "ada70206e40642a3e4461f35503241d5");
  EXPECT_EQ(s.sni, "Test.Example");
  EXPECT_EQ(c.to_server, 1);
}

TEST(TlsParser, ServerFlightSplitIntoSingleBytes) {
  Bytes flight = server_hello();
  append(flight, certificate());
  append(flight, handshake(14, {}));  // ServerHelloDone
  TlsParser p;
  Count c;
  feed_bytewise(p, Dir::kToClient, record(22, flight, 0x0303), &c);
  const TlsSession& s = p.session();
  EXPECT_EQ(s.ja3s, "771,49199,65281-11");
  EXPECT_EQ(s.ja3s_hash, "303951d4c50efb2e991652225a6f02b1");
  EXPECT_EQ(s.version_name(), "TLS 1.2");
  ASSERT_TRUE(s.has_cert);
  EXPECT_EQ(s.cert.subject, "C=VN, O=Canh Test, CN=test.canh.example");
  EXPECT_EQ(s.cert.issuer, "C=VN, O=Canh Test, CN=test.canh.example");
  EXPECT_EQ(s.cert.serial, "00:C0:FF:EE");
  EXPECT_EQ(s.cert.not_before, "2026-11-23T15:59:21");
  EXPECT_EQ(s.cert.not_after, "2036-11-20T15:59:21");
  EXPECT_EQ(s.cert_fingerprint, "40:62:92:46:9b:5c:c4:32:31:16:96:dc:60:6f:9d:e7:a4:9e:bd:14");
  EXPECT_GE(c.to_client, 2);
}

TEST(TlsParser, HandshakeMessageSpanningRecords) {
  Bytes cert = certificate();
  Bytes first(cert.begin(), cert.begin() + 100), second(cert.begin() + 100, cert.end());
  Bytes stream = record(22, server_hello(), 0x0303);
  append(stream, record(22, first, 0x0303));
  append(stream, record(22, second, 0x0303));
  TlsParser p;
  p.feed(Dir::kToClient, stream, nullptr);
  EXPECT_EQ(p.session().cert.subject, "C=VN, O=Canh Test, CN=test.canh.example");
}

TEST(TlsParser, EncryptedAfterChangeCipherSpec) {
  Bytes stream = record(20, {1}, 0x0303);
  append(stream, record(22, server_hello(), 0x0303));  // "encrypted" handshake: not parsed
  TlsParser p;
  p.feed(Dir::kToClient, stream, nullptr);
  EXPECT_FALSE(p.session().server_hello);
}

TEST(TlsParser, Tls13VersionFromSupportedVersions) {
  Bytes body;
  u16(body, 0x0303);
  body.insert(body.end(), 32, 0x33);
  u8(body, 0);
  u16(body, 0x1301);
  u8(body, 0);
  Bytes exts = ext(43, {0x03, 0x04});
  u16(body, static_cast<uint32_t>(exts.size()));
  append(body, exts);
  TlsParser p;
  p.feed(Dir::kToClient, record(22, handshake(2, body), 0x0303), nullptr);
  EXPECT_EQ(p.session().version_name(), "TLS 1.3");
  EXPECT_EQ(p.session().ja3s, "771,4865,43");
}

TEST(TlsParser, NonTlsBytesStopTheDirection) {
  TlsParser p;
  const std::string junk = "GET / HTTP/1.1\r\n\r\n";
  p.feed(Dir::kToServer, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(junk.data()), junk.size()), nullptr);
  EXPECT_TRUE(p.desync(Dir::kToServer));
  EXPECT_FALSE(p.session().client_hello);
}

TEST(TlsParser, ExtensionsOverrunningTheHelloAreIgnored) {
  Bytes ch = client_hello();
  // Handshake header (4) + version (2) + random (32) + session id (1) + ciphers (2 + 26) + compression
  // (2): the extensions length. Claim more than the message holds.
  const size_t ext_len_at = 4 + 2 + 32 + 1 + 2 + 26 + 2;
  ch[ext_len_at] = 0xff;
  ch[ext_len_at + 1] = 0xff;
  TlsParser p;
  p.feed(Dir::kToServer, record(22, ch), nullptr);
  ASSERT_TRUE(p.session().client_hello);
  EXPECT_EQ(p.session().ja3, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,,,");
  EXPECT_TRUE(p.session().sni.empty());
}

TEST(X509, GarbageIsRefused) {
  X509Info info;
  const uint8_t junk[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00};
  EXPECT_FALSE(parse_x509(junk, &info));
  Bytes der = from_hex(kCertHex);
  der.resize(50);
  EXPECT_FALSE(parse_x509(der, &info));
}

}  // namespace
}  // namespace canh::sensor::app
