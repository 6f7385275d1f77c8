#include "sensor/app/eve.h"

#include <cstdio>

#include "common/json.h"
#include "sensor/app/dns_parser.h"
#include "sensor/app/http_parser.h"
#include "sensor/app/ssh_parser.h"
#include "sensor/app/tls_parser.h"

namespace canh::sensor::app {
namespace {

class Writer {
 public:
  explicit Writer(std::string* out) : out_(*out) {}
  void open(std::string_view key) {
    sep();
    quoted(key);
    out_.append(":{");
    first_ = true;
  }
  void close() {
    out_.push_back('}');
    first_ = false;
  }
  void open_array(std::string_view key) {
    sep();
    quoted(key);
    out_.append(":[");
    first_ = true;
  }
  void close_array() {
    out_.push_back(']');
    first_ = false;
  }
  void open_element() {
    sep();
    out_.push_back('{');
    first_ = true;
  }
  void str(std::string_view key, std::string_view v) {
    sep();
    quoted(key);
    out_.push_back(':');
    quoted(v);
  }
  void num(std::string_view key, int64_t v) {
    sep();
    quoted(key);
    char buf[24];
    int n = std::snprintf(buf, sizeof(buf), ":%lld", static_cast<long long>(v));
    out_.append(buf, static_cast<size_t>(n));
  }
  void boolean(std::string_view key, bool v) {
    sep();
    quoted(key);
    out_.append(v ? ":true" : ":false");
  }

 private:
  void sep() {
    if (!first_) out_.push_back(',');
    first_ = false;
  }
  void quoted(std::string_view v) {
    out_.push_back('"');
    json_escape(v, &out_);
    out_.push_back('"');
  }
  std::string& out_;
  bool first_ = true;
};

void write_http(const TxEvent& ev, Writer& w) {
  const HttpTx& tx = *ev.http;
  const HttpMessage& rq = tx.request();
  const HttpMessage& rs = tx.response();
  w.open("http");
  if (tx.has_host()) w.str("hostname", tx.host());
  if (tx.host_port() >= 0) w.num("http_port", tx.host_port());
  if (tx.has_uri()) w.str("url", tx.uri_raw());
  if (rq.has(HttpHeader::kUserAgent)) w.str("http_user_agent", rq.value(HttpHeader::kUserAgent));
  if (rq.has(HttpHeader::kXForwardedFor)) w.str("xff", rq.value(HttpHeader::kXForwardedFor));
  if (rs.has(HttpHeader::kContentType)) {
    // Suricata logs the media type without its parameters.
    std::string_view ct = rs.value(HttpHeader::kContentType);
    w.str("http_content_type", ct.substr(0, ct.find(';')));
  }
  if (rq.has(HttpHeader::kReferer)) w.str("http_refer", rq.value(HttpHeader::kReferer));
  if (rq.has_start_line() && !tx.method().empty()) w.str("http_method", tx.method());
  if (rq.has_protocol()) w.str("protocol", rq.protocol());
  if (tx.status() > 0) w.num("status", tx.status());
  if (rs.has(HttpHeader::kLocation)) w.str("redirect", rs.value(HttpHeader::kLocation));
  w.num("length", static_cast<int64_t>(rs.body_wire_bytes()));
  w.close();
}

void write_dns(const TxEvent& ev, Writer& w) {
  const DnsMessage& m = *ev.dns;
  char tbuf[8], rbuf[8];
  w.open("dns");
  if (!m.response()) {
    w.open_array("query");
    for (const DnsQuestion& q : m.questions) {
      w.open_element();
      w.str("type", "query");
      w.num("id", m.id);
      w.str("rrname", m.view(q.name));
      w.str("rrtype", dns_type_name(q.type, tbuf));
      w.num("tx_id", static_cast<int64_t>(ev.tx_id));
      w.num("opcode", m.opcode());
      w.close();
    }
    w.close_array();
    w.close();
    return;
  }
  w.open("answer");
  w.num("version", 2);
  w.str("type", "answer");
  w.num("id", m.id);
  char flags[8];
  int n = std::snprintf(flags, sizeof(flags), "%x", m.flags);
  w.str("flags", std::string_view(flags, static_cast<size_t>(n)));
  w.boolean("qr", true);
  if (m.flags & 0x0400) w.boolean("aa", true);
  if (m.flags & 0x0200) w.boolean("tc", true);
  if (m.flags & 0x0100) w.boolean("rd", true);
  if (m.flags & 0x0080) w.boolean("ra", true);
  w.num("opcode", m.opcode());
  if (!m.questions.empty()) {
    w.str("rrname", m.view(m.questions[0].name));
    w.str("rrtype", dns_type_name(m.questions[0].type, tbuf));
  }
  w.str("rcode", dns_rcode_name(m.rcode(), rbuf));
  if (!m.answers.empty()) {
    w.open_array("answers");
    for (const DnsRecord& r : m.answers) {
      w.open_element();
      w.str("rrname", m.view(r.name));
      w.str("rrtype", dns_type_name(r.type, tbuf));
      w.num("ttl", r.ttl);
      if (r.data.present) w.str("rdata", m.view(r.data));
      w.close();
    }
    w.close_array();
  }
  w.close();
  w.close();
}

void write_tls(const TxEvent& ev, Writer& w) {
  const TlsSession& s = *ev.tls;
  w.open("tls");
  if (s.has_cert) {
    w.str("subject", s.cert.subject);
    w.str("issuerdn", s.cert.issuer);
    w.str("serial", s.cert.serial);
    w.str("fingerprint", s.cert_fingerprint);
  }
  if (!s.sni.empty()) w.str("sni", s.sni);
  w.str("version", s.version_name());
  if (s.has_cert) {
    if (!s.cert.not_before.empty()) w.str("notbefore", s.cert.not_before);
    if (!s.cert.not_after.empty()) w.str("notafter", s.cert.not_after);
  }
  if (s.client_hello) {
    w.open("ja3");
    w.str("hash", s.ja3_hash);
    w.str("string", s.ja3);
    w.close();
  }
  if (s.server_hello) {
    w.open("ja3s");
    w.str("hash", s.ja3s_hash);
    w.str("string", s.ja3s);
    w.close();
  }
  w.close();
}

void write_ssh(const TxEvent& ev, Writer& w) {
  const SshSession& s = *ev.ssh;
  w.open("ssh");
  for (const auto& [name, b] : {std::pair<std::string_view, const SshBanner*>{"client", &s.client},
                                {"server", &s.server}}) {
    if (!b->seen) continue;
    w.open(name);
    w.str("proto_version", b->proto_version());
    w.str("software_version", b->software_version());
    w.close();
  }
  w.close();
}

}  // namespace

void json_escape(std::string_view s, std::string* out) { json_escape_append(*out, s); }

void write_eve(const TxEvent& ev, std::string* out) {
  Writer w(out);
  if (ev.http != nullptr) {
    write_http(ev, w);
  } else if (ev.dns != nullptr) {
    write_dns(ev, w);
  } else if (ev.tls != nullptr) {
    write_tls(ev, w);
  } else if (ev.ssh != nullptr) {
    write_ssh(ev, w);
  }
}

}  // namespace canh::sensor::app
