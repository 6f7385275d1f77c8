// Incremental HTTP/1.x parser for one flow: in-order stream bytes of each direction in, typed
// transactions (request + response) out. Tolerant the way libhtp is, because Suricata's rules were
// written against libhtp's view of traffic: leading blank lines, bare LF line ends, folded headers,
// repeated headers combined with ", ", HTTP/0.9 requests, requests missing their protocol but
// followed by headers, responses whose status line is not "HTTP/..." treated as body, pipelining,
// 100-continue, chunked bodies, gzip/deflate bodies.
//
// Every buffer is bounded by HttpLimits; the transactions live in a ring reused across the flow, so
// after warm-up a flow allocates nothing per packet. Views handed out (through TxEvent) are valid
// until the next feed()/finish()/gap()/reset().
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/app/app_types.h"
#include "sensor/app/decompress.h"

namespace canh::sensor::app {

struct HttpLimits {
  uint32_t max_line = 16 * 1024;          // one start line or header line (libhtp's field-limit is 18000)
  uint32_t max_header_bytes = 64 * 1024;  // start line plus all header lines of one message
  uint16_t max_headers = 256;             // distinct header names kept per message
  uint32_t request_body_limit = 100 * 1024;   // Suricata's request-body-limit default
  uint32_t response_body_limit = 100 * 1024;  // response-body-limit
  // A body still arriving is offered for inspection again only once it grew by this much (Suricata's
  // request/response-body-minimal-inspect-size): rescanning a growing body on every segment would cost
  // quadratic time on a download. Complete bodies are always offered.
  uint32_t request_body_inspect_step = 32 * 1024;
  uint32_t response_body_inspect_step = 40 * 1024;
  uint32_t max_decompress_ratio = 2048;       // decoded/encoded above this (after 64 KiB) stops decoding
  uint16_t max_tx = 16;                   // transactions in flight per flow (pipelining depth)
};

// Body bytes kept by all the HTTP parsers of one worker (Suricata's http memcap): per-body limits
// bound one flow, this bounds the worker however many downloads are in flight. When it is spent,
// further body bytes are counted but not kept (the body is marked truncated) until transactions
// are recycled. Single-threaded: one per worker.
struct BodyBudget {
  size_t cap = 64u << 20;
  size_t used = 0;
  uint64_t refused = 0;  // body bytes not kept because the budget was spent
};

// Headers that have their own inspection buffer or steer parsing; looked up once per message.
enum class HttpHeader : uint8_t {
  kHost,
  kUserAgent,
  kCookie,
  kSetCookie,
  kContentType,
  kContentLength,
  kTransferEncoding,
  kContentEncoding,
  kReferer,
  kAccept,
  kAcceptEncoding,
  kAcceptLanguage,
  kConnection,
  kServer,
  kLocation,
  kUpgrade,
  kXForwardedFor,
  kCount
};

// One side (request or response) of a transaction.
class HttpMessage {
 public:
  enum class Progress : uint8_t { kNone, kLine, kHeaders, kBody, kComplete };
  HttpMessage();
  struct Header {
    Field name;   // in head()
    Field value;  // in values(): trimmed, unfolded, repeats combined with ", "
  };

  Progress progress() const { return progress_; }
  bool line_done() const { return progress_ >= Progress::kLine; }
  bool headers_done() const { return progress_ >= Progress::kHeaders; }
  bool complete() const { return progress_ == Progress::kComplete; }

  std::string_view start_line() const { return line_.in(head_); }
  bool has_start_line() const { return line_.present; }
  std::string_view protocol() const { return protocol_.in(head_); }
  bool has_protocol() const { return protocol_.present; }
  // Raw header lines as received, from after the start line through the terminating empty line.
  std::string_view headers_raw() const { return raw_headers_.in(head_); }
  // "Name: value\r\n" per distinct header (values normalized), Cookie/Set-Cookie left out: they
  // have http.cookie (Suricata's http.header does the same).
  std::string_view headers_normalized() const { return hdr_norm_.in(norm_); }
  // "\r\nName1\r\nName2\r\n\r\n", every header line's name in order (http.header_names).
  std::string_view header_names() const { return hdr_names_.in(norm_); }
  bool has_headers() const { return hdr_norm_.present; }
  // http.start: the start line, CRLF, every header "Name: value\r\n", and a final CRLF.
  std::string_view start() const { return start_.in(norm_); }
  // http.request_header / http.response_header: one "Name: value" per distinct header.
  size_t header_line_count() const { return header_lines_.size(); }
  std::string_view header_line(size_t i) const { return header_lines_[i].in(norm_); }

