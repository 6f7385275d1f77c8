// Private to storage/: state shared between the stores and the compaction filters that enforce
// retention. The filters run on RocksDB's background threads, hence the atomics.
#pragma once

#include <atomic>
#include <cstdint>

namespace canh::storage {

struct RetentionState {
  // Alerts (and their index entries and aggregate buckets) older than this event time are gone:
  // queries stop here at once, compactions drop the bytes later.
  std::atomic<int64_t> floor_us{0};
  std::atomic<int64_t> batch_memory_ms{30ll * 86400 * 1000};
  std::atomic<int64_t> health_history_ms{30ll * 86400 * 1000};
};

// Family names, private: stores use them through their own code.
inline constexpr const char* kAlertsFamily = "alerts";
inline constexpr const char* kAlertIndexFamily = "alert_index";
inline constexpr const char* kAlertStatsFamily = "alert_stats";
inline constexpr const char* kSignaturesFamily = "signatures";
inline constexpr const char* kIngestBatchesFamily = "ingest_batches";
inline constexpr const char* kSensorsFamily = "sensors";
inline constexpr const char* kSensorHealthFamily = "sensor_health";
inline constexpr const char* kMetaFamily = "meta";

}  // namespace canh::storage
