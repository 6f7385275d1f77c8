#include "console/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/log.h"

namespace canh::console {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Server::Impl {
  ServerOptions options;
  const Router* router = nullptr;
  std::atomic<size_t> connections{0};
  // Declared after `connections`: destroying the io_context destroys pending handlers and with them
  // the sessions, whose destructors still decrement the counter.
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  uint16_t bound_port = 0;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopped = false;
  bool joined = false;

  explicit Impl(const ServerOptions& o) : options(o), ioc(static_cast<int>(std::max(1u, o.threads))) {}
  void accept();
};

namespace {

// Converts a Beast request into the transport-free shape handlers see. Returns an error response
// when the target is malformed.
std::optional<http::Response> to_request(const bhttp::request<bhttp::string_body>& in, const std::string& remote,
                                         bool tls, http::Request* out) {
  out->method = std::string(in.method_string());
  Status s = parse_target(in.target(), out);
  if (!s) return http::Response::error(400, s.message());
  out->headers.reserve(16);
  for (const auto& f : in) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out->headers.emplace_back(std::move(name), std::string(f.value()));
  }
  out->body = in.body();
  out->remote = remote;
  out->tls = tls;
  return std::nullopt;
}

bhttp::response<bhttp::string_body> to_wire(http::Response r, unsigned version, bool keep_alive, bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "canh");
  if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  // Defaults for every response; a handler may override (static assets set their own cache policy).
  res.set(bhttp::field::cache_control, "no-store");
  res.set("x-content-type-options", "nosniff");
  res.set("x-frame-options", "DENY");
  res.set("referrer-policy", "no-referrer");
  // Scripts and styles only from our own origin, no inline script: the UI never evaluates strings,
  // so even a missed escape cannot run injected script.
  res.set("content-security-policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  for (auto& [k, v] : r.headers) res.set(k, v);
  if (head) {
    res.content_length(r.body.size());
  } else {
    res.body() = std::move(r.body);
    res.prepare_payload();
  }
  res.keep_alive(keep_alive);
  return res;
}

// One connection. Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Server::Impl& srv, Stream stream, std::string remote, bool tls)
      : srv_(srv), stream_(std::move(stream)), remote_(std::move(remote)), tls_(tls) {}
  ~Session() { srv_.connections.fetch_sub(1, std::memory_order_relaxed); }

  void start() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      read();
    } else {
      beast::get_lowest_layer(stream_).expires_after(srv_.options.read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  log::debug("http", "TLS handshake failed").kv("remote", self->remote_).kv("error", ec.message());
                                  return;
                                }
                                self->read();
                              });
    }
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read() {
    parser_.emplace();
    parser_->header_limit(srv_.options.header_limit);
    parser_->body_limit(srv_.options.body_limit);
    // The first request of a connection gets the read timeout; later ones the (longer) idle timeout
    // for the wait, which is still a hard bound on a slowloris that trickles bytes.
    lowest().expires_after(first_ ? srv_.options.read_timeout : srv_.options.idle_timeout);
    first_ = false;
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      return close();
    }
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) return;
    if (ec) {
      // A request we refuse to read whole still gets an answer, so the client learns why.
      int status = 400;
      std::string msg = "malformed request: " + ec.message();
      if (ec == bhttp::error::body_limit) {
        status = 413;
        msg = "request body larger than " + std::to_string(srv_.options.body_limit) + " bytes";
      } else if (ec == bhttp::error::header_limit) {
        status = 431;
        msg = "request headers larger than " + std::to_string(srv_.options.header_limit) + " bytes";
      }
      log::debug("http", "bad request").kv("remote", remote_).kv("error", ec.message());
      return write(to_wire(http::Response::error(status, msg), 11, false, false));
    }
    auto req = parser_->release();
    bool keep_alive = req.keep_alive();
    bool head = req.method() == bhttp::verb::head;
    http::Request r;
    http::Response resp;
    if (auto bad = to_request(req, remote_, tls_, &r)) {
      resp = std::move(*bad);
      keep_alive = false;
    } else {
      resp = srv_.router->handle(std::move(r));
    }
    write(to_wire(std::move(resp), req.version(), keep_alive, head));
  }

  void write(bhttp::response<bhttp::string_body> res) {
    res_.emplace(std::move(res));
    lowest().expires_after(srv_.options.write_timeout);
    bhttp::async_write(stream_, *res_, [self = this->shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return;
      bool again = self->res_->keep_alive();
      self->res_.reset();
      if (again) self->read();
      else self->close();
    });
  }

  void close() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    } else {
      lowest().expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    }
  }

  Server::Impl& srv_;
  Stream stream_;
  std::string remote_;
  bool tls_;
  bool first_ = true;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
};

}  // namespace

