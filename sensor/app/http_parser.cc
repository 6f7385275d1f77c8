#include "sensor/app/http_parser.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "sensor/app/http_normalize.h"

namespace canh::sensor::app {
namespace {

constexpr std::pair<std::string_view, HttpHeader> kKnownHeaders[] = {
    {"host", HttpHeader::kHost},
    {"user-agent", HttpHeader::kUserAgent},
    {"cookie", HttpHeader::kCookie},
    {"set-cookie", HttpHeader::kSetCookie},
    {"content-type", HttpHeader::kContentType},
    {"content-length", HttpHeader::kContentLength},
    {"transfer-encoding", HttpHeader::kTransferEncoding},
    {"content-encoding", HttpHeader::kContentEncoding},
    {"referer", HttpHeader::kReferer},
    {"accept", HttpHeader::kAccept},
    {"accept-encoding", HttpHeader::kAcceptEncoding},
    {"accept-language", HttpHeader::kAcceptLanguage},
    {"connection", HttpHeader::kConnection},
    {"server", HttpHeader::kServer},
    {"location", HttpHeader::kLocation},
    {"upgrade", HttpHeader::kUpgrade},
    {"x-forwarded-for", HttpHeader::kXForwardedFor},
};

// The slice `v` of `buf` (v must point into buf) as a Field.
Field field_of(const std::string& buf, std::string_view v) {
  return Field{static_cast<uint32_t>(v.data() - buf.data()), static_cast<uint32_t>(v.size()), true};
}

Field append_field(std::string* buf, std::string_view v) {
  Field f{static_cast<uint32_t>(buf->size()), static_cast<uint32_t>(v.size()), true};
  buf->append(v);
  return f;
}

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && ascii_space(s.front())) s.remove_prefix(1);
  return s;
}
std::string_view rtrim(std::string_view s) {
  while (!s.empty() && ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// A line without its LF and an optional CR before it.
std::string_view chomp(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

// Content-Length as libhtp reads it: optional surrounding whitespace around decimal digits; -1 when
// invalid or absurdly large.
int64_t parse_content_length(std::string_view v) {
  v = trim(v);
  if (v.empty() || v.size() > 18) return -1;
  int64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

// Chunk size line: hex digits, then optional whitespace and ";extensions". -1 when invalid.
int64_t parse_chunk_size(std::string_view line) {
  line = ltrim(line);
  int64_t n = 0;
  size_t digits = 0;
  for (char c : line) {
    int h = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (h < 0) break;
    if (++digits > 15) return -1;
    n = n * 16 + h;
  }
  if (digits == 0) return -1;
  std::string_view rest = ltrim(line.substr(digits));
  if (!rest.empty() && rest.front() != ';') return -1;
  return n;
}

// libhtp's test for "the request line had no protocol, but what follows is a header": the next line
// holds a ':' before any whitespace other than spaces directly after the name.
bool next_line_is_header(std::span<const uint8_t> rest) {
  bool after_spaces = false;
  for (uint8_t b : rest) {
    char c = static_cast<char>(b);
    if (c == ':') return true;
    if (c == ' ' || c == '\t') {
      after_spaces = true;
      continue;
    }
    if (ascii_space(c) || after_spaces) return false;
  }
  return false;
}

int parse_status(std::string_view code) {
  if (code.size() != 3) return -1;
  int n = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n >= 100 ? n : -1;
}

}  // namespace

HttpMessage::HttpMessage() { known_.fill(-1); }

void HttpMessage::reset() {
  progress_ = Progress::kNone;
  head_.clear();
  values_.clear();
  norm_.clear();
  body_.clear();
  line_ = protocol_ = raw_headers_ = hdr_norm_ = hdr_names_ = start_ = Field{};
  headers_.clear();
  header_lines_.clear();
  known_.fill(-1);
  body_wire_ = 0;
  body_reported_ = 0;
  body_charged_ = 0;
  body_seen_ = false;
  body_truncated_ = false;
}

void HttpMessage::trim(size_t keep) {
  for (std::string* s : {&head_, &values_, &norm_, &body_})
    if (s->capacity() > keep) std::string().swap(*s);
  if (headers_.capacity() > 64) std::vector<Header>().swap(headers_);
  if (header_lines_.capacity() > 64) std::vector<Field>().swap(header_lines_);
}

void HttpTx::reset(uint64_t id) {
  id_ = id;
  req_.reset();
  resp_.reset();
  method_ = uri_ = uri_norm_ = host_ = host_raw_ = status_code_ = status_msg_ = Field{};
  host_port_ = -1;
  status_ = -1;
  http09_ = false;
  connect_ = false;
  head_request_ = false;
}

HttpParser::HttpParser(const HttpLimits& limits) : limits_(limits) {
  if (limits_.max_tx == 0) limits_.max_tx = 1;
  ring_.resize(limits_.max_tx);
}

void HttpParser::uncharge(HttpMessage& m) {
  if (budget_ != nullptr) budget_->used -= std::min<size_t>(budget_->used, m.body_charged_);
  m.body_charged_ = 0;
}

void HttpParser::release_bodies(HttpTx& tx) {
  uncharge(tx.req_);
  uncharge(tx.resp_);
}

void HttpParser::reset() {
  constexpr size_t kKeep = 16 * 1024;
  for (auto& tx : ring_) {
    if (!tx) continue;
    release_bodies(*tx);
    tx->req_.trim(kKeep);
    tx->resp_.trim(kKeep);
  }
  for (Side& s : sides_) {
    s.state = State::kIdle;
    s.tx = nullptr;
    s.dirty = false;
    s.changed = false;
    s.remaining = 0;
    s.line_start = 0;
    s.aux.clear();
    s.pending = false;
    s.pending_value.clear();
    s.held.clear();
    if (s.aux.capacity() > kKeep) std::string().swap(s.aux);
    if (s.pending_value.capacity() > kKeep) std::string().swap(s.pending_value);
  }
  next_id_ = oldest_ = resp_next_ = 0;
  tunnel_ = false;
  counters_ = {};
}

const HttpTx* HttpParser::find(uint64_t id) const {
  if (id < oldest_ || id >= next_id_) return nullptr;
  return ring_[id % ring_.size()].get();
}

HttpTx* HttpParser::new_tx() {
  if (next_id_ - oldest_ >= ring_.size()) {
    HttpTx* old = ring_[oldest_ % ring_.size()].get();
    // A transaction a direction is still parsing cannot be recycled: that direction would write
    // into a reused slot. Stop taking new requests instead (pipelining beyond max_tx).
    if (sides_[0].tx == old || sides_[1].tx == old) return nullptr;
    if (!(old->req_.complete() && old->resp_.complete())) ++counters_.tx_dropped;
    if (resp_next_ == oldest_) ++resp_next_;
    ++oldest_;
  }
  auto& slot = ring_[next_id_ % ring_.size()];
  if (!slot) slot = std::make_unique<HttpTx>();
  release_bodies(*slot);
  slot->reset(next_id_++);
  return slot.get();
}

HttpTx* HttpParser::tx_for_response() {
  if (resp_next_ < oldest_) resp_next_ = oldest_;
  if (resp_next_ < next_id_) return ring_[resp_next_++ % ring_.size()].get();
  // A response nobody asked for (request not seen: capture started late, or one-sided capture).
  HttpTx* tx = new_tx();
  if (tx != nullptr) resp_next_ = next_id_;
  return tx;
}

size_t HttpParser::feed(Dir dir, std::span<const uint8_t> data, TxObserver* obs) {
  size_t n = feed_side(dir, data, obs);
  if (sides_[dir_index(dir)].dirty) report(dir, obs);
  return n;
}

void HttpParser::report(Dir dir, TxObserver* obs) {
  Side& s = sides_[dir_index(dir)];
  s.dirty = false;
  s.changed = false;
  if (obs == nullptr || s.tx == nullptr) return;
  HttpMessage& m = msg(s, dir);
  m.body_reported_ = static_cast<uint32_t>(m.body_.size());
  TxEvent ev;
  ev.proto = rules::AppProto::kHttp;
  ev.dir = dir;
  ev.tx_id = s.tx->id_;
  ev.http = s.tx;
  obs->on_tx(ev);
}

size_t HttpParser::feed_side(Dir dir, std::span<const uint8_t> data, TxObserver* obs) {
  Side& s = sides_[dir_index(dir)];
  const size_t total = data.size();
  while (!data.empty()) {
    switch (s.state) {
      case State::kStopped:
        return total;
      case State::kTunnel:
        return total - data.size();
      case State::kConnectWait: {
        // libhtp waits for the proxy's answer too: a 2xx makes these bytes the tunnel's first ones.
        if (s.held.size() + data.size() > limits_.max_line) {
          s.held.clear();
          s.state = State::kStopped;
          return total;
        }
        s.held.append(reinterpret_cast<const char*>(data.data()), data.size());
        return total;
      }
      case State::kIdle: {
        size_t n = on_idle(dir, data);
        data = data.subspan(n);
        break;
      }
      case State::kLine:
      case State::kHeaders: {
        bool line_complete = false;
        size_t n = on_line_bytes(dir, data, &line_complete);
        data = data.subspan(n);
        if (!line_complete) break;
        HttpMessage& m = msg(s, dir);
        std::string_view line = chomp(std::string_view(m.head_).substr(s.line_start));
        if (s.state == State::kLine) {
          m.line_ = field_of(m.head_, line);
          m.raw_headers_ = Field{static_cast<uint32_t>(m.head_.size()), 0, false};
          s.line_start = static_cast<uint32_t>(m.head_.size());
          if (dir == Dir::kToServer) {
            on_request_line(s, data);
          } else {
            on_response_line(s);
          }
          // A request without headers (HTTP/0.9) is complete with its line.
          if (s.state == State::kIdle) complete(dir, obs);
          break;
        }
        if (line.empty()) {
          m.raw_headers_.present = true;
          m.raw_headers_.len = static_cast<uint32_t>(m.head_.size() - m.raw_headers_.off);
          on_headers_complete(dir, obs);
        } else {
          on_header_line(dir, line);
        }
        s.line_start = static_cast<uint32_t>(m.head_.size());
        break;
      }
      default: {
        size_t n = on_body(dir, data, obs);
        data = data.subspan(n);
        break;
      }
    }
  }
  return total;
}

size_t HttpParser::on_idle(Dir dir, std::span<const uint8_t> data) {
  // Blank lines between messages are skipped (libhtp does the same; some clients send an extra CRLF
  // after a POST body).
  size_t i = 0;
  while (i < data.size() && (data[i] == '\r' || data[i] == '\n')) ++i;
  if (i == data.size()) return i;
  Side& s = sides_[dir_index(dir)];
  if (s.tx == nullptr) {
    s.tx = dir == Dir::kToServer ? new_tx() : tx_for_response();
    if (s.tx == nullptr) {
      ++counters_.tx_dropped;
      s.state = State::kStopped;
      return data.size();
    }
  }
  s.state = State::kLine;
  s.line_start = 0;
  s.pending = false;
  return i;
}

size_t HttpParser::on_line_bytes(Dir dir, std::span<const uint8_t> data, bool* line_complete) {
  Side& s = sides_[dir_index(dir)];
  HttpMessage& m = msg(s, dir);
  const auto* lf = static_cast<const uint8_t*>(std::memchr(data.data(), '\n', data.size()));
  size_t take = lf != nullptr ? static_cast<size_t>(lf - data.data()) + 1 : data.size();
  size_t line_len = m.head_.size() - s.line_start + take;
  if (line_len > limits_.max_line || m.head_.size() + take > limits_.max_header_bytes) {
    // libhtp gives up on a connection whose header fields exceed its field limit; so do we, after
    // reporting what arrived, so the rules still see the start line.
    ++counters_.header_limit;
    s.state = State::kStopped;
    s.dirty = s.changed = true;
    *line_complete = false;
    return data.size();
  }
  m.head_.append(reinterpret_cast<const char*>(data.data()), take);
  *line_complete = lf != nullptr;
  return take;
}

void HttpParser::on_request_line(Side& s, std::span<const uint8_t> rest) {
  HttpTx& tx = *s.tx;
  HttpMessage& m = tx.req_;
  std::string_view line = m.start_line();
  // Leading whitespace is tolerated (IIS accepts it; libhtp's IDS personality ignores it).
  std::string_view t = ltrim(line);
  size_t i = 0;
  while (i < t.size() && !ascii_space(t[i])) ++i;
  tx.method_ = field_of(m.head_, t.substr(0, i));
  std::string_view after = rtrim(ltrim(t.substr(i)));
  std::string_view uri, protocol;
  if (!after.empty()) {
    // "GET /a b HTTP/1.1": the URI runs to the last whitespace before a protocol token, so spaces in
    // it survive (Suricata 8; suricata-verify http-uri-spaces). Without a protocol token the URI ends
    // at the first whitespace.
    size_t last_ws = after.find_last_of(" \t");
    if (last_ws != std::string_view::npos && istarts_with(after.substr(last_ws + 1), "HTTP/")) {
      uri = rtrim(after.substr(0, last_ws));
      protocol = after.substr(last_ws + 1);
    } else {
      size_t ws = 0;
      while (ws < after.size() && !ascii_space(after[ws])) ++ws;
      uri = after.substr(0, ws);
      protocol = ltrim(after.substr(ws));
    }
    tx.uri_ = field_of(m.head_, uri);
  }
  m.progress_ = HttpMessage::Progress::kLine;
  s.dirty = s.changed = true;

  if (iequals(tx.method(), "CONNECT")) tx.connect_ = true;
  if (iequals(tx.method(), "HEAD")) tx.head_request_ = true;
  // CONNECT names an authority ("host:443"), not a path. A path there ("CONNECT / HTTP/1.1",
  // suricata-verify bug-7851-01) names no host at all.
  const bool authority = tx.connect_ && uri.find('/') == std::string_view::npos;

  if (tx.uri_.present) {
    tx.uri_norm_ = Field{static_cast<uint32_t>(m.norm_.size()), 0, true};
    if (authority) {
      m.norm_.append(uri);
    } else {
      normalize_uri(uri, &m.norm_);
    }
    tx.uri_norm_.len = static_cast<uint32_t>(m.norm_.size() - tx.uri_norm_.off);
    // An absolute URI (proxy request) names the host; it wins over the Host header.
    std::string_view host, port;
    if (authority) {
      split_host_port(uri, &host, &port);
    } else {
      UriParts parts = split_uri(uri);
      host = parts.host;
      port = parts.port;
    }
    if (!host.empty()) {
      tx.host_raw_ = append_field(&m.norm_, host);
      tx.host_ = Field{static_cast<uint32_t>(m.norm_.size()), 0, true};
      normalize_host(host, &m.norm_);
      tx.host_.len = static_cast<uint32_t>(m.norm_.size() - tx.host_.off);
      int64_t p = parse_content_length(port);
      if (p >= 0 && p <= 65535) tx.host_port_ = static_cast<int32_t>(p);
    }
  }

  if (!protocol.empty()) {
    m.protocol_ = field_of(m.head_, protocol);
    s.state = State::kHeaders;
    return;
  }
  // No protocol: HTTP/0.9 (no headers) unless the next line already here looks like a header, in
  // which case the client merely left the protocol out (suricata-verify http-missing-protocol).
  if (next_line_is_header(rest)) {
    s.state = State::kHeaders;
    return;
  }
  tx.http09_ = true;
  s.state = State::kIdle;
}

void HttpParser::on_response_line(Side& s) {
  HttpTx& tx = *s.tx;
  HttpMessage& m = tx.resp_;
  std::string_view t = ltrim(m.start_line());
  s.dirty = s.changed = true;
  if (!istarts_with(t, "HTTP")) {
    // Not a status line: like libhtp, the response is an HTTP/0.9-style body that runs to the end of
    // the stream, starting with this very line.
    std::string line_bytes = m.head_.substr(m.line_.off);
    m.head_.resize(m.line_.off);
    m.line_ = Field{};
    m.raw_headers_ = Field{};
    s.state = State::kUntilClose;
    s.inflater.start(Encoding::kIdentity, 0);
    body_bytes(Dir::kToClient,
               std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(line_bytes.data()), line_bytes.size()));
    return;
  }
  size_t i = 0;
  while (i < t.size() && !ascii_space(t[i])) ++i;
  m.protocol_ = field_of(m.head_, t.substr(0, i));
  std::string_view rest = ltrim(t.substr(i));
  size_t j = 0;
  while (j < rest.size() && !ascii_space(rest[j])) ++j;
  if (j > 0) {
    tx.status_code_ = field_of(m.head_, rest.substr(0, j));
    tx.status_ = parse_status(rest.substr(0, j));
  }
  std::string_view msg_text = rtrim(ltrim(rest.substr(j)));
  tx.status_msg_ = field_of(m.head_, msg_text);
  m.progress_ = HttpMessage::Progress::kLine;
  s.state = State::kHeaders;
}

void HttpParser::on_header_line(Dir dir, std::string_view line) {
  Side& s = sides_[dir_index(dir)];
  HttpMessage& m = msg(s, dir);
  if ((line.front() == ' ' || line.front() == '\t') && s.pending) {
    // Folded continuation of the previous header (obs-fold): joined with one space.
    std::string_view more = trim(line);
    if (!more.empty() && s.pending_value.size() + more.size() < limits_.max_line) {
      if (!s.pending_value.empty()) s.pending_value.push_back(' ');
      s.pending_value.append(more);
    }
    return;
  }
  commit_pending(s, m);
  size_t colon = line.find(':');
  // A line without a colon is kept in the raw headers only.
  if (colon == std::string_view::npos) return;
  std::string_view name = trim(line.substr(0, colon));
  std::string_view value = trim(line.substr(colon + 1));
  // A NUL ends the value (libhtp).
  size_t nul = value.find('\0');
  if (nul != std::string_view::npos) value = rtrim(value.substr(0, nul));
  Field nf = field_of(m.head_, name);
  s.pending = true;
  s.pending_name_off = nf.off;
  s.pending_name_len = nf.len;
  s.pending_value.assign(value);
}

void HttpParser::commit_pending(Side& s, HttpMessage& m) {
  if (!s.pending) return;
  s.pending = false;
  Field name{s.pending_name_off, s.pending_name_len, true};
  std::string_view n = name.in(m.head_);
  for (auto& h : m.headers_) {
    if (!iequals(h.name.in(m.head_), n)) continue;
    // Repeated header: libhtp combines the values with ", " (Content-Length excepted: the first one
    // frames the body). Bounded so a flood of repeats cannot grow the buffer quadratically.
    if (iequals(n, "content-length")) return;
    if (m.values_.size() + h.value.len + 2 + s.pending_value.size() > 2u * limits_.max_header_bytes) return;
    Field combined{static_cast<uint32_t>(m.values_.size()), 0, true};
    m.values_.append(m.values_, h.value.off, h.value.len);  // the self-append overload is alias-safe
    m.values_.append(", ");
    m.values_.append(s.pending_value);
    combined.len = static_cast<uint32_t>(m.values_.size() - combined.off);
    h.value = combined;
    return;
  }
  if (m.headers_.size() >= limits_.max_headers) return;
  m.headers_.push_back({name, append_field(&m.values_, s.pending_value)});
  for (const auto& [known_name, id] : kKnownHeaders) {
    if (iequals(n, known_name)) {
      m.known_[static_cast<size_t>(id)] = static_cast<int16_t>(m.headers_.size() - 1);
      break;
    }
  }
}

void HttpParser::on_headers_complete(Dir dir, TxObserver* obs) {
  Side& s = sides_[dir_index(dir)];
  HttpTx& tx = *s.tx;
  HttpMessage& m = msg(s, dir);
  commit_pending(s, m);
  m.progress_ = HttpMessage::Progress::kHeaders;
  s.dirty = s.changed = true;

  // http.header: every header but the cookie of this direction, "Name: value\r\n" each.
  std::string_view cookie = dir == Dir::kToServer ? "cookie" : "set-cookie";
  m.hdr_norm_ = Field{static_cast<uint32_t>(m.norm_.size()), 0, true};
  for (const auto& h : m.headers_) {
    std::string_view name = h.name.in(m.head_);
    if (iequals(name, cookie)) continue;
    m.norm_.append(name);
    m.norm_.append(": ");
    m.norm_.append(h.value.in(m.values_));
    m.norm_.append("\r\n");
  }
  m.hdr_norm_.len = static_cast<uint32_t>(m.norm_.size() - m.hdr_norm_.off);
  m.hdr_names_ = Field{static_cast<uint32_t>(m.norm_.size()), 0, true};
  m.norm_.append("\r\n");
  for (const auto& h : m.headers_) {
    m.norm_.append(h.name.in(m.head_));
    m.norm_.append("\r\n");
  }
  m.norm_.append("\r\n");
  m.hdr_names_.len = static_cast<uint32_t>(m.norm_.size() - m.hdr_names_.off);
  m.start_ = Field{static_cast<uint32_t>(m.norm_.size()), 0, true};
  m.norm_.append(m.start_line());
  m.norm_.append("\r\n");
  for (const auto& h : m.headers_) {
    m.norm_.append(h.name.in(m.head_));
    m.norm_.append(": ");
    m.norm_.append(h.value.in(m.values_));
    m.norm_.append("\r\n");
  }
  m.norm_.append("\r\n");
  m.start_.len = static_cast<uint32_t>(m.norm_.size() - m.start_.off);
  for (const auto& h : m.headers_) {
    Field f{static_cast<uint32_t>(m.norm_.size()), 0, true};
    m.norm_.append(h.name.in(m.head_));
    m.norm_.append(": ");
    m.norm_.append(h.value.in(m.values_));
    f.len = static_cast<uint32_t>(m.norm_.size() - f.off);
    m.header_lines_.push_back(f);
  }

  const bool chunked = ifind(m.value(HttpHeader::kTransferEncoding), "chunked") != std::string_view::npos;
  const int64_t cl = m.has(HttpHeader::kContentLength) ? parse_content_length(m.value(HttpHeader::kContentLength)) : -1;
  s.inflater.start(parse_content_encoding(m.value(HttpHeader::kContentEncoding)), limits_.max_decompress_ratio);

  if (dir == Dir::kToServer) {
    if (!tx.host_.present && m.has(HttpHeader::kHost)) {
      std::string_view raw = m.value(HttpHeader::kHost);
      std::string_view host, port;
      split_host_port(raw, &host, &port);
      tx.host_raw_ = append_field(&m.norm_, raw);
      tx.host_ = Field{static_cast<uint32_t>(m.norm_.size()), 0, true};
      normalize_host(host, &m.norm_);
      tx.host_.len = static_cast<uint32_t>(m.norm_.size() - tx.host_.off);
      int64_t p = parse_content_length(port);
      if (!port.empty() && p >= 0 && p <= 65535) tx.host_port_ = static_cast<int32_t>(p);
    }
    if (chunked) {
      s.state = State::kChunkSize;
      s.aux.clear();
    } else if (cl > 0) {
      s.state = State::kBodyLength;
      s.remaining = static_cast<uint64_t>(cl);
    } else {
      complete(dir, obs);
    }
    return;
  }

  // Response.
  if (tx.status_ >= 100 && tx.status_ < 200 && tx.status_ != 101) {
    // Interim response (100 Continue): report it, then parse the final response into the same
    // transaction.
    report(dir, obs);
    uncharge(tx.resp_);
    tx.resp_.reset();
    tx.status_code_ = tx.status_msg_ = Field{};
    tx.status_ = -1;
    s.state = State::kIdle;
    return;
  }
  const bool connect_ok = tx.connect_ && tx.status_ >= 200 && tx.status_ < 300;
  if (connect_ok || tx.status_ == 101) {
    // The connection stops being HTTP (TLS through a proxy, WebSocket, h2c): stop both directions.
    // After a CONNECT the caller may look for the tunnelled protocol.
    complete(dir, obs);
    sides_[0].state = State::kTunnel;
    sides_[1].state = State::kTunnel;
    tunnel_ = connect_ok;
    if (!tunnel_) sides_[0].held.clear();
    return;
  }
  if (tx.connect_ && sides_[0].state == State::kConnectWait) {
    // The proxy refused: what the client sent meanwhile is HTTP again.
    std::string held;
    held.swap(sides_[0].held);
    sides_[0].state = State::kIdle;
    feed_side(Dir::kToServer, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(held.data()), held.size()), obs);
    if (sides_[0].dirty) report(Dir::kToServer, obs);
    held.clear();
    if (sides_[0].held.empty()) sides_[0].held.swap(held);  // keep the capacity
  }
  if (tx.head_request_ || tx.status_ == 204 || tx.status_ == 304) {
    complete(dir, obs);
  } else if (chunked) {
    s.state = State::kChunkSize;
    s.aux.clear();
  } else if (cl == 0) {
    complete(dir, obs);
  } else if (cl > 0) {
    s.state = State::kBodyLength;
    s.remaining = static_cast<uint64_t>(cl);
  } else {
    s.state = State::kUntilClose;
  }
}

void HttpParser::body_bytes(Dir dir, std::span<const uint8_t> data) {
  Side& s = sides_[dir_index(dir)];
  HttpMessage& m = msg(s, dir);
  m.body_seen_ = true;
  m.body_wire_ += data.size();
  m.progress_ = HttpMessage::Progress::kBody;
  const size_t limit = dir == Dir::kToServer ? limits_.request_body_limit : limits_.response_body_limit;
  const size_t step = dir == Dir::kToServer ? limits_.request_body_inspect_step : limits_.response_body_inspect_step;
  size_t room = m.body_.size() < limit ? limit - m.body_.size() : 0;
  bool budget_short = false;
  if (budget_ != nullptr) {
    size_t left = budget_->cap > budget_->used ? budget_->cap - budget_->used : 0;
    if (left < room) {
      room = left;
      budget_short = true;
    }
  }
  const size_t before = m.body_.size();
  bool was_bomb = s.inflater.bomb();
  s.inflater.write(data, &m.body_, room);
  const size_t added = m.body_.size() - before;
  if (budget_ != nullptr) {
    budget_->used += added;
    m.body_charged_ += static_cast<uint32_t>(added);
    if (budget_short && added == room) {
      budget_->refused += data.size();
      m.body_truncated_ = true;
    }
  }
  if (added > 0) s.changed = true;
  if (m.body_.size() >= size_t{m.body_reported_} + step) s.dirty = true;
  if (!was_bomb && s.inflater.bomb()) ++counters_.decompress_bomb;
  if (m.body_.size() >= limit || s.inflater.bomb()) m.body_truncated_ = true;
}

size_t HttpParser::on_body(Dir dir, std::span<const uint8_t> data, TxObserver* obs) {
  Side& s = sides_[dir_index(dir)];
  switch (s.state) {
    case State::kBodyLength:
    case State::kChunkData: {
      size_t n = static_cast<size_t>(std::min<uint64_t>(s.remaining, data.size()));
      if (n > 0) body_bytes(dir, data.first(n));
      s.remaining -= n;
      if (s.remaining == 0) {
        if (s.state == State::kBodyLength) {
          complete(dir, obs);
        } else {
          s.state = State::kChunkDataEnd;
        }
      }
      return n;
    }
    case State::kChunkDataEnd: {
      // The CRLF closing a chunk; tolerate a bare LF or nothing at all.
      if (data[0] == '\r') return 1;
      s.state = State::kChunkSize;
      s.aux.clear();
      return data[0] == '\n' ? 1 : 0;
    }
    case State::kChunkSize:
    case State::kTrailers: {
      const auto* lf = static_cast<const uint8_t*>(std::memchr(data.data(), '\n', data.size()));
      size_t take = lf != nullptr ? static_cast<size_t>(lf - data.data()) + 1 : data.size();
      if (s.aux.size() + take > limits_.max_line) {
        ++counters_.bad_chunk;
        s.state = State::kStopped;
        s.dirty = s.changed = true;
        return data.size();
      }
      s.aux.append(reinterpret_cast<const char*>(data.data()), take);
      if (lf == nullptr) return take;
      std::string_view line = chomp(s.aux);
      if (s.state == State::kTrailers) {
        // Trailer fields are consumed but not inspected.
        if (line.empty()) complete(dir, obs);
        s.aux.clear();
        return take;
      }
      if (trim(line).empty()) {
        s.aux.clear();
        return take;
      }
      int64_t size = parse_chunk_size(line);
      if (size < 0) {
        // Not chunked after all (or broken): take the rest of the stream as body, as libhtp does, so
        // the content is still inspected.
        ++counters_.bad_chunk;
        s.state = State::kUntilClose;
        std::string bytes = std::move(s.aux);
        s.aux.clear();
        body_bytes(dir, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
        return take;
      }
      s.aux.clear();
      if (size == 0) {
        s.state = State::kTrailers;
      } else {
        s.state = State::kChunkData;
        s.remaining = static_cast<uint64_t>(size);
      }
      return take;
    }
    case State::kUntilClose:
      body_bytes(dir, data);
      return data.size();
    default:
      return data.size();
  }
}

void HttpParser::complete(Dir dir, TxObserver* obs) {
  Side& s = sides_[dir_index(dir)];
  if (s.tx == nullptr) return;
  HttpMessage& m = msg(s, dir);
  commit_pending(s, m);
  m.progress_ = HttpMessage::Progress::kComplete;
  const bool connect = dir == Dir::kToServer && s.tx->connect_;
  // Offered again only if something changed since the last offer: a download whose body stopped
  // growing at the limit was already inspected whole.
  if (s.changed) {
    report(dir, obs);
  } else {
    s.dirty = false;
  }
  s.tx = nullptr;
  if (s.state != State::kTunnel && s.state != State::kStopped) s.state = connect ? State::kConnectWait : State::kIdle;
}

void HttpParser::finish(Dir dir, TxObserver* obs) {
  Side& s = sides_[dir_index(dir)];
  if (s.tx != nullptr) {
    HttpMessage& m = msg(s, dir);
    if (s.state == State::kLine && m.head_.size() > s.line_start) {
      // The stream ended inside the start line: parse what there is.
      std::string_view line = chomp(std::string_view(m.head_).substr(s.line_start));
      m.line_ = field_of(m.head_, line);
      if (dir == Dir::kToServer) {
        on_request_line(s, {});
      } else {
        on_response_line(s);
      }
    } else if (s.state == State::kHeaders) {
      m.raw_headers_.present = true;
      m.raw_headers_.len = static_cast<uint32_t>(m.head_.size() - m.raw_headers_.off);
      on_headers_complete(dir, obs);
    }
    if (s.tx != nullptr) complete(dir, obs);
  }
  if (s.dirty) report(dir, obs);
  if (s.state != State::kTunnel) s.state = State::kStopped;
}

void HttpParser::gap(Dir dir, uint64_t len) {
  ++counters_.gaps;
  Side& s = sides_[dir_index(dir)];
  if ((s.state == State::kBodyLength || s.state == State::kChunkData) && s.remaining > len && s.tx != nullptr) {
    HttpMessage& m = msg(s, dir);
    m.body_wire_ += len;
    m.body_truncated_ = true;
    s.remaining -= len;
    // A decoder cannot continue across a hole in compressed data; clear text carries on.
    s.inflater.gap();
    return;
  }
  if (s.state == State::kUntilClose && s.tx != nullptr) {
    HttpMessage& m = msg(s, dir);
    m.body_wire_ += len;
    m.body_truncated_ = true;
    return;
  }
  if (s.state != State::kTunnel) s.state = State::kStopped;
}

}  // namespace canh::sensor::app
