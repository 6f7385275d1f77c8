// Information systems (hệ thống thông tin): who owns and runs them, the network ranges they live on,
// their contacts, the sensors that watch them, and who holds which duty in their level dossier.
// Alerts are attributed to systems by these ranges at ingest (storage/system_ranges.h).
//
// Ids are small integers, never reused: alert records carry them (storage/alert_types.h, Alert::systems).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "storage/alert_types.h"
#include "storage/system_ranges.h"

namespace canh::storage {

class Database;

inline constexpr std::string_view kSystemsFamily = "info_systems";

struct SystemContact {
  std::string name, role, email, phone;
};

// A person's duty in the system's dossier workflow ("operator", "appraiser", ...). The compliance
// logic gives the duty names their meaning; the store only keeps them.
struct DutyAssignment {
  std::string user;
  std::string duty;
};

struct InfoSystem {
  uint32_t id = 0;
  std::string name;
  std::string owner;           // chủ quản
  std::string operating_unit;  // đơn vị vận hành
  std::string description;
  std::vector<Cidr> ranges;
  std::vector<SystemContact> contacts;
  std::vector<uint32_t> sensors;  // sensors declared as watching these ranges
  std::vector<DutyAssignment> duties;
  bool archived = false;          // kept for history; no longer attributed or assessed
  int64_t created_ms = 0, updated_ms = 0;
  std::string created_by, updated_by;
  uint64_t revision = 0;          // bumped on every write; updates name the revision they read
};

struct SystemLimits {
  static constexpr size_t kName = 200, kText = 200, kDescription = 8000;
  static constexpr size_t kRanges = 512, kContacts = 32, kSensors = 256, kDuties = 200;
};

class SystemStore {
 public:
  explicit SystemStore(Database& db);

  // Checks lengths and counts (naming the field), then stores with a new id. Name unique among
  // systems that are not archived (case-insensitive).
  Result<InfoSystem> create(InfoSystem s, std::string_view by, int64_t now_ms);
  // Replaces the record when `expected_revision` is the stored one (kConflict otherwise: someone
  // else changed it since it was read).
  Result<InfoSystem> update(InfoSystem s, uint64_t expected_revision, std::string_view by, int64_t now_ms);
  Result<std::optional<InfoSystem>> get(uint32_t id) const;
  Result<std::vector<InfoSystem>> list() const;

  // Every (system, block) of the systems not archived, for AlertStore::set_system_ranges.
  std::vector<std::pair<uint32_t, Cidr>> all_ranges() const;
  // The current lookup table (rebuilt on every change); safe to use from any thread.
  std::shared_ptr<const RangeTable> ranges() const;

  static Status validate(const InfoSystem& s);

 private:
  Status load_ranges();
  Status put(const InfoSystem& s);
  void rebuild_ranges(const std::vector<InfoSystem>& all);

  Database& db_;
  mutable std::mutex mu_;  // writes and the ranges snapshot
  std::vector<std::pair<uint32_t, Cidr>> all_ranges_;
  std::shared_ptr<const RangeTable> table_;
  Status init_status_;
};

}  // namespace canh::storage
