// The shipper: the sensor's side of the collector pipeline (`canh sensor --collector URL --token T`).
//
// It is an EventSink (sensor/eve.h): every finished alert line goes to the on-disk spool at once
// (spool.h), and one thread ships sealed batches to the collector oldest first, numbered per spool
// stream, retrying with exponential backoff (and the collector's Retry-After) until each is
// acknowledged — only then is it deleted. While the collector is unreachable or slow, alerts wait on
// disk, bounded; nothing is lost when either side restarts. The same thread enrols the sensor on
// first contact (one-time token -> credential kept in the spool directory) and sends a heartbeat with
// the sensor's counters every few seconds; the answer names the rule-set version sensors should run,
// and when it differs from what runs, the shipper downloads it and hands it to `on_ruleset`.
//
// Wire contract: common/collector_protocol.h.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "sensor/eve.h"
#include "sensor/ship/http_client.h"
#include "sensor/ship/spool.h"

namespace canh::sensor::ship {

// What the sensor reports in its heartbeat (counters since the sensor started).
struct SensorCounters {
  uint64_t packets = 0, bytes = 0, drops = 0, alerts = 0, flows = 0;
  std::string ruleset_version;
};

// A rule-set version downloaded from the collector: `dir` holds its rule files under their names,
// threshold.config and manifest.json (the version as the collector described it: disabled and
// enabled sids, counts, author, change).
struct RulesetUpdate {
  uint64_t version = 0;
  std::string dir;
  std::vector<std::string> files;  // full paths of the rule files, in the collector's order
};

struct ShipperOptions {
  std::string collector_url;
  std::string token;      // one-time enrolment token; unused once a credential is in the spool
  std::string hostname;   // reported at enrolment
  SpoolOptions spool;     // spool.dir is required
  HttpClientOptions http;
  std::chrono::milliseconds backoff_min{500};
  std::chrono::milliseconds backoff_max{30000};
  std::chrono::seconds heartbeat_interval{10};  // until the collector says otherwise
  std::function<SensorCounters()> counters;      // polled for each heartbeat
  // Where downloaded rule sets go (empty: rule sets are not fetched). on_ruleset runs on the
  // shipper's thread; it should hand the update to the sensor and return.
  std::string rules_dir;
  std::function<void(const RulesetUpdate&)> on_ruleset;
};

struct ShipperStats {
  bool enrolled = false;
  uint32_t sensor_id = 0;
  uint64_t shipped_batches = 0, shipped_alerts = 0, duplicate_batches = 0;
  uint64_t rejected_batches = 0, rejected_records = 0;
  uint64_t heartbeats = 0, failures = 0;
  uint64_t ruleset_seen = 0;  // the version the collector last named
  SpoolStats spool;
  std::string last_error;
};

class Shipper : public EventSink {
 public:
  // Opens (or recovers) the spool and starts the shipping thread. Fails on a bad URL or an unusable
  // spool directory; an unreachable collector is not an error (alerts wait in the spool).
  static Result<std::shared_ptr<Shipper>> start(ShipperOptions options);
  ~Shipper() override;

  // EventSink: alerts are spooled; other event types are not shipped.
  void on_event(std::string_view event_type, std::string_view line) override;
  void flush() override;

  // Seals what is spooled and keeps shipping until the spool is empty or `drain` has passed, then
  // stops the thread. What is not delivered stays in the spool for the next start.
  void stop(std::chrono::milliseconds drain);
  ShipperStats stats() const;
  // True once everything spooled so far has been acknowledged.
  bool idle() const;

 private:
  explicit Shipper(ShipperOptions o);
  void run();
  bool enrol();
  void heartbeat();
  void fetch_ruleset(uint64_t version);
  // Ships the oldest sealed batch; false when there was none.
  bool ship_one();
  // Waits up to `d`, or until stop; `wake_on_data` also returns when alerts arrive.
  void pause(std::chrono::milliseconds d, bool wake_on_data);
  std::chrono::milliseconds next_backoff();
  void note_error(const std::string& what);
  std::vector<std::pair<std::string, std::string>> auth_headers() const;

  ShipperOptions options_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<HttpClient> client_;
  std::string credential_;
  std::chrono::steady_clock::time_point started_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool data_ = false;
  std::chrono::steady_clock::time_point drain_deadline_{};
  ShipperStats stats_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_heartbeat_{};
  uint64_t ruleset_loaded_ = 0;
  std::atomic<bool> spool_failing_{false};  // the last alert could not be spooled
  std::thread thread_;
};

}  // namespace canh::sensor::ship
