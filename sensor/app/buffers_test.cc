#include "sensor/app/buffers.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sensor/app/dns_parser.h"
#include "sensor/app/http_parser.h"
#include "sensor/app/tls_parser.h"

namespace canh::sensor::app {
namespace {

using rules::AppBuffers;
using rules::Buffer;

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// What one event offered, copied (the views die with the event).
struct Seen {
  bool to_server = true;
  std::map<Buffer, std::string> bufs;
  std::vector<std::string> request_header_parts;
};

std::string as_string(std::span<const uint8_t> v) { return {reinterpret_cast<const char*>(v.data()), v.size()}; }

Seen snapshot(const AppBuffers& a) {
  Seen s;
  s.to_server = a.to_server;
  for (size_t i = 0; i < rules::kBufferCount; ++i)
    if (a.present[i]) s.bufs[static_cast<Buffer>(i)] = as_string(a.buf[i]);
  for (auto part : a.multi[static_cast<size_t>(Buffer::kHttpRequestHeader)])
    s.request_header_parts.push_back(as_string(part));
  return s;
}

std::string get(const Seen& s, Buffer id) {
  auto it = s.bufs.find(id);
  return it == s.bufs.end() ? std::string() : it->second;
}
bool has(const Seen& s, Buffer id) { return s.bufs.count(id) != 0; }

struct Capture : TxObserver {
  std::vector<Seen> seen;
  BufferScratch scratch;
  void on_tx(const TxEvent& ev) override {
    AppBuffers a;
    fill_buffers(ev, &a, &scratch);
    seen.push_back(snapshot(a));
  }
};

TEST(Buffers, RequestAndResponseSides) {
  HttpParser p;
  Capture c;
  p.feed(Dir::kToServer, b("GET /a%20b HTTP/1.1\r\nHost: Ex.com\r\nUser-Agent: \r\nCookie: c=1\r\n\r\n"), &c);
  p.feed(Dir::kToClient, b("HTTP/1.1 200 OK\r\nServer: nginx\r\nSet-Cookie: s=2\r\nContent-Length: 2\r\n\r\nok"), &c);
  ASSERT_EQ(c.seen.size(), 2u);
  const Seen& rq = c.seen[0];
  EXPECT_TRUE(rq.to_server);
  EXPECT_EQ(get(rq, Buffer::kHttpUri), "/a b");
  EXPECT_EQ(get(rq, Buffer::kHttpUriRaw), "/a%20b");
  EXPECT_EQ(get(rq, Buffer::kHttpMethod), "GET");
  EXPECT_EQ(get(rq, Buffer::kHttpHost), "ex.com");
  EXPECT_EQ(get(rq, Buffer::kHttpHostRaw), "Ex.com");
  EXPECT_EQ(get(rq, Buffer::kHttpCookie), "c=1");
  EXPECT_EQ(get(rq, Buffer::kHttpProtocol), "HTTP/1.1");
  EXPECT_EQ(get(rq, Buffer::kHttpRequestLine), "GET /a%20b HTTP/1.1");
  // Present and empty (bsize:0 matches), unlike a header that was never sent.
  EXPECT_TRUE(has(rq, Buffer::kHttpUserAgent));
  EXPECT_EQ(get(rq, Buffer::kHttpUserAgent), "");
  EXPECT_FALSE(has(rq, Buffer::kHttpReferer));
  EXPECT_FALSE(has(rq, Buffer::kHttpStatCode));
  EXPECT_FALSE(has(rq, Buffer::kHttpRequestBody));
  ASSERT_EQ(rq.request_header_parts.size(), 3u);
  EXPECT_EQ(rq.request_header_parts[0], "Host: Ex.com");

  const Seen& rs = c.seen[1];
  EXPECT_FALSE(rs.to_server);
  EXPECT_EQ(get(rs, Buffer::kHttpStatCode), "200");
  EXPECT_EQ(get(rs, Buffer::kHttpStatMsg), "OK");
  EXPECT_EQ(get(rs, Buffer::kHttpResponseLine), "HTTP/1.1 200 OK");
  EXPECT_EQ(get(rs, Buffer::kHttpServer), "nginx");
  EXPECT_EQ(get(rs, Buffer::kHttpCookie), "s=2");
  EXPECT_EQ(get(rs, Buffer::kHttpResponseBody), "ok");
  EXPECT_EQ(get(rs, Buffer::kFileData), "ok");
  EXPECT_EQ(get(rs, Buffer::kHttpHeader), "Server: nginx\r\nContent-Length: 2\r\n");
  // Request buffers come with the response too (for rules that mix both), response buffers never
  // with the request.
  EXPECT_EQ(get(rs, Buffer::kHttpUri), "/a b");
  EXPECT_EQ(get(rs, Buffer::kHttpHost), "ex.com");
  EXPECT_FALSE(has(rs, Buffer::kHttpRequestHeader));
}

TEST(Buffers, RequestBodyIsFileDataToTheServer) {
  HttpParser p;
  Capture c;
  p.feed(Dir::kToServer, b("POST /up HTTP/1.1\r\nContent-Length: 4\r\n\r\nEICA"), &c);
  ASSERT_FALSE(c.seen.empty());
  EXPECT_EQ(get(c.seen.back(), Buffer::kHttpRequestBody), "EICA");
  EXPECT_EQ(get(c.seen.back(), Buffer::kFileData), "EICA");
  EXPECT_FALSE(has(c.seen.back(), Buffer::kHttpResponseBody));
}

TEST(Buffers, DnsQueryName) {
  DnsParser p;
  Capture c;
  const uint8_t q[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 4, 'c', 'a', 'n', 'h', 0, 0, 1, 0, 1};
  p.feed_datagram(Dir::kToServer, q, &c);
  ASSERT_EQ(c.seen.size(), 1u);
  EXPECT_EQ(get(c.seen[0], Buffer::kDnsQuery), "www.canh");
}

TEST(Buffers, TlsClientSideBuffers) {
  TlsSession s;
  s.client_hello = true;
  s.sni = "example.org";
  s.ja3 = "771,1-2,,,";
  s.ja3_hash = "abc";
  TxEvent ev;
  ev.proto = rules::AppProto::kTls;
  ev.dir = Dir::kToServer;
  ev.tls = &s;
  AppBuffers a;
  BufferScratch scratch;
  fill_buffers(ev, &a, &scratch);
  Seen seen = snapshot(a);
  EXPECT_EQ(get(seen, Buffer::kTlsSni), "example.org");
  EXPECT_EQ(get(seen, Buffer::kJa3String), "771,1-2,,,");
  EXPECT_FALSE(has(seen, Buffer::kTlsCertSubject));
}

}  // namespace
}  // namespace canh::sensor::app
