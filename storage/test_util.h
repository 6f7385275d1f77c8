// Test-only helpers for storage tests: a temporary data folder and a Database opened on it with
// every console family.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/console_families.h"
#include "storage/database.h"

namespace canh::storage::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("canh-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<Database> open_test_db(const std::string& dir) {
  DatabaseOptions o;
  o.path = dir + "/db";
  o.block_cache_mb = 8;
  o.column_families = console_column_families();
  auto db = Database::open(o);
  if (!db) return nullptr;
  return std::move(db).value();
}

}  // namespace canh::storage::testing
