// RocksDB figures of a data folder for the server's /metrics (console/metrics.h), read through
// RocksDB's properties so that nothing outside storage/ needs <rocksdb/...>.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace canh::storage {

class Storage;

struct FamilyFigures {
  std::string name;
  uint64_t estimate_num_keys = 0;   // rocksdb.estimate-num-keys (an estimate: merges and deletes blur it)
  uint64_t live_sst_bytes = 0;      // rocksdb.live-sst-files-size
  uint64_t memtable_bytes = 0;      // rocksdb.cur-size-all-mem-tables
};

struct DbFigures {
  std::vector<FamilyFigures> families;
  uint64_t estimate_num_keys = 0, live_sst_bytes = 0, memtable_bytes = 0;  // sums over the families
  uint64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes, summed
  uint64_t running_compactions = 0, running_flushes = 0;
  uint64_t background_errors = 0;         // rocksdb.background-errors: non-zero means writes may stop
  bool write_stopped = false;             // rocksdb.is-write-stopped
  uint64_t delayed_write_rate = 0;        // rocksdb.actual-delayed-write-rate, bytes/s (0: not delayed)
  uint64_t block_cache_usage = 0, block_cache_capacity = 0;  // bytes
};

// Reads the properties now; cheap (in-memory counters), safe from any thread.
DbFigures db_figures(Storage& storage);

}  // namespace canh::storage
