// Private to storage/: the one RocksDB instance of a data folder and its column families. The typed
// stores (alerts, triage, sensors, users, audit, ...) are built on this; nothing outside storage/
// sees RocksDB (STYLE.md, "RocksDB's public headers").
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::storage {

struct DatabaseOptions {
  std::string path;                 // the RocksDB directory, e.g. DATA/db
  size_t block_cache_mb = 256;
  bool create_if_missing = true;
  // Column families to open (created when missing). "default" is always opened.
  std::vector<std::string> column_families;
  // Per-family tuning (merge operator, compaction filter, bloom filter, ...), applied on top of the
  // shared defaults. A family whose data needs its merge operator to be read must get it on every
  // open: that is why storage::Storage is the one place that opens a data folder.
  std::function<void(const std::string& family, rocksdb::ColumnFamilyOptions& options)> tune_family;
  // Opens without the write lock, seeing the data as of the open: tools such as `canh audit verify`
  // read a data folder while a server runs on it. Families missing on disk are not created.
  bool read_only = false;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  rocksdb::DB* raw() { return db_.get(); }
  // Null when the family was not opened: a programming error in the caller's schema list.
  rocksdb::ColumnFamilyHandle* family(std::string_view name) const;

  // Applies `batch` atomically. `durable` syncs the write-ahead log before returning: use it for
  // every write that acknowledges something to a peer (a sensor batch, a user's action).
  Status write(rocksdb::WriteBatch& batch, bool durable);
  Result<std::optional<std::string>> get(std::string_view family, std::string_view key) const;
  Status put(std::string_view family, std::string_view key, std::string_view value, bool durable);

  const std::string& path() const { return options_.path; }
  // Writes every family's memtable to table files (tests, and before measuring size on disk).
  Status flush();
  // Bytes of live table files over every family: what is on disk apart from the write-ahead log.
  uint64_t live_bytes() const;

 private:
  Database() = default;
  DatabaseOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*, std::less<>> families_;
};

// Maps a RocksDB status onto ours, naming what was being done: to_status(s, "put alerts/0001").
Status to_status(const rocksdb::Status& s, std::string_view what);

}  // namespace canh::storage
