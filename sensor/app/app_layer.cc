#include "sensor/app/app_layer.h"

#include <array>
#include <string_view>

#include "sensor/app/buffers.h"
#include "sensor/app/http_parser.h"

namespace canh::sensor::app {
namespace {

constexpr uint32_t kUnlimitedBody = 16u << 20;

// Suricata's yes/no words; "detection-only" still detects and parses here (we have no separate
// logging to turn off).
Status parse_enabled(std::string_view key, std::string_view v, bool* out) {
  if (iequals(v, "yes") || iequals(v, "true") || iequals(v, "on") || iequals(v, "1") || iequals(v, "detection-only")) {
    *out = true;
  } else if (iequals(v, "no") || iequals(v, "false") || iequals(v, "off") || iequals(v, "0")) {
    *out = false;
  } else {
    return Status::invalid("app-layer.protocols." + std::string(key) + ": expected yes or no (got \"" +
                           std::string(v) + "\")");
  }
  return Status::ok();
}

// "100kb", "1mb", "1gb" (case-insensitive, optional 'b' / "ib"), or plain bytes.
Status parse_bytes(std::string_view key, std::string_view v, uint64_t* out) {
  std::string_view t = trim(v);
  uint64_t n = 0;
  size_t i = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9' && n < (uint64_t{1} << 40)) n = n * 10 + (t[i++] - '0');
  std::string_view unit = trim(t.substr(i));
  uint64_t mult = 0;
  if (i == 0) mult = 0;
  else if (unit.empty() || iequals(unit, "b")) mult = 1;
  else if (iequals(unit, "k") || iequals(unit, "kb") || iequals(unit, "kib")) mult = 1024;
  else if (iequals(unit, "m") || iequals(unit, "mb") || iequals(unit, "mib")) mult = 1024 * 1024;
  else if (iequals(unit, "g") || iequals(unit, "gb") || iequals(unit, "gib")) mult = 1024 * 1024 * 1024;
  if (mult == 0)
    return Status::invalid("app-layer.protocols." + std::string(key) + ": expected a size such as 100kb (got \"" +
                           std::string(v) + "\")");
  *out = n * mult;
  return Status::ok();
}

// A body limit: 0 is Suricata's "unlimited", capped here.
Status parse_body_limit(std::string_view key, std::string_view v, uint32_t* out) {
  uint64_t bytes = 0;
  CANH_RETURN_IF_ERROR(parse_bytes(key, v, &bytes));
  *out = bytes == 0 || bytes > kUnlimitedBody ? kUnlimitedBody : static_cast<uint32_t>(bytes);
  return Status::ok();
}

// Notes a transaction's progress for the pipeline's next inspection in that direction. The flow's
// app_proto is set at once, so rules on the packet being processed (`alert http` without buffers)
// already see it.
class ToPipeline final : public TxObserver {
 public:
  ToPipeline(sensor::AppDataContext& ctx, AppSession& session) : ctx_(ctx), session_(session) {}
  void on_tx(const TxEvent& ev) override {
    if (ctx_.app_proto != nullptr) *ctx_.app_proto = session_.proto();
    session_.mark_pending(ev.dir, ev.tx_id);
    // A finished HTTP message triggers raw inspection of its direction (app-layer-htp.c calls
    // AppLayerParserTriggerRawStreamReassembly on request and response completion).
    if (ev.http != nullptr && ev.http->side(ev.dir).complete() && (ev.dir == Dir::kToServer) == ctx_.to_server)
      ctx_.raw_trigger = true;
  }

 private:
  sensor::AppDataContext& ctx_;
  AppSession& session_;
};

class Worker final : public sensor::AppLayerWorker {
 public:
  explicit Worker(const AppConfig& config) : pools_(config) {}

  void* flow_start(const sensor::AppFlowInfo& info) override {
    if (info.ip_proto != 6 && info.ip_proto != 17) return nullptr;
    std::unique_ptr<AppSession> s = pools_.take_session();
    s->start(info.ip_proto, info.sp, info.dp);
    return s.release();  // back under a unique_ptr in flow_end()
  }

