#include "rules/parser.h"

#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>

#include "rules/content.h"

namespace canh::rules {
namespace {

// Hostile input bounds: ET's longest rule is 3.3 KB; Suricata caps a rule at 64 KB.
constexpr size_t kMaxRuleLength = 64 * 1024;
constexpr size_t kMaxOptions = 512;
constexpr size_t kMaxVars = 16;  // byte_extract variables per rule, as Suricata

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

// Integers as Suricata writes them: decimal, 0x hex, optional sign when `allow_negative`.
bool parse_i64(std::string_view s, int64_t* out, bool allow_negative = true) {
  s = trim(s);
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') {
      if (!allow_negative) return false;
      neg = true;
    }
    s.remove_prefix(1);
  }
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (v > (std::numeric_limits<uint64_t>::max() - uint64_t(d)) / uint64_t(base)) return false;
    v = v * uint64_t(base) + uint64_t(d);
  }
  if (v > uint64_t(std::numeric_limits<int64_t>::max())) return false;
  *out = neg ? -int64_t(v) : int64_t(v);
  return true;
}

bool parse_u64(std::string_view s, uint64_t* out) {
  s = trim(s);
  if (s.empty() || s.size() > 20) return false;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (v > (std::numeric_limits<uint64_t>::max() - uint64_t(d)) / uint64_t(base)) return false;
    v = v * uint64_t(base) + uint64_t(d);
  }
  *out = v;
  return true;
}

// Undoes option-value escaping (\" \; \\ and any other \x -> x) for text options like msg.
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[++i];
    } else {
      out += s[i];
    }
  }
  return out;
}

// Strips one pair of surrounding double quotes; `required` makes their absence an error.
Result<std::string_view> unquote(std::string_view v, bool required, std::string_view kw) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  if (required) return Status::invalid(std::string(kw) + ": value must be in double quotes");
  return v;
}

struct StickyBuffer {
  const char* name;
  Buffer buffer;
  AppProto app;  // protocol the buffer implies (kUnknown: none)
};

// Sticky buffers: every payload option after them inspects the buffer. Suricata 5-7 names and the
// older underscore names that are sticky too (http_accept, dns_query, tls_sni, ...).
constexpr StickyBuffer kSticky[] = {
    {"pkt_data", Buffer::kPayload, AppProto::kUnknown},
    {"http.uri", Buffer::kHttpUri, AppProto::kHttp},
    {"http.uri.raw", Buffer::kHttpUriRaw, AppProto::kHttp},
    {"http.method", Buffer::kHttpMethod, AppProto::kHttp},
    {"http.protocol", Buffer::kHttpProtocol, AppProto::kHttp},
    {"http_protocol", Buffer::kHttpProtocol, AppProto::kHttp},
    {"http.request_line", Buffer::kHttpRequestLine, AppProto::kHttp},
    {"http_request_line", Buffer::kHttpRequestLine, AppProto::kHttp},
    {"http.header", Buffer::kHttpHeader, AppProto::kHttp},
    {"http.header.raw", Buffer::kHttpHeaderRaw, AppProto::kHttp},
    {"http.header_names", Buffer::kHttpHeaderNames, AppProto::kHttp},
    {"http_header_names", Buffer::kHttpHeaderNames, AppProto::kHttp},
    {"http.host", Buffer::kHttpHost, AppProto::kHttp},
    {"http.host.raw", Buffer::kHttpHostRaw, AppProto::kHttp},
    {"http.user_agent", Buffer::kHttpUserAgent, AppProto::kHttp},
    {"http.cookie", Buffer::kHttpCookie, AppProto::kHttp},
    {"http.content_type", Buffer::kHttpContentType, AppProto::kHttp},
    {"http_content_type", Buffer::kHttpContentType, AppProto::kHttp},
    {"http.content_len", Buffer::kHttpContentLen, AppProto::kHttp},
    {"http_content_len", Buffer::kHttpContentLen, AppProto::kHttp},
    {"http.referer", Buffer::kHttpReferer, AppProto::kHttp},
    {"http_referer", Buffer::kHttpReferer, AppProto::kHttp},
    {"http.accept", Buffer::kHttpAccept, AppProto::kHttp},
    {"http_accept", Buffer::kHttpAccept, AppProto::kHttp},
    {"http.accept_enc", Buffer::kHttpAcceptEnc, AppProto::kHttp},
    {"http_accept_enc", Buffer::kHttpAcceptEnc, AppProto::kHttp},
    {"http.accept_lang", Buffer::kHttpAcceptLang, AppProto::kHttp},
    {"http_accept_lang", Buffer::kHttpAcceptLang, AppProto::kHttp},
    {"http.connection", Buffer::kHttpConnection, AppProto::kHttp},
    {"http_connection", Buffer::kHttpConnection, AppProto::kHttp},
    {"http.start", Buffer::kHttpStart, AppProto::kHttp},
    {"http_start", Buffer::kHttpStart, AppProto::kHttp},
    {"http.request_body", Buffer::kHttpRequestBody, AppProto::kHttp},
    {"http.request_header", Buffer::kHttpRequestHeader, AppProto::kHttp},
    {"http.response_header", Buffer::kHttpResponseHeader, AppProto::kHttp},
    {"http.response_line", Buffer::kHttpResponseLine, AppProto::kHttp},
    {"http_response_line", Buffer::kHttpResponseLine, AppProto::kHttp},
    {"http.stat_code", Buffer::kHttpStatCode, AppProto::kHttp},
    {"http.stat_msg", Buffer::kHttpStatMsg, AppProto::kHttp},
    {"http.server", Buffer::kHttpServer, AppProto::kHttp},
    {"http.location", Buffer::kHttpLocation, AppProto::kHttp},
    {"http.response_body", Buffer::kHttpResponseBody, AppProto::kHttp},
    {"dns.query", Buffer::kDnsQuery, AppProto::kDns},
    {"dns_query", Buffer::kDnsQuery, AppProto::kDns},
    {"tls.sni", Buffer::kTlsSni, AppProto::kTls},
    {"tls_sni", Buffer::kTlsSni, AppProto::kTls},
    {"tls.cert_subject", Buffer::kTlsCertSubject, AppProto::kTls},
    {"tls_cert_subject", Buffer::kTlsCertSubject, AppProto::kTls},
    {"tls.cert_issuer", Buffer::kTlsCertIssuer, AppProto::kTls},
    {"tls_cert_issuer", Buffer::kTlsCertIssuer, AppProto::kTls},
    {"tls.cert_serial", Buffer::kTlsCertSerial, AppProto::kTls},
    {"tls_cert_serial", Buffer::kTlsCertSerial, AppProto::kTls},
    {"tls.cert_fingerprint", Buffer::kTlsCertFingerprint, AppProto::kTls},
    {"tls_cert_fingerprint", Buffer::kTlsCertFingerprint, AppProto::kTls},
    {"ja3.hash", Buffer::kJa3Hash, AppProto::kTls},
    {"ja3_hash", Buffer::kJa3Hash, AppProto::kTls},
    {"ja3.string", Buffer::kJa3String, AppProto::kTls},
    {"ja3_string", Buffer::kJa3String, AppProto::kTls},
    {"ja3s.hash", Buffer::kJa3sHash, AppProto::kTls},
    {"ja3s.string", Buffer::kJa3sString, AppProto::kTls},
    {"ssh.proto", Buffer::kSshProto, AppProto::kSsh},
    {"ssh_proto", Buffer::kSshProto, AppProto::kSsh},
    {"ssh.software", Buffer::kSshSoftware, AppProto::kSsh},
    {"ssh_software", Buffer::kSshSoftware, AppProto::kSsh},
    {"ipv4.hdr", Buffer::kIpv4Hdr, AppProto::kUnknown},
    {"ipv6.hdr", Buffer::kIpv6Hdr, AppProto::kUnknown},
    {"tcp.hdr", Buffer::kTcpHdr, AppProto::kUnknown},
    {"udp.hdr", Buffer::kUdpHdr, AppProto::kUnknown},
    {"icmpv4.hdr", Buffer::kIcmpv4Hdr, AppProto::kUnknown},
    {"icmpv6.hdr", Buffer::kIcmpv6Hdr, AppProto::kUnknown},
};

// Legacy content modifiers: move the preceding content into the buffer.
constexpr StickyBuffer kModifiers[] = {
    {"http_uri", Buffer::kHttpUri, AppProto::kHttp},
    {"http_raw_uri", Buffer::kHttpUriRaw, AppProto::kHttp},
    {"http_method", Buffer::kHttpMethod, AppProto::kHttp},
    {"http_client_body", Buffer::kHttpRequestBody, AppProto::kHttp},
    {"http_header", Buffer::kHttpHeader, AppProto::kHttp},
    {"http_raw_header", Buffer::kHttpHeaderRaw, AppProto::kHttp},
    {"http_cookie", Buffer::kHttpCookie, AppProto::kHttp},
    {"http_user_agent", Buffer::kHttpUserAgent, AppProto::kHttp},
    {"http_host", Buffer::kHttpHost, AppProto::kHttp},
    {"http_raw_host", Buffer::kHttpHostRaw, AppProto::kHttp},
    {"http_stat_code", Buffer::kHttpStatCode, AppProto::kHttp},
    {"http_stat_msg", Buffer::kHttpStatMsg, AppProto::kHttp},
    {"http_server_body", Buffer::kHttpResponseBody, AppProto::kHttp},
};

