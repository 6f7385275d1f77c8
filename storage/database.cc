#include "storage/database.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <filesystem>

namespace canh::storage {

Status to_status(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::ok();
  std::string m = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::not_found(m);
  if (s.IsInvalidArgument() || s.IsCorruption()) return Status::invalid(m);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return Status::unavailable(m);
  return Status::io(m);
}

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  std::error_code ec;
  if (options.create_if_missing && !options.read_only) std::filesystem::create_directories(options.path, ec);
  if (ec) return Status::io("create " + options.path + ": " + ec.message());

  rocksdb::Options db_opts;
  db_opts.create_if_missing = options.create_if_missing && !options.read_only;
  db_opts.create_missing_column_families = true;
  db_opts.IncreaseParallelism(2);
  db_opts.max_open_files = 512;
  db_opts.keep_log_file_num = 5;
  db_opts.max_total_wal_size = 256ull << 20;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_mb << 20);
  table.cache_index_and_filter_blocks = true;
  rocksdb::ColumnFamilyOptions cf_opts;
  cf_opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // LZ4 where this RocksDB build has it: alert records are repetitive JSON and compress ~4x.
  cf_opts.compression = rocksdb::kNoCompression;
  for (auto c : rocksdb::GetSupportedCompressions())
    if (c == rocksdb::kLZ4Compression) cf_opts.compression = rocksdb::kLZ4Compression;

  std::vector<std::string> names = {rocksdb::kDefaultColumnFamilyName};
  for (const auto& n : options.column_families)
    if (n != rocksdb::kDefaultColumnFamilyName) names.push_back(n);
  // Families that exist on disk but are not in the schema list must be opened too (RocksDB refuses
  // otherwise); they stay available by name for migrations.
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_opts, options.path, &existing).ok() && !options.read_only) {
    for (const auto& e : existing)
      if (std::find(names.begin(), names.end(), e) == names.end()) names.push_back(e);
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names) {
    descs.emplace_back(n, cf_opts);
    if (options.tune_family) options.tune_family(n, descs.back().options);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (options.read_only) {
    // A read-only open may name a subset of the families, and only ones that exist.
    std::vector<rocksdb::ColumnFamilyDescriptor> present;
    std::vector<std::string> present_names;
    for (size_t i = 0; i < names.size(); ++i)
      if (std::find(existing.begin(), existing.end(), names[i]) != existing.end()) {
        present.push_back(descs[i]);
        present_names.push_back(names[i]);
      }
    descs = std::move(present);
    names = std::move(present_names);
  }
  auto s = options.read_only ? rocksdb::DB::OpenForReadOnly(db_opts, options.path, descs, &handles, &raw)
                             : rocksdb::DB::Open(db_opts, options.path, descs, &handles, &raw);
  if (!s.ok()) return to_status(s, "open database " + options.path);

  std::unique_ptr<Database> db(new Database());
  db->options_ = options;
  db->db_.reset(raw);
  for (size_t i = 0; i < names.size(); ++i) db->families_[names[i]] = handles[i];
  return db;
}

Database::~Database() {
  if (!db_) return;
  for (auto& [name, h] : families_) db_->DestroyColumnFamilyHandle(h);
  families_.clear();
  db_->Close();
}

rocksdb::ColumnFamilyHandle* Database::family(std::string_view name) const {
  auto it = families_.find(name);
  return it == families_.end() ? nullptr : it->second;
}

Status Database::write(rocksdb::WriteBatch& batch, bool durable) {
  rocksdb::WriteOptions wo;
  wo.sync = durable;
  return to_status(db_->Write(wo, &batch), "write batch of " + std::to_string(batch.Count()) + " records");
}

Result<std::optional<std::string>> Database::get(std::string_view fam, std::string_view key) const {
  auto* h = family(fam);
  if (!h) return Status::internal("no column family " + std::string(fam));
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), h, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return to_status(s, "get " + std::string(fam));
  return std::optional<std::string>(std::move(value));
}

Status Database::put(std::string_view fam, std::string_view key, std::string_view value, bool durable) {
  auto* h = family(fam);
  if (!h) return Status::internal("no column family " + std::string(fam));
  rocksdb::WriteBatch b;
  b.Put(h, rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
  return write(b, durable);
}

Status Database::flush() {
  std::vector<rocksdb::ColumnFamilyHandle*> hs;
  for (const auto& [name, h] : families_) hs.push_back(h);
  return to_status(db_->Flush(rocksdb::FlushOptions(), hs), "flush " + options_.path);
}

uint64_t Database::live_bytes() const {
  uint64_t total = 0;
  for (const auto& [name, h] : families_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(h, "rocksdb.live-sst-files-size", &v)) total += v;
  }
  return total;
}

}  // namespace canh::storage