void Server::Impl::accept() {
  acceptor->async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      size_t n = connections.fetch_add(1, std::memory_order_relaxed) + 1;
      beast::error_code rec;
      auto ep = socket.remote_endpoint(rec);
      std::string remote = rec ? std::string("?") : ep.address().to_string();
      if (n > options.max_connections) {
        connections.fetch_sub(1, std::memory_order_relaxed);
        log::warn("http", "connection refused: too many open connections").kv("remote", remote).kv("limit", options.max_connections);
        socket.close(rec);
      } else if (ssl) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            *this, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *ssl), remote, true)
            ->start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(*this, beast::tcp_stream(std::move(socket)), remote, false)->start();
      }
    } else {
      log::warn("http", "accept failed").kv("error", ec.message());
    }
    accept();
  });
}

Status parse_listen(std::string_view text, std::string* host, uint16_t* port) {
  auto bad = [&](const char* why) { return Status::invalid("--listen \"" + std::string(text) + "\": " + why); };
  std::string_view h, p;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("expected [IPv6]:PORT");
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("expected HOST:PORT");
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
  }
  if (p.empty() || p.size() > 5) return bad("port must be a number 0-65535");
  unsigned v = 0;
  for (char c : p) {
    if (c < '0' || c > '9') return bad("port must be a number 0-65535");
    v = v * 10 + (c - '0');
  }
  if (v > 65535) return bad("port must be a number 0-65535");
  *host = h.empty() ? "0.0.0.0" : std::string(h);
  *port = static_cast<uint16_t>(v);
  return Status::ok();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(const ServerOptions& options, const Router& router) {
  auto impl = std::make_unique<Impl>(options);
  impl->router = &router;
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty())
      return Status::invalid("TLS needs both --tls-cert and --tls-key");
    impl->ssl.emplace(asio::ssl::context::tls_server);
    auto& ctx = *impl->ssl;
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                    asio::ssl::context::single_dh_use);
    beast::error_code ec;
    ctx.use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) return Status::invalid("--tls-cert " + options.tls_cert_file + ": " + ec.message());
    ctx.use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return Status::invalid("--tls-key " + options.tls_key_file + ": " + ec.message());
  }
  beast::error_code ec;
  auto addr = asio::ip::make_address(options.host, ec);
  if (ec) return Status::invalid("listen address \"" + options.host + "\": " + ec.message());
  tcp::endpoint ep(addr, options.port);
  std::string where = options.host + ":" + std::to_string(options.port);
  auto& acc = impl->acceptor.emplace(impl->ioc);
  acc.open(ep.protocol(), ec);
  if (ec) return Status::io("open socket for " + where + ": " + ec.message());
  acc.set_option(asio::socket_base::reuse_address(true), ec);
  acc.bind(ep, ec);
  if (ec) return Status::io("bind " + where + ": " + ec.message());
  acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::io("listen on " + where + ": " + ec.message());
  impl->bound_port = acc.local_endpoint().port();
  impl->accept();
  unsigned n = std::max(1u, options.threads);
  for (unsigned i = 0; i < n; ++i) impl->threads.emplace_back([io = &impl->ioc] { io->run(); });
  log::info("http", "listening")
      .kv("address", options.host + ":" + std::to_string(impl->bound_port))
      .kv("tls", impl->ssl.has_value())
      .kv("threads", n);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

uint16_t Server::port() const { return impl_->bound_port; }
bool Server::tls() const { return impl_->ssl.has_value(); }

void Server::stop() {
  if (!impl_) return;
  {
    std::lock_guard lock(impl_->stop_mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  // No thread runs the io_context now, so the acceptor can be closed directly: the port is free
  // again when stop() returns (a restart in the same process can bind it).
  beast::error_code ec;
  impl_->acceptor->close(ec);
  {
    std::lock_guard lock(impl_->stop_mu);
    impl_->joined = true;
  }
  impl_->stop_cv.notify_all();
  log::info("http", "stopped");
}

void Server::wait() {
  std::unique_lock lock(impl_->stop_mu);
  impl_->stop_cv.wait(lock, [&] { return impl_->joined; });
}

}  // namespace canh::console