// Suricata keywords the engine does not evaluate (yet): a rule using one parses and is skipped with
// the keyword as its reason. Anything neither here nor implemented is unknown to Suricata too.
constexpr const char* kKnownUnsupported[] = {
    "app-layer-event", "app-layer-protocol", "app-layer-state", "asn1", "base64_data", "base64_decode",
    "bypass", "byte_math", "cip_attribute", "cip_class", "cip_extendedstatus", "cip_instance",
    "cip_service", "cip_status", "clear_buffer", "compress_whitespace", "config", "dataset", "datarep",
    "dce_iface", "dce_opnum", "dce_stub_data", "dcerpc.iface", "dcerpc.opnum", "dcerpc.stub_data",
    "decode-event", "dhcp.leasetime", "dhcp.rebinding_time", "dhcp.renewal_time", "dnp3_data", "dnp3_func",
    "dnp3_ind", "dnp3_obj", "dnp3.data", "dns.answer.name", "dns.opcode", "dns.queries.rrname", "dns.rcode",
    "dns.rrtype", "dotprefix", "engine-event", "enip_command", "enip.status", "entropy", "filemagic",
    "file.magic", "filemd5", "filename", "file.name", "fileext", "filesha1", "filesha256", "filesize",
    "filestore", "flowint", "flowvar", "flow.age", "flow.pkts", "flow.bytes", "fragoffset", "frame",
    "from_base64", "ftpbounce", "ftpdata_command", "ftp.command", "ftp.command_data", "geoip",
    "header_lowercase", "hostbits", "http2.errorcode", "http2.frametype", "http2.header",
    "http2.header_name", "http2.priority", "http2.settings", "http2.size_update", "http2.window",
    "http.header_names.raw", "icmpv6.mtu", "ike.chosen_sa_attribute", "ike.exchtype", "ike.init_spi",
    "ike.key_exchange_payload", "ike.key_exchange_payload_length", "ike.nonce_payload",
    "ike.nonce_payload_length", "ike.resp_spi", "ike.vendor", "iprep", "ja4.hash", "krb5_cname",
    "krb5_err_code", "krb5.encryption", "krb5_msg_type", "krb5_sname", "krb5.ticket_encryption",
    "l3_proto", "lua", "luajit", "modbus", "mqtt.connack.session_present", "mqtt.connect.clientid",
    "mqtt.connect.flags", "mqtt.connect.password", "mqtt.connect.username", "mqtt.connect.willmessage",
    "mqtt.connect.willtopic", "mqtt.flags", "mqtt.protocol_version", "mqtt.publish.message",
    "mqtt.publish.topic", "mqtt.qos", "mqtt.reason_code", "mqtt.subscribe.topic", "mqtt.type",
    "mqtt.unsubscribe.topic", "nfq_set_mark", "nfs_procedure", "nfs.version", "pcrexform", "pktvar",
    "quic.cyu.hash", "quic.cyu.string", "quic.sni", "quic.ua", "quic.version", "rfb.name",
    "rfb.secresult", "rfb.sectype", "replace", "rpc", "sip.method", "sip.protocol", "sip.request_line",
    "sip.response_line", "sip.stat_code", "sip.stat_msg", "sip.uri", "smb.named_pipe", "smb.share",
    "smb.ntlmssp_user", "smb.ntlmssp_domain", "snmp.community", "snmp.pdu_type", "snmp.usm",
    "snmp.version", "ssh.hassh", "ssh.hassh.server", "ssh.hassh.server.string", "ssh.hassh.string",
    "ssh.protoversion", "ssh.softwareversion", "ssl_state", "ssl_version", "stream-event",
    "strip_pseudo_headers", "strip_whitespace", "tcp.flags", "template", "template.buffer",
    "tls.cert_chain_len", "tls.certs", "tls_cert_expired", "tls_cert_notafter", "tls_cert_notbefore",
    "tls_cert_valid", "tls.fingerprint", "tls.random", "tls.random_bytes", "tls.random_time",
    "tls.store", "tls.subjectaltname", "tls.version", "to_lowercase", "to_md5", "to_sha1", "to_sha256",
    "to_uppercase", "url_decode", "urldecode", "xbits", "xor", "absent", "file.data.raw",
    "krb5.cname", "krb5.sname", "krb5.msg_type", "krb5.err_code", "http2.header_name",
    "dhcp.client_id", "tftp.filename", "http.request_body.raw", "sip.content_type",
};

bool is_known_unsupported(std::string_view kw) {
  for (const char* k : kKnownUnsupported)
    if (kw == k) return true;
  return false;
}

struct AppName {
  const char* name;
  AppProto app;
};
constexpr AppName kAppNames[] = {
    {"http", AppProto::kHttp},     {"http1", AppProto::kHttp},   {"http2", AppProto::kHttp2},
    {"tls", AppProto::kTls},       {"ssl", AppProto::kTls},      {"dns", AppProto::kDns},
    {"ssh", AppProto::kSsh},       {"smtp", AppProto::kSmtp},    {"ftp", AppProto::kFtp},
    {"smb", AppProto::kSmb},       {"dcerpc", AppProto::kDcerpc}, {"nfs", AppProto::kNfs},
    {"snmp", AppProto::kSnmp},     {"sip", AppProto::kSip},      {"krb5", AppProto::kKrb5},
    {"dhcp", AppProto::kDhcp},     {"ntp", AppProto::kNtp},      {"modbus", AppProto::kModbus},
    {"dnp3", AppProto::kDnp3},     {"enip", AppProto::kEnip},    {"mqtt", AppProto::kMqtt},
    {"rdp", AppProto::kRdp},       {"rfb", AppProto::kRfb},      {"tftp", AppProto::kTftp},
    {"ike", AppProto::kIkev2},     {"ikev2", AppProto::kIkev2},  {"imap", AppProto::kImap},
    {"pop3", AppProto::kPop3},     {"irc", AppProto::kIrc},      {"telnet", AppProto::kTelnet},
};
// App-layer protocols Suricata knows that no sensor parser here produces.
constexpr const char* kUnsupportedApps[] = {"ftp-data", "quic", "ldap", "websocket", "bittorrent-dht",
                                            "pgsql", "mdns", "llmnr", "pop3s", "doh2", "msn", "jabber"};

// IP protocol names for ip_proto.
struct ProtoName {
  const char* name;
  uint8_t num;
};
constexpr ProtoName kIpProtoNames[] = {
    {"ip", 0},     {"hopopt", 0}, {"icmp", 1},  {"igmp", 2},   {"ggp", 3},     {"ipip", 4},
    {"ipencap", 4}, {"tcp", 6},    {"egp", 8},   {"igp", 9},    {"pup", 12},    {"udp", 17},
    {"idp", 22},   {"ipv6", 41},  {"ipv6-route", 43}, {"ipv6-frag", 44}, {"rsvp", 46},
    {"gre", 47},   {"esp", 50},   {"ah", 51},   {"ipv6-icmp", 58}, {"icmpv6", 58},
    {"ipv6-nonxt", 59}, {"ipv6-opts", 60}, {"eigrp", 88}, {"ospf", 89}, {"ospfigp", 89},
    {"pim", 103},  {"vrrp", 112}, {"l2tp", 115}, {"sctp", 132}, {"mpls-in-ip", 137},
};

// The parse of one rule in progress.
class Builder {
 public:
  Builder(Rule& r) : r_(r) {}

  Status option(std::string_view name, std::string_view value, bool has_value);
  Status finish();

 private:
  Status add_content(std::string_view value, bool uri);
  Status content_modifier(std::string_view name, std::string_view value);
  Status add_pcre(std::string_view value);
  Status add_byte(ByteKind kind, std::string_view value);
  Status add_isdataat(std::string_view value);
  Status add_int(OpKind kind, std::string_view value, uint64_t max, std::string_view kw);
  Status add_flow(std::string_view value);
  Status add_flowbits(std::string_view value);
  Status add_threshold(std::string_view value, bool detection_filter);
  Status add_flags(std::string_view value, bool frag);
  Status set_buffer_app(Buffer b, AppProto app, std::string_view kw);
  Result<Value> value_or_var(std::string_view s, std::string_view kw, bool allow_negative, int64_t limit = 1 << 20);
  ContentOp* last_content(std::string_view kw, Status* err);
  void push_op(OpKind kind, uint32_t index, Buffer buffer) { r_.ops.push_back({kind, buffer, index}); }

  Rule& r_;
  Buffer sticky_ = Buffer::kPayload;
  bool file_data_sticky_ = false;     // resolved at finish(): the body buffer depends on direction and protocol
  std::vector<size_t> file_data_ops_;  // ops recorded while file_data was the sticky buffer
  int file_data_dir_ = 0;              // file.data:to_server (1) / to_client (2); 0: from flow
  int last_content_op_ = -1;          // index in r_.ops of the most recent content
  AppProto implied_app_ = AppProto::kUnknown;
  std::string implied_by_;
  bool saw_sid_ = false;
};

Status Builder::set_buffer_app(Buffer, AppProto app, std::string_view kw) {
  if (app == AppProto::kUnknown) return Status::ok();
  if (implied_app_ != AppProto::kUnknown && implied_app_ != app)
    return Status::invalid(std::string(kw) + ": " + std::string(app_proto_name(app)) + " buffer mixed with " +
                           implied_by_ + " in one rule");
  implied_app_ = app;
  implied_by_ = std::string(kw);
  return Status::ok();
}

