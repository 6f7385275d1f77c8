#include "sensor/app/http_parser.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

namespace canh::sensor::app {
namespace {

std::span<const uint8_t> b(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Records every progress event with a copy of what it said at that moment.
struct Recorder : TxObserver {
  struct Seen {
    Dir dir;
    uint64_t tx;
    HttpMessage::Progress progress;
    std::string uri, body;
  };
  std::vector<Seen> events;
  void on_tx(const TxEvent& ev) override {
    const HttpMessage& m = ev.http->side(ev.dir);
    events.push_back({ev.dir, ev.tx_id, m.progress(), std::string(ev.http->uri()), std::string(m.body())});
  }
};

void feed(HttpParser& p, Dir d, std::string_view s, TxObserver* obs = nullptr) { p.feed(d, b(s), obs); }
void feed_bytewise(HttpParser& p, Dir d, std::string_view s, TxObserver* obs = nullptr) {
  for (char c : s) p.feed(d, b(std::string_view(&c, 1)), obs);
}

std::string gzip(std::string_view plain, int window_bits = 16 + MAX_WBITS) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, plain.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(HttpParser, RequestLineHeadersAndBuffers) {
  HttpParser p;
  Recorder r;
  feed(p, Dir::kToServer,
       "GET /a/../index.php?id=%41 HTTP/1.1\r\nHost: WWW.Example.com:8080\r\nUser-Agent: curl/8.0\r\n"
       "Cookie: s=1\r\nAccept: */*\r\n\r\n",
       &r);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].progress, HttpMessage::Progress::kComplete);
  const HttpTx* tx = p.find(0);
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->method(), "GET");
  EXPECT_EQ(tx->uri_raw(), "/a/../index.php?id=%41");
  EXPECT_EQ(tx->uri(), "/index.php?id=A");
  EXPECT_EQ(tx->request().protocol(), "HTTP/1.1");
  EXPECT_EQ(tx->request().start_line(), "GET /a/../index.php?id=%41 HTTP/1.1");
  EXPECT_EQ(tx->host(), "www.example.com");
  EXPECT_EQ(tx->host_raw(), "WWW.Example.com:8080");
  EXPECT_EQ(tx->host_port(), 8080);
  EXPECT_EQ(tx->request().value(HttpHeader::kUserAgent), "curl/8.0");
  // http.header leaves the cookie out; names keep every header.
  EXPECT_EQ(tx->request().headers_normalized(),
            "Host: WWW.Example.com:8080\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n");
  EXPECT_EQ(tx->request().header_names(), "\r\nHost\r\nUser-Agent\r\nCookie\r\nAccept\r\n\r\n");
  EXPECT_EQ(tx->request().headers_raw(),
            "Host: WWW.Example.com:8080\r\nUser-Agent: curl/8.0\r\nCookie: s=1\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(tx->request().start(),
            "GET /a/../index.php?id=%41 HTTP/1.1\r\nHost: WWW.Example.com:8080\r\nUser-Agent: curl/8.0\r\n"
            "Cookie: s=1\r\nAccept: */*\r\n\r\n");
  ASSERT_EQ(tx->request().header_line_count(), 4u);
  EXPECT_EQ(tx->request().header_line(2), "Cookie: s=1");
}

TEST(HttpParser, SameResultFedOneByteAtATime) {
  HttpParser p;
  Recorder r;
  feed_bytewise(p, Dir::kToServer, "POST /up HTTP/1.1\nHost: h\nContent-Length: 5\n\nhello", &r);
  const HttpTx* tx = p.find(0);
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->uri(), "/up");
  EXPECT_EQ(tx->request().body(), "hello");
  EXPECT_TRUE(tx->request().complete());
  // Progress while the body trickled in, then completion.
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events.back().progress, HttpMessage::Progress::kComplete);
}

TEST(HttpParser, RepeatedHeadersAreCombinedAndFoldedLinesJoined) {
  HttpParser p;
  feed(p, Dir::kToServer,
       "GET / HTTP/1.1\r\nUser-Agent: SuriTester/0.8\r\nX-Long: one\r\n  two\r\nuser-agent: GGGG\r\n\r\n");
  const HttpTx* tx = p.find(0);
  EXPECT_EQ(tx->request().value(HttpHeader::kUserAgent), "SuriTester/0.8, GGGG");
  EXPECT_EQ(tx->request().headers_normalized(), "User-Agent: SuriTester/0.8, GGGG\r\nX-Long: one two\r\n");
}

