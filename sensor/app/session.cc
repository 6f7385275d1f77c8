#include "sensor/app/session.h"

#include <algorithm>

#include "sensor/app/detect.h"
#include "sensor/app/eve.h"

namespace canh::sensor::app {
namespace {

constexpr uint8_t kTcp = 6;

template <class T, class Pool, class... Args>
std::unique_ptr<T> take(Pool& pool, Args&&... args) {
  if (pool.idle.empty()) return std::make_unique<T>(std::forward<Args>(args)...);
  std::unique_ptr<T> p = std::move(pool.idle.back());
  pool.idle.pop_back();
  return p;
}

template <class T, class Pool>
void give_back(Pool& pool, std::unique_ptr<T>& p, size_t max_idle) {
  if (!p) return;
  p->reset();
  if (pool.idle.size() < max_idle) pool.idle.push_back(std::move(p));
  p.reset();
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

AppPools::AppPools(const AppConfig& config) : config_(config) { http_budget_.cap = config.http_memcap; }
AppPools::~AppPools() = default;

std::unique_ptr<AppSession> AppPools::take_session() { return take<AppSession>(sessions_, config_); }

void AppPools::give(std::unique_ptr<AppSession> s) {
  if (!s) return;
  s->release(*this);
  if (sessions_.idle.size() < config_.max_idle) sessions_.idle.push_back(std::move(s));
}

AppSession::AppSession(const AppConfig& config) : config_(config) {}
AppSession::~AppSession() = default;

void AppSession::start(uint8_t ip_proto, uint16_t sport, uint16_t dport) {
  ip_proto_ = ip_proto;
  sport_ = sport;
  dport_ = dport;
  proto_ = rules::AppProto::kUnknown;
  for (auto& h : held_) h.clear();
  failed_ = {};
  lost_ = {};
  tunnel_ = false;
  tx_base_ = 0;
  npending_ = {};
}

void AppSession::release(AppPools& pools) {
  give_back(pools.http_, http_, pools.config_.max_idle);
  give_back(pools.dns_, dns_, pools.config_.max_idle);
  give_back(pools.tls_, tls_, pools.config_.max_idle);
  give_back(pools.ssh_, ssh_, pools.config_.max_idle);
  for (auto& h : held_) h.clear();
  proto_ = rules::AppProto::kUnknown;
  tunnel_ = false;
  tx_base_ = 0;
  npending_ = {};
}

bool AppSession::enabled(rules::AppProto p) const {
  switch (p) {
    case rules::AppProto::kHttp: return config_.http_enabled;
    case rules::AppProto::kTls: return config_.tls_enabled;
    case rules::AppProto::kDns: return config_.dns_enabled;
    case rules::AppProto::kSsh: return config_.ssh_enabled;
    default: return false;
  }
}

namespace {

// Transactions of a protocol found inside a CONNECT tunnel are numbered after the HTTP ones, so a
// flow's tx ids stay unique (EVE's tx_id, the engine's once-per-transaction memory).
class Renumber final : public TxObserver {
 public:
  Renumber(TxObserver* inner, uint64_t base) : inner_(inner), base_(base) {}
  void on_tx(const TxEvent& ev) override {
    TxEvent e = ev;
    e.tx_id += base_;
    inner_->on_tx(e);
  }

 private:
  TxObserver* inner_;
  uint64_t base_;
};

}  // namespace

void AppSession::feed(AppPools& pools, Dir dir, std::span<const uint8_t> data, TxObserver* obs) {
  if (data.empty()) return;
  if (tunnel_) {
    Renumber renumber(obs, tx_base_);
    TxObserver* o = obs != nullptr ? &renumber : nullptr;
    if (tls_) tls_->feed(dir, data, o);
    else if (ssh_) ssh_->feed(dir, data, o);
    return;
  }
  if (http_) {
    size_t n = http_->feed(dir, data, obs);
    if (http_->tunnel()) open_tunnel(pools, dir, data.subspan(n), obs);
  } else if (tls_) {
    tls_->feed(dir, data, obs);
  } else if (ssh_) {
    ssh_->feed(dir, data, obs);
  } else if (dns_) {
    if (ip_proto_ == kTcp) {
      dns_->feed_stream(dir, data, obs);
    } else {
      dns_->feed_datagram(dir, data, obs);
    }
  }
}

void AppSession::open_tunnel(AppPools& pools, Dir dir, std::span<const uint8_t> rest, TxObserver* obs) {
  // Suricata looks for the protocol inside an HTTP CONNECT tunnel (mostly TLS to the real server):
  // detection starts over on the tunnel's first bytes, the client's held ones first.
  tunnel_ = true;
  tx_base_ = http_->tx_count();
  proto_ = rules::AppProto::kUnknown;
  for (auto& h : held_) h.clear();
  failed_ = {};
  lost_ = {};
  std::string_view client = http_->tunnel_held();
  if (!client.empty()) {
    on_data(pools, Dir::kToServer,
            std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(client.data()), client.size()), obs);
  }
  http_->clear_tunnel_held();
  if (!rest.empty()) on_data(pools, dir, rest, obs);
}

void AppSession::detected(AppPools& pools, rules::AppProto p, TxObserver* obs) {
  proto_ = p;
  switch (p) {
    case rules::AppProto::kHttp:
      http_ = take<HttpParser>(pools.http_, config_.http);
      http_->set_budget(&pools.http_budget_);
      break;
    case rules::AppProto::kTls: tls_ = take<TlsParser>(pools.tls_, config_.tls); break;
    case rules::AppProto::kDns: dns_ = take<DnsParser>(pools.dns_, config_.dns); break;
    case rules::AppProto::kSsh: ssh_ = take<SshParser>(pools.ssh_); break;
    default: break;
  }
  if (ip_proto_ != kTcp) return;
  // What each direction said before the verdict, requests first.
  for (Dir d : {Dir::kToServer, Dir::kToClient}) {
    std::string& h = held_[dir_index(d)];
    if (lost_[dir_index(d)]) {
      if (http_) http_->gap(d, 1);
      if (tls_) tls_->gap(d);
      if (dns_) dns_->gap(d);
    } else {
      feed(pools, d, bytes_of(h), obs);
    }
    h.clear();
  }
}

void AppSession::on_data(AppPools& pools, Dir dir, std::span<const uint8_t> data, TxObserver* obs) {
  if (data.empty()) return;
  if (proto_ != rules::AppProto::kUnknown) {
    feed(pools, dir, data, obs);
    return;
  }
  const size_t d = dir_index(dir);
  if (ip_proto_ != kTcp) {
    Detection r = detect_udp(dir, data, sport_, dport_);
    if (r.verdict == Verdict::kMatch && enabled(r.proto)) {
      detected(pools, r.proto, obs);
      feed(pools, dir, data, obs);
      return;
    }
    failed_[d] = true;
    if (failed_[0] && failed_[1]) proto_ = rules::AppProto::kFailed;
    return;
  }
  if (lost_[d]) return;
  std::string& h = held_[d];
  size_t room = config_.detect_window > h.size() ? config_.detect_window - h.size() : 0;
  h.append(reinterpret_cast<const char*>(data.data()), std::min(room, data.size()));
  if (data.size() > room) lost_[d] = true;  // the parser could not be given this direction whole
  if (!failed_[d]) {
    Detection r = detect_tcp(dir, bytes_of(h), sport_, dport_);
    // Inside a tunnel only what a proxy carries and we parse on its own: TLS, SSH.
    if (tunnel_ && r.verdict == Verdict::kMatch && r.proto != rules::AppProto::kTls && r.proto != rules::AppProto::kSsh)
      r.verdict = Verdict::kNoMatch;
    if (r.verdict == Verdict::kMatch && enabled(r.proto)) {
      // The bytes past the window were not held: the parser gets the held part and a gap.
      bool overflow = lost_[d];
      lost_[d] = false;
      detected(pools, r.proto, obs);
      if (overflow) {
        if (http_) http_->gap(dir, data.size() - room);
        if (tls_) tls_->gap(dir);
        if (dns_) dns_->gap(dir);
      }
      return;
    }
    if (r.verdict != Verdict::kNeedMore || lost_[d]) failed_[d] = true;
  }
  if (failed_[0] && failed_[1]) {
    // A tunnel carrying something else stays an HTTP flow; its bytes are ignored.
    proto_ = tunnel_ ? rules::AppProto::kHttp : rules::AppProto::kFailed;
    for (auto& held : held_) held.clear();
  }
}

void AppSession::on_gap(Dir dir, uint64_t len) {
  const size_t d = dir_index(dir);
  if (proto_ == rules::AppProto::kUnknown) {
    lost_[d] = true;
    failed_[d] = true;
    if (failed_[0] && failed_[1]) proto_ = tunnel_ ? rules::AppProto::kHttp : rules::AppProto::kFailed;
    return;
  }
  if (http_ && !tunnel_) http_->gap(dir, len);
  if (tls_) tls_->gap(dir);
  if (dns_) dns_->gap(dir);
}

void AppSession::on_end(Dir dir, TxObserver* obs) {
  if (http_ && !tunnel_) http_->finish(dir, obs);
}

bool AppSession::tx_event(uint64_t tx_id, Dir dir, TxEvent* ev) const {
  *ev = TxEvent{};
  ev->proto = proto_;
  ev->tx_id = tx_id;
  ev->dir = dir;
  if (tunnel_ && tx_id >= tx_base_ && (tls_ || ssh_)) {
    if (tls_) ev->tls = &tls_->session();
    if (ssh_) ev->ssh = &ssh_->session();
  } else if (http_) {
    ev->http = http_->find(tx_id);
  } else if (dns_) {
    if (dns_->tx_count() == 0 || dns_->last_tx() != tx_id) return false;
    ev->dns = &dns_->last();
  } else if (tls_) {
    ev->tls = &tls_->session();
  } else if (ssh_) {
    ev->ssh = &ssh_->session();
  }
  return ev->http != nullptr || ev->dns != nullptr || ev->tls != nullptr || ev->ssh != nullptr;
}

void AppSession::write_eve(uint64_t tx_id, std::string* out) const {
  TxEvent ev;
  if (!tx_event(tx_id, Dir::kToServer, &ev)) return;
  app::write_eve(ev, out);
}

void AppSession::mark_pending(Dir dir, uint64_t tx_id) {
  const size_t d = dir_index(dir);
  auto& list = pending_[d];
  uint8_t& n = npending_[d];
  for (uint8_t i = 0; i < n; ++i)
    if (list[i] == tx_id) return;
  if (n == kMaxPending) {
    // Deeper than the HTTP ring anyway: the oldest is gone before anyone could inspect it.
    for (size_t i = 1; i < kMaxPending; ++i) list[i - 1] = list[i];
    --n;
  }
  list[n++] = tx_id;
}

size_t AppSession::take_pending(Dir dir, std::array<uint64_t, kMaxPending>* out) {
  const size_t d = dir_index(dir);
  const size_t n = npending_[d];
  for (size_t i = 0; i < n; ++i) (*out)[i] = pending_[d][i];
  npending_[d] = 0;
  return n;
}

}  // namespace canh::sensor::app
