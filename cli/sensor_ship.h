// `canh sensor --collector URL --token TOKEN`: the options that ship alerts to a collector and the
// glue between the sensor and its shipper (sensor/ship/shipper.h) — heartbeat counters from the
// workers, rule sets downloaded from the collector swapped into the running engine, and delivery of
// what is spooled before exit.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/args.h"
#include "common/status.h"
#include "rules/rule_set.h"
#include "sensor/engine_detector.h"
#include "sensor/sensor.h"
#include "sensor/ship/shipper.h"

namespace canh::cli {

void add_ship_options(ArgParser& p);

struct ShipSetup {
  std::string log_dir;                // spool defaults to LOG_DIR/spool
  rules::RuleLoadOptions rule_options;  // variables and classification for downloaded rule sets
  std::string rules_cache;            // compiled-database cache for them
  std::string ruleset_version;        // what the sensor runs at start
  std::shared_ptr<sensor::EngineDetectorFactory> detectors;
  // The workers' counters for heartbeats, from any thread at any time (Sensor::published_counters).
  std::function<std::vector<const sensor::PublishedCounters*>()> workers;
};

// Starts shipping when --collector is given (null otherwise) and adds the shipper to the sensor's
// sinks. Errors name the option.
Result<std::shared_ptr<sensor::ship::Shipper>> start_shipping(const ArgParser& p, sensor::Sensor& sensor,
                                                               const ShipSetup& setup);

// After the sensor stopped: keeps shipping until everything spooled is acknowledged or --ship-drain
// seconds have passed, then stops the shipper. True when nothing is left in the spool.
bool finish_shipping(sensor::ship::Shipper& shipper, const ArgParser& p);

}  // namespace canh::cli
