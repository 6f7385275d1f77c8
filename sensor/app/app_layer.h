// The app layer as the sensor pipeline sees it (sensor/app_hook.h): one AppLayerWorker per worker,
// owning that worker's pools, turning the pipeline's calls into AppSession calls and every
// transaction's progress into rules::AppBuffers handed to detection at once.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "sensor/app/session.h"
#include "sensor/app_hook.h"

namespace canh::sensor::app {

// AppConfig from the sensor configuration's app-layer.protocols.* settings, by Suricata's names
// (relative to app-layer.protocols.): "<proto>.enabled" (yes/no/true/false/detection-only) for http,
// tls, dns, ssh; "dns.tcp.enabled", "dns.udp.enabled"; "http.libhtp.default-config.request-body-limit"
// and "...response-body-limit" ("100kb", "1mb", bytes; 0 means Suricata's "unlimited", capped here
// at 16 MiB per body); "http.memcap" (HTTP body bytes kept per worker, default 64mb). Other keys belong to protocols we do not parse and are ignored. A bad value
// is an error naming the key.
Result<AppConfig> app_config_from(const std::map<std::string, std::string, std::less<>>& settings);

std::shared_ptr<sensor::AppLayerFactory> make_app_layer_factory(const AppConfig& config);

}  // namespace canh::sensor::app
