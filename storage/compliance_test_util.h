// Test-only: a temporary data folder opened with the compliance families (and the console's, for
// the audit log), for the compliance store tests.
#pragma once

#include <memory>
#include <string>

#include "storage/compliance_families.h"
#include "storage/console_families.h"
#include "storage/database.h"
#include "storage/test_util.h"

namespace canh::storage::testing {

inline std::unique_ptr<Database> open_compliance_db(const std::string& dir) {
  DatabaseOptions o;
  o.path = dir + "/db";
  o.block_cache_mb = 8;
  o.column_families = console_column_families();
  for (auto& f : compliance_column_families()) o.column_families.push_back(f);
  auto db = Database::open(o);
  if (!db) return nullptr;
  return std::move(db).value();
}

}  // namespace canh::storage::testing
