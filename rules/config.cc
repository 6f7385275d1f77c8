#include "rules/config.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

namespace canh::rules {
namespace {

// Suricata's default suricata.yaml `vars` section.
constexpr std::pair<const char*, const char*> kDefaultAddressVars[] = {
    {"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]"},
    {"EXTERNAL_NET", "!$HOME_NET"},
    {"HTTP_SERVERS", "$HOME_NET"},
    {"SMTP_SERVERS", "$HOME_NET"},
    {"SQL_SERVERS", "$HOME_NET"},
    {"DNS_SERVERS", "$HOME_NET"},
    {"TELNET_SERVERS", "$HOME_NET"},
    {"AIM_SERVERS", "$EXTERNAL_NET"},
    {"DC_SERVERS", "$HOME_NET"},
    {"DNP3_SERVER", "$HOME_NET"},
    {"DNP3_CLIENT", "$HOME_NET"},
    {"MODBUS_CLIENT", "$HOME_NET"},
    {"MODBUS_SERVER", "$HOME_NET"},
    {"ENIP_CLIENT", "$HOME_NET"},
    {"ENIP_SERVER", "$HOME_NET"},
};
constexpr std::pair<const char*, const char*> kDefaultPortVars[] = {
    {"HTTP_PORTS", "80"},
    {"SHELLCODE_PORTS", "!80"},
    {"ORACLE_PORTS", "1521"},
    {"SSH_PORTS", "22"},
    {"DNP3_PORTS", "20000"},
    {"MODBUS_PORTS", "502"},
    {"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
    {"FTP_PORTS", "21"},
    {"GENEVE_PORTS", "6081"},
    {"VXLAN_PORTS", "4789"},
    {"TEREDO_PORTS", "3544"},
};

// Suricata's shipped classification.config (Snort's table plus Emerging Threats' additions).
constexpr const char* kBuiltinClassification = R"(
config classification: not-suspicious,Not Suspicious Traffic,3
config classification: unknown,Unknown Traffic,3
config classification: bad-unknown,Potentially Bad Traffic, 2
config classification: attempted-recon,Attempted Information Leak,2
config classification: successful-recon-limited,Information Leak,2
config classification: successful-recon-largescale,Large Scale Information Leak,2
config classification: attempted-dos,Attempted Denial of Service,2
config classification: successful-dos,Denial of Service,2
config classification: attempted-user,Attempted User Privilege Gain,1
config classification: unsuccessful-user,Unsuccessful User Privilege Gain,1
config classification: successful-user,Successful User Privilege Gain,1
config classification: attempted-admin,Attempted Administrator Privilege Gain,1
config classification: successful-admin,Successful Administrator Privilege Gain,1
config classification: rpc-portmap-decode,Decode of an RPC Query,2
config classification: shellcode-detect,Executable code was detected,1
config classification: string-detect,A suspicious string was detected,3
config classification: suspicious-filename-detect,A suspicious filename was detected,2
config classification: suspicious-login,An attempted login using a suspicious username was detected,2
config classification: system-call-detect,A system call was detected,2
config classification: tcp-connection,A TCP connection was detected,4
config classification: trojan-activity,A Network Trojan was detected, 1
config classification: unusual-client-port-connection,A client was using an unusual port,2
config classification: network-scan,Detection of a Network Scan,3
config classification: denial-of-service,Detection of a Denial of Service Attack,2
config classification: non-standard-protocol,Detection of a non-standard protocol or event,2
config classification: protocol-command-decode,Generic Protocol Command Decode,3
config classification: web-application-activity,access to a potentially vulnerable web application,2
config classification: web-application-attack,Web Application Attack,1
config classification: misc-activity,Misc activity,3
config classification: misc-attack,Misc Attack,2
config classification: icmp-event,Generic ICMP event,3
config classification: inappropriate-content,Inappropriate Content was Detected,1
config classification: policy-violation,Potential Corporate Privacy Violation,1
config classification: default-login-attempt,Attempt to login by a default username and password,2
config classification: targeted-activity,Targeted Malicious Activity was Detected,1
config classification: exploit-kit,Exploit Kit Activity Detected,1
config classification: external-ip-check,Device Retrieving External IP Address Detected,2
config classification: domain-c2,Domain Observed Used for C2 Detected,1
config classification: pup-activity,Possibly Unwanted Program Detected,2
config classification: credential-theft,Successful Credential Theft Detected,1
config classification: social-engineering,Possible Social Engineering Attempted,2
config classification: coin-mining,Crypto Currency Mining Activity Detected,2
config classification: command-and-control,Malware Command and Control Activity Detected,1
)";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io(path + ": cannot open for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::io(path + ": read error");
  return ss.str();
}

// Scalars of a vars map; a YAML number (`SSH_PORTS: 22`) is as good as a string.
Status read_var_map(const YAML::Node& node, std::string_view key, VarMap* out) {
  if (!node) return Status::ok();
  if (!node.IsMap()) return Status::invalid(std::string(key) + ": expected a map of NAME: value");
  for (const auto& kv : node) {
    std::string name = kv.first.as<std::string>();
    if (!kv.second.IsScalar())
      return Status::invalid(std::string(key) + "." + name + ": expected a string value");
    std::string v = kv.second.as<std::string>();
    if (v.empty()) return Status::invalid(std::string(key) + "." + name + ": empty value");
    (*out)[name] = v;
  }
  return Status::ok();
}

}  // namespace

RuleVars default_rule_vars() {
  RuleVars v;
  for (const auto& [k, val] : kDefaultAddressVars) v.address[k] = val;
  for (const auto& [k, val] : kDefaultPortVars) v.port[k] = val;
  return v;
}

