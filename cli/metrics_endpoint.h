// GET /metrics for processes other than the server (canh sensor --metrics-listen HOST:PORT): one
// route on the console's Beast server, which already has the timeouts, size limits and connection
// cap a listening socket needs. No credentials: bind it to loopback or a management address.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "console/router.h"
#include "console/server.h"

namespace canh::cli {

class MetricsEndpoint {
 public:
  // `render` returns the exposition text; it runs on a server thread for each scrape.
  static Result<std::unique_ptr<MetricsEndpoint>> start(const std::string& listen, std::function<std::string()> render);
  ~MetricsEndpoint();
  std::string url() const;

 private:
  MetricsEndpoint() = default;
  std::string host_;
  std::unique_ptr<console::Router> router_;
  std::unique_ptr<console::Server> server_;
};

}  // namespace canh::cli