  size_t header_count() const { return headers_.size(); }
  std::string_view header_name(size_t i) const { return headers_[i].name.in(head_); }
  std::string_view header_value(size_t i) const { return headers_[i].value.in(values_); }
  bool has(HttpHeader h) const { return known_[static_cast<size_t>(h)] >= 0; }
  std::string_view value(HttpHeader h) const {
    int16_t i = known_[static_cast<size_t>(h)];
    return i < 0 ? std::string_view() : header_value(static_cast<size_t>(i));
  }

  // Decoded (de-chunked, decompressed) body, up to the body limit.
  std::string_view body() const { return body_; }
  bool has_body() const { return body_seen_; }
  uint64_t body_wire_bytes() const { return body_wire_; }  // de-chunked, before decompression
  bool body_truncated() const { return body_truncated_; }

 private:
  friend class HttpParser;
  friend class HttpTx;
  void reset();
  // Gives back buffers that grew past `keep` bytes (a big body, a huge header block), so a parser
  // idling in a pool holds little; small ones stay allocated for reuse.
  void trim(size_t keep);

  Progress progress_ = Progress::kNone;
  std::string head_;    // start line and header lines, as received
  std::string values_;  // header values
  std::string norm_;    // derived buffers (normalized headers, names, URI, host)
  std::string body_;
  Field line_, protocol_, raw_headers_, hdr_norm_, hdr_names_, start_;
  std::vector<Header> headers_;
  std::vector<Field> header_lines_;  // in norm_
  std::array<int16_t, static_cast<size_t>(HttpHeader::kCount)> known_{};
  uint64_t body_wire_ = 0;
  uint32_t body_reported_ = 0;  // body size when last offered for inspection
  uint32_t body_charged_ = 0;   // body bytes counted against the worker's BodyBudget
  bool body_seen_ = false;
  bool body_truncated_ = false;
};

// A request and its response.
class HttpTx {
 public:
  uint64_t id() const { return id_; }
  const HttpMessage& request() const { return req_; }
  const HttpMessage& response() const { return resp_; }
  const HttpMessage& side(Dir d) const { return d == Dir::kToServer ? req_ : resp_; }
  bool has_request() const { return req_.progress_ != HttpMessage::Progress::kNone; }
  bool has_response() const { return resp_.progress_ != HttpMessage::Progress::kNone; }

  // Request line parts (raw, as sent).
  std::string_view method() const { return method_.in(req_.head_); }
  std::string_view uri_raw() const { return uri_.in(req_.head_); }
  bool has_uri() const { return uri_.present; }
  // Normalized URI (http.uri), host (http.host: lower case, no port) and raw host (http.host.raw).
  // The host comes from an absolute URI when there is one, else from the Host header.
  std::string_view uri() const { return uri_norm_.in(req_.norm_); }
  std::string_view host() const { return host_.in(req_.norm_); }
  std::string_view host_raw() const { return host_raw_.in(req_.norm_); }
  bool has_host() const { return host_.present; }
  int32_t host_port() const { return host_port_; }  // -1 when the request named none
  bool http09() const { return http09_; }

  // Response line parts.
  std::string_view status_code() const { return status_code_.in(resp_.head_); }
  std::string_view status_msg() const { return status_msg_.in(resp_.head_); }
  bool has_status() const { return status_code_.present; }
  int status() const { return status_; }  // -1 when absent or not a number

 private:
  friend class HttpParser;
  void reset(uint64_t id);

  uint64_t id_ = 0;
  HttpMessage req_, resp_;
  Field method_, uri_;                   // in req_.head_
  Field uri_norm_, host_, host_raw_;     // in req_.norm_
  Field status_code_, status_msg_;       // in resp_.head_
  int32_t host_port_ = -1;
  int status_ = -1;
  bool http09_ = false;
  bool connect_ = false;
  bool head_request_ = false;
};

class HttpParser {
 public:
  explicit HttpParser(const HttpLimits& limits = {});
  HttpParser(const HttpParser&) = delete;
  HttpParser& operator=(const HttpParser&) = delete;

  // Forget the flow; keeps every buffer's capacity for the next flow.
  void reset();
  // Body bytes of this parser count against `budget` (shared by a worker's parsers; null: none).
  void set_budget(BodyBudget* budget) { budget_ = budget; }