Result<Value> Builder::value_or_var(std::string_view s, std::string_view kw, bool allow_negative, int64_t limit) {
  s = trim(s);
  Value v;
  v.set = true;
  if (!s.empty() && (std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) {
    for (size_t i = 0; i < r_.vars.size(); ++i) {
      if (r_.vars[i] == s) {
        v.var = int8_t(i);
        return v;
      }
    }
    return Status::invalid(std::string(kw) + ": '" + std::string(s) + "' is neither a number nor a byte_extract variable");
  }
  int64_t n;
  if (!parse_i64(s, &n, allow_negative)) return Status::invalid(std::string(kw) + ": '" + std::string(s) + "' is not a number");
  // Suricata bounds content modifiers to 1 MB; byte_* offsets are 32-bit.
  if (n > limit || n < -limit) return Status::invalid(std::string(kw) + ": " + std::string(s) + " is out of range");
  v.v = n;
  return v;
}

ContentOp* Builder::last_content(std::string_view kw, Status* err) {
  if (last_content_op_ < 0) {
    *err = Status::invalid(std::string(kw) + " needs a preceding content");
    return nullptr;
  }
  return &r_.contents[r_.ops[size_t(last_content_op_)].index];
}

Status Builder::add_content(std::string_view value, bool uri) {
  std::string_view v = trim(value);
  bool negated = false;
  if (!v.empty() && v[0] == '!') {
    negated = true;
    v = trim(v.substr(1));
  }
  auto q = unquote(v, true, uri ? "uricontent" : "content");
  if (!q) return q.status();
  auto bytes = decode_content(*q);
  if (!bytes) return bytes.status();
  if (bytes->empty()) return Status::invalid("content: empty pattern");
  if (bytes->size() > 65535) return Status::invalid("content: pattern longer than 65535 bytes");
  ContentOp c;
  c.pattern = std::move(bytes).value();
  c.negated = negated;
  r_.contents.push_back(std::move(c));
  Buffer b = uri ? Buffer::kHttpUri : sticky_;
  if (uri) CANH_RETURN_IF_ERROR(set_buffer_app(b, AppProto::kHttp, "uricontent"));
  if (!uri && file_data_sticky_) file_data_ops_.push_back(r_.ops.size());
  push_op(OpKind::kContent, uint32_t(r_.contents.size() - 1), b);
  last_content_op_ = int(r_.ops.size() - 1);
  return Status::ok();
}

Status Builder::content_modifier(std::string_view name, std::string_view value) {
  Status err;
  ContentOp* c = last_content(name, &err);
  if (!c) return err;
  auto need_value = [&]() -> Result<Value> {
    if (trim(value).empty()) return Status::invalid(std::string(name) + " needs a value");
    return value_or_var(value, name, name == "distance");
  };
  if (name == "nocase") {
    c->nocase = true;
  } else if (name == "rawbytes") {
    c->rawbytes = true;
  } else if (name == "startswith") {
    c->startswith = true;
  } else if (name == "endswith") {
    c->endswith = true;
  } else if (name == "offset") {
    auto v = need_value();
    if (!v) return v.status();
    c->offset = *v;
  } else if (name == "depth") {
    auto v = need_value();
    if (!v) return v.status();
    if (v->var < 0 && v->v <= 0) return Status::invalid("depth must be greater than 0");
    c->depth = *v;
  } else if (name == "distance") {
    auto v = need_value();
    if (!v) return v.status();
    c->distance = *v;
  } else if (name == "within") {
    auto v = need_value();
    if (!v) return v.status();
    if (v->var < 0 && v->v <= 0) return Status::invalid("within must be greater than 0");
    c->within = *v;
  } else if (name == "fast_pattern") {
    c->fast_pattern = true;
    std::string_view fv = trim(value);
    if (fv == "only") {
      c->fast_pattern_only = true;
    } else if (!fv.empty()) {
      auto parts = split(fv, ',');
      uint64_t off, len;
      if (parts.size() != 2 || !parse_u64(parts[0], &off) || !parse_u64(parts[1], &len) || len == 0)
        return Status::invalid("fast_pattern: expected 'only' or 'offset,length', got '" + std::string(fv) + "'");
      if (off + len > c->pattern.size())
        return Status::invalid("fast_pattern: offset " + std::to_string(off) + " + length " + std::to_string(len) +
                               " exceeds the pattern length " + std::to_string(c->pattern.size()));
      c->fp_offset = uint32_t(off);
      c->fp_length = uint32_t(len);
    }
  }
  return Status::ok();
}

Status Builder::add_pcre(std::string_view value) {
  std::string_view v = trim(value);
  PcreOp p;
  if (!v.empty() && v[0] == '!') {
    p.negated = true;
    v = trim(v.substr(1));
  }
  if (v.size() < 2 || v[0] != '"') return Status::invalid("pcre: value must be in double quotes");
  // The closing quote may be followed by capture names: "/re/flags", pkt:name, flow:name
  size_t close = std::string_view::npos;
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] == '\\') {
      ++i;
      continue;
    }
    if (v[i] == '"') {
      close = i;
      break;
    }
  }
  if (close == std::string_view::npos) return Status::invalid("pcre: missing closing quote");
  std::string_view body = v.substr(1, close - 1);
  std::string_view after = trim(v.substr(close + 1));
  if (!body.empty() && body.find(',') != std::string_view::npos && after.empty()) {
    // "/re/flags, pkt:name" inside the quotes (Suricata 7 capture syntax)
    size_t last_slash = body.rfind('/');
    size_t comma = body.find(',', last_slash == std::string_view::npos ? 0 : last_slash);
    if (comma != std::string_view::npos && last_slash != std::string_view::npos && last_slash > 0) {
      after = body.substr(comma);
      body = trim(body.substr(0, comma));
    }
  }
  if (!after.empty()) r_.notes.push_back("pcre captures into variables are not logged");
  if (body.size() < 2 || body[0] != '/') return Status::invalid("pcre: expected \"/regex/flags\"");
  size_t end = body.rfind('/');
  if (end == 0) return Status::invalid("pcre: missing closing '/'");
  std::string regex(body.substr(1, end - 1));
  std::string flags(body.substr(end + 1));
  Buffer buffer = sticky_;
  bool explicit_buffer = false;
  bool relative = false;
  uint32_t opts = 0;
  for (char f : flags) {
    Buffer fb = Buffer::kPayload;
    bool sets_buffer = true;
    switch (f) {
      case 'i': opts |= PCRE2_CASELESS; sets_buffer = false; break;
      case 's': opts |= PCRE2_DOTALL; sets_buffer = false; break;
      case 'm': opts |= PCRE2_MULTILINE; sets_buffer = false; break;
      case 'x': opts |= PCRE2_EXTENDED; sets_buffer = false; break;
      case 'A': opts |= PCRE2_ANCHORED; sets_buffer = false; break;
      case 'E': opts |= PCRE2_DOLLAR_ENDONLY; sets_buffer = false; break;
      case 'G': opts |= PCRE2_UNGREEDY; sets_buffer = false; break;
      case 'R': relative = true; sets_buffer = false; break;
      case 'B': case 'O': sets_buffer = false; break;  // rawbytes (no effect in Suricata), match-limit override
      case 'U': fb = Buffer::kHttpUri; break;
      case 'I': fb = Buffer::kHttpUriRaw; break;
      case 'P': fb = Buffer::kHttpRequestBody; break;
      case 'Q': fb = Buffer::kHttpResponseBody; break;
      case 'H': fb = Buffer::kHttpHeader; break;
      case 'D': fb = Buffer::kHttpHeaderRaw; break;
      case 'M': fb = Buffer::kHttpMethod; break;
      case 'C': fb = Buffer::kHttpCookie; break;
      case 'S': fb = Buffer::kHttpStatCode; break;
      case 'Y': fb = Buffer::kHttpStatMsg; break;
      case 'V': fb = Buffer::kHttpUserAgent; break;
      case 'W': fb = Buffer::kHttpHost; break;
      case 'Z': fb = Buffer::kHttpHostRaw; break;
      default:
        return Status::invalid(std::string("pcre: unknown modifier '") + f + "'");
    }
    if (sets_buffer) {
      if (explicit_buffer && fb != buffer) return Status::invalid("pcre: two buffer modifiers in '" + flags + "'");
      if (sticky_ != Buffer::kPayload && fb != sticky_)
        return Status::invalid("pcre: modifier '" + std::string(1, f) + "' conflicts with the sticky buffer " +
                               std::string(buffer_name(sticky_)));
      buffer = fb;
      explicit_buffer = true;
      CANH_RETURN_IF_ERROR(set_buffer_app(fb, AppProto::kHttp, "pcre /" + std::string(1, f)));
    }
  }
  p.regex = std::move(regex);
  p.flags = std::move(flags);
  p.options = opts;
  p.relative = relative;
  r_.pcres.push_back(std::move(p));
  if (!explicit_buffer && file_data_sticky_) file_data_ops_.push_back(r_.ops.size());
  push_op(OpKind::kPcre, uint32_t(r_.pcres.size() - 1), buffer);
  return Status::ok();
}

