#include "storage/storage.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <chrono>

#include "storage/alert_codec.h"
#include "storage/compliance_families.h"
#include "storage/console_families.h"
#include "storage/database.h"
#include "storage/keys.h"
#include "storage/retention.h"

namespace canh::storage {

namespace {

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Counters of the aggregates: 8-byte little-endian integers added by Merge, so ingest never reads
// before it writes. A triage change merges -1 into one state's count (two's complement).
class AddU64 : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger*) const override {
    uint64_t a = existing && existing->size() == 8 ? codec::load_le64(existing->data()) : 0;
    uint64_t b = value.size() == 8 ? codec::load_le64(value.data()) : 0;
    new_value->assign(8, '\0');
    codec::store_le64(new_value->data(), a + b);
    return true;
  }
  const char* Name() const override { return "canh.AddU64"; }
};

// meta/alert_seq: the highest sequence number handed out, from concurrent writers in any order.
// Values are 8 bytes big-endian (as keys::put_u64 writes them).
class MaxU64 : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger*) const override {
    uint64_t a = 0, b = 0;
    if (existing) keys::get_u64(existing->ToStringView(), 0, &a);
    keys::get_u64(value.ToStringView(), 0, &b);
    new_value->clear();
    keys::put_u64(*new_value, std::max(a, b));
    return true;
  }
  const char* Name() const override { return "canh.MaxU64"; }
};

// Drops what retention has put below the floor. Runs during compactions, on RocksDB's threads.
class TimeFloorFilter : public rocksdb::CompactionFilter {
 public:
  enum class Kind { kAlerts, kIndex, kStats, kBatches, kHealth };
  TimeFloorFilter(Kind kind, std::shared_ptr<RetentionState> r) : kind_(kind), r_(std::move(r)) {}

  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string*, bool*) const override {
    return expired(key.ToStringView(), value.ToStringView());
  }
  bool FilterMergeOperand(int, const rocksdb::Slice& key, const rocksdb::Slice& value) const override {
    return expired(key.ToStringView(), value.ToStringView());
  }
  const char* Name() const override { return "canh.TimeFloorFilter"; }

 private:
  bool expired(std::string_view key, std::string_view value) const {
    int64_t floor = r_->floor_us.load(std::memory_order_relaxed);
    int64_t bucket = 0;
    switch (kind_) {
      case Kind::kAlerts: {
        auto id = codec::parse_alert_key(key);
        return id && floor > 0 && id->ts_us < floor;
      }
      case Kind::kIndex: {
        auto t = codec::index_key_time(key, &bucket);
        return t && floor > 0 && *t + bucket <= floor;
      }
      case Kind::kStats: {
        auto t = codec::stats_key_time(key, &bucket);
        return t && floor > 0 && *t + bucket <= floor;
      }
      case Kind::kBatches: {
        // Value: received ms (8, big-endian) first.
        uint64_t received = 0;
        return keys::get_u64(value, 0, &received) &&
               static_cast<int64_t>(received) < wall_ms() - r_->batch_memory_ms.load(std::memory_order_relaxed);
      }
      case Kind::kHealth: {
        uint64_t t = 0;
        return keys::get_u64(key, 4, &t) &&
               static_cast<int64_t>(t) < wall_ms() - r_->health_history_ms.load(std::memory_order_relaxed);
      }
    }
    return false;
  }
  Kind kind_;
  std::shared_ptr<RetentionState> r_;
};

class TimeFloorFilterFactory : public rocksdb::CompactionFilterFactory {
 public:
  TimeFloorFilterFactory(TimeFloorFilter::Kind kind, std::shared_ptr<RetentionState> r) : kind_(kind), r_(std::move(r)) {}
  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(const rocksdb::CompactionFilter::Context&) override {
    return std::make_unique<TimeFloorFilter>(kind_, r_);
  }
  const char* Name() const override { return "canh.TimeFloorFilterFactory"; }

 private:
  TimeFloorFilter::Kind kind_;
  std::shared_ptr<RetentionState> r_;
};

void with_bloom(rocksdb::ColumnFamilyOptions& o) {
  auto* t = o.table_factory->GetOptions<rocksdb::BlockBasedTableOptions>();
  if (!t) return;
  rocksdb::BlockBasedTableOptions copy = *t;
  copy.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(copy));
}

}  // namespace

std::vector<std::string> column_families() {
  std::vector<std::string> f = {kAlertsFamily,         kAlertIndexFamily, kAlertStatsFamily,   kSignaturesFamily,
                                kIngestBatchesFamily,  kSensorsFamily,    kSensorHealthFamily, kMetaFamily};
  for (auto& c : console_column_families()) f.push_back(std::move(c));
  for (auto& c : compliance_column_families()) f.push_back(std::move(c));
  return f;
}

Result<std::unique_ptr<Storage>> Storage::open(const StorageOptions& options) {
  if (options.data_dir.empty()) return Status::invalid("no data folder given");
  std::unique_ptr<Storage> s(new Storage());
  s->options_ = options;
  s->retention_ = std::make_shared<RetentionState>();
  s->retention_->batch_memory_ms = options.batch_memory_days * 86400 * 1000;
  s->retention_->health_history_ms = options.health_history_days * 86400 * 1000;

  DatabaseOptions d;
  d.path = options.data_dir + "/db";
  d.block_cache_mb = options.block_cache_mb;
  d.column_families = column_families();
  auto r = s->retention_;
  d.tune_family = [r](const std::string& name, rocksdb::ColumnFamilyOptions& o) {
    using K = TimeFloorFilter::Kind;
    auto filter = [&](K k) { o.compaction_filter_factory = std::make_shared<TimeFloorFilterFactory>(k, r); };
    if (name == kAlertsFamily) {
      with_bloom(o);
      o.write_buffer_size = 64 << 20;
      filter(K::kAlerts);
    } else if (name == kAlertIndexFamily) {
      o.write_buffer_size = 32 << 20;
      filter(K::kIndex);
    } else if (name == kAlertStatsFamily) {
      o.merge_operator = std::make_shared<AddU64>();
      filter(K::kStats);
    } else if (name == kIngestBatchesFamily) {
      with_bloom(o);
      filter(K::kBatches);
    } else if (name == kSensorHealthFamily) {
      filter(K::kHealth);
    } else if (name == kMetaFamily) {
      o.merge_operator = std::make_shared<MaxU64>();
    }
  };
  auto db = Database::open(d);
  if (!db) return db.status();
  s->db_ = std::move(db).value();
  s->alerts_ = std::make_unique<AlertStore>(*s->db_, s->retention_);
  CANH_RETURN_IF_ERROR(s->alerts_->load());
  s->sensors_ = std::make_unique<SensorStore>(*s->db_);
  return s;
}

Storage::~Storage() {
  alerts_.reset();
  sensors_.reset();
  db_.reset();
}

Status Storage::flush() { return db_->flush(); }

uint64_t Storage::disk_bytes() const { return db_->live_bytes(); }

}  // namespace canh::storage
