// URI and host normalization for http.uri and http.host, as Suricata configures libhtp by default
// (personality IDS, with Suricata's own override that keeps the path's case):
//   path:  %XX and %uXXXX decoded (invalid escapes keep their '%'), '\' becomes '/', UTF-8 (overlong
//          forms included) folded to single bytes by best fit ('?' when there is none), "//" compressed,
//          "." and ".." segments removed (RFC 3986 section 5.2.4);
//   query: %XX and %uXXXX decoded, '+' kept (Suricata's query-plusspace-decode defaults to no);
//   the normalized URI is path [ '?' query ] [ '#' fragment ]: scheme and authority of an absolute
//   URI (a proxy request) are not part of it (uri-include-all: no).
// Pure functions writing into caller-owned strings, so the buffers are reused across transactions.
#pragma once

#include <string>
#include <string_view>

namespace canh::sensor::app {

// The parts of a request URI, as views into the raw URI.
struct UriParts {
  std::string_view scheme;     // empty unless absolute ("http://...")
  std::string_view authority;  // "user@host:port" of an absolute URI
  std::string_view host;       // host of the authority, without userinfo and port
  std::string_view port;
  std::string_view path;
  std::string_view query;      // without '?'
  std::string_view fragment;   // without '#'
  bool has_query = false;
  bool has_fragment = false;
};

UriParts split_uri(std::string_view raw);

// Appends the normalized URI of `raw` to *out.
void normalize_uri(std::string_view raw, std::string* out);

// Normalized path and query, exposed for tests.
void normalize_path(std::string_view path, std::string* out);
void decode_query(std::string_view query, std::string* out);

// Splits "host:port" / "[v6]:port" into host and port (port empty when absent).
void split_host_port(std::string_view hostport, std::string_view* host, std::string_view* port);

// Appends the normalized host name (lower case, trailing dots removed) to *out.
void normalize_host(std::string_view host, std::string* out);

}  // namespace canh::sensor::app
