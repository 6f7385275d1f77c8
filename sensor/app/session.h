// One flow's app layer: protocol detection by content, then the matching parser, fed the flow's
// in-order bytes per direction (TCP) or its datagrams (UDP). Sessions and parsers come from a
// per-worker AppPools and go back to it when the flow ends, keeping their buffers: a warm worker
// allocates nothing per packet.
//
// Detection: each direction's first bytes are held (up to AppConfig::detect_window) until a verdict.
// When either direction is recognised, the parser is fed what both directions held, to-server first,
// so a response that names the protocol still pairs with the request before it (suricata-verify
// http-not09-file: junk request, HTTP response). When both directions fail, the flow is "failed" and
// costs nothing more. An HTTP CONNECT answered 2xx starts detection again on the tunnel's bytes, so
// TLS through a proxy gets its SNI, JA3 and certificate (the flow's app_proto becomes tls).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "rules/detect.h"
#include "sensor/app/app_types.h"
#include "sensor/app/dns_parser.h"
#include "sensor/app/http_parser.h"
#include "sensor/app/ssh_parser.h"
#include "sensor/app/tls_parser.h"

namespace canh::sensor::app {

struct AppConfig {
  HttpLimits http;
  DnsLimits dns;
  TlsLimits tls;
  // app-layer.protocols.<name>.enabled: a disabled protocol is neither detected nor parsed.
  bool http_enabled = true;
  bool tls_enabled = true;
  bool dns_enabled = true;
  bool ssh_enabled = true;
  uint32_t detect_window = 4096;   // bytes per direction held while detection is undecided
  size_t http_memcap = 64u << 20;  // HTTP body bytes kept per worker (app-layer.protocols.http.memcap)
  // Parsers of each kind a pool keeps for reuse. Idle parsers keep their small buffers (and a zlib
  // state once one inflated a body), so this bounds a worker's idle app-layer memory.
  uint32_t max_idle = 256;
};

class AppSession;

class AppPools {
 public:
  explicit AppPools(const AppConfig& config);
  ~AppPools();
  AppPools(const AppPools&) = delete;
  AppPools& operator=(const AppPools&) = delete;

  const AppConfig& config() const { return config_; }
  const BodyBudget& http_budget() const { return http_budget_; }
  std::unique_ptr<AppSession> take_session();
  void give(std::unique_ptr<AppSession> s);

 private:
  friend class AppSession;
  template <class T>
  struct Pool {
    std::vector<std::unique_ptr<T>> idle;
  };
  AppConfig config_;
  BodyBudget http_budget_;
  Pool<AppSession> sessions_;
  Pool<HttpParser> http_;
  Pool<DnsParser> dns_;
  Pool<TlsParser> tls_;
  Pool<SshParser> ssh_;
};

class AppSession {
 public:
  explicit AppSession(const AppConfig& config);
  ~AppSession();

  // A new flow: transport and the initiator's ports.
  void start(uint8_t ip_proto, uint16_t sport, uint16_t dport);
  // Back to a pool: parsers are returned, buffers kept.
  void release(AppPools& pools);

  // TCP: in-order stream bytes of one direction. UDP: one datagram.
  void on_data(AppPools& pools, Dir dir, std::span<const uint8_t> data, TxObserver* obs);
  void on_gap(Dir dir, uint64_t len);
  // TCP: the direction ended; delimits bodies that run to the close.
  void on_end(Dir dir, TxObserver* obs);

  rules::AppProto proto() const { return proto_; }
  // EVE members for transaction `tx_id` of this flow; nothing when it is no longer known.
  void write_eve(uint64_t tx_id, std::string* out) const;

  // Transactions due for inspection per direction (the pipeline inspects a transaction with the next
  // packet going its way, not while parsing). mark_pending() is called for every progress event;
  // take_pending() empties a direction's list into `out` (oldest first) and returns the count.
  static constexpr size_t kMaxPending = 16;
  void mark_pending(Dir dir, uint64_t tx_id);
  size_t take_pending(Dir dir, std::array<uint64_t, kMaxPending>* out);
  bool has_pending(Dir dir) const { return npending_[dir_index(dir)] > 0; }
  // The event describing transaction `tx_id` as seen from `dir` (what fill_buffers() reads); false
  // when the transaction is gone (ring overrun, or a DNS message that was not the last one).
  bool tx_event(uint64_t tx_id, Dir dir, TxEvent* ev) const;

  const HttpParser* http() const { return http_.get(); }
  const DnsParser* dns() const { return dns_.get(); }
  const TlsParser* tls() const { return tls_.get(); }
  const SshParser* ssh() const { return ssh_.get(); }

 private:
  void detected(AppPools& pools, rules::AppProto p, TxObserver* obs);
  void feed(AppPools& pools, Dir dir, std::span<const uint8_t> data, TxObserver* obs);
  void open_tunnel(AppPools& pools, Dir dir, std::span<const uint8_t> rest, TxObserver* obs);
  bool enabled(rules::AppProto p) const;

  const AppConfig& config_;
  uint8_t ip_proto_ = 0;
  uint16_t sport_ = 0, dport_ = 0;
  rules::AppProto proto_ = rules::AppProto::kUnknown;
  std::array<std::string, 2> held_;   // bytes seen before detection decided
  std::array<bool, 2> failed_{};      // that direction does not look like anything we know
  std::array<bool, 2> lost_{};        // that direction overflowed the window or had a gap
  bool tunnel_ = false;               // an HTTP CONNECT tunnel opened: detection ran again inside
  uint64_t tx_base_ = 0;              // tx ids inside the tunnel start after the HTTP ones
  std::array<std::array<uint64_t, kMaxPending>, 2> pending_{};
  std::array<uint8_t, 2> npending_{};
  std::unique_ptr<HttpParser> http_;
  std::unique_ptr<DnsParser> dns_;
  std::unique_ptr<TlsParser> tls_;
  std::unique_ptr<SshParser> ssh_;
};

}  // namespace canh::sensor::app