Status Builder::add_byte(ByteKind kind, std::string_view value) {
  const char* kw = kind == ByteKind::kTest ? "byte_test" : kind == ByteKind::kJump ? "byte_jump" : "byte_extract";
  auto parts = split(value, ',');
  ByteOp b;
  b.kind = kind;
  size_t min_parts = kind == ByteKind::kTest ? 4 : (kind == ByteKind::kJump ? 2 : 3);
  if (parts.size() < min_parts) return Status::invalid(std::string(kw) + ": expected at least " + std::to_string(min_parts) + " comma-separated values");
  auto nb = value_or_var(parts[0], kw, false);
  if (!nb) return nb.status();
  b.nbytes = *nb;
  size_t next = 1;
  if (kind == ByteKind::kTest) {
    std::string_view op = parts[1];
    if (!op.empty() && op[0] == '!') {
      b.op_negated = true;
      op = trim(op.substr(1));
    }
    if (op == "<") b.op = '<';
    else if (op == ">") b.op = '>';
    else if (op == "=" || (op.empty() && b.op_negated)) b.op = '=';
    else if (op == "<=") b.op = 'l';
    else if (op == ">=") b.op = 'g';
    else if (op == "&") b.op = '&';
    else if (op == "^") b.op = '^';
    else return Status::invalid("byte_test: unknown operator '" + std::string(parts[1]) + "'");
    // byte_test values are unsigned and may be hex; a variable is allowed.
    std::string_view vs = parts[2];
    if (!vs.empty() && (std::isalpha(static_cast<unsigned char>(vs[0])) || vs[0] == '_')) {
      auto vv = value_or_var(vs, kw, false);
      if (!vv) return vv.status();
      b.value = *vv;
    } else {
      uint64_t u;
      if (!parse_u64(vs, &u)) return Status::invalid("byte_test: value '" + std::string(vs) + "' is not a number");
      b.value.set = true;
      b.value.v = int64_t(u);
    }
    next = 3;
  }
  auto off = value_or_var(parts[next], kw, true, std::numeric_limits<int32_t>::max());
  if (!off) return off.status();
  b.offset = *off;
  ++next;
  if (kind == ByteKind::kExtract) {
    std::string name(parts[next++]);
    if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
      return Status::invalid("byte_extract: variable name '" + name + "' must start with a letter");
    for (const auto& v : r_.vars)
      if (v == name) return Status::invalid("byte_extract: variable '" + name + "' defined twice");
    if (r_.vars.size() >= kMaxVars) return Status::invalid("byte_extract: more than 16 variables");
    r_.vars.push_back(name);
    b.var = int8_t(r_.vars.size() - 1);
  }
  bool base_set = false;
  for (; next < parts.size(); ++next) {
    std::string_view f = parts[next];
    auto word_value = [&](std::string_view key, std::string_view* rest) {
      if (f.size() > key.size() && f.substr(0, key.size()) == key &&
          std::isspace(static_cast<unsigned char>(f[key.size()]))) {
        *rest = trim(f.substr(key.size()));
        return true;
      }
      return false;
    };
    std::string_view rest;
    if (f == "relative") b.relative = true;
    else if (iequals(f, "big")) b.little_endian = false;
    else if (iequals(f, "little")) b.little_endian = true;
    else if (iequals(f, "string")) b.string = true;
    else if (iequals(f, "hex")) { b.base = 16; base_set = true; }
    else if (iequals(f, "dec")) { b.base = 10; base_set = true; }
    else if (iequals(f, "oct")) { b.base = 8; base_set = true; }
    else if (iequals(f, "dce")) b.dce = true;
    else if (kind == ByteKind::kJump && iequals(f, "align")) b.align = true;
    else if (kind == ByteKind::kJump && iequals(f, "from_beginning")) b.from_beginning = true;
    else if (kind == ByteKind::kJump && iequals(f, "from_end")) b.from_end = true;
    else if (word_value("bitmask", &rest)) {
      if (!parse_u64(rest, &b.bitmask) || b.bitmask == 0) return Status::invalid(std::string(kw) + ": bad bitmask '" + std::string(rest) + "'");
    } else if (kind != ByteKind::kTest && word_value("multiplier", &rest)) {
      if (!parse_u64(rest, &b.multiplier) || b.multiplier == 0 || b.multiplier > 65535)
        return Status::invalid(std::string(kw) + ": bad multiplier '" + std::string(rest) + "'");
    } else if (kind == ByteKind::kJump && word_value("post_offset", &rest)) {
      if (!parse_i64(rest, &b.post_offset) || b.post_offset > (1 << 20) || b.post_offset < -(1 << 20))
        return Status::invalid("byte_jump: bad post_offset '" + std::string(rest) + "'");
    } else if (kind == ByteKind::kExtract && word_value("align", &rest)) {
      uint64_t a;
      if (!parse_u64(rest, &a) || (a != 2 && a != 4)) return Status::invalid("byte_extract: align must be 2 or 4");
      b.align_to = uint8_t(a);
    } else {
      return Status::invalid(std::string(kw) + ": unknown option '" + std::string(f) + "'");
    }
  }
  if (base_set && !b.string) return Status::invalid(std::string(kw) + ": a base (hex/dec/oct) needs 'string'");
  if (b.nbytes.var < 0) {
    int64_t n = b.nbytes.v;
    int64_t max = b.string ? 23 : 8;
    int64_t min = 0;  // 0 with string: as many digits as there are (Suricata reads with strtoull)
    if (n < min || n > max)
      return Status::invalid(std::string(kw) + ": number of bytes must be " + std::to_string(min) + ".." +
                             std::to_string(max) + (b.string ? " with string" : " without string"));
  }
  if (b.from_beginning && b.from_end) return Status::invalid("byte_jump: from_beginning and from_end together");
  if (b.dce) r_.unsupported.push_back(std::string(kw) + " dce");
  r_.bytes.push_back(b);
  if (file_data_sticky_) file_data_ops_.push_back(r_.ops.size());
  push_op(OpKind::kByte, uint32_t(r_.bytes.size() - 1), sticky_);
  return Status::ok();
}

Status Builder::add_isdataat(std::string_view value) {
  auto parts = split(value, ',');
  IsdataatOp d;
  std::string_view n = parts[0];
  if (!n.empty() && n[0] == '!') {
    d.negated = true;
    n = trim(n.substr(1));
  }
  auto v = value_or_var(n, "isdataat", false);
  if (!v) return v.status();
  d.n = *v;
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i] == "relative") d.relative = true;
    else if (parts[i] == "rawbytes") {}
    else return Status::invalid("isdataat: unknown option '" + std::string(parts[i]) + "'");
  }
  r_.isdataats.push_back(d);
  if (file_data_sticky_) file_data_ops_.push_back(r_.ops.size());
  push_op(OpKind::kIsdataat, uint32_t(r_.isdataats.size() - 1), sticky_);
  return Status::ok();
}

Status Builder::add_int(OpKind kind, std::string_view value, uint64_t max, std::string_view kw) {
  auto m = parse_int_match(value, max);
  if (!m) return m.status().with_context(kw);
  r_.ints.push_back(*m);
  push_op(kind, uint32_t(r_.ints.size() - 1), kind == OpKind::kBsize ? sticky_ : Buffer::kPayload);
  if (kind == OpKind::kBsize && file_data_sticky_) file_data_ops_.push_back(r_.ops.size() - 1);
  return Status::ok();
}

Status Builder::add_flow(std::string_view value) {
  for (std::string_view f : split(value, ',')) {
    if (f == "to_server" || f == "from_client") r_.flow.to_server = true;
    else if (f == "to_client" || f == "from_server") r_.flow.to_client = true;
    else if (f == "established") r_.flow.established = true;
    else if (f == "not_established") r_.flow.not_established = true;
    else if (f == "stateless") r_.flow.stateless = true;
    else if (f == "only_stream") r_.flow.only_stream = true;
    else if (f == "no_stream") r_.flow.no_stream = true;
    else if (f == "only_frag") r_.flow.only_frag = true;
    else if (f == "no_frag") r_.flow.no_frag = true;
    else return Status::invalid("flow: unknown option '" + std::string(f) + "'");
  }
  if (r_.flow.to_server && r_.flow.to_client) return Status::invalid("flow: to_server and to_client together");
  if (r_.flow.established && r_.flow.not_established) return Status::invalid("flow: established and not_established together");
  if (r_.flow.only_stream && r_.flow.no_stream) return Status::invalid("flow: only_stream and no_stream together");
  return Status::ok();
}

Status Builder::add_flowbits(std::string_view value) {
  auto parts = split(value, ',');
  std::string_view cmd = parts[0];
  if (cmd == "noalert") {
    if (parts.size() != 1) return Status::invalid("flowbits: noalert takes no name");
    r_.noalert = true;
    return Status::ok();
  }
  FlowbitOp f;
  if (cmd == "set") f.cmd = FlowbitOp::Cmd::kSet;
  else if (cmd == "unset") f.cmd = FlowbitOp::Cmd::kUnset;
  else if (cmd == "toggle") f.cmd = FlowbitOp::Cmd::kToggle;
  else if (cmd == "isset") f.cmd = FlowbitOp::Cmd::kIsset;
  else if (cmd == "isnotset") f.cmd = FlowbitOp::Cmd::kIsnotset;
  else return Status::invalid("flowbits: unknown command '" + std::string(cmd) + "'");
  if (parts.size() != 2 || parts[1].empty()) return Status::invalid("flowbits: " + std::string(cmd) + " needs one name");
  std::string_view names = parts[1];
  bool has_or = names.find('|') != std::string_view::npos;
  bool has_and = names.find('&') != std::string_view::npos;
  if (has_or && has_and) return Status::invalid("flowbits: '|' and '&' mixed in '" + std::string(names) + "'");
  if (has_or && f.cmd != FlowbitOp::Cmd::kIsset && f.cmd != FlowbitOp::Cmd::kIsnotset)
    return Status::invalid("flowbits: '|' is only allowed with isset and isnotset");
  f.any_of = has_or;
  for (std::string_view n : split(names, has_or ? '|' : '&')) {
    if (n.empty()) return Status::invalid("flowbits: empty name in '" + std::string(names) + "'");
    if (n.size() > 256) return Status::invalid("flowbits: name longer than 256 characters");
    f.names.emplace_back(n);
  }
  r_.flowbits.push_back(std::move(f));
  return Status::ok();
}

