// A data folder: one RocksDB (DATA/db) opened with every column family of every store, and the
// typed stores built on it. `canh server` opens one Storage and hands its parts to the collector and
// the console; nothing else opens the database.
//
// Adding a store: name its families in column_families() below (storage/README.md lists them all),
// build the store on db(), and give Storage an accessor if more than one component needs it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/alert_store.h"
#include "storage/sensor_store.h"

namespace canh::storage {

class Database;
struct RetentionState;

struct StorageOptions {
  std::string data_dir;           // the RocksDB lives in data_dir/db
  size_t block_cache_mb = 256;
  // How long a stored batch's number is remembered, so a retry of it is recognised: longer than any
  // sensor stays cut off from the collector.
  int64_t batch_memory_days = 30;
  int64_t health_history_days = 30;  // sensor heartbeats kept for the health charts
};

class Storage {
 public:
  static Result<std::unique_ptr<Storage>> open(const StorageOptions& options);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  Database& db() { return *db_; }
  AlertStore& alerts() { return *alerts_; }
  SensorStore& sensors() { return *sensors_; }

  // Writes every memtable to disk (benchmarks and tools, before measuring or copying the folder).
  Status flush();
  // Bytes of table files on disk (what retention by size limits).
  uint64_t disk_bytes() const;
  const StorageOptions& options() const { return options_; }

 private:
  Storage() = default;
  StorageOptions options_;
  std::shared_ptr<RetentionState> retention_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<SensorStore> sensors_;
};

// Every column family of the schema: the collector's, the console's and the compliance stores'.
std::vector<std::string> column_families();

}  // namespace canh::storage
