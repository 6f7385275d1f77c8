// Test-only: a small synchronous HTTP(S) client over loopback for the server and API tests. Keeps a
// cookie jar and the CSRF token like the web UI does, so tests exercise the same flow as a browser.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace canh::console::testing {

struct ClientResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (boost::beast::iequals(k, name)) return v;
    return {};
  }
};

class Client {
 public:
  explicit Client(uint16_t port, bool tls = false) : port_(port), tls_(tls) {}

  ClientResponse request(const std::string& method, const std::string& target, const std::string& body = "",
                         std::vector<std::pair<std::string, std::string>> extra = {}) {
    namespace beast = boost::beast;
    namespace bhttp = beast::http;
    namespace asio = boost::asio;
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port_));
    if (!cookie_.empty()) req.set(bhttp::field::cookie, cookie_);
    if (!csrf_.empty() && method != "GET") req.set("X-CSRF-Token", csrf_);
    if (!bearer_.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer_);
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    for (auto& [k, v] : extra) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    req.keep_alive(false);

    asio::io_context ioc;
    asio::ip::tcp::resolver resolver(ioc);
    auto eps = resolver.resolve("127.0.0.1", std::to_string(port_));
    bhttp::response<bhttp::string_body> res;
    beast::flat_buffer buf;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256u << 20);
    if (tls_) {
      asio::ssl::context ctx(asio::ssl::context::tls_client);
      ctx.set_verify_mode(asio::ssl::verify_none);  // tests use a throwaway self-signed certificate
      beast::ssl_stream<beast::tcp_stream> s(ioc, ctx);
      beast::get_lowest_layer(s).connect(eps);
      s.handshake(asio::ssl::stream_base::client);
      bhttp::write(s, req);
      bhttp::read(s, buf, parser);
      beast::error_code ec;
      s.shutdown(ec);
    } else {
      beast::tcp_stream s(ioc);
      s.connect(eps);
      bhttp::write(s, req);
      bhttp::read(s, buf, parser);
      beast::error_code ec;
      s.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    }
    res = parser.release();
    ClientResponse out;
    out.status = res.result_int();
    out.body = res.body();
    for (const auto& f : res) {
      out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
      if (beast::iequals(f.name_string(), "set-cookie")) {
        std::string v(f.value());
        cookie_ = v.substr(0, v.find(';'));
        if (v.find("Max-Age=0") != std::string::npos) cookie_.clear();
      }
    }
    return out;
  }

  ClientResponse get(const std::string& target) { return request("GET", target); }
  ClientResponse post(const std::string& target, const std::string& body) { return request("POST", target, body); }

  void set_csrf(std::string t) { csrf_ = std::move(t); }
  void set_cookie(std::string c) { cookie_ = std::move(c); }
  void set_bearer(std::string t) { bearer_ = std::move(t); }
  const std::string& cookie() const { return cookie_; }
  const std::string& csrf() const { return csrf_; }

 private:
  uint16_t port_;
  bool tls_;
  std::string cookie_, csrf_, bearer_;
};

}  // namespace canh::console::testing
