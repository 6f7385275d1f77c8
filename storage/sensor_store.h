// Sensors: enrolment, credentials, decommissioning and the health they report in heartbeats.
//
// An admin creates a sensor and receives a one-time enrolment token; the sensor exchanges it for its
// own credential ("canh_sn_<hex>"); the credential authenticates every later request until the
// sensor is decommissioned. Only BLAKE2b hashes of tokens and credentials are stored, so a copy of
// the database lets nobody act as a sensor.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::storage {

class Database;

inline constexpr std::string_view kSensorCredentialPrefix = "canh_sn_";
inline constexpr std::string_view kEnrolmentTokenPrefix = "canh_enrol_";

enum class SensorState : uint8_t { kPending = 0, kActive = 1, kDecommissioned = 2 };
std::string_view sensor_state_name(SensorState s);  // "pending", "active", "decommissioned"

// What a heartbeat reports: the sensor's counters since it started, and its shipping queue.
struct SensorHealth {
  int64_t received_ms = 0;  // collector time of the heartbeat
  uint64_t packets = 0, bytes = 0, drops = 0, alerts = 0, flows = 0;
  uint64_t uptime_seconds = 0;
  std::string ruleset_version;
  std::string software_version;
  uint64_t spool_batches = 0, spool_bytes = 0;  // waiting to be shipped
  uint64_t spool_dropped_alerts = 0;            // lost to a full spool since the sensor started
};

struct Sensor {
  uint32_t id = 0;
  std::string name;
  std::string description;
  SensorState state = SensorState::kPending;
  int64_t created_ms = 0;
  int64_t enrolled_ms = 0;
  int64_t decommissioned_ms = 0;
  int64_t token_expires_ms = 0;  // of the outstanding enrolment token; 0 when none
  std::string hostname;          // as the sensor reported at enrolment
  std::optional<SensorHealth> health;  // the last heartbeat
};

class SensorStore {
 public:
  explicit SensorStore(Database& db) : db_(db) {}

  struct Created {
    Sensor sensor;
    std::string enrolment_token;  // shown once
  };
  // Name: 1-64 of [A-Za-z0-9._-], unique. The token expires after `token_ttl_ms`.
  Result<Created> create(std::string_view name, std::string_view description, int64_t now_ms, int64_t token_ttl_ms);
  // A fresh enrolment token for an existing sensor (reinstalled, lost its credential). Enrolling
  // with it replaces the old credential. Refused for a decommissioned sensor.
  Result<std::string> issue_token(uint32_t id, int64_t now_ms, int64_t token_ttl_ms);

  struct Enrolled {
    Sensor sensor;
    std::string credential;  // "canh_sn_...", shown once
  };
  // Exchanges a one-time token for a credential. kPermission for an unknown, used or expired token
  // (one message for all three), or a decommissioned sensor.
  Result<Enrolled> enrol(std::string_view token, std::string_view hostname, int64_t now_ms);

  // nullopt when the credential is not ours (unknown); kPermission when it belongs to a
  // decommissioned sensor or was replaced by a re-enrolment.
  Result<std::optional<Sensor>> authenticate(std::string_view credential) const;

  Status decommission(uint32_t id, int64_t now_ms);
  Result<std::optional<Sensor>> get(uint32_t id) const;
  Result<std::vector<Sensor>> list() const;

  // Stores the heartbeat as the sensor's latest health and in its history.
  Status record_heartbeat(uint32_t id, const SensorHealth& health);
  // Heartbeats in [from_ms, to_ms), oldest first, at most `limit`.
  Result<std::vector<SensorHealth>> health_history(uint32_t id, int64_t from_ms, int64_t to_ms, size_t limit) const;

  static Status check_name(std::string_view name);

 private:
  Result<std::optional<Sensor>> get_locked(uint32_t id) const;

  Database& db_;
  std::mutex mu_;  // read-modify-write of sensor records
};

}  // namespace canh::storage