  // In-order stream bytes of one direction. Progress is reported to `obs` (may be null): once when a
  // message completes, and at the end of the call for a message that progressed without completing.
  // Returns the bytes consumed: all of them, unless a CONNECT tunnel opened inside `data` (what follows
  // the proxy's 2xx response is no longer HTTP, see tunnel()).
  size_t feed(Dir dir, std::span<const uint8_t> data, TxObserver* obs);
  // The direction ended (FIN/RST or flow timeout): a body delimited by the close completes, a
  // half-received message is reported as it is.
  void finish(Dir dir, TxObserver* obs);
  // `len` bytes of this direction are missing. Inside a body of known length parsing continues after
  // them; elsewhere the direction cannot be resynchronized and stops.
  void gap(Dir dir, uint64_t len);

  // A live transaction by id (null when never seen or already recycled).
  const HttpTx* find(uint64_t id) const;
  uint64_t tx_count() const { return next_id_; }

  // A CONNECT was answered 2xx: both directions now carry another protocol (TLS through a proxy),
  // which the caller may detect and parse. The client's bytes sent after the CONNECT while the
  // answer was pending are held (bounded) and handed over here, once.
  bool tunnel() const { return tunnel_; }
  std::string_view tunnel_held() const { return sides_[0].held; }
  void clear_tunnel_held() { sides_[0].held.clear(); }

  // Anomalies, counted per flow (for stats and tests): nothing here stops parsing by itself.
  struct Counters {
    uint32_t header_limit = 0;     // header block or line too long: the direction stopped
    uint32_t tx_dropped = 0;       // pipelining deeper than max_tx
    uint32_t bad_chunk = 0;        // chunk size unparseable: rest of the stream taken as body
    uint32_t decompress_bomb = 0;
    uint32_t gaps = 0;
  };
  const Counters& counters() const { return counters_; }

 private:
  enum class State : uint8_t {
    kIdle,         // between messages: skipping blank lines
    kLine,         // start line
    kHeaders,
    kBodyLength,   // Content-Length body
    kChunkSize,
    kChunkData,
    kChunkDataEnd, // the CRLF after a chunk
    kTrailers,
    kUntilClose,   // body delimited by the end of the stream
    kConnectWait,  // request side after a CONNECT: hold the client's bytes until the proxy answers
    kTunnel,       // CONNECT or Upgrade: not HTTP any more
    kStopped,      // unrecoverable: ignore the rest of this direction
  };
  struct Side {
    State state = State::kIdle;
    HttpTx* tx = nullptr;     // transaction this direction is parsing
    bool dirty = false;       // tx progressed in the current call and is due to be reported
    bool changed = false;     // tx changed since it was last reported (a body may grow below the step)
    uint64_t remaining = 0;   // bytes left in a Content-Length body or a chunk
    uint32_t line_start = 0;  // offset in tx->side.head_ of the line being accumulated
    std::string aux;          // a chunk-size or trailer line being accumulated (bounded)
    // The header line being assembled (committed when the next line is not a continuation).
    bool pending = false;
    uint32_t pending_name_off = 0, pending_name_len = 0;
    std::string pending_value;
    std::string held;  // kConnectWait: client bytes awaiting the proxy's answer
    Inflater inflater;
  };

  size_t feed_side(Dir dir, std::span<const uint8_t> data, TxObserver* obs);
  size_t on_idle(Dir dir, std::span<const uint8_t> data);
  size_t on_line_bytes(Dir dir, std::span<const uint8_t> data, bool* line_complete);
  void on_request_line(Side& s, std::span<const uint8_t> rest);
  void on_response_line(Side& s);
  void on_header_line(Dir dir, std::string_view line);
  void commit_pending(Side& s, HttpMessage& m);
  void on_headers_complete(Dir dir, TxObserver* obs);
  size_t on_body(Dir dir, std::span<const uint8_t> data, TxObserver* obs);
  void body_bytes(Dir dir, std::span<const uint8_t> data);
  void complete(Dir dir, TxObserver* obs);
  void report(Dir dir, TxObserver* obs);
  HttpTx* new_tx();
  void release_bodies(HttpTx& tx);
  void uncharge(HttpMessage& m);
  HttpTx* tx_for_response();
  HttpMessage& msg(Side& s, Dir dir) { return dir == Dir::kToServer ? s.tx->req_ : s.tx->resp_; }

  HttpLimits limits_;
  BodyBudget* budget_ = nullptr;
  std::vector<std::unique_ptr<HttpTx>> ring_;  // slot = id % max_tx
  uint64_t next_id_ = 0;     // id of the next transaction to create
  uint64_t oldest_ = 0;      // oldest live id
  uint64_t resp_next_ = 0;   // id of the transaction the next response answers
  std::array<Side, 2> sides_;
  bool tunnel_ = false;
  Counters counters_;
};

}  // namespace canh::sensor::app
