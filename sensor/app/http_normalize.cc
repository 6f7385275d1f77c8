#include "sensor/app/http_normalize.h"

#include <cstdint>

#include "sensor/app/app_types.h"

namespace canh::sensor::app {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %uHHHH carries a UTF-16 code unit. Like libhtp, reduce it to one byte: U+00XX is that byte, the
// full-width forms U+FF01..U+FF5E (a classic IIS evasion) are their ASCII originals, the rest '?'.
char fold_u_encoding(unsigned cp) {
  if (cp < 0x100) return static_cast<char>(cp);
  if (cp >= 0xFF01 && cp <= 0xFF5E) return static_cast<char>(cp - 0xFEE0);
  return '?';
}

// Percent-decodes `in` onto the end of *out. Invalid escapes keep the '%' (libhtp PRESERVE_PERCENT).
void percent_decode(std::string_view in, std::string* out) {
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c != '%') {
      out->push_back(c);
      continue;
    }
    if (i + 5 < in.size() && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
      int a = hex_value(in[i + 2]), b = hex_value(in[i + 3]), d = hex_value(in[i + 4]), e = hex_value(in[i + 5]);
      if (a >= 0 && b >= 0 && d >= 0 && e >= 0) {
        out->push_back(fold_u_encoding(static_cast<unsigned>((a << 12) | (b << 8) | (d << 4) | e)));
        i += 5;
        continue;
      }
    }
    if (i + 2 < in.size()) {
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out->push_back(static_cast<char>((hi << 4) | lo));
        i += 2;
        continue;
      }
    }
    out->push_back('%');
  }
}

// Folds UTF-8 in s[from..] to single bytes in place (libhtp's utf8_convert_bestfit). ASCII stays;
// a well-formed sequence (overlong ones too: "%c0%af" is the classic "/" evasion) becomes its code
// point when that is ASCII, the ASCII original of a full-width form, or '?'. Bytes that do not form
// a sequence are kept as they are.
void fold_utf8(std::string* s, size_t from) {
  std::string& b = *s;
  size_t w = from;
  size_t i = from;
  while (i < b.size()) {
    auto c = static_cast<uint8_t>(b[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c >= 0xC0 && c <= 0xDF) n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF7) n = 4, cp = c & 0x07;
    bool ok = n != 0 && i + n <= b.size();
    for (size_t k = 1; ok && k < n; ++k) {
      auto cc = static_cast<uint8_t>(b[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      b[w++] = b[i++];
      continue;
    }
    if (cp < 0x80) b[w++] = static_cast<char>(cp);
    else if (cp >= 0xFF01 && cp <= 0xFF5E) b[w++] = static_cast<char>(cp - 0xFEE0);
    else b[w++] = '?';
    i += n;
  }
  b.resize(w);
}

// RFC 3986 section 5.2.4 remove_dot_segments on s[from..], in place, after separators were unified
// to '/' and compressed. Works on whole segments: a write cursor and a read cursor over the same
// buffer, with ".." popping the last written segment.
void remove_dot_segments(std::string* s, size_t from) {
  std::string& b = *s;
  size_t r = from, w = from;
  const size_t end = b.size();
  while (r < end) {
    // The segment starting at r: an optional leading '/', then up to the next '/'.
    size_t seg_start = r;
    bool slash = b[r] == '/';
    size_t name = slash ? r + 1 : r;
    size_t next = name;
    while (next < end && b[next] != '/') ++next;
    std::string_view seg(b.data() + name, next - name);
    bool last = next >= end;
    if (seg == ".") {
      // "/./x" -> "/x"; a trailing "/." leaves "/".
      r = next;
      if (last && slash) b[w++] = '/';
      continue;
    }
    if (seg == "..") {
      // Pop the last output segment, keeping what precedes its slash.
      while (w > from && b[w - 1] != '/') --w;
      if (w > from) --w;  // the slash that started the popped segment
      r = next;
      if (last && (slash || w > from)) b[w++] = '/';
      continue;
    }
    for (size_t k = seg_start; k < next; ++k) b[w++] = b[k];
    r = next;
  }
  b.resize(w);
}

}  // namespace

UriParts split_uri(std::string_view raw) {
  UriParts p;
  std::string_view rest = raw;
  // An absolute URI starts with a scheme followed by "://". Anything else ("/path", "*",
  // "path?x=a:b") is a path: libhtp only looks for an authority after a scheme.
  size_t colon = rest.find("://");
  if (colon != std::string_view::npos && colon > 0) {
    bool scheme_ok = (rest[0] >= 'a' && rest[0] <= 'z') || (rest[0] >= 'A' && rest[0] <= 'Z');
    for (size_t i = 1; scheme_ok && i < colon; ++i) {
      char c = rest[i];
      scheme_ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                  c == '-' || c == '.';
    }
    if (scheme_ok) {
      p.scheme = rest.substr(0, colon);
      rest.remove_prefix(colon + 3);
      size_t auth_end = rest.find_first_of("/?#");
      p.authority = rest.substr(0, auth_end);
      rest = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
      std::string_view hostport = p.authority;
      size_t at = hostport.rfind('@');
      if (at != std::string_view::npos) hostport.remove_prefix(at + 1);
      split_host_port(hostport, &p.host, &p.port);
    }
  }
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    p.fragment = rest.substr(hash + 1);
    p.has_fragment = true;
    rest = rest.substr(0, hash);
  }
  size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    p.query = rest.substr(q + 1);
    p.has_query = true;
    rest = rest.substr(0, q);
  }
  p.path = rest;
  return p;
}

void normalize_path(std::string_view path, std::string* out) {
  size_t from = out->size();
  percent_decode(path, out);
  fold_utf8(out, from);
  // Backslashes are separators (IIS) and runs of separators collapse to one.
  std::string& b = *out;
  size_t w = from;
  for (size_t i = from; i < b.size(); ++i) {
    char c = b[i] == '\\' ? '/' : b[i];
    if (c == '/' && w > from && b[w - 1] == '/') continue;
    b[w++] = c;
  }
  b.resize(w);
  remove_dot_segments(out, from);
}

void decode_query(std::string_view query, std::string* out) { percent_decode(query, out); }

void normalize_uri(std::string_view raw, std::string* out) {
  UriParts p = split_uri(raw);
  normalize_path(p.path, out);
  if (p.has_query) {
    out->push_back('?');
    decode_query(p.query, out);
  }
  if (p.has_fragment) {
    out->push_back('#');
    decode_query(p.fragment, out);
  }
}

void split_host_port(std::string_view hostport, std::string_view* host, std::string_view* port) {
  hostport = trim(hostport);
  *port = {};
  if (!hostport.empty() && hostport.front() == '[') {
    size_t close = hostport.find(']');
    if (close != std::string_view::npos) {
      *host = hostport.substr(0, close + 1);
      std::string_view rest = hostport.substr(close + 1);
      if (!rest.empty() && rest.front() == ':') *port = rest.substr(1);
      return;
    }
  }
  size_t colon = hostport.rfind(':');
  // More than one colon without brackets: a bare IPv6 address, not host:port.
  if (colon != std::string_view::npos && hostport.find(':') == colon) {
    *host = hostport.substr(0, colon);
    *port = hostport.substr(colon + 1);
  } else {
    *host = hostport;
  }
}

void normalize_host(std::string_view host, std::string* out) {
  while (!host.empty() && host.back() == '.') host.remove_suffix(1);
  for (char c : host) out->push_back(ascii_lower(c));
}

}  // namespace canh::sensor::app
