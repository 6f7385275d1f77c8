// The sensor's configuration: a canh.yaml (or a suricata.yaml — same layout) mapped onto typed
// structs in this one place, plus `--set KEY=VALUE` overrides with Suricata's key names.
//
// Keys read: stream.*, flow.*, flow-timeouts.*, defrag.*, decoder.*, app-layer.protocols.*,
// packet-alert-max, pcap-file.checksum-checks, pcap (interface, buffer-size, bpf-filter),
// outputs.eve-log (payload/packet switches). Rule variables and rule files are read by the rules
// library's parser (rules/config.h). Every other key is accepted and ignored with a debug log line:
// suricata.yaml files carry many keys for features Canh does not have.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sensor/decode.h"
#include "sensor/defrag.h"
#include "sensor/flow.h"
#include "sensor/stream.h"

namespace canh::sensor {

struct EveConfig {
  bool payload = true;            // alert.payload (base64) — analysts look at the bytes behind an alert
  bool payload_printable = true;
  bool packet = true;             // the whole packet, base64
  bool ethernet = true;           // ether.{src_mac,dest_mac}
  bool flow_records = true;       // event_type "flow" when a flow ends
  size_t payload_max = 4096;      // bytes of stream payload logged with a stream alert
};

struct CaptureConfig {
  std::string bpf_filter;
  size_t buffer_size = 64u << 20;  // pcap.buffer-size (live)
  int snaplen = 262144;
};

struct SensorConfig {
  DecoderConfig decoder;
  ChecksumMode checksum = ChecksumMode::kAuto;
  DefragConfig defrag;
  FlowConfig flow;
  StreamConfig stream;
  EveConfig eve;
  CaptureConfig capture;
  size_t packet_alert_max = 15;  // packet-alert-max: alerts kept per packet (Suricata's default 15)
  // app-layer.protocols.* as flat "http.enabled" -> "yes" pairs, for the app layer to read.
  std::map<std::string, std::string, std::less<>> app_layer;
  std::string source;  // file the config came from, for messages

  // Applies one setting by Suricata's dotted name. Unknown keys: ignored (debug log), returns ok.
  // Bad values: an error naming the key and the source.
  Status set(std::string_view key, std::string_view value);
};

// Reads a YAML file (suricata.yaml layout). Errors name the file and key.
Result<SensorConfig> load_sensor_config(const std::string& path);
Result<SensorConfig> parse_sensor_config(std::string_view yaml_text, std::string_view source);

// "1mb", "64kb", "2gb", "12345" -> bytes. false on garbage.
bool parse_size(std::string_view text, uint64_t* out);
// "yes"/"true"/"on"/"1" and their opposites.
bool parse_bool(std::string_view text, bool* out);

}  // namespace canh::sensor
