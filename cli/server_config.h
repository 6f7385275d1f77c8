// The server's configuration file (`canh server -c /etc/canh/server.yaml`), typed in this one place;
// `canh config check` validates it with the same parser. Command-line flags override the file.
//
//   server:
//     data: /var/lib/canh
//     listen: 127.0.0.1:8443
//     tls: {cert: FILE, key: FILE}
//     threads: 4
//     log-level: info
//   metrics:
//     allow: [127.0.0.0/8, "::1/128"]
//   rule-bundles:
//     trusted-keys: /etc/canh/trusted-keys
//
// Unlike the sensor's canh.yaml (which accepts a whole suricata.yaml and ignores what it does not
// use), this file is ours: an unknown key is an error, so a typo never silently falls back to a
// default. Errors read "server.yaml:7: server.threads: expected a number from 1 to 64 (got "x")".
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::cli {

struct ServerConfig {
  std::string data = "/var/lib/canh";
  std::string listen = "127.0.0.1:8443";
  std::string tls_cert, tls_key;
  unsigned threads = 4;
  std::string log_level = "info";
  std::vector<std::string> metrics_allow = {"127.0.0.0/8", "::1/128"};
  std::string trusted_keys;  // empty: signed bundles cannot be imported
  std::string source;
  std::set<std::string> given;  // dotted keys present in the file ("server.listen")
};

Result<ServerConfig> parse_server_config(std::string_view yaml_text, std::string_view source);
Result<ServerConfig> load_server_config(const std::string& path);

// True when the YAML text looks like a server configuration (a top-level `server:` map), for
// `canh config check` to pick the parser.
bool looks_like_server_config(std::string_view yaml_text);

}  // namespace canh::cli