Status Builder::add_threshold(std::string_view value, bool detection_filter) {
  const char* kw = detection_filter ? "detection_filter" : "threshold";
  ThresholdSpec t;
  t.type = detection_filter ? ThresholdSpec::Type::kDetectionFilter : ThresholdSpec::Type::kLimit;
  bool have_type = detection_filter, have_track = false, have_count = false, have_seconds = false;
  for (std::string_view item : split(value, ',')) {
    size_t sp = item.find_first_of(" \t");
    if (sp == std::string_view::npos) return Status::invalid(std::string(kw) + ": expected 'name value' in '" + std::string(item) + "'");
    std::string_view k = item.substr(0, sp), v = trim(item.substr(sp));
    if (k == "type" && !detection_filter) {
      if (v == "limit") t.type = ThresholdSpec::Type::kLimit;
      else if (v == "threshold") t.type = ThresholdSpec::Type::kThreshold;
      else if (v == "both") t.type = ThresholdSpec::Type::kBoth;
      else if (v == "backoff") {
        r_.unsupported.push_back("threshold type backoff");
        t.type = ThresholdSpec::Type::kLimit;
      } else return Status::invalid("threshold: unknown type '" + std::string(v) + "'");
      have_type = true;
    } else if (k == "track") {
      if (v == "by_src") t.track = Track::kBySrc;
      else if (v == "by_dst") t.track = Track::kByDst;
      else if (v == "by_rule") t.track = Track::kByRule;
      else if (v == "by_both") t.track = Track::kByBoth;
      else if (v == "by_flow") t.track = Track::kByFlow;
      else return Status::invalid(std::string(kw) + ": unknown track '" + std::string(v) + "'");
      have_track = true;
    } else if (k == "count") {
      uint64_t n;
      if (!parse_u64(v, &n) || n == 0 || n > 0xffffffffu) return Status::invalid(std::string(kw) + ": bad count '" + std::string(v) + "'");
      t.count = uint32_t(n);
      have_count = true;
    } else if (k == "seconds") {
      uint64_t n;
      if (!parse_u64(v, &n) || n > 0xffffffffu) return Status::invalid(std::string(kw) + ": bad seconds '" + std::string(v) + "'");
      t.seconds = uint32_t(n);
      have_seconds = true;
    } else if (k == "multiplier" || k == "unique_on") {
      r_.unsupported.push_back(std::string(kw) + " " + std::string(k));
    } else {
      return Status::invalid(std::string(kw) + ": unknown option '" + std::string(k) + "'");
    }
  }
  if (!have_type || !have_track || !have_count || !have_seconds)
    return Status::invalid(std::string(kw) + ": needs " + (detection_filter ? "" : "type, ") + "track, count and seconds");
  if (detection_filter) {
    if (r_.detection_filter) return Status::invalid("detection_filter given twice");
    r_.detection_filter = t;
  } else {
    if (r_.threshold) return Status::invalid("threshold given twice");
    r_.threshold = t;
  }
  return Status::ok();
}

Status Builder::add_flags(std::string_view value, bool frag) {
  const char* kw = frag ? "fragbits" : "flags";
  auto parts = split(value, ',');
  std::string_view f = parts[0];
  BitsMatch m;
  auto bit = [&](char c, uint8_t* out) -> bool {
    if (frag) {
      switch (c) {
        case 'M': *out = 0x01; return true;  // more fragments
        case 'D': *out = 0x02; return true;  // don't fragment
        case 'R': *out = 0x04; return true;  // reserved
      }
      return false;
    }
    switch (c) {
      case 'F': *out = 0x01; return true;
      case 'S': *out = 0x02; return true;
      case 'R': *out = 0x04; return true;
      case 'P': *out = 0x08; return true;
      case 'A': *out = 0x10; return true;
      case 'U': *out = 0x20; return true;
      case 'E': case '2': *out = 0x40; return true;  // ECE; '2' is its Snort-era name
      case 'C': case '1': *out = 0x80; return true;  // CWR; '1' likewise
      case '0': *out = 0; return true;
    }
    return false;
  };
  for (char c : f) {
    if (c == '+' || c == '*' || c == '!') {
      if (m.modifier) return Status::invalid(std::string(kw) + ": two modifiers in '" + std::string(f) + "'");
      m.modifier = c;
      continue;
    }
    uint8_t b;
    if (!bit(c, &b)) return Status::invalid(std::string(kw) + ": unknown flag '" + std::string(1, c) + "'");
    m.mask |= b;
  }
  if (parts.size() > 2) return Status::invalid(std::string(kw) + ": too many values");
  if (parts.size() == 2) {
    if (frag) return Status::invalid("fragbits: takes no ignore mask");
    for (char c : parts[1]) {
      uint8_t b;
      if (!bit(c, &b)) return Status::invalid("flags: unknown flag '" + std::string(1, c) + "' in the ignore mask");
      m.ignore |= b;
    }
  }
  r_.bits.push_back(m);
  push_op(frag ? OpKind::kFragbits : OpKind::kFlags, uint32_t(r_.bits.size() - 1), Buffer::kPayload);
  return Status::ok();
}

