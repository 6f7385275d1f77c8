#include "sensor/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>

#include "common/log.h"

namespace canh::sensor {

namespace {

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

bool parse_u64(std::string_view s, uint64_t* out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_ports(std::string_view s, std::vector<uint16_t>* out) {
  // "4789", "[4789, 8472]", "$VXLAN_PORTS" (the default's variable) all occur in suricata.yaml.
  std::vector<uint16_t> ports;
  std::string cur;
  for (char c : std::string(s) + ",") {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      cur.push_back(c);
    } else if (c == ',' || c == ']' || c == ' ') {
      if (!cur.empty()) {
        uint64_t v;
        if (!parse_u64(cur, &v) || v > 65535) return false;
        ports.push_back(static_cast<uint16_t>(v));
        cur.clear();
      }
    } else if (c == '[') {
    } else if (c == '$') {
      return true;  // a variable: keep the default
    } else {
      return false;
    }
  }
  if (!ports.empty()) *out = ports;
  return true;
}

void flatten(const YAML::Node& n, const std::string& prefix, std::vector<std::pair<std::string, YAML::Node>>& out) {
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      std::string k = it->first.as<std::string>("");
      flatten(it->second, prefix.empty() ? k : prefix + "." + k, out);
    }
  } else {
    out.emplace_back(prefix, n);
  }
}

}  // namespace

bool parse_size(std::string_view text, uint64_t* out) {
  std::string t = lower(text);
  while (!t.empty() && t.back() == ' ') t.pop_back();
  uint64_t mult = 1;
  auto ends = [&](std::string_view suf) { return t.size() > suf.size() && t.compare(t.size() - suf.size(), suf.size(), suf) == 0; };
  if (ends("kib") || ends("kb")) mult = 1024, t.resize(t.size() - (ends("kib") ? 3 : 2));
  else if (ends("mib") || ends("mb")) mult = 1024 * 1024, t.resize(t.size() - (ends("mib") ? 3 : 2));
  else if (ends("gib") || ends("gb")) mult = 1024ull * 1024 * 1024, t.resize(t.size() - (ends("gib") ? 3 : 2));
  uint64_t v;
  if (!parse_u64(t, &v)) return false;
  *out = v * mult;
  return true;
}

bool parse_bool(std::string_view text, bool* out) {
  std::string t = lower(text);
  if (t == "yes" || t == "true" || t == "on" || t == "1" || t == "enabled") return *out = true, true;
  if (t == "no" || t == "false" || t == "off" || t == "0" || t == "disabled") return *out = false, true;
  return false;
}