  void on_data(void* state, sensor::AppDataContext& ctx, std::span<const uint8_t> data) override {
    auto* s = static_cast<AppSession*>(state);
    const Dir dir = ctx.to_server ? Dir::kToServer : Dir::kToClient;
    ToPipeline obs(ctx, *s);
    if (!data.empty()) s->on_data(pools_, dir, data, &obs);
    if (ctx.stream_end) s->on_end(dir, &obs);
    if (ctx.app_proto != nullptr && s->proto() != rules::AppProto::kUnknown) *ctx.app_proto = s->proto();
  }

  void inspect(void* state, bool to_server, sensor::AppTxSink& sink) override {
    auto* s = static_cast<AppSession*>(state);
    const Dir dir = to_server ? Dir::kToServer : Dir::kToClient;
    if (!s->has_pending(dir)) return;
    std::array<uint64_t, AppSession::kMaxPending> ids;
    const size_t n = s->take_pending(dir, &ids);
    for (size_t i = 0; i < n; ++i) {
      TxEvent ev;
      if (!s->tx_event(ids[i], dir, &ev)) continue;
      fill_buffers(ev, &buffers_, &scratch_);
      sink.on_tx(buffers_);
    }
  }

  bool has_pending(void* state, bool to_server) override {
    return static_cast<AppSession*>(state)->has_pending(to_server ? Dir::kToServer : Dir::kToClient);
  }

  void on_gap(void* state, bool to_server, uint64_t len) override {
    static_cast<AppSession*>(state)->on_gap(to_server ? Dir::kToServer : Dir::kToClient, len);
  }

  void eve_fields(void* state, uint64_t tx_id, bool /*to_server*/, std::string& out) override {
    static_cast<const AppSession*>(state)->write_eve(tx_id, &out);
  }

  void flow_end(void* state) override { pools_.give(std::unique_ptr<AppSession>(static_cast<AppSession*>(state))); }

 private:
  AppPools pools_;
  rules::AppBuffers buffers_;
  BufferScratch scratch_;
};

class Factory final : public sensor::AppLayerFactory {
 public:
  explicit Factory(const AppConfig& config) : config_(config) {}
  std::unique_ptr<sensor::AppLayerWorker> make_worker(uint32_t /*worker_id*/) override {
    return std::make_unique<Worker>(config_);
  }

 private:
  AppConfig config_;
};

}  // namespace

Result<AppConfig> app_config_from(const std::map<std::string, std::string, std::less<>>& settings) {
  AppConfig c;
  bool dns_tcp = true, dns_udp = true;
  for (const auto& [key, value] : settings) {
    Status st;
    if (key == "http.enabled") st = parse_enabled(key, value, &c.http_enabled);
    else if (key == "tls.enabled") st = parse_enabled(key, value, &c.tls_enabled);
    else if (key == "ssh.enabled") st = parse_enabled(key, value, &c.ssh_enabled);
    else if (key == "dns.enabled") st = parse_enabled(key, value, &c.dns_enabled);
    else if (key == "dns.tcp.enabled") st = parse_enabled(key, value, &dns_tcp);
    else if (key == "dns.udp.enabled") st = parse_enabled(key, value, &dns_udp);
    else if (key == "http.libhtp.default-config.request-body-limit")
      st = parse_body_limit(key, value, &c.http.request_body_limit);
    else if (key == "http.libhtp.default-config.response-body-limit")
      st = parse_body_limit(key, value, &c.http.response_body_limit);
    else if (key == "http.memcap") {
      uint64_t bytes = 0;
      st = parse_bytes(key, value, &bytes);
      if (st && bytes < (1u << 20)) st = Status::invalid("app-layer.protocols.http.memcap: at least 1mb");
      c.http_memcap = bytes;
    }
    if (!st) return st;
  }
  // One switch for DNS here: the transport split is rare and both default to on.
  if (!dns_tcp && !dns_udp) c.dns_enabled = false;
  return c;
}

std::shared_ptr<sensor::AppLayerFactory> make_app_layer_factory(const AppConfig& config) {
  return std::make_shared<Factory>(config);
}

}  // namespace canh::sensor::app
