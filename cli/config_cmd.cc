// canh config check FILE: validates a sensor configuration (canh.yaml, suricata.yaml layout) or a
// server configuration (server.yaml, a top-level `server:` map) with the components' own parsers —
// sensor/config.h, rules/config.h, the app layer's settings, cli/server_config.h — and prints every
// problem as FILE:LINE: KEY: message. Keys the sensor does not use are listed as warnings (a typo in
// a key name is otherwise silently ignored, as suricata.yaml files carry many keys Canh has no use for).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/server_config.h"
#include "common/args.h"
#include "common/log.h"
#include "rules/bundle.h"
#include "rules/config.h"
#include "sensor/app/app_layer.h"
#include "sensor/config.h"

namespace canh::cli {

namespace {

struct Finding {
  bool error = true;
  int line = 0;  // 0: unknown
  std::string text;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Line (1-based) of a dotted key in the document: the deepest component found, 0 when none is.
// Component names compare case-insensitively, as the sensor's setting names do.
int key_line(const YAML::Node& root, std::string_view dotted) {
  // yaml-cpp's Node::operator= writes through to the document: walk with reset(), which rebinds.
  YAML::Node cur;
  cur.reset(root);
  int line = 0;
  while (!dotted.empty()) {
    size_t dot = dotted.find('.');
    std::string part = lower(std::string(dotted.substr(0, dot)));
    dotted.remove_prefix(dot == std::string_view::npos ? dotted.size() : dot + 1);
    if (!cur.IsMap()) break;
    YAML::Node next;
    for (auto it = cur.begin(); it != cur.end(); ++it) {
      if (lower(it->first.as<std::string>("")) == part) {
        line = it->first.Mark().line + 1;
        next.reset(it->second);
        break;
      }
    }
    if (!next) break;
    cur.reset(next);
  }
  return line;
}

// Turns "FILE: KEY: message" (the components' error form) into a finding with the key's line.
Finding locate(const std::string& message, const std::string& path, const YAML::Node& root) {
  Finding f;
  std::string rest = message;
  if (rest.rfind(path + ":", 0) == 0) {
    rest = rest.substr(path.size() + 1);
    // Already "FILE:LINE: ..." (a YAML syntax error, or a parser that knows the line).
    size_t i = 0;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
    if (i > 0 && i < rest.size() && rest[i] == ':') {
      f.line = std::stoi(rest.substr(0, i));
      f.text = rest.substr(i + 1);
      if (!f.text.empty() && f.text[0] == ' ') f.text.erase(0, 1);
      return f;
    }
    if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
  }
  size_t colon = rest.find(": ");
  std::string key = colon == std::string::npos ? "" : rest.substr(0, colon);
  if (!key.empty() && key.find(' ') == std::string::npos) f.line = key_line(root, key);
  f.text = rest;
  return f;
}

// The sensor logs each key it does not use at debug level; collect them through the log sink.
std::mutex g_unused_mu;
std::vector<std::string>* g_unused = nullptr;
void collect_unused(std::string_view line) {
  constexpr std::string_view kMark = "configuration key not used by the sensor key=";
  size_t at = line.find(kMark);
  if (at == std::string_view::npos) return;
  std::string_view key = line.substr(at + kMark.size());
  key = key.substr(0, key.find(' '));
  if (!key.empty() && key.front() == '"') key = key.substr(1, key.find('"', 1) - 1);
  std::lock_guard lock(g_unused_mu);
  if (g_unused) g_unused->emplace_back(key);
}

bool rules_key(std::string_view key) {
  for (std::string_view p : {"vars.", "default-rule-path", "rule-files", "classification-file", "threshold-file",
                             "reference-config-file"})
    if (key.rfind(p, 0) == 0) return true;
  return false;
}

void check_readable(const std::string& file, const std::string& key, const YAML::Node& root, std::vector<Finding>& out,
                    bool is_dir_ok = false) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    out.push_back({true, key_line(root, key), key + ": " + file + ": no such file"});
    return;
  }
  if (!is_dir_ok && std::filesystem::is_directory(file, ec)) {
    out.push_back({true, key_line(root, key), key + ": " + file + ": is a directory"});
    return;
  }
  if (!std::filesystem::is_directory(file, ec) && !std::ifstream(file))
    out.push_back({true, key_line(root, key), key + ": " + file + ": not readable"});
}

std::vector<Finding> check_sensor(const std::string& path, const std::string& text, const YAML::Node& root, size_t* used) {
  std::vector<Finding> out;
  std::vector<std::string> unused;
  {
    std::lock_guard lock(g_unused_mu);
    g_unused = &unused;
  }
  log::Level saved = log::level();
  log::set_level(log::Level::kDebug);
  log::set_sink(collect_unused);
  auto cfg = sensor::parse_sensor_config(text, path);
  log::set_sink(nullptr);
  log::set_level(saved);
  {
    std::lock_guard lock(g_unused_mu);
    g_unused = nullptr;
  }
  if (!cfg) out.push_back(locate(cfg.status().message(), path, root));
  auto rc = rules::parse_rules_config(text, path);
  if (!rc) out.push_back(locate(rc.status().message(), path, root));
  if (cfg) {
    auto app = sensor::app::app_config_from(cfg->app_layer);
    if (!app) {
      Finding f = locate(app.status().message(), path, root);
      if (f.line == 0) f.line = key_line(root, "app-layer.protocols");
      out.push_back(f);
    }
  }
  if (rc) {
    auto files = rc->resolved_rule_files();
    for (const auto& f : files) check_readable(f, "rule-files", root, out);
    if (!rc->classification_file.empty()) check_readable(rc->classification_file, "classification-file", root, out);
    if (!rc->threshold_file.empty()) check_readable(rc->threshold_file, "threshold-file", root, out);
  }
  std::sort(unused.begin(), unused.end());
  unused.erase(std::unique(unused.begin(), unused.end()), unused.end());
  size_t ignored = 0;
  for (const auto& k : unused) {
    if (rules_key(k)) continue;
    ++ignored;
    out.push_back({false, key_line(root, k), k + ": not used by canh sensor (ignored)"});
  }
  *used = ignored;
  return out;
}

std::vector<Finding> check_server(const std::string& path, const std::string& text, const YAML::Node& root) {
  std::vector<Finding> out;
  auto c = parse_server_config(text, path);
  if (!c) {
    out.push_back(locate(c.status().message(), path, root));
    return out;
  }
  if (!c->tls_cert.empty()) {
    check_readable(c->tls_cert, "server.tls.cert", root, out);
    check_readable(c->tls_key, "server.tls.key", root, out);
  }
  if (!c->trusted_keys.empty()) {
    auto keys = rules::bundle::load_trusted_keys(c->trusted_keys);
    if (!keys) out.push_back({true, key_line(root, "rule-bundles.trusted-keys"), "rule-bundles.trusted-keys: " + keys.status().message()});
    else if (keys->empty())
      out.push_back({false, key_line(root, "rule-bundles.trusted-keys"),
                     "rule-bundles.trusted-keys: " + c->trusted_keys + " holds no *.pub key: signed bundles will be refused"});
  }
  std::error_code ec;
  if (!std::filesystem::exists(c->data, ec))
    out.push_back({false, key_line(root, "server.data"), "server.data: " + c->data + " does not exist yet (the server creates it)"});
  return out;
}

}  // namespace

