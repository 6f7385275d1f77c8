#include "cli/server_config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "common/log.h"
#include "console/metrics.h"
#include "console/server.h"

namespace canh::cli {

namespace {

std::string at(const ServerConfig& c, const YAML::Node& n) {
  return c.source + ":" + std::to_string(n.Mark().line + 1) + ": ";
}

}  // namespace

bool looks_like_server_config(std::string_view text) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    return root.IsMap() && root["server"] && root["server"].IsMap();
  } catch (const YAML::Exception&) {
    return false;
  }
}

Result<ServerConfig> parse_server_config(std::string_view text, std::string_view source) {
  ServerConfig c;
  c.source = std::string(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::invalid(c.source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) return c;
  if (!root.IsMap()) return Status::invalid(c.source + ": expected a mapping at the top level (server:, metrics:, rule-bundles:)");

  auto bad = [&](const YAML::Node& n, const std::string& key, const std::string& what) {
    std::string got = n.IsScalar() ? " (got \"" + n.Scalar() + "\")" : "";
    return Status::invalid(at(c, n) + key + ": " + what + got);
  };
  auto scalar = [&](const YAML::Node& n, const std::string& key, std::string* out) -> Status {
    if (!n.IsScalar() || n.Scalar().empty()) return bad(n, key, "expected a value");
    *out = n.Scalar();
    c.given.insert(key);
    return Status::ok();
  };
  try {
    for (auto top = root.begin(); top != root.end(); ++top) {
      std::string section = top->first.as<std::string>("");
      const YAML::Node body = top->second;
      if (section != "server" && section != "metrics" && section != "rule-bundles")
        return Status::invalid(at(c, top->first) + section + ": unknown section (expected server, metrics or rule-bundles)");
      if (body.IsNull()) continue;
      if (!body.IsMap()) return bad(body, section, "expected a map");
      for (auto it = body.begin(); it != body.end(); ++it) {
        std::string name = it->first.as<std::string>("");
        std::string key = section + "." + name;
        const YAML::Node v = it->second;
        if (key == "server.data") {
          CANH_RETURN_IF_ERROR(scalar(v, key, &c.data));
        } else if (key == "server.listen") {
          CANH_RETURN_IF_ERROR(scalar(v, key, &c.listen));
          std::string host;
          uint16_t port;
          if (Status s = console::parse_listen(c.listen, &host, &port); !s) return bad(v, key, s.message());
        } else if (key == "server.tls") {
          if (!v.IsMap()) return bad(v, key, "expected a map with cert and key");
          for (auto t = v.begin(); t != v.end(); ++t) {
            std::string tk = t->first.as<std::string>("");
            if (tk == "cert") CANH_RETURN_IF_ERROR(scalar(t->second, key + ".cert", &c.tls_cert));
            else if (tk == "key") CANH_RETURN_IF_ERROR(scalar(t->second, key + ".key", &c.tls_key));
            else return Status::invalid(at(c, t->first) + key + "." + tk + ": unknown key (expected cert or key)");
          }
          if (c.tls_cert.empty() != c.tls_key.empty()) return bad(v, key, "give both cert and key, or neither");
        } else if (key == "server.threads") {
          std::string t;
          CANH_RETURN_IF_ERROR(scalar(v, key, &t));
          int n = 0;
          try {
            size_t used = 0;
            n = std::stoi(t, &used);
            if (used != t.size()) n = 0;
          } catch (const std::exception&) {
            n = 0;
          }
          if (n < 1 || n > 64) return bad(v, key, "expected a number from 1 to 64");
          c.threads = static_cast<unsigned>(n);
        } else if (key == "server.log-level") {
          CANH_RETURN_IF_ERROR(scalar(v, key, &c.log_level));
          log::Level l;
          if (!log::parse_level(c.log_level, &l)) return bad(v, key, "expected debug, info, warn or error");
        } else if (key == "metrics.allow") {
          if (!v.IsSequence()) return bad(v, key, "expected a list of addresses or CIDR blocks ([] for none)");
          c.metrics_allow.clear();
          for (const auto& e : v) {
            if (!e.IsScalar()) return bad(e, key, "expected an address or CIDR block");
            auto one = console::AddressAllowList::parse({e.Scalar()});
            if (!one) return bad(e, key, one.status().message());
            c.metrics_allow.push_back(e.Scalar());
          }
          c.given.insert(key);
        } else if (key == "rule-bundles.trusted-keys") {
          CANH_RETURN_IF_ERROR(scalar(v, key, &c.trusted_keys));
        } else {
          return Status::invalid(at(c, it->first) + key + ": unknown key");
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::invalid(c.source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return c;
}

Result<ServerConfig> load_server_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found(path + ": cannot open configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_server_config(ss.str(), path);
}

}  // namespace canh::cli