Status Builder::option(std::string_view name, std::string_view value, bool has_value) {
  auto no_value = [&]() -> Status {
    if (has_value && !trim(value).empty()) return Status::invalid(std::string(name) + " takes no value");
    return Status::ok();
  };
  auto need = [&]() -> Status {
    if (!has_value || trim(value).empty()) return Status::invalid(std::string(name) + " needs a value");
    return Status::ok();
  };

  // --- meta
  if (name == "msg") {
    CANH_RETURN_IF_ERROR(need());
    auto q = unquote(value, false, name);
    if (!q) return q.status();
    r_.msg = unescape(*q);
    return Status::ok();
  }
  if (name == "sid" || name == "gid" || name == "rev") {
    CANH_RETURN_IF_ERROR(need());
    uint64_t n;
    if (!parse_u64(value, &n) || n > 0xffffffffu) return Status::invalid(std::string(name) + ": '" + std::string(trim(value)) + "' is not a number");
    if (name == "sid") {
      if (n == 0) return Status::invalid("sid: 0 is not a valid sid");
      r_.sid = uint32_t(n);
      saw_sid_ = true;
    } else if (name == "gid") {
      r_.gid = uint32_t(n);
    } else {
      r_.rev = uint32_t(n);
    }
    return Status::ok();
  }
  if (name == "classtype") {
    CANH_RETURN_IF_ERROR(need());
    r_.classtype = std::string(trim(value));
    return Status::ok();
  }
  if (name == "priority") {
    CANH_RETURN_IF_ERROR(need());
    uint64_t n;
    if (!parse_u64(value, &n) || n < 1 || n > 255) return Status::invalid("priority: '" + std::string(trim(value)) + "' is not 1..255");
    r_.priority = int(n);
    return Status::ok();
  }
  if (name == "reference") {
    CANH_RETURN_IF_ERROR(need());
    std::string_view v = trim(value);
    size_t comma = v.find(',');
    if (comma == std::string_view::npos) return Status::invalid("reference: expected 'type,value'");
    r_.references.push_back({std::string(trim(v.substr(0, comma))), unescape(trim(v.substr(comma + 1)))});
    return Status::ok();
  }
  if (name == "metadata") {
    CANH_RETURN_IF_ERROR(need());
    if (!r_.metadata.empty()) r_.metadata += ", ";
    r_.metadata += std::string(trim(value));
    return Status::ok();
  }
  if (name == "target") {
    CANH_RETURN_IF_ERROR(need());
    std::string_view v = trim(value);
    if (v == "src_ip") r_.target = 1;
    else if (v == "dest_ip") r_.target = 2;
    else return Status::invalid("target: expected src_ip or dest_ip");
    return Status::ok();
  }
  if (name == "noalert") {
    CANH_RETURN_IF_ERROR(no_value());
    r_.noalert = true;
    return Status::ok();
  }
  if (name == "prefilter") {
    CANH_RETURN_IF_ERROR(no_value());
    r_.prefilter_keyword = true;
    return Status::ok();
  }
  if (name == "tag") {
    // Tagging logs the packets that follow an alert; alerts themselves are unaffected.
    r_.notes.push_back("tag: tagged packets are not logged");
    return Status::ok();
  }

  // --- payload
  if (name == "content" || name == "uricontent") {
    CANH_RETURN_IF_ERROR(need());
    return add_content(value, name == "uricontent");
  }
  if (name == "nocase" || name == "rawbytes" || name == "startswith" || name == "endswith") {
    CANH_RETURN_IF_ERROR(no_value());
    return content_modifier(name, value);
  }
  if (name == "offset" || name == "depth" || name == "distance" || name == "within") {
    CANH_RETURN_IF_ERROR(need());
    return content_modifier(name, value);
  }
  if (name == "fast_pattern") return content_modifier(name, has_value ? value : std::string_view());
  if (name == "pcre") {
    CANH_RETURN_IF_ERROR(need());
    return add_pcre(value);
  }
  if (name == "byte_test") { CANH_RETURN_IF_ERROR(need()); return add_byte(ByteKind::kTest, value); }
  if (name == "byte_jump") { CANH_RETURN_IF_ERROR(need()); return add_byte(ByteKind::kJump, value); }
  if (name == "byte_extract") { CANH_RETURN_IF_ERROR(need()); return add_byte(ByteKind::kExtract, value); }
  if (name == "isdataat") { CANH_RETURN_IF_ERROR(need()); return add_isdataat(value); }
  if (name == "bsize") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kBsize, value, UINT64_MAX, name); }
  if (name == "dsize") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kDsize, value, 65535, name); }
  if (name == "urilen") {
    CANH_RETURN_IF_ERROR(need());
    auto parts = split(value, ',');
    Buffer b = Buffer::kHttpUri;
    if (parts.size() == 2) {
      if (parts[1] == "raw") b = Buffer::kHttpUriRaw;
      else if (parts[1] != "norm") return Status::invalid("urilen: expected 'norm' or 'raw' after the size");
    } else if (parts.size() > 2) {
      return Status::invalid("urilen: too many values");
    }
    auto m = parse_int_match(parts[0], 65535);
    if (!m) return m.status().with_context("urilen");
    r_.ints.push_back(*m);
    CANH_RETURN_IF_ERROR(set_buffer_app(b, AppProto::kHttp, "urilen"));
    push_op(OpKind::kBsize, uint32_t(r_.ints.size() - 1), b);
    return Status::ok();
  }
  if (name == "file_data" || name == "file.data") {
    // `file.data:to_client` names the direction, for transactional `=>` rules (Suricata 8).
    std::string_view v = trim(value);
    if (has_value && !v.empty()) {
      if (v != "to_client" && v != "to_server") return Status::invalid("file.data: expected to_server or to_client");
      file_data_dir_ = v == "to_server" ? 1 : 2;
    }
    sticky_ = Buffer::kHttpResponseBody;  // provisional, resolved in finish()
    file_data_sticky_ = true;
    last_content_op_ = -1;
    return Status::ok();
  }
  for (const auto& s : kSticky) {
    if (name == s.name) {
      CANH_RETURN_IF_ERROR(no_value());
      sticky_ = s.buffer;
      file_data_sticky_ = false;
      last_content_op_ = -1;
      return set_buffer_app(s.buffer, s.app, name);
    }
  }
  for (const auto& m : kModifiers) {
    if (name == m.name) {
      CANH_RETURN_IF_ERROR(no_value());
      Status err;
      if (!last_content(name, &err)) return err;
      Op& op = r_.ops[size_t(last_content_op_)];
      if (op.buffer != Buffer::kPayload && op.buffer != m.buffer)
        return Status::invalid(std::string(name) + ": the content is already in " + std::string(buffer_name(op.buffer)));
      op.buffer = m.buffer;
      file_data_ops_.erase(std::remove(file_data_ops_.begin(), file_data_ops_.end(), size_t(last_content_op_)),
                           file_data_ops_.end());
      return set_buffer_app(m.buffer, m.app, name);
    }
  }

  // --- flow and packet
  if (name == "flow") { CANH_RETURN_IF_ERROR(need()); return add_flow(value); }
  if (name == "flowbits") { CANH_RETURN_IF_ERROR(need()); return add_flowbits(value); }
  if (name == "threshold") { CANH_RETURN_IF_ERROR(need()); return add_threshold(value, false); }
  if (name == "detection_filter") { CANH_RETURN_IF_ERROR(need()); return add_threshold(value, true); }
  if (name == "flags") { CANH_RETURN_IF_ERROR(need()); return add_flags(value, false); }
  if (name == "fragbits") { CANH_RETURN_IF_ERROR(need()); return add_flags(value, true); }
  if (name == "ttl") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kTtl, value, 255, name); }
  if (name == "tos") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kTos, value, 255, name); }
  if (name == "id") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kIpId, value, 65535, name); }
  if (name == "itype") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kItype, value, 255, name); }
  if (name == "icode") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kIcode, value, 255, name); }
  if (name == "icmp_id") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kIcmpId, value, 65535, name); }
  if (name == "icmp_seq") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kIcmpSeq, value, 65535, name); }
  if (name == "seq") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kTcpSeq, value, 0xffffffffu, name); }
  if (name == "ack") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kTcpAck, value, 0xffffffffu, name); }
  if (name == "window") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kWindow, value, 65535, name); }
  if (name == "tcp.mss") { CANH_RETURN_IF_ERROR(need()); return add_int(OpKind::kTcpMss, value, 65535, name); }
  if (name == "ip_proto") {
    CANH_RETURN_IF_ERROR(need());
    std::string_view v = trim(value);
    std::string_view prefix;
    size_t i = 0;
    while (i < v.size() && (v[i] == '!' || v[i] == '<' || v[i] == '>' || v[i] == '=')) ++i;
    prefix = v.substr(0, i);
    std::string_view rest = trim(v.substr(i));
    std::string num(rest);
    for (const auto& p : kIpProtoNames)
      if (iequals(rest, p.name)) num = std::to_string(p.num);
    return add_int(OpKind::kIpProto, std::string(prefix) + num, 255, name);
  }
  if (name == "sameip") {
    CANH_RETURN_IF_ERROR(no_value());
    push_op(OpKind::kSameip, 0, Buffer::kPayload);
    return Status::ok();
  }
  if (name == "ipopts") {
    CANH_RETURN_IF_ERROR(need());
    std::string_view v = trim(value);
    struct Opt {
      const char* name;
      int bit;
    };
    // PacketFields::ipopts has bit (option type & 0x1f) set per option present; -1 = any option.
    constexpr Opt kOpts[] = {{"eol", 0},  {"nop", 1},   {"rr", 7},    {"ts", 4},    {"sec", 2},
                             {"esec", 5}, {"lsrr", 3},  {"ssrr", 9},  {"satid", 8}, {"any", -1}};
    for (const auto& o : kOpts) {
      if (v == o.name) {
        push_op(OpKind::kIpopts, o.bit < 0 ? 0xffffffffu : (1u << o.bit), Buffer::kPayload);
        return Status::ok();
      }
    }
    return Status::invalid("ipopts: unknown option '" + std::string(v) + "'");
  }
  if (name == "stream_size") {
    CANH_RETURN_IF_ERROR(need());
    auto parts = split(value, ',');
    if (parts.size() != 3) return Status::invalid("stream_size: expected side,operator,value");
    Rule::StreamSize s;
    if (parts[0] == "server") s.side = 0;
    else if (parts[0] == "client") s.side = 1;
    else if (parts[0] == "both") s.side = 2;
    else if (parts[0] == "either") s.side = 3;
    else return Status::invalid("stream_size: unknown side '" + std::string(parts[0]) + "'");
    auto m = parse_int_match(std::string(parts[1]) + std::string(parts[2]), 0xffffffffu);
    if (!m) return m.status().with_context("stream_size");
    s.m = *m;
    r_.stream_sizes.push_back(s);
    push_op(OpKind::kStreamSize, uint32_t(r_.stream_sizes.size() - 1), Buffer::kPayload);
    return Status::ok();
  }

  if (is_known_unsupported(name)) {
    r_.unsupported.emplace_back(name);
    return Status::ok();
  }
  return Status::invalid("unknown keyword \"" + std::string(name) + "\"");
}

Status Builder::finish() {
  if (!saw_sid_) return Status::invalid("rule has no sid");
  if (r_.transactional && (r_.flow.to_server || r_.flow.to_client))
    return Status::invalid("a transactional rule (=>) cannot have a flow direction");
  // file_data: the HTTP body in the rule's direction (Suricata inspects request bodies for to_server
  // rules), the generic file buffer for the other file-carrying protocols.
  if (!file_data_ops_.empty()) {
    Buffer b = Buffer::kHttpResponseBody;
    AppProto app = r_.app != AppProto::kUnknown ? r_.app : implied_app_;
    if (app == AppProto::kSmtp || app == AppProto::kSmb || app == AppProto::kFtp || app == AppProto::kNfs ||
        app == AppProto::kHttp2 || app == AppProto::kImap || app == AppProto::kPop3) {
      b = Buffer::kFileData;
    } else if (file_data_dir_ == 1 || (file_data_dir_ == 0 && r_.flow.to_server)) {
      b = Buffer::kHttpRequestBody;
    }
    for (size_t i : file_data_ops_) r_.ops[i].buffer = b;
  }
  if (implied_app_ != AppProto::kUnknown) {
    if (r_.app == AppProto::kUnknown) {
      if (r_.transport == Transport::kUdp && implied_app_ == AppProto::kHttp)
        return Status::invalid(implied_by_ + ": HTTP buffer in a udp rule");
      r_.app = implied_app_;
    } else if (r_.app != implied_app_ && !(r_.app == AppProto::kHttp2 && implied_app_ == AppProto::kHttp)) {
      return Status::invalid(implied_by_ + ": " + std::string(app_proto_name(implied_app_)) +
                             " buffer in a rule for " + std::string(app_proto_name(r_.app)));
    }
  }
  // Content checks Suricata makes at load time.
  for (size_t i = 0; i < r_.ops.size(); ++i) {
    const Op& op = r_.ops[i];
    if (op.kind != OpKind::kContent) continue;
    const ContentOp& c = r_.contents[op.index];
    int64_t len = int64_t(c.pattern.size());
    if (c.startswith && (c.offset.set || c.depth.set || c.distance.set || c.within.set))
      return Status::invalid("startswith cannot be mixed with offset, depth, distance or within");
    if (c.depth.set && c.depth.var < 0 && c.depth.v < len)
      return Status::invalid("depth " + std::to_string(c.depth.v) + " is smaller than the content length " + std::to_string(len));
    if (c.within.set && c.within.var < 0 && c.within.v < len)
      return Status::invalid("within " + std::to_string(c.within.v) + " is smaller than the content length " + std::to_string(len));
    if (c.fast_pattern_only && c.relative())
      return Status::invalid("fast_pattern:only cannot be used with distance or within");
  }
  // Which data a packet-level rule inspects.
  bool packet_only = false;
  for (const Op& op : r_.ops)
    if (op.kind == OpKind::kDsize) packet_only = true;
  if (r_.flow.no_stream) packet_only = true;
  if (r_.flow.only_stream) {
    if (r_.stream == StreamMode::kPacketOnly) return Status::invalid("flow:only_stream in a tcp-pkt rule");
    r_.stream = StreamMode::kStreamOnly;
  }
  if (packet_only) {
    if (r_.stream == StreamMode::kStreamOnly) return Status::invalid("dsize or flow:no_stream in a stream-only rule");
    r_.stream = StreamMode::kPacketOnly;
  }
  bool has_app_buffer = false;
  for (const Op& op : r_.ops)
    if (is_payload_op(op.kind) && op.buffer != Buffer::kPayload && !is_packet_buffer(op.buffer)) has_app_buffer = true;
  for (const Op& op : r_.ops) {
    if (op.kind == OpKind::kDsize && has_app_buffer)
      return Status::invalid("dsize cannot be used with app-layer buffers");
  }
  return Status::ok();
}

