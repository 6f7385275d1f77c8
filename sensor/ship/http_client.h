// A small blocking HTTP/1.1 client for the shipper: one keep-alive connection to the collector,
// HTTPS with certificate and host name verification (OpenSSL via Boost.Asio), a deadline on every
// step. One thread uses it at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace canh::sensor::ship {

struct CollectorUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string base;  // path prefix without the trailing '/', usually empty

  // "https://collector.example:8443", "http://127.0.0.1:8080/canh". Errors name the URL.
  static Result<CollectorUrl> parse(std::string_view text);
  std::string to_string() const;
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds io_timeout{60000};  // a whole request and its response
  std::string ca_file;      // trust these certificates (PEM) besides the system's
  bool verify_tls = true;   // false only for tests and labs: says so in the log
  uint64_t max_response_bytes = 64ull << 20;
};

struct HttpResult {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, if any
};

class HttpClient {
 public:
  HttpClient(CollectorUrl url, HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `target` is appended to the URL's base path. A request that fails on a kept-alive connection
  // before any response arrived is retried once on a fresh one (the server may have closed it idle);
  // callers only send requests that are safe to repeat (batches are idempotent by number).
  Result<HttpResult> request(std::string_view method, std::string_view target,
                             const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body,
                             std::string_view content_type);
  void close();
  const CollectorUrl& url() const { return url_; }

  struct Impl;

 private:
  CollectorUrl url_;
  HttpClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace canh::sensor::ship