Status SensorConfig::set(std::string_view key_in, std::string_view value) {
  std::string key = lower(key_in);
  auto bad = [&](std::string_view what) {
    std::string where = source.empty() ? "" : source + ": ";
    return Status::invalid(where + std::string(key_in) + ": " + std::string(what) + " (got \"" + std::string(value) + "\")");
  };
  auto want_bool = [&](bool* dst) -> Status {
    if (!parse_bool(value, dst)) return bad("expected yes or no");
    return Status::ok();
  };
  auto want_size = [&](auto* dst) -> Status {
    uint64_t v;
    if (!parse_size(value, &v)) return bad("expected a size like 64mb");
    *dst = static_cast<std::remove_pointer_t<decltype(dst)>>(v);
    return Status::ok();
  };
  auto want_u32 = [&](uint32_t* dst) -> Status {
    uint64_t v;
    if (!parse_u64(value, &v) || v > 0xffffffffull) return bad("expected a number");
    *dst = static_cast<uint32_t>(v);
    return Status::ok();
  };

  if (key == "stream.midstream") return want_bool(&stream.midstream);
  if (key == "stream.async-oneside") return want_bool(&stream.async_oneside);
  if (key == "stream.inline") {
    // Suricata also takes "auto" (inline when the capture method is); pcap files and AF_PACKET
    // without copy-mode are IDS here, so auto means no.
    if (lower(value) == "auto") {
      stream.inline_mode = false;
      return Status::ok();
    }
    return want_bool(&stream.inline_mode);
  }
  if (key == "stream.reassembly.depth") return want_size(&stream.reassembly_depth);
  if (key == "stream.reassembly.memcap") return want_size(&stream.memcap);
  if (key == "stream.reassembly.toserver-chunk-size" || key == "stream.reassembly.toclient-chunk-size") {
    uint32_t v;
    uint64_t s;
    if (!parse_size(value, &s) || s == 0 || s > (1u << 20)) return bad("expected a chunk size between 1 and 1mb");
    v = static_cast<uint32_t>(s);
    stream.chunk_size = v;
    return Status::ok();
  }
  if (key == "stream.checksum-validation") {
    bool b;
    if (!parse_bool(value, &b)) return bad("expected yes or no");
    checksum = b ? ChecksumMode::kAll : ChecksumMode::kNone;
    return Status::ok();
  }
  if (key == "pcap-file.checksum-checks") {
    std::string v = lower(value);
    if (v == "auto") checksum = ChecksumMode::kAuto;
    else if (v == "yes") checksum = ChecksumMode::kAll;
    else if (v == "no") checksum = ChecksumMode::kNone;
    else return bad("expected auto, yes or no");
    return Status::ok();
  }
  if (key == "flow.memcap") return want_size(&flow.memcap);
  if (key == "flow.hash-size") return want_size(&flow.hash_size);
  if (key.rfind("flow-timeouts.", 0) == 0) {
    std::string rest = key.substr(14);
    size_t dot = rest.find('.');
    if (dot == std::string::npos) return bad("expected flow-timeouts.<proto>.<state>");
    std::string proto = rest.substr(0, dot), state = rest.substr(dot + 1);
    FlowConfig::Timeouts* t = proto == "tcp" ? &flow.tcp : proto == "udp" ? &flow.udp : proto == "icmp" ? &flow.icmp
                              : proto == "default" ? &flow.other : nullptr;
    if (!t) return Status::ok();
    if (state == "new") return want_u32(&t->new_);
    if (state == "established") return want_u32(&t->established);
    if (state == "closed") return want_u32(&t->closed);
    return Status::ok();  // emergency-* and bypassed: no emergency mode here, eviction is LRU
  }
  if (key == "defrag.memcap") return want_size(&defrag.memcap);
  if (key == "defrag.trackers") return want_size(&defrag.max_trackers);
  if (key == "defrag.timeout") {
    uint32_t s;
    CANH_RETURN_IF_ERROR(want_u32(&s));
    defrag.timeout_usec = static_cast<uint64_t>(s) * 1'000'000;
    return Status::ok();
  }
  if (key == "decoder.vxlan.enabled") return want_bool(&decoder.vxlan_enabled);
  if (key == "decoder.vxlan.ports") return parse_ports(value, &decoder.vxlan_ports) ? Status::ok() : bad("expected ports");
  if (key == "decoder.geneve.enabled") return want_bool(&decoder.geneve_enabled);
  if (key == "decoder.geneve.ports") return parse_ports(value, &decoder.geneve_ports) ? Status::ok() : bad("expected ports");
  if (key == "decoder.teredo.enabled") return want_bool(&decoder.teredo_enabled);
  if (key == "decoder.teredo.ports") return parse_ports(value, &decoder.teredo_ports) ? Status::ok() : bad("expected ports");
  if (key == "decoder.erspan.typei.enabled") return want_bool(&decoder.erspan_enabled);
  if (key == "decoder.max-layers") {
    uint32_t v;
    CANH_RETURN_IF_ERROR(want_u32(&v));
    if (v == 0 || v > 64) return bad("expected 1..64");
    decoder.max_layers = static_cast<int>(v);
    return Status::ok();
  }
  if (key == "packet-alert-max") {
    uint32_t v;
    CANH_RETURN_IF_ERROR(want_u32(&v));
    if (v == 0 || v > 256) return bad("expected 1..256");
    packet_alert_max = v;
    return Status::ok();
  }
  if (key.rfind("app-layer.protocols.", 0) == 0) {
    app_layer[key.substr(20)] = std::string(value);
    return Status::ok();
  }
  if (key == "eve.payload") return want_bool(&eve.payload);
  if (key == "eve.payload-printable") return want_bool(&eve.payload_printable);
  if (key == "eve.packet") return want_bool(&eve.packet);
  if (key == "eve.ethernet") return want_bool(&eve.ethernet);
  if (key == "eve.flow") return want_bool(&eve.flow_records);
  if (key == "pcap.bpf-filter") {
    capture.bpf_filter = std::string(value);
    return Status::ok();
  }
  if (key == "pcap.buffer-size") return want_size(&capture.buffer_size);
  log::debug("sensor", "configuration key not used by the sensor").kv("key", key_in).kv("source", source);
  return Status::ok();
}

Result<SensorConfig> parse_sensor_config(std::string_view text, std::string_view source) {
  SensorConfig cfg;
  cfg.source = std::string(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Status::invalid(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root || root.IsNull()) return cfg;
  if (!root.IsMap()) return Status::invalid(std::string(source) + ": expected a mapping at the top level");
  std::vector<std::pair<std::string, YAML::Node>> flat;
  try {
    flatten(root, "", flat);
    for (auto& [key, node] : flat) {
      if (node.IsScalar()) {
        CANH_RETURN_IF_ERROR(cfg.set(key, node.Scalar()));
      } else if (node.IsSequence() && (key == "pcap" || key == "af-packet")) {
        // The first interface entry carries buffer-size / bpf-filter.
        if (node.size() > 0 && node[0].IsMap()) {
          for (auto it = node[0].begin(); it != node[0].end(); ++it) {
            std::string k = it->first.as<std::string>("");
            if (it->second.IsScalar() && (k == "bpf-filter" || k == "buffer-size"))
              CANH_RETURN_IF_ERROR(cfg.set("pcap." + k, it->second.Scalar()));
          }
        }
      } else if (node.IsSequence() && key == "outputs") {
        for (const auto& out : node) {
          if (!out.IsMap() || !out["eve-log"]) continue;
          YAML::Node types = out["eve-log"]["types"];
          if (!types || !types.IsSequence()) continue;
          for (const auto& t : types) {
            if (!t.IsMap() || !t["alert"] || !t["alert"].IsMap()) continue;
            YAML::Node a = t["alert"];
            for (const char* k : {"payload", "payload-printable", "packet"})
              if (a[k] && a[k].IsScalar()) CANH_RETURN_IF_ERROR(cfg.set(std::string("eve.") + k, a[k].Scalar()));
          }
        }
      } else if (node.IsSequence() && key.rfind("decoder.", 0) == 0) {
        std::string joined;
        for (const auto& v : node) joined += (joined.empty() ? "" : ",") + v.as<std::string>("");
        CANH_RETURN_IF_ERROR(cfg.set(key, joined));
      } else {
        log::debug("sensor", "configuration key not used by the sensor").kv("key", key).kv("source", source);
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::invalid(std::string(source) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return cfg;
}

Result<SensorConfig> load_sensor_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found(path + ": cannot open configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_sensor_config(ss.str(), path);
}

}  // namespace canh::sensor