TEST(HttpParser, EmptyHeaderValueIsPresentButEmpty) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET / HTTP/1.1\r\nUser-Agent: \r\n\r\n");
  const HttpTx* tx = p.find(0);
  EXPECT_TRUE(tx->request().has(HttpHeader::kUserAgent));
  EXPECT_EQ(tx->request().value(HttpHeader::kUserAgent), "");
  EXPECT_FALSE(tx->request().has(HttpHeader::kReferer));
}

TEST(HttpParser, UriWithSpacesRunsToTheProtocol) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET /uri afterspace HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(p.find(0)->uri(), "/uri afterspace");
  EXPECT_EQ(p.find(0)->request().protocol(), "HTTP/1.1");
}

TEST(HttpParser, MissingProtocolFollowedByHeadersIsNotHttp09) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET /gen.php?x=1\r\nHost: 5.8.88.25\r\nUser-Agent:Mozilla\r\n\r\n");
  const HttpTx* tx = p.find(0);
  EXPECT_FALSE(tx->http09());
  EXPECT_FALSE(tx->request().has_protocol());
  EXPECT_EQ(tx->request().value(HttpHeader::kUserAgent), "Mozilla");
  EXPECT_EQ(tx->request().header_names(), "\r\nHost\r\nUser-Agent\r\n\r\n");
}

TEST(HttpParser, Http09RequestHasNoHeadersAndItsResponseIsBody) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET /old\r\n");
  const HttpTx* tx = p.find(0);
  EXPECT_TRUE(tx->http09());
  EXPECT_TRUE(tx->request().complete());
  feed(p, Dir::kToClient, "<html>hi</html>");
  p.finish(Dir::kToClient, nullptr);
  EXPECT_FALSE(tx->response().has_start_line());
  EXPECT_EQ(tx->response().body(), "<html>hi</html>");
  EXPECT_TRUE(tx->response().complete());
}

TEST(HttpParser, JunkRequestStillGetsAParsedHttpResponse) {
  // suricata-verify http-not09-file: binary junk to the server, a real HTTP response back. The
  // response line must not end up in the body.
  HttpParser p;
  feed(p, Dir::kToServer, std::string("\x8f\x25\x6c\x47\x01\x02 \x3e\x0a\x99junk", 12));
  feed(p, Dir::kToClient, "HTTP/1.1 400 Bad Request\r\nContent-Length: 5\r\nServer: x\r\n\r\nabcde");
  const HttpTx* tx = p.find(0);
  ASSERT_NE(tx, nullptr);
  EXPECT_EQ(tx->response().start_line(), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(tx->status(), 400);
  EXPECT_EQ(tx->status_msg(), "Bad Request");
  EXPECT_EQ(tx->response().body(), "abcde");
}

TEST(HttpParser, PipelinedRequestsPairWithResponsesInOrder) {
  HttpParser p;
  Recorder r;
  feed(p, Dir::kToServer, "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\n\r\n", &r);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[0].uri, "/1");
  EXPECT_EQ(r.events[2].uri, "/3");
  feed(p, Dir::kToClient,
       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nAHTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nB"
       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nC",
       &r);
  EXPECT_EQ(p.find(0)->response().body(), "A");
  EXPECT_EQ(p.find(1)->status(), 404);
  EXPECT_EQ(p.find(1)->response().body(), "B");
  EXPECT_EQ(p.find(2)->response().body(), "C");
  ASSERT_EQ(r.events.size(), 6u);
  EXPECT_EQ(r.events[4].tx, 1u);
  EXPECT_EQ(r.events[4].dir, Dir::kToClient);
}

