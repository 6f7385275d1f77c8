#include "sensor/ship/http_client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <optional>

#include "common/log.h"

namespace canh::sensor::ship {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

Result<CollectorUrl> CollectorUrl::parse(std::string_view text) {
  auto bad = [&](const std::string& why) { return Status::invalid("collector URL \"" + std::string(text) + "\": " + why); };
  auto u = boost::urls::parse_uri(text);
  if (!u) return bad("not a URL (expected https://HOST:PORT)");
  CollectorUrl c;
  std::string scheme(u->scheme());
  if (scheme == "https") c.tls = true;
  else if (scheme != "http") return bad("scheme must be http or https");
  if (!u->has_authority() || u->host().empty()) return bad("no host");
  if (u->has_userinfo()) return bad("credentials in the URL are not accepted: use --token");
  if (u->has_query() || u->has_fragment()) return bad("no query or fragment expected");
  // The host and path are used as written: a percent-escape in the host ("h%2fx") would decode to
  // a different host than the one printed, and the base path goes into request lines, where a
  // decoded space or newline would break them (found by ship_spool_fuzz).
  if (u->host_type() == boost::urls::host_type::ipvfuture) return bad("unsupported address literal");
  if (u->encoded_host().find('%') != boost::urls::pct_string_view::npos) return bad("percent-escapes in the host");
  c.host = u->host_type() == boost::urls::host_type::ipv6 ? std::string(u->host_address()) : std::string(u->host());
  if (u->has_port()) {
    // Boost.URL 1.81's port_number() wraps values past 65535, so read the digits here.
    unsigned long port = 0;
    for (char d : u->port()) port = port > 65535 ? port : port * 10 + static_cast<unsigned long>(d - '0');
    if (u->port().empty() || port == 0 || port > 65535) return bad("port must be a number from 1 to 65535");
    c.port = std::to_string(port);
  } else {
    c.port = c.tls ? "443" : "80";
  }
  c.base = std::string(u->encoded_path());
  while (!c.base.empty() && c.base.back() == '/') c.base.pop_back();
  return c;
}

std::string CollectorUrl::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https" : "http") + "://" + (v6 ? "[" + host + "]" : host) + ":" + port + base;
}

struct HttpClient::Impl {
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  bool connected = false;

  beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
  void reset_streams() {
    secure.reset();
    plain.reset();
    buffer.clear();
    connected = false;
  }
  // Runs queued asynchronous work to completion; the streams' own deadlines bound it.
  void run() {
    ioc.restart();
    ioc.run();
  }
};

HttpClient::HttpClient(CollectorUrl url, HttpClientOptions options)
    : url_(std::move(url)), options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  if (url_.tls) {
    impl_->ssl.emplace(asio::ssl::context::tls_client);
    auto& ctx = *impl_->ssl;
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    ctx.set_default_verify_paths(ec);
    if (!options_.ca_file.empty()) {
      ctx.load_verify_file(options_.ca_file, ec);
      if (ec) log::error("ship", "cannot load the collector CA file").kv("file", options_.ca_file).kv("error", ec.message());
    }
    if (options_.verify_tls) {
      ctx.set_verify_mode(asio::ssl::verify_peer);
    } else {
      ctx.set_verify_mode(asio::ssl::verify_none);
      log::warn("ship", "TLS certificate verification is OFF: anyone on the path can read and alter alerts")
          .kv("collector", url_.to_string());
    }
  }
}

HttpClient::~HttpClient() { close(); }

void HttpClient::close() {
  if (!impl_->connected) return impl_->reset_streams();
  beast::error_code ec;
  impl_->lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
  impl_->lowest().close();
  impl_->reset_streams();
}

Result<HttpResult> HttpClient::request(std::string_view method, std::string_view target,
                                       const std::vector<std::pair<std::string, std::string>>& headers,
                                       std::string_view body, std::string_view content_type) {
  auto& im = *impl_;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = im.connected;
    beast::error_code ec;
    std::string step;
    if (!im.connected) {
      im.reset_streams();
      step = "connect";
      tcp::resolver resolver(im.ioc);
      tcp::resolver::results_type endpoints;
      resolver.async_resolve(url_.host, url_.port, [&](beast::error_code e, tcp::resolver::results_type r) {
        ec = e;
        endpoints = std::move(r);
      });
      im.run();
      if (!ec) {
        if (url_.tls) im.secure.emplace(im.ioc, *im.ssl);
        else im.plain.emplace(im.ioc);
        im.lowest().expires_after(options_.connect_timeout);
        im.lowest().async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
        im.run();
      }
      if (!ec && url_.tls) {
        step = "TLS handshake";
        SSL* h = im.secure->native_handle();
        if (!SSL_set_tlsext_host_name(h, url_.host.c_str())) {
          ec = beast::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
        } else {
          if (options_.verify_tls) im.secure->set_verify_callback(asio::ssl::host_name_verification(url_.host));
          im.lowest().expires_after(options_.connect_timeout);
          im.secure->async_handshake(asio::ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
          im.run();
        }
      }
      if (ec) {
        close();
        return Status::unavailable("collector " + url_.to_string() + ": " + step + ": " + ec.message());
      }
      im.connected = true;
    }

    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), url_.base + std::string(target), 11};
    req.set(bhttp::field::host, url_.host);
    req.set(bhttp::field::user_agent, std::string("canh-sensor/") + CANH_VERSION);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!content_type.empty()) req.set(bhttp::field::content_type, content_type);
    req.keep_alive(true);
    req.body() = std::string(body);
    req.prepare_payload();

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(options_.max_response_bytes);
    bool got_response_bytes = false;
    im.lowest().expires_after(options_.io_timeout);
    step = "send";
    auto on_read = [&](beast::error_code e, size_t) { ec = e; };
    auto on_write = [&](beast::error_code e, size_t) {
      ec = e;
      if (e) return;
      step = "receive";
      if (im.secure) bhttp::async_read(*im.secure, im.buffer, parser, on_read);
      else bhttp::async_read(*im.plain, im.buffer, parser, on_read);
    };
    if (im.secure) bhttp::async_write(*im.secure, req, on_write);
    else bhttp::async_write(*im.plain, req, on_write);
    im.run();
    got_response_bytes = parser.got_some();
    if (ec) {
      close();
      // A kept-alive connection the server closed while idle fails at once: once more, fresh.
      if (reused && !got_response_bytes && ec != beast::error::timeout) continue;
      return Status::unavailable("collector " + url_.to_string() + ": " + step + ": " + ec.message());
    }
    auto res = parser.release();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    if (auto it = res.find(bhttp::field::retry_after); it != res.end()) out.retry_after = std::string(it->value());
    if (!res.keep_alive()) close();
    return out;
  }
  return Status::unavailable("collector " + url_.to_string() + ": connection closed twice");
}

}  // namespace canh::sensor::ship
