// The sensor -> collector wire contract, shared by the collector (collector/) and the shipper inside
// the sensor (sensor/ship/), which must not depend on each other.
//
//   POST /api/v1/sensors/enrol       {"token","hostname","version"} -> {"sensor_id","name","credential"}
//   POST /api/v1/sensor/alerts       NDJSON body of EVE alert lines (Content-Type application/x-ndjson),
//                                    headers X-Canh-Stream (16 hex digits) and X-Canh-Batch (1..2^63);
//                                    200 {"batch","stored","duplicate","expired"} once durable;
//                                    429/503 + Retry-After: try again; other 4xx: the batch is refused
//                                    (400 with "record": N when record N alone is malformed)
//   POST /api/v1/sensor/heartbeat    {"packets","bytes","drops","alerts","flows","uptime_seconds",
//                                    "ruleset_version","software_version","spool_batches",
//                                    "spool_bytes","spool_dropped_alerts"}
//                                    -> {"interval_seconds","ruleset":{"version"}}
// Every request but enrolment carries "Authorization: Bearer canh_sn_...".
#pragma once

namespace canh::protocol {

inline constexpr const char* kEnrolPath = "/api/v1/sensors/enrol";
inline constexpr const char* kAlertsPath = "/api/v1/sensor/alerts";
inline constexpr const char* kHeartbeatPath = "/api/v1/sensor/heartbeat";
inline constexpr const char* kRulesetPath = "/api/v1/sensor/ruleset";
inline constexpr const char* kStreamHeader = "x-canh-stream";
inline constexpr const char* kBatchHeader = "x-canh-batch";
inline constexpr const char* kNdjsonType = "application/x-ndjson";

}  // namespace canh::protocol