TEST(HttpParser, ChunkedBodySplitEverywhere) {
  const std::string resp =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: x\r\n\r\n";
  HttpParser whole;
  feed(whole, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
  feed(whole, Dir::kToClient, resp);
  EXPECT_EQ(whole.find(0)->response().body(), "hello world");
  EXPECT_TRUE(whole.find(0)->response().complete());

  HttpParser bytes;
  feed(bytes, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
  feed_bytewise(bytes, Dir::kToClient, resp);
  EXPECT_EQ(bytes.find(0)->response().body(), "hello world");
  EXPECT_TRUE(bytes.find(0)->response().complete());
  EXPECT_EQ(bytes.find(0)->response().body_wire_bytes(), 11u);
}

TEST(HttpParser, InvalidChunkSizeFallsBackToBodyUntilClose) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
  feed(p, Dir::kToClient, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nnot-a-size\r\nmore");
  p.finish(Dir::kToClient, nullptr);
  EXPECT_EQ(p.find(0)->response().body(), "not-a-size\r\nmore");
  EXPECT_EQ(p.counters().bad_chunk, 1u);
}

TEST(HttpParser, GzipResponseIsDecompressed) {
  const std::string plain = "<html>" + std::string(2000, 'x') + "secret marker</html>";
  const std::string gz = gzip(plain);
  HttpParser p;
  feed(p, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
  std::string resp = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(gz.size()) +
                     "\r\n\r\n" + gz;
  feed_bytewise(p, Dir::kToClient, resp);
  EXPECT_EQ(p.find(0)->response().body(), plain);
  EXPECT_EQ(p.find(0)->response().body_wire_bytes(), gz.size());
}

TEST(HttpParser, DeflateAsZlibAndAsRawBothDecode) {
  for (int bits : {MAX_WBITS, -MAX_WBITS}) {
    HttpParser p;
    feed(p, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
    std::string body = gzip("deflated text", bits);
    feed(p, Dir::kToClient,
         "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body);
    EXPECT_EQ(p.find(0)->response().body(), "deflated text") << "window bits " << bits;
  }
}

TEST(HttpParser, GzipLabelOnClearTextIsInspectedAsIs) {
  // suricata-verify http-encoding-gzip-uncompressed.
  HttpParser p;
  const std::string json = R"({"sdk_version":11026,"app_package":"com.x"})";
  feed(p, Dir::kToServer,
       "POST /api HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(json.size()) + "\r\n\r\n" +
           json);
  EXPECT_EQ(p.find(0)->request().body(), json);
}

TEST(HttpParser, BodyIsCappedAtTheLimit) {
  HttpLimits limits;
  limits.response_body_limit = 10;
  HttpParser p(limits);
  feed(p, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
  feed(p, Dir::kToClient, "HTTP/1.1 200 OK\r\nContent-Length: 26\r\n\r\nabcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(p.find(0)->response().body(), "abcdefghij");
  EXPECT_TRUE(p.find(0)->response().body_truncated());
  EXPECT_EQ(p.find(0)->response().body_wire_bytes(), 26u);
  EXPECT_TRUE(p.find(0)->response().complete());
}

TEST(HttpParser, GrowingBodyIsOfferedInStepsNotPerSegment) {
  // A 1 MB download in 1460-byte segments: offered with its headers, each time the kept body grew by
  // response_body_inspect_step (40 KiB: at ~41 KiB and ~82 KiB; the 100 KiB limit stops growth), and
  // complete. Not once per segment, which would rescan the body ~700 times.
  HttpParser p;
  Recorder r;
  feed(p, Dir::kToServer, "GET /big HTTP/1.1\r\n\r\n", &r);
  std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + std::string(1000000, 'x');
  for (size_t off = 0; off < resp.size(); off += 1460) feed(p, Dir::kToClient, std::string_view(resp).substr(off, 1460), &r);
  size_t to_client = 0;
  for (const auto& e : r.events) to_client += e.dir == Dir::kToClient;
  EXPECT_EQ(to_client, 4u);
  EXPECT_EQ(r.events.back().progress, HttpMessage::Progress::kComplete);
  EXPECT_EQ(r.events.back().body.size(), 100u * 1024);
}

TEST(HttpParser, WorkerBodyBudgetBoundsAllFlowsAndIsGivenBack) {
  BodyBudget budget;
  budget.cap = 150;
  HttpParser a, b;
  a.set_budget(&budget);
  b.set_budget(&budget);
  for (HttpParser* p : {&a, &b}) {
    feed(*p, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
    feed(*p, Dir::kToClient, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'));
  }
  EXPECT_EQ(a.find(0)->response().body().size(), 100u);
  EXPECT_EQ(b.find(0)->response().body().size(), 50u);  // what was left of the budget
  EXPECT_TRUE(b.find(0)->response().body_truncated());
  EXPECT_EQ(b.find(0)->response().body_wire_bytes(), 100u);
  EXPECT_EQ(budget.used, 150u);
  EXPECT_GT(budget.refused, 0u);
  a.reset();
  EXPECT_EQ(budget.used, 50u);
  b.reset();
  EXPECT_EQ(budget.used, 0u);
}

TEST(HttpParser, CompletionWithNothingNewIsNotOfferedAgain) {
  HttpParser p;
  Recorder r;
  feed(p, Dir::kToServer, "GET / HTTP/1.0\r\n\r\n", &r);
  feed(p, Dir::kToClient, "HTTP/1.0 200 OK\r\n\r\nall of it", &r);
  p.finish(Dir::kToClient, &r);  // delimits the body, adds nothing
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[1].body, "all of it");
  EXPECT_TRUE(p.find(0)->response().complete());
}

TEST(HttpParser, DecompressionBombStops) {
  HttpLimits limits;
  limits.response_body_limit = 10 * 1024 * 1024;
  limits.max_decompress_ratio = 100;
  HttpParser p(limits);
  feed(p, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
  std::string gz = gzip(std::string(8 * 1024 * 1024, 'A'));
  ASSERT_LT(gz.size(), 20000u);
  feed(p, Dir::kToClient,
       "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(gz.size()) + "\r\n\r\n" + gz);
  EXPECT_EQ(p.counters().decompress_bomb, 1u);
  EXPECT_LT(p.find(0)->response().body().size(), 8u * 1024 * 1024);
  EXPECT_TRUE(p.find(0)->response().complete());
}

TEST(HttpParser, ContinueThenFinalResponseInOneTransaction) {
  HttpParser p;
  feed(p, Dir::kToServer, "POST /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  feed(p, Dir::kToClient, "HTTP/1.1 100 Continue\r\n\r\n");
  feed(p, Dir::kToServer, "ok");
  feed(p, Dir::kToClient, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(p.tx_count(), 1u);
  EXPECT_EQ(p.find(0)->status(), 201);
  EXPECT_EQ(p.find(0)->request().body(), "ok");
}

TEST(HttpParser, HeadAnd304ResponsesHaveNoBody) {
  HttpParser p;
  feed(p, Dir::kToServer, "HEAD / HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\nGET /n HTTP/1.1\r\n\r\n");
  feed(p, Dir::kToClient,
       "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 200 OK\r\n"
       "Content-Length: 2\r\n\r\nhi");
  EXPECT_TRUE(p.find(0)->response().complete());
  EXPECT_EQ(p.find(1)->status(), 304);
  EXPECT_EQ(p.find(2)->response().body(), "hi");
}

TEST(HttpParser, BodyUntilCloseEndsWithTheStream) {
  HttpParser p;
  Recorder r;
  feed(p, Dir::kToServer, "GET / HTTP/1.0\r\n\r\n", &r);
  feed(p, Dir::kToClient, "HTTP/1.0 200 OK\r\n\r\npart1", &r);
  EXPECT_FALSE(p.find(0)->response().complete());
  feed(p, Dir::kToClient, "part2", &r);
  p.finish(Dir::kToClient, &r);
  EXPECT_TRUE(p.find(0)->response().complete());
  EXPECT_EQ(r.events.back().body, "part1part2");
}

TEST(HttpParser, ConnectTunnelStopsParsing) {
  HttpParser p;
  feed(p, Dir::kToServer, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  EXPECT_EQ(p.find(0)->host(), "example.com");
  feed(p, Dir::kToClient, "HTTP/1.1 200 Connection established\r\n\r\n");
  feed(p, Dir::kToServer, "\x16\x03\x01\x00\x05hello");
  EXPECT_EQ(p.tx_count(), 1u);
}

TEST(HttpParser, ConnectHoldsClientBytesUntilTheProxyAnswers) {
  HttpParser p;
  const std::string hello = "\x16\x03\x01\x00\x05hello";
  feed(p, Dir::kToServer, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n" + hello);
  EXPECT_FALSE(p.tunnel());
  const std::string answer = "HTTP/1.1 200 Connection established\r\n\r\n";
  const std::string server_hello = "\x16\x03\x03\x00\x02hi";
  std::string both = answer + server_hello;
  size_t n = p.feed(Dir::kToClient, b(both), nullptr);
  EXPECT_EQ(n, answer.size());  // the rest is the tunnel's
  ASSERT_TRUE(p.tunnel());
  EXPECT_EQ(p.tunnel_held(), hello);
  EXPECT_EQ(p.tx_count(), 1u);
}

TEST(HttpParser, RefusedConnectReplaysTheHeldBytesAsHttp) {
  HttpParser p;
  feed(p, Dir::kToServer, "CONNECT example.com:443 HTTP/1.1\r\n\r\nGET http://example.com/x HTTP/1.1\r\n\r\n");
  EXPECT_EQ(p.tx_count(), 1u);
  feed(p, Dir::kToClient, "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(p.tunnel());
  ASSERT_EQ(p.tx_count(), 2u);
  EXPECT_EQ(p.find(1)->uri(), "/x");
  EXPECT_EQ(p.find(1)->host(), "example.com");
}

TEST(HttpParser, ConnectWithAPathNamesNoHost) {
  HttpParser p;
  feed(p, Dir::kToServer, "CONNECT / HTTP/1.1\r\nMp-Country: US\r\n\r\n");
  EXPECT_FALSE(p.find(0)->has_host());
  EXPECT_EQ(p.find(0)->uri(), "/");
}

TEST(HttpParser, AbsoluteUriNamesTheHost) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET http://Proxy.Example:3128/p?q HTTP/1.1\r\nHost: other\r\n\r\n");
  EXPECT_EQ(p.find(0)->uri(), "/p?q");
  EXPECT_EQ(p.find(0)->host(), "proxy.example");
  EXPECT_EQ(p.find(0)->host_raw(), "Proxy.Example");
}

TEST(HttpParser, OverlongHeaderStopsTheDirection) {
  HttpLimits limits;
  limits.max_header_bytes = 100;
  HttpParser p(limits);
  Recorder r;
  feed(p, Dir::kToServer, "GET /x HTTP/1.1\r\nX: " + std::string(200, 'a') + "\r\n\r\nGET /y HTTP/1.1\r\n\r\n", &r);
  EXPECT_EQ(p.counters().header_limit, 1u);
  EXPECT_EQ(p.tx_count(), 1u);
  ASSERT_EQ(r.events.size(), 1u);  // the request line was still reported
  EXPECT_EQ(r.events[0].uri, "/x");
}

TEST(HttpParser, PipeliningDeeperThanTheRingDropsTheOldest) {
  HttpLimits limits;
  limits.max_tx = 4;
  HttpParser p(limits);
  std::string reqs;
  for (int i = 0; i < 10; ++i) reqs += "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
  Recorder r;
  feed(p, Dir::kToServer, reqs, &r);
  EXPECT_EQ(r.events.size(), 10u);  // each was reported while alive
  EXPECT_EQ(p.find(0), nullptr);
  ASSERT_NE(p.find(9), nullptr);
  EXPECT_EQ(p.find(9)->uri(), "/9");
  EXPECT_EQ(p.counters().tx_dropped, 6u);
}

TEST(HttpParser, UnsolicitedResponseGetsItsOwnTransaction) {
  HttpParser p;
  feed(p, Dir::kToClient, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_NE(p.find(0), nullptr);
  EXPECT_FALSE(p.find(0)->has_request());
  EXPECT_EQ(p.find(0)->response().body(), "abc");
  feed(p, Dir::kToServer, "GET /late HTTP/1.1\r\n\r\n");
  EXPECT_EQ(p.find(1)->uri(), "/late");
}

TEST(HttpParser, GapInsideABodyKeepsParsing) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
  feed(p, Dir::kToClient, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab");
  p.gap(Dir::kToClient, 5);
  feed(p, Dir::kToClient, "xyzHTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_TRUE(p.find(0)->response().complete());
  EXPECT_TRUE(p.find(0)->response().body_truncated());
  EXPECT_EQ(p.find(0)->response().body(), "abxyz");
}

TEST(HttpParser, ResetGivesBackBigBuffersButKeepsWorking) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET / HTTP/1.1\r\n\r\n");
  feed(p, Dir::kToClient, "HTTP/1.1 200 OK\r\nContent-Length: 90000\r\n\r\n" + std::string(90000, 'x'));
  EXPECT_EQ(p.find(0)->response().body().size(), 90000u);
  p.reset();
  feed(p, Dir::kToServer, "GET /again HTTP/1.1\r\n\r\n");
  feed(p, Dir::kToClient, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(p.find(0)->uri(), "/again");
  EXPECT_EQ(p.find(0)->response().body(), "abc");
}

TEST(HttpParser, ResetKeepsNothingOfTheOldFlow) {
  HttpParser p;
  feed(p, Dir::kToServer, "GET /old HTTP/1.1\r\n\r\n");
  p.reset();
  EXPECT_EQ(p.find(0), nullptr);
  feed(p, Dir::kToServer, "GET /new HTTP/1.1\r\n\r\n");
  EXPECT_EQ(p.find(0)->uri(), "/new");
}

}  // namespace
}  // namespace canh::sensor::app