// Splits "(a:b; c; d:"x\;y")" into options. Returns name/value pairs with values still escaped.
struct RawOption {
  std::string_view name, value;
  bool has_value = false;
};

Status split_options(std::string_view body, std::vector<RawOption>* out) {
  // As Suricata: an option ends at the first ';' not preceded by a backslash; quotes do not protect
  // a ';' (ET and Suricata write "\;" inside values).
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    if (i >= body.size()) break;
    size_t start = i;
    size_t end = std::string_view::npos;
    for (size_t j = i; j < body.size(); ++j) {
      if (body[j] == ';' && (j == start || body[j - 1] != '\\')) {
        end = j;
        break;
      }
    }
    if (end == std::string_view::npos) {
      std::string_view rest = trim(body.substr(start));
      return Status::invalid("option '" + std::string(rest.substr(0, 40)) + "' is not terminated by ';'");
    }
    std::string_view opt = body.substr(start, end - start);
    RawOption o;
    size_t colon = opt.find(':');
    if (colon != std::string_view::npos) {
      o.name = trim(opt.substr(0, colon));
      o.value = trim(opt.substr(colon + 1));
      o.has_value = true;
    } else {
      o.name = trim(opt);
    }
    if (o.name.empty()) return Status::invalid("empty option name");
    for (char c : o.name) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
        return Status::invalid("bad option name '" + std::string(o.name.substr(0, 40)) + "'");
    }
    if (out->size() >= kMaxOptions) return Status::invalid("more than 512 options");
    out->push_back(o);
    i = end + 1;
  }
  return Status::ok();
}

}  // namespace

bool is_payload_op(OpKind k) {
  return k == OpKind::kContent || k == OpKind::kPcre || k == OpKind::kByte || k == OpKind::kIsdataat ||
         k == OpKind::kBsize;
}

bool Rule::uses_buffer(Buffer b) const {
  for (const Op& op : ops)
    if (is_payload_op(op.kind) && op.buffer == b) return true;
  return false;
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::kAlert: return "alert";
    case Action::kDrop: return "drop";
    case Action::kReject: return "reject";
    case Action::kPass: return "pass";
  }
  return "alert";
}

std::string_view buffer_name(Buffer b) {
  switch (b) {
    case Buffer::kPayload: return "payload";
    case Buffer::kHttpUri: return "http.uri";
    case Buffer::kHttpUriRaw: return "http.uri.raw";
    case Buffer::kHttpMethod: return "http.method";
    case Buffer::kHttpProtocol: return "http.protocol";
    case Buffer::kHttpRequestLine: return "http.request_line";
    case Buffer::kHttpHeader: return "http.header";
    case Buffer::kHttpHeaderRaw: return "http.header.raw";
    case Buffer::kHttpHeaderNames: return "http.header_names";
    case Buffer::kHttpHost: return "http.host";
    case Buffer::kHttpHostRaw: return "http.host.raw";
    case Buffer::kHttpUserAgent: return "http.user_agent";
    case Buffer::kHttpCookie: return "http.cookie";
    case Buffer::kHttpContentType: return "http.content_type";
    case Buffer::kHttpContentLen: return "http.content_len";
    case Buffer::kHttpReferer: return "http.referer";
    case Buffer::kHttpAccept: return "http.accept";
    case Buffer::kHttpAcceptEnc: return "http.accept_enc";
    case Buffer::kHttpAcceptLang: return "http.accept_lang";
    case Buffer::kHttpConnection: return "http.connection";
    case Buffer::kHttpRequestBody: return "http.request_body";
    case Buffer::kHttpResponseLine: return "http.response_line";
    case Buffer::kHttpStatCode: return "http.stat_code";
    case Buffer::kHttpStatMsg: return "http.stat_msg";
    case Buffer::kHttpServer: return "http.server";
    case Buffer::kHttpLocation: return "http.location";
    case Buffer::kHttpResponseBody: return "http.response_body";
    case Buffer::kDnsQuery: return "dns.query";
    case Buffer::kTlsSni: return "tls.sni";
    case Buffer::kTlsCertSubject: return "tls.cert_subject";
    case Buffer::kTlsCertIssuer: return "tls.cert_issuer";
    case Buffer::kTlsCertSerial: return "tls.cert_serial";
    case Buffer::kTlsCertFingerprint: return "tls.cert_fingerprint";
    case Buffer::kTlsVersion: return "tls.version";
    case Buffer::kJa3Hash: return "ja3.hash";
    case Buffer::kJa3String: return "ja3.string";
    case Buffer::kJa3sHash: return "ja3s.hash";
    case Buffer::kJa3sString: return "ja3s.string";
    case Buffer::kFileData: return "file.data";
    case Buffer::kIpv4Hdr: return "ipv4.hdr";
    case Buffer::kIpv6Hdr: return "ipv6.hdr";
    case Buffer::kTcpHdr: return "tcp.hdr";
    case Buffer::kUdpHdr: return "udp.hdr";
    case Buffer::kIcmpv4Hdr: return "icmpv4.hdr";
    case Buffer::kIcmpv6Hdr: return "icmpv6.hdr";
    case Buffer::kHttpStart: return "http.start";
    case Buffer::kHttpRequestHeader: return "http.request_header";
    case Buffer::kHttpResponseHeader: return "http.response_header";
    case Buffer::kSshProto: return "ssh.proto";
    case Buffer::kSshSoftware: return "ssh.software";
    case Buffer::kCount: break;
  }
  return "?";
}

bool IntMatch::matches(uint64_t v) const {
  switch (mode) {
    case Mode::kEq: return v == a;
    case Mode::kNe: return v != a;
    case Mode::kLt: return v < a;
    case Mode::kLe: return v <= a;
    case Mode::kGt: return v > a;
    case Mode::kGe: return v >= a;
    case Mode::kRange: return v > a && v < b;
    case Mode::kNotRange: return v <= a || v >= b;
    case Mode::kMaskEq: return (v & a) == b;
    case Mode::kMaskNe: return (v & a) != b;
  }
  return false;
}

Result<IntMatch> parse_int_match(std::string_view text, uint64_t max) {
  std::string_view s = trim(text);
  IntMatch m;
  auto num = [&](std::string_view t, uint64_t* out) -> bool {
    t = trim(t);
    if (!parse_u64(t, out)) return false;
    return *out <= max;
  };
  auto bad = [&] { return Status::invalid("'" + std::string(s.substr(0, 40)) + "' is not a valid number or range (max " + std::to_string(max) + ")"); };
  if (s.empty()) return bad();
  if (s[0] == '&') {
    size_t eq = s.find("!=");
    bool ne = eq != std::string_view::npos;
    if (!ne) eq = s.find('=');
    if (eq == std::string_view::npos) return bad();
    if (!num(s.substr(1, eq - 1), &m.a) || !num(s.substr(eq + (ne ? 2 : 1)), &m.b)) return bad();
    m.mode = ne ? IntMatch::Mode::kMaskNe : IntMatch::Mode::kMaskEq;
    return m;
  }
  size_t rng = s.find("<>");
  if (rng != std::string_view::npos) {
    if (!num(s.substr(0, rng), &m.a) || !num(s.substr(rng + 2), &m.b) || m.a >= m.b) return bad();
    m.mode = IntMatch::Mode::kRange;
    return m;
  }
  bool negated = false;
  if (s.size() >= 2 && s[0] == '!' && s[1] == '=') {
    if (!num(s.substr(2), &m.a)) return bad();
    m.mode = IntMatch::Mode::kNe;
    return m;
  }
  if (s[0] == '!') {
    negated = true;
    s = trim(s.substr(1));
  }
  size_t dash = s.find('-', 1);
  if (dash != std::string_view::npos && s[0] != '<' && s[0] != '>') {
    if (!num(s.substr(0, dash), &m.a) || !num(s.substr(dash + 1), &m.b) || m.a >= m.b) return bad();
    m.mode = negated ? IntMatch::Mode::kNotRange : IntMatch::Mode::kRange;
    return m;
  }
  if (s.substr(0, 2) == "<=") {
    if (negated || !num(s.substr(2), &m.a)) return bad();
    m.mode = IntMatch::Mode::kLe;
  } else if (s.substr(0, 2) == ">=") {
    if (negated || !num(s.substr(2), &m.a)) return bad();
    m.mode = IntMatch::Mode::kGe;
  } else if (s[0] == '<') {
    if (negated || !num(s.substr(1), &m.a)) return bad();
    m.mode = IntMatch::Mode::kLt;
  } else if (s[0] == '>') {
    if (negated || !num(s.substr(1), &m.a)) return bad();
    m.mode = IntMatch::Mode::kGt;
  } else {
    if (s[0] == '=') s = s.substr(1);
    if (!num(s, &m.a)) return bad();
    m.mode = negated ? IntMatch::Mode::kNe : IntMatch::Mode::kEq;
  }
  return m;
}

