#include "sensor/app/eve.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "sensor/app/dns_parser.h"
#include "sensor/app/http_parser.h"
#include "sensor/app/tls_parser.h"

namespace canh::sensor::app {
namespace {

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// The members written for an alert, wrapped into an object and parsed back.
boost::json::object parse_members(const TxEvent& ev) {
  std::string out = "{";
  write_eve(ev, &out);
  out += "}";
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(out, ec);
  EXPECT_FALSE(ec) << out;
  return ec ? boost::json::object{} : v.as_object();
}

TEST(Eve, HttpFieldsAsSuricataNamesThem) {
  HttpParser p;
  p.feed(Dir::kToServer,
         b("GET /cgi-bin/cart32.exe HTTP/1.1\r\nUser-Agent: Mozilla/4.75 (Nikto/2.1.4)\r\nHost: www.net1.bg\r\n\r\n"),
         nullptr);
  p.feed(Dir::kToClient,
         b("HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=iso-8859-1\r\nContent-Length: 4\r\n\r\nnope"),
         nullptr);
  TxEvent ev;
  ev.proto = rules::AppProto::kHttp;
  ev.http = p.find(0);
  auto o = parse_members(ev);
  auto& h = o.at("http").as_object();
  EXPECT_EQ(h.at("hostname").as_string(), "www.net1.bg");
  EXPECT_EQ(h.at("url").as_string(), "/cgi-bin/cart32.exe");
  EXPECT_EQ(h.at("http_user_agent").as_string(), "Mozilla/4.75 (Nikto/2.1.4)");
  EXPECT_EQ(h.at("http_method").as_string(), "GET");
  EXPECT_EQ(h.at("protocol").as_string(), "HTTP/1.1");
  EXPECT_EQ(h.at("http_content_type").as_string(), "text/html");
  EXPECT_EQ(h.at("status").as_int64(), 404);
  EXPECT_EQ(h.at("length").as_int64(), 4);
  EXPECT_FALSE(h.contains("http_port"));
}

TEST(Eve, HostileBytesStayValidJson) {
  HttpParser p;
  p.feed(Dir::kToServer, b("GET /\"\\\x01\xff\xc3\xa9 HTTP/1.1\r\nUser-Agent: a\tb\r\n\r\n"), nullptr);
  TxEvent ev;
  ev.proto = rules::AppProto::kHttp;
  ev.http = p.find(0);
  auto o = parse_members(ev);
  // The valid UTF-8 (é) survives, the stray 0xff is \u00ff.
  EXPECT_EQ(o.at("http").at("url").as_string(), "/\"\\\x01\xc3\xbf\xc3\xa9");
  std::string raw;
  json_escape("\xff", &raw);
  EXPECT_EQ(raw, "\\u00ff");
}

TEST(Eve, DnsQueryList) {
  DnsParser p;
  const uint8_t q[] = {0x04, 0xd2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 4, 'c', 'a', 'n', 'h', 0, 0, 28, 0, 1};
  p.feed_datagram(Dir::kToServer, q, nullptr);
  TxEvent ev;
  ev.proto = rules::AppProto::kDns;
  ev.dns = &p.last();
  auto o = parse_members(ev);
  auto& first = o.at("dns").at("query").as_array().at(0).as_object();
  EXPECT_EQ(first.at("rrname").as_string(), "www.canh");
  EXPECT_EQ(first.at("rrtype").as_string(), "AAAA");
  EXPECT_EQ(first.at("id").as_int64(), 1234);
  EXPECT_EQ(first.at("type").as_string(), "query");
}

TEST(Eve, TlsFields) {
  TlsSession s;
  s.client_hello = true;
  s.sni = "example.org";
  s.ja3 = "771,1,,,";
  s.ja3_hash = "h";
  s.server_hello = true;
  s.version = 0x0303;
  s.has_cert = true;
  s.cert.subject = "CN=example.org";
  s.cert.issuer = "CN=ca";
  s.cert.serial = "01";
  s.cert_fingerprint = "aa:bb";
  TxEvent ev;
  ev.proto = rules::AppProto::kTls;
  ev.tls = &s;
  auto o = parse_members(ev);
  auto& t = o.at("tls").as_object();
  EXPECT_EQ(t.at("sni").as_string(), "example.org");
  EXPECT_EQ(t.at("version").as_string(), "TLS 1.2");
  EXPECT_EQ(t.at("subject").as_string(), "CN=example.org");
  EXPECT_EQ(t.at("issuerdn").as_string(), "CN=ca");
  EXPECT_EQ(t.at("ja3").at("hash").as_string(), "h");
}

}  // namespace
}  // namespace canh::sensor::app
