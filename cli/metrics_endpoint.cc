#include "cli/metrics_endpoint.h"

#include "common/metrics_text.h"

namespace canh::cli {

Result<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::start(const std::string& listen,
                                                                std::function<std::string()> render) {
  std::unique_ptr<MetricsEndpoint> e(new MetricsEndpoint());
  console::ServerOptions so;
  Status s = console::parse_listen(listen, &so.host, &so.port);
  if (!s) return s.with_context("--metrics-listen");
  so.threads = 1;
  so.max_connections = 16;
  so.body_limit = 1024;  // scrapes carry no body
  e->host_ = so.host;
  e->router_ = std::make_unique<console::Router>();
  s = e->router_->mount({{"GET", "/metrics", http::Access::anyone(),
                          [render = std::move(render)](const http::Request&, const http::Caller&) {
                            http::Response r;
                            r.content_type = std::string(metrics::kContentType);
                            r.headers.emplace_back("cache-control", "no-store");
                            r.body = render();
                            return r;
                          },
                          ""}});
  if (!s) return s;
  auto srv = console::Server::start(so, *e->router_);
  if (!srv) return srv.status().with_context("--metrics-listen " + listen);
  e->server_ = std::move(srv).value();
  return e;
}

MetricsEndpoint::~MetricsEndpoint() {
  if (server_) server_->stop();
}

std::string MetricsEndpoint::url() const {
  std::string h = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  return "http://" + h + ":" + std::to_string(server_->port()) + "/metrics";
}

}  // namespace canh::cli
