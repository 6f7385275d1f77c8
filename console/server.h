// The HTTP(S) server: Boost.Beast on one io_context run by a small thread pool. Every connection is
// a session owned by shared_from_this; every read has a deadline and size limits, so a slow or
// hostile client costs one socket for at most the timeout. Requests are handed to the Router as
// transport-free http::Request values.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "console/router.h"

namespace canh::console {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8443;       // 0: pick a free port (tests); port() tells which
  unsigned threads = 2;
  std::string tls_cert_file;  // both set: HTTPS only
  std::string tls_key_file;
  std::chrono::seconds read_timeout{30};   // whole request, headers and body
  std::chrono::seconds idle_timeout{60};   // keep-alive wait for the next request
  std::chrono::seconds write_timeout{30};
  uint32_t header_limit = 16 * 1024;
  uint64_t body_limit = 32ull << 20;       // rule-set uploads are the biggest bodies
  size_t max_connections = 1024;
};

class Server {
 public:
  // Binds and starts serving on background threads. The router must outlive the server.
  static Result<std::unique_ptr<Server>> start(const ServerOptions& options, const Router& router);
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;
  bool tls() const;
  // Stops accepting, closes connections and joins the threads. Idempotent.
  void stop();
  // Blocks until stop() is called (from a signal handler thread or another thread).
  void wait();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "127.0.0.1:8443" / "[::1]:8443" / ":8443" -> host and port; errors name the value.
Status parse_listen(std::string_view text, std::string* host, uint16_t* port);

}  // namespace canh::console
