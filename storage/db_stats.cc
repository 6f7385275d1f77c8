#include "storage/db_stats.h"

#include "storage/database.h"
#include "storage/storage.h"

namespace canh::storage {

namespace {

uint64_t prop(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& name) {
  uint64_t v = 0;
  return db->GetIntProperty(cf, name, &v) ? v : 0;
}

}  // namespace

DbFigures db_figures(Storage& storage) {
  DbFigures out;
  Database& d = storage.db();
  rocksdb::DB* db = d.raw();
  std::vector<std::string> names = column_families();
  names.insert(names.begin(), "default");
  for (const auto& n : names) {
    rocksdb::ColumnFamilyHandle* cf = d.family(n);
    if (!cf) continue;
    FamilyFigures f;
    f.name = n;
    f.estimate_num_keys = prop(db, cf, "rocksdb.estimate-num-keys");
    f.live_sst_bytes = prop(db, cf, "rocksdb.live-sst-files-size");
    f.memtable_bytes = prop(db, cf, "rocksdb.cur-size-all-mem-tables");
    out.estimate_num_keys += f.estimate_num_keys;
    out.live_sst_bytes += f.live_sst_bytes;
    out.memtable_bytes += f.memtable_bytes;
    out.pending_compaction_bytes += prop(db, cf, "rocksdb.estimate-pending-compaction-bytes");
    out.families.push_back(std::move(f));
  }
  // DB-wide properties: asked of the default family, as RocksDB reports them once for the instance.
  rocksdb::ColumnFamilyHandle* def = db->DefaultColumnFamily();
  out.running_compactions = prop(db, def, "rocksdb.num-running-compactions");
  out.running_flushes = prop(db, def, "rocksdb.num-running-flushes");
  out.background_errors = prop(db, def, "rocksdb.background-errors");
  out.write_stopped = prop(db, def, "rocksdb.is-write-stopped") != 0;
  out.delayed_write_rate = prop(db, def, "rocksdb.actual-delayed-write-rate");
  out.block_cache_usage = prop(db, def, "rocksdb.block-cache-usage");
  out.block_cache_capacity = prop(db, def, "rocksdb.block-cache-capacity");
  return out;
}

}  // namespace canh::storage
