// The collector: the HTTP API sensors call (enrolment, alert batches, heartbeats), as http::Route
// tables the console's server mounts, plus the hook the router calls to authenticate a sensor.
// Depends on storage only, never on console/. People manage sensors through the console's routes
// (console/sensors_api.cc) on the same SensorStore.
//
// Sensor authentication: a sensor sends "Authorization: Bearer canh_sn_..." on every request. The
// router (console/router.h) passes every bearer credential that is not a person's API token to
// RouterHooks::sensor; install Collector::authenticate there. It answers nullopt for credentials
// that are not sensor credentials, an error for a wrong, replaced or decommissioned one (the router
// answers 401 with its message), and a Caller of kind kSensor, role kSensor, id = the sensor id
// otherwise. Sensor routes are Access::sensors(), so people cannot post alerts and sensors cannot
// read the console API.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "collector/ingest.h"
#include "collector/ndjson.h"
#include "common/collector_protocol.h"
#include "common/http_types.h"
#include "common/status.h"
#include "storage/alert_store.h"
#include "storage/sensor_store.h"

namespace canh::collector {

struct CollectorOptions {
  IngestOptions ingest;
  BatchLimits limits;
  int heartbeat_interval_seconds = 10;
  int64_t enrolment_token_ttl_ms = 7ll * 86400 * 1000;
  // The rule-set version sensors should run (0: none yet), told to every sensor in the heartbeat
  // response so it fetches GET /api/v1/sensor/ruleset when it runs another.
  std::function<uint64_t()> current_ruleset;
};

class Collector {
 public:
  Collector(storage::AlertStore& alerts, storage::SensorStore& sensors, CollectorOptions options = {});

  // Sensor routes: enrolment, alert batches, heartbeat.
  std::vector<http::Route> routes();
  // For RouterHooks::sensor.
  Result<std::optional<http::Caller>> authenticate(const http::Request& req) const;

  Ingestor& ingestor() { return ingestor_; }

 private:
  http::Response enrol(const http::Request& req);
  http::Response ingest(const http::Request& req, const http::Caller& caller);
  http::Response heartbeat(const http::Request& req, const http::Caller& caller);

  storage::AlertStore& alerts_;
  storage::SensorStore& sensors_;
  CollectorOptions options_;
  Ingestor ingestor_;
};

}  // namespace canh::collector