bool BitsMatch::matches(uint8_t v) const {
  v &= uint8_t(~ignore);
  switch (modifier) {
    case '+': return (v & mask) == mask;
    case '*': return (v & mask) != 0;
    case '!': return (v & mask) != mask;
    default: return v == mask;
  }
}

bool looks_like_rule(std::string_view text) {
  text = trim(text);
  for (std::string_view a : {"alert", "drop", "pass", "reject", "rejectsrc", "rejectdst", "rejectboth", "sdrop", "log"}) {
    if (text.size() > a.size() && text.substr(0, a.size()) == a &&
        std::isspace(static_cast<unsigned char>(text[a.size()])))
      return true;
  }
  return false;
}

RuleIdentity scan_identity(std::string_view text) {
  RuleIdentity id;
  size_t lp = text.find('(');
  if (lp == std::string_view::npos) return id;
  std::vector<RawOption> opts;
  // Best effort: parse what splits; stop at the first problem.
  std::string_view body = text.substr(lp + 1);
  size_t rp = body.rfind(')');
  if (rp != std::string_view::npos) body = body.substr(0, rp);
  (void)split_options(body, &opts);
  for (const auto& o : opts) {
    uint64_t n;
    if (o.name == "sid" && parse_u64(o.value, &n) && n <= 0xffffffffu) id.sid = uint32_t(n);
    else if (o.name == "gid" && parse_u64(o.value, &n) && n <= 0xffffffffu) id.gid = uint32_t(n);
    else if (o.name == "rev" && parse_u64(o.value, &n) && n <= 0xffffffffu) id.rev = uint32_t(n);
    else if (o.name == "msg") {
      auto q = unquote(o.value, false, "msg");
      if (q) id.msg = unescape(*q);
    }
  }
  return id;
}

RuleParser::RuleParser(RuleVars vars) : vars_(std::move(vars)) {}

Result<std::shared_ptr<const IpSet>> RuleParser::address(std::string_view text) {
  auto it = addr_cache_.find(std::string(text));
  if (it != addr_cache_.end()) return it->second;
  auto r = parse_address_set(text, vars_.address);
  if (!r) return r.status();
  auto p = std::make_shared<const IpSet>(std::move(r).value());
  if (addr_cache_.size() < 100000) addr_cache_.emplace(std::string(text), p);
  return p;
}

Result<std::shared_ptr<const PortSet>> RuleParser::port(std::string_view text) {
  auto it = port_cache_.find(std::string(text));
  if (it != port_cache_.end()) return it->second;
  auto r = parse_port_set(text, vars_.port);
  if (!r) return r.status();
  auto p = std::make_shared<const PortSet>(std::move(r).value());
  if (port_cache_.size() < 100000) port_cache_.emplace(std::string(text), p);
  return p;
}

Result<Rule> RuleParser::parse(std::string_view text) {
  text = trim(text);
  if (text.size() > kMaxRuleLength) return Status::invalid("rule longer than 64 KiB");
  size_t lp = text.find('(');
  if (lp == std::string_view::npos) return Status::invalid("no option list: expected '(' after the header");
  if (text.back() != ')') return Status::invalid("the option list does not end with ')'");
  std::string_view header = trim(text.substr(0, lp));
  std::string_view body = text.substr(lp + 1, text.size() - lp - 2);

  // Header fields are separated by whitespace, but bracketed lists may contain spaces.
  std::vector<std::string_view> f;
  {
    size_t i = 0;
    while (i < header.size()) {
      while (i < header.size() && std::isspace(static_cast<unsigned char>(header[i]))) ++i;
      if (i >= header.size()) break;
      size_t start = i;
      int depth = 0;
      while (i < header.size() && (depth > 0 || !std::isspace(static_cast<unsigned char>(header[i])))) {
        if (header[i] == '[') ++depth;
        if (header[i] == ']') --depth;
        ++i;
      }
      f.push_back(header.substr(start, i - start));
    }
  }
  Rule r;
  if (f.size() != 7) {
    return Status::invalid("header must be 'action proto src sport -> dst dport', got " + std::to_string(f.size()) +
                           " fields");
  }
  std::string_view action = f[0];
  if (action == "alert") r.action = Action::kAlert;
  else if (action == "drop" || action == "sdrop") r.action = Action::kDrop;
  else if (action == "reject" || action == "rejectsrc" || action == "rejectdst" || action == "rejectboth") r.action = Action::kReject;
  else if (action == "pass") r.action = Action::kPass;
  else return Status::invalid("unknown action '" + std::string(action) + "'");

  std::string proto(f[1]);
  for (auto& c : proto) c = char(std::tolower(static_cast<unsigned char>(c)));
  r.proto_text = proto;
  if (proto == "ip" || proto == "pkthdr") r.transport = Transport::kAny;
  else if (proto == "ipv4" || proto == "ip4") { r.transport = Transport::kAny; r.ip_version = 4; }
  else if (proto == "ipv6" || proto == "ip6") { r.transport = Transport::kAny; r.ip_version = 6; }
  else if (proto == "tcp") r.transport = Transport::kTcp;
  else if (proto == "tcp-pkt") { r.transport = Transport::kTcp; r.stream = StreamMode::kPacketOnly; }
  else if (proto == "tcp-stream") { r.transport = Transport::kTcp; r.stream = StreamMode::kStreamOnly; }
  else if (proto == "udp") r.transport = Transport::kUdp;
  else if (proto == "icmp") r.transport = Transport::kIcmp;
  else if (proto == "icmpv4") r.transport = Transport::kIcmp4;
  else if (proto == "icmpv6") r.transport = Transport::kIcmp6;
  else if (proto == "sctp") r.transport = Transport::kSctp;
  else {
    bool found = false;
    for (const auto& a : kAppNames) {
      if (proto == a.name) {
        r.app = a.app;
        found = true;
      }
    }
    if (!found) {
      for (const char* u : kUnsupportedApps) {
        if (proto == u) {
          r.unsupported.push_back("protocol " + proto);
          found = true;
        }
      }
    }
    if (!found) return Status::invalid("unknown protocol '" + proto + "'");
  }

  std::string_view dir = f[4];
  if (dir == "<>") r.bidirectional = true;
  else if (dir == "=>") r.transactional = true;
  else if (dir != "->") return Status::invalid("direction must be '->' or '<>', got '" + std::string(dir) + "'");

  r.src_text = std::string(f[2]);
  r.sport_text = std::string(f[3]);
  r.dst_text = std::string(f[5]);
  r.dport_text = std::string(f[6]);
  {
    auto a = address(f[2]);
    if (!a) return a.status().with_context("source address");
    r.src_addr = *a;
    auto b = address(f[5]);
    if (!b) return b.status().with_context("destination address");
    r.dst_addr = *b;
    auto p = port(f[3]);
    if (!p) return p.status().with_context("source port");
    r.src_port = *p;
    auto q = port(f[6]);
    if (!q) return q.status().with_context("destination port");
    r.dst_port = *q;
  }
  if ((r.transport == Transport::kAny || r.transport == Transport::kIcmp || r.transport == Transport::kIcmp4 ||
       r.transport == Transport::kIcmp6) && r.app == AppProto::kUnknown &&
      (!r.src_port->is_any() || !r.dst_port->is_any())) {
    // Suricata ignores ports on protocols without them only for "ip"; icmp with ports is an error.
    if (r.transport != Transport::kAny) return Status::invalid("ports given for " + proto + ", which has none");
  }

  std::vector<RawOption> opts;
  CANH_RETURN_IF_ERROR(split_options(body, &opts));
  Builder b(r);
  for (const auto& o : opts) {
    Status s = b.option(o.name, o.value, o.has_value);
    if (!s) return s;
  }
  CANH_RETURN_IF_ERROR(b.finish());
  // A regex PCRE2 rejects is a broken rule (Suricata refuses it at load): report it here, with the
  // offset, so the console and `rules check` show it on the rule. The engine compiles (and JITs) its
  // own copy.
  for (const auto& p : r.pcres) CANH_RETURN_IF_ERROR(check_regex(p));
  return r;
}

Status RuleParser::check_regex(const PcreOp& p) {
  std::string key = std::to_string(p.options) + "/" + p.regex;
  if (valid_regexes_.count(key)) return Status::ok();
  int ec = 0;
  PCRE2_SIZE eo = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(p.regex.data()), p.regex.size(), p.options, &ec, &eo, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(ec, buf, sizeof buf);
    return Status::invalid("pcre \"" + p.regex.substr(0, 80) + "\": " + reinterpret_cast<const char*>(buf) +
                           " at offset " + std::to_string(eo));
  }
  pcre2_code_free(code);
  if (valid_regexes_.size() < 200000) valid_regexes_.insert(std::move(key));
  return Status::ok();
}

}  // namespace canh::rules