int run_config(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh config",
              "Check a configuration file: `canh config check FILE` validates a sensor configuration (canh.yaml) "
              "or a server configuration (server.yaml) with the parsers canh sensor and canh server use.");
  p.positional("check", "the subcommand", false, true)
      .positional("FILE", "configuration file", false, true)
      .option("type", 0, "sensor|server|auto", "which configuration (auto: server when it has a top-level server: map)", "auto")
      .flag("strict", 0, "treat warnings (keys the sensor ignores, missing data folder) as errors")
      .epilog("Each problem is printed as FILE:LINE: KEY: message. Exit status: 0 valid, 1 errors (or warnings\n"
              "with --strict), 2 usage error.");
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  if (p.positionals().size() != 2 || p.positionals()[0] != "check") {
    std::fprintf(stderr, "canh config: expected 'check FILE' (see canh config --help)\n");
    return 2;
  }
  std::string path = p.positionals()[1];
  std::string type = p.get("type");
  if (type != "auto" && type != "sensor" && type != "server") {
    std::fprintf(stderr, "canh config: --type: expected sensor, server or auto (got \"%s\")\n", type.c_str());
    return 2;
  }
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open\n", path.c_str());
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    std::printf("%s:%d: error: %s\n", path.c_str(), e.mark.line + 1, e.msg.c_str());
    return 1;
  }
  if (type == "auto") type = looks_like_server_config(text) ? "server" : "sensor";

  size_t ignored = 0;
  std::vector<Finding> findings =
      type == "server" ? check_server(path, text, root) : check_sensor(path, text, root, &ignored);
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) { return a.line < b.line; });
  size_t errors = 0, warnings = 0;
  for (const auto& f : findings) {
    (f.error ? errors : warnings)++;
    if (f.line > 0) std::printf("%s:%d: %s: %s\n", path.c_str(), f.line, f.error ? "error" : "warning", f.text.c_str());
    else std::printf("%s: %s: %s\n", path.c_str(), f.error ? "error" : "warning", f.text.c_str());
  }
  bool fail = errors > 0 || (p.has("strict") && warnings > 0);
  std::printf("%s: %s configuration %s (%zu errors, %zu warnings)\n", path.c_str(), type.c_str(),
              fail ? "has problems" : "is valid", errors, warnings);
  return fail ? 1 : 0;
}

}  // namespace canh::cli
