#include "sensor/app/buffers.h"

#include "sensor/app/dns_parser.h"
#include "sensor/app/http_parser.h"
#include "sensor/app/ssh_parser.h"
#include "sensor/app/tls_parser.h"

namespace canh::sensor::app {
namespace {

using rules::Buffer;

void set_header(rules::AppBuffers* out, Buffer b, const HttpMessage& m, HttpHeader h) {
  if (m.has(h)) out->set(b, m.value(h));
}

std::span<const uint8_t> bytes(std::string_view v) {
  return {reinterpret_cast<const uint8_t*>(v.data()), v.size()};
}

void fill_http(const TxEvent& ev, rules::AppBuffers* out, BufferScratch* scratch) {
  const HttpTx& tx = *ev.http;
  const bool to_server = ev.dir == Dir::kToServer;
  const HttpMessage& rq = tx.request();
  const HttpMessage& rs = tx.response();
  const HttpMessage& m = tx.side(ev.dir);

  // Both directions: the side that progressed.
  if (m.has_protocol()) out->set(Buffer::kHttpProtocol, m.protocol());
  if (m.has_headers()) {
    out->set(Buffer::kHttpHeader, m.headers_normalized());
    out->set(Buffer::kHttpHeaderRaw, m.headers_raw());
    out->set(Buffer::kHttpHeaderNames, m.header_names());
    out->set(Buffer::kHttpStart, m.start());
    set_header(out, Buffer::kHttpCookie, m, to_server ? HttpHeader::kCookie : HttpHeader::kSetCookie);
    set_header(out, Buffer::kHttpContentType, m, HttpHeader::kContentType);
    set_header(out, Buffer::kHttpContentLen, m, HttpHeader::kContentLength);
    scratch->parts.clear();
    for (size_t i = 0; i < m.header_line_count(); ++i) scratch->parts.push_back(bytes(m.header_line(i)));
    out->set_multi(to_server ? Buffer::kHttpRequestHeader : Buffer::kHttpResponseHeader, scratch->parts);
  }
  if (m.has_body()) out->set(Buffer::kFileData, m.body());

  // Request-only buffers go with both directions: the engine inspects a rule that mixes request and
  // response buffers (http.uri with http.stat_code) with the response, and a rule made of request
  // buffers only with the request, so offering them again with the response does not re-alert.
  if (rq.has_start_line()) {
    out->set(Buffer::kHttpRequestLine, rq.start_line());
    out->set(Buffer::kHttpMethod, tx.method());
    if (tx.has_uri()) {
      out->set(Buffer::kHttpUri, tx.uri());
      out->set(Buffer::kHttpUriRaw, tx.uri_raw());
    }
  }
  if (tx.has_host()) {
    out->set(Buffer::kHttpHost, tx.host());
    out->set(Buffer::kHttpHostRaw, tx.host_raw());
  }
  if (rq.has_headers()) {
    set_header(out, Buffer::kHttpUserAgent, rq, HttpHeader::kUserAgent);
    set_header(out, Buffer::kHttpReferer, rq, HttpHeader::kReferer);
    set_header(out, Buffer::kHttpAccept, rq, HttpHeader::kAccept);
    set_header(out, Buffer::kHttpAcceptEnc, rq, HttpHeader::kAcceptEncoding);
    set_header(out, Buffer::kHttpAcceptLang, rq, HttpHeader::kAcceptLanguage);
    set_header(out, Buffer::kHttpConnection, rq, HttpHeader::kConnection);
  }
  if (rq.has_body()) out->set(Buffer::kHttpRequestBody, rq.body());
  if (to_server) return;
  if (rs.has_start_line()) {
    out->set(Buffer::kHttpResponseLine, rs.start_line());
    if (tx.has_status()) out->set(Buffer::kHttpStatCode, tx.status_code());
    out->set(Buffer::kHttpStatMsg, tx.status_msg());
  }
  if (rs.has_headers()) {
    set_header(out, Buffer::kHttpServer, rs, HttpHeader::kServer);
    set_header(out, Buffer::kHttpLocation, rs, HttpHeader::kLocation);
  }
  if (rs.has_body()) out->set(Buffer::kHttpResponseBody, rs.body());
}

void fill_dns(const TxEvent& ev, rules::AppBuffers* out) {
  const DnsMessage& msg = *ev.dns;
  if (ev.dir == Dir::kToServer && !msg.questions.empty()) out->set(Buffer::kDnsQuery, msg.view(msg.questions[0].name));
}

void fill_tls(const TxEvent& ev, rules::AppBuffers* out) {
  const TlsSession& s = *ev.tls;
  // Client buffers with both directions, server buffers with the server's, as for HTTP.
  if (s.client_hello) {
    if (!s.sni.empty()) out->set(Buffer::kTlsSni, s.sni);
    out->set(Buffer::kJa3String, s.ja3);
    out->set(Buffer::kJa3Hash, s.ja3_hash);
  }
  if (ev.dir == Dir::kToServer) return;
  if (s.server_hello) {
    out->set(Buffer::kJa3sString, s.ja3s);
    out->set(Buffer::kJa3sHash, s.ja3s_hash);
    out->set(Buffer::kTlsVersion, s.version_name());
  }
  if (s.has_cert) {
    out->set(Buffer::kTlsCertSubject, s.cert.subject);
    out->set(Buffer::kTlsCertIssuer, s.cert.issuer);
    out->set(Buffer::kTlsCertSerial, s.cert.serial);
    out->set(Buffer::kTlsCertFingerprint, s.cert_fingerprint);
  }
}

// ssh.proto / ssh.software: the banner of the side that sent it.
void fill_ssh(const TxEvent& ev, rules::AppBuffers* out) {
  const SshBanner& b = ev.ssh->side(ev.dir);
  if (!b.seen) return;
  out->set(Buffer::kSshProto, b.proto_version());
  out->set(Buffer::kSshSoftware, b.software_version());
}

}  // namespace

void fill_buffers(const TxEvent& ev, rules::AppBuffers* out, BufferScratch* scratch) {
  *out = rules::AppBuffers{};
  out->tx_id = ev.tx_id;
  out->to_server = ev.dir == Dir::kToServer;
  if (ev.http != nullptr) {
    fill_http(ev, out, scratch);
  } else if (ev.dns != nullptr) {
    fill_dns(ev, out);
  } else if (ev.tls != nullptr) {
    fill_tls(ev, out);
  } else if (ev.ssh != nullptr) {
    fill_ssh(ev, out);
  }
}

}  // namespace canh::sensor::app
