#include "console/server.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>
#include <filesystem>

#include "console/test_client.h"

namespace canh::console {
namespace {

using http::Access;
using http::Caller;
using http::Request;
using http::Response;

std::unique_ptr<Router> echo_router() {
  auto r = std::make_unique<Router>();
  Status s = r->mount({{"GET", "/echo/{word}", Access::anyone(),
                       [](const Request& q, const Caller&) {
                         return Response::json(200, "{\"word\":" + http::json_quote(q.path_param("word")) +
                                                        ",\"tls\":" + (q.tls ? "true" : "false") + "}");
                       },
                       ""},
                      {"POST", "/size", Access::anyone(),
                       [](const Request& q, const Caller&) {
                         return Response::json(200, "{\"bytes\":" + std::to_string(q.body.size()) + "}");
                       },
                       ""}});
  EXPECT_TRUE(s) << s.message();
  return r;
}

ServerOptions test_options() {
  ServerOptions o;
  o.port = 0;
  o.threads = 2;
  o.body_limit = 1024;
  return o;
}

TEST(Server, ServesRoutesOverLoopback) {
  auto r = echo_router();
  auto srv = Server::start(test_options(), *r);
  ASSERT_TRUE(srv) << srv.status().message();
  testing::Client c((*srv)->port());
  auto resp = c.get("/echo/h%C3%A9llo");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "{\"word\":\"héllo\",\"tls\":false}");
  EXPECT_EQ(resp.header("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(resp.header("Content-Security-Policy").find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(c.get("/missing").status, 404);
}

TEST(Server, BodyOverLimitIs413) {
  auto r = echo_router();
  auto srv = Server::start(test_options(), *r);
  ASSERT_TRUE(srv);
  testing::Client c((*srv)->port());
  EXPECT_EQ(c.post("/size", std::string(1000, 'x')).status, 200);
  auto big = c.post("/size", std::string(5000, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("1024"), std::string::npos);
}

TEST(Server, MalformedTargetIs400) {
  auto r = echo_router();
  auto srv = Server::start(test_options(), *r);
  ASSERT_TRUE(srv);
  testing::Client c((*srv)->port());
  EXPECT_EQ(c.get("/echo/%zz").status, 400);
  EXPECT_EQ(c.get("/echo/../x").status, 400);
}

TEST(Server, GarbageOnTheWireGets400AndTheServerKeepsServing) {
  auto r = echo_router();
  auto srv = Server::start(test_options(), *r);
  ASSERT_TRUE(srv);
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket s(ioc);
  s.connect({boost::asio::ip::make_address("127.0.0.1"), (*srv)->port()});
  std::string junk = "NOT HTTP AT ALL\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(junk));
  std::string got;
  boost::system::error_code ec;
  char buf[512];
  for (;;) {
    size_t n = s.read_some(boost::asio::buffer(buf), ec);
    got.append(buf, n);
    if (ec) break;
  }
  EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
  testing::Client c((*srv)->port());
  EXPECT_EQ(c.get("/echo/ok").status, 200);
}

TEST(Server, StopIsIdempotentAndReleasesThePort) {
  auto r = echo_router();
  auto srv = Server::start(test_options(), *r);
  ASSERT_TRUE(srv);
  uint16_t port = (*srv)->port();
  (*srv)->stop();
  (*srv)->stop();
  (*srv)->wait();
  auto o = test_options();
  o.port = port;
  auto again = Server::start(o, *r);
  EXPECT_TRUE(again) << again.status().message();
}

TEST(Server, ServesHttpsWhenGivenACertificate) {
  auto dir = std::filesystem::temp_directory_path() / ("canh-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + key +
                    " -out " + cert + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "openssl command not available to make a test certificate";
  auto r = echo_router();
  auto o = test_options();
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  auto srv = Server::start(o, *r);
  ASSERT_TRUE(srv) << srv.status().message();
  EXPECT_TRUE((*srv)->tls());
  testing::Client c((*srv)->port(), true);
  auto resp = c.get("/echo/x");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "{\"word\":\"x\",\"tls\":true}");
  std::filesystem::remove_all(dir);
}

TEST(Server, MissingCertificateFileNamesTheFile) {
  auto r = echo_router();
  auto o = test_options();
  o.tls_cert_file = "/nonexistent/cert.pem";
  o.tls_key_file = "/nonexistent/key.pem";
  auto srv = Server::start(o, *r);
  ASSERT_FALSE(srv);
  EXPECT_NE(srv.status().message().find("/nonexistent/cert.pem"), std::string::npos);
}

TEST(ParseListen, AcceptsHostPortAndBracketedIpv6) {
  std::string h;
  uint16_t p = 0;
  ASSERT_TRUE(parse_listen("127.0.0.1:8443", &h, &p));
  EXPECT_EQ(h, "127.0.0.1");
  EXPECT_EQ(p, 8443);
  ASSERT_TRUE(parse_listen("[::1]:0", &h, &p));
  EXPECT_EQ(h, "::1");
  EXPECT_EQ(p, 0);
  EXPECT_FALSE(parse_listen("127.0.0.1", &h, &p));
  EXPECT_FALSE(parse_listen("127.0.0.1:99999", &h, &p));
  EXPECT_FALSE(parse_listen("127.0.0.1:http", &h, &p));
}

}  // namespace
}  // namespace canh::console