const ClassificationTable& ClassificationTable::builtin() {
  static const ClassificationTable table = [] {
    auto r = parse(kBuiltinClassification, "builtin classification.config");
    return r.is_ok() ? std::move(r).value() : ClassificationTable{};
  }();
  return table;
}

Result<ClassificationTable> ClassificationTable::parse(std::string_view text, std::string_view file) {
  ClassificationTable t;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto where = [&] { return std::string(file) + ":" + std::to_string(line_no) + ": "; };
    constexpr std::string_view kPrefix = "config classification:";
    if (line.substr(0, kPrefix.size()) != kPrefix) {
      // Snort's reference.config-style lines and others are not ours; Suricata ignores them too.
      continue;
    }
    std::string_view rest = trim(line.substr(kPrefix.size()));
    size_t c1 = rest.find(',');
    size_t c2 = rest.rfind(',');
    if (c1 == std::string_view::npos || c2 == c1)
      return Status::invalid(where() + "expected 'config classification: name,description,priority'");
    Classification c;
    c.name = std::string(trim(rest.substr(0, c1)));
    c.description = std::string(trim(rest.substr(c1 + 1, c2 - c1 - 1)));
    std::string_view prio = trim(rest.substr(c2 + 1));
    if (c.name.empty()) return Status::invalid(where() + "empty classification name");
    if (prio.empty() || prio.size() > 3 || prio.find_first_not_of("0123456789") != std::string_view::npos)
      return Status::invalid(where() + "priority '" + std::string(prio) + "' is not a number");
    c.priority = std::stoi(std::string(prio));
    if (c.priority < 1 || c.priority > 255)
      return Status::invalid(where() + "priority " + std::string(prio) + " is out of range 1..255");
    t.by_name_[c.name] = std::move(c);
  }
  return t;
}

Result<ClassificationTable> ClassificationTable::load(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.status();
  return parse(*text, path);
}

const Classification* ClassificationTable::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &it->second;
}

std::vector<std::string> RulesConfig::resolved_rule_files() const {
  std::vector<std::string> out;
  for (const auto& f : rule_files) {
    if (f.empty() || f[0] == '/' || default_rule_path.empty()) {
      out.push_back(f);
    } else {
      out.push_back(default_rule_path + (default_rule_path.back() == '/' ? "" : "/") + f);
    }
  }
  return out;
}

Result<RulesConfig> parse_rules_config(std::string_view yaml_text, std::string_view source) {
  RulesConfig cfg;
  cfg.source = std::string(source);
  std::string src(source);
  // Suricata's files start with "%YAML 1.1"; yaml-cpp speaks 1.2 and rejects the directive, and the
  // subset we read is the same in both versions.
  std::string text(yaml_text);
  if (text.rfind("%YAML", 0) == 0) {
    size_t nl = text.find('\n');
    text = nl == std::string::npos ? std::string() : text.substr(nl + 1);
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::invalid(src + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) return cfg;
  if (!root.IsMap()) return Status::invalid(src + ": expected a YAML map at the top level");
  try {
    if (YAML::Node vars = root["vars"]) {
      if (!vars.IsMap()) return Status::invalid(src + ": vars: expected a map");
      Status s = read_var_map(vars["address-groups"], "vars.address-groups", &cfg.vars.address);
      if (!s) return s.with_context(src);
      s = read_var_map(vars["port-groups"], "vars.port-groups", &cfg.vars.port);
      if (!s) return s.with_context(src);
    }
    if (YAML::Node n = root["default-rule-path"]) {
      if (!n.IsScalar()) return Status::invalid(src + ": default-rule-path: expected a path");
      cfg.default_rule_path = n.as<std::string>();
    }
    if (YAML::Node n = root["rule-files"]) {
      if (!n.IsSequence()) return Status::invalid(src + ": rule-files: expected a list of file names");
      for (const auto& f : n) {
        if (!f.IsScalar()) return Status::invalid(src + ": rule-files: expected file names");
        cfg.rule_files.push_back(f.as<std::string>());
      }
    }
    if (YAML::Node n = root["classification-file"]) {
      if (!n.IsScalar()) return Status::invalid(src + ": classification-file: expected a path");
      cfg.classification_file = n.as<std::string>();
    }
    if (YAML::Node n = root["threshold-file"]) {
      if (!n.IsScalar()) return Status::invalid(src + ": threshold-file: expected a path");
      cfg.threshold_file = n.as<std::string>();
    }
  } catch (const YAML::Exception& e) {
    return Status::invalid(src + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  // Every variable must resolve, so a typo fails at start with its name rather than on each rule.
  // A broken variable breaks every variable using it; name the broken one itself (its message does
  // not start with another "$NAME:").
  auto check = [&](const VarMap& vars, const char* key, auto parse) -> Status {
    Status first;
    for (const auto& [name, value] : vars) {
      auto r = parse(value, vars);
      if (r) continue;
      Status s = Status::invalid(src + ": " + key + "." + name + ": " + r.status().message());
      if (r.status().message().rfind("$", 0) != 0) return s;
      if (first.is_ok()) first = s;
    }
    return first;
  };
  CANH_RETURN_IF_ERROR(check(cfg.vars.address, "vars.address-groups", parse_address_set));
  CANH_RETURN_IF_ERROR(check(cfg.vars.port, "vars.port-groups", parse_port_set));
  return cfg;
}

Result<RulesConfig> load_rules_config(const std::string& path) {
  auto text = read_file(path);
  if (!text) return text.status();
  return parse_rules_config(*text, path);
}

}  // namespace canh::rules
