#include "storage/database.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "storage/keys.h"

namespace canh::storage {
namespace {

class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("canh-db-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

TEST(Database, DurableWritesSurviveReopen) {
  TempDir dir;
  {
    auto db = Database::open({dir.str(), 8, true, {"alerts", "meta"}});
    ASSERT_TRUE(db.is_ok()) << db.status().message();
    ASSERT_TRUE((*db)->put("alerts", "k1", "v1", true).is_ok());
    ASSERT_TRUE((*db)->put("meta", "schema", "1", true).is_ok());
  }
  auto db = Database::open({dir.str(), 8, true, {"alerts", "meta"}});
  ASSERT_TRUE(db.is_ok()) << db.status().message();
  auto v = (*db)->get("alerts", "k1");
  ASSERT_TRUE(v.is_ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, "v1");
  auto missing = (*db)->get("meta", "nope");
  ASSERT_TRUE(missing.is_ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(Database, FamiliesAreSeparateKeySpaces) {
  TempDir dir;
  auto db = Database::open({dir.str(), 8, true, {"a", "b"}});
  ASSERT_TRUE(db.is_ok());
  ASSERT_TRUE((*db)->put("a", "same", "in a", false).is_ok());
  auto in_b = (*db)->get("b", "same");
  ASSERT_TRUE(in_b.is_ok());
  EXPECT_FALSE(in_b->has_value());
  EXPECT_EQ((*db)->family("c"), nullptr);
  EXPECT_FALSE((*db)->put("c", "k", "v", false).is_ok());
}

TEST(Database, FamiliesOnDiskButNotInTheSchemaStillOpen) {
  TempDir dir;
  { ASSERT_TRUE(Database::open({dir.str(), 8, true, {"old"}}).is_ok()); }
  auto db = Database::open({dir.str(), 8, true, {"new"}});
  ASSERT_TRUE(db.is_ok()) << db.status().message();
  EXPECT_NE((*db)->family("old"), nullptr);
}

TEST(Database, OpenFailsWithThePathInTheMessage) {
  auto db = Database::open({"/proc/definitely/not/here", 8, false, {}});
  ASSERT_FALSE(db.is_ok());
  EXPECT_NE(db.status().message().find("/proc/definitely/not/here"), std::string::npos);
}

TEST(Keys, BigEndianKeysSortNumerically) {
  std::string a, b, c;
  keys::put_u64(a, 255);
  keys::put_u64(b, 256);
  keys::put_u64(c, 1ull << 40);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  uint64_t v = 0;
  ASSERT_TRUE(keys::get_u64(c, 0, &v));
  EXPECT_EQ(v, 1ull << 40);
  EXPECT_FALSE(keys::get_u64("short", 0, &v));
  std::string d1, d2;
  keys::put_u64_desc(d1, 10);
  keys::put_u64_desc(d2, 20);
  EXPECT_LT(d2, d1);  // newer first
}

}  // namespace
}  // namespace canh::storage
