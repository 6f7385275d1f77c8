#include "storage/system_store.h"

#include <gtest/gtest.h>

#include "storage/compliance_test_util.h"

namespace canh::storage {
namespace {

Cidr cidr(std::string_view s) { return *Cidr::parse(s); }

InfoSystem sample(std::string name = "Cổng dịch vụ công tỉnh") {
  InfoSystem s;
  s.name = std::move(name);
  s.owner = "UBND tỉnh";
  s.operating_unit = "Trung tâm CNTT";
  s.description = "one-stop administrative procedures";
  s.ranges = {cidr("10.20.0.0/16"), cidr("2001:db8:20::/48")};
  s.contacts = {{"Nguyễn Văn A", "head of IT", "a@example.gov.vn", "+84 24 0000"}};
  s.duties = {{"lan", "operator"}, {"minh", "appraiser"}};
  return s;
}

class SystemStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = testing::open_compliance_db(dir.str());
    ASSERT_TRUE(db);
  }
  testing::TempDir dir;
  std::unique_ptr<Database> db;
};

TEST_F(SystemStoreTest, CreateAssignsIncreasingIdsAndKeepsEveryField) {
  SystemStore st(*db);
  auto a = st.create(sample("A"), "admin", 1000);
  auto b = st.create(sample("B"), "admin", 2000);
  ASSERT_TRUE(a && b) << (a ? b.status().message() : a.status().message());
  EXPECT_EQ(a->id, 1u);
  EXPECT_EQ(b->id, 2u);
  auto got = st.get(1);
  ASSERT_TRUE(got && got.value());
  const InfoSystem& s = *got.value();
  EXPECT_EQ(s.name, "A");
  EXPECT_EQ(s.owner, "UBND tỉnh");
  ASSERT_EQ(s.ranges.size(), 2u);
  EXPECT_EQ(s.ranges[1].to_string(), "2001:db8:20::/48");
  ASSERT_EQ(s.contacts.size(), 1u);
  EXPECT_EQ(s.contacts[0].email, "a@example.gov.vn");
  ASSERT_EQ(s.duties.size(), 2u);
  EXPECT_EQ(s.duties[1].duty, "appraiser");
  EXPECT_EQ(s.created_by, "admin");
  EXPECT_EQ(s.revision, 1u);
}

TEST_F(SystemStoreTest, IdsSurviveReopenAndAreNeverReused) {
  {
    SystemStore st(*db);
    ASSERT_TRUE(st.create(sample("A"), "admin", 1));
  }
  db.reset();
  db = testing::open_compliance_db(dir.str());
  SystemStore st(*db);
  auto b = st.create(sample("B"), "admin", 2);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 2u);
  // The ranges table is rebuilt from the stored systems at start.
  EXPECT_EQ(st.ranges()->lookup(*IpAddr::parse("10.20.1.1")).size(), 2u);
}

TEST_F(SystemStoreTest, NamesAreUniqueIgnoringCase) {
  SystemStore st(*db);
  ASSERT_TRUE(st.create(sample("Mail"), "admin", 1));
  auto dup = st.create(sample("MAIL"), "admin", 2);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.status().code(), Status::Code::kConflict);
}

TEST_F(SystemStoreTest, ValidationNamesTheField) {
  SystemStore st(*db);
  auto s = sample();
  s.owner = "";
  auto r = st.create(s, "admin", 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("owner"), std::string::npos);
  s = sample();
  s.contacts[0].email = "not an address";
  r = st.create(s, "admin", 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("contacts[0].email"), std::string::npos);
  s = sample();
  s.ranges.push_back(cidr("10.20.0.0/16"));
  r = st.create(s, "admin", 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("listed twice"), std::string::npos);
  s = sample();
  s.name = std::string(201, 'x');
  EXPECT_FALSE(st.create(s, "admin", 1));
  s = sample();
  s.description = "bell\x07";
  EXPECT_FALSE(st.create(s, "admin", 1));
}

TEST_F(SystemStoreTest, UpdateNeedsTheRevisionItRead) {
  SystemStore st(*db);
  auto a = st.create(sample(), "admin", 1);
  ASSERT_TRUE(a);
  InfoSystem s = *a;
  s.description = "first edit";
  auto u1 = st.update(s, 1, "lan", 2);
  ASSERT_TRUE(u1) << u1.status().message();
  EXPECT_EQ(u1->revision, 2u);
  EXPECT_EQ(u1->updated_by, "lan");
  EXPECT_EQ(u1->created_by, "admin");
  s.description = "stale edit";
  auto u2 = st.update(s, 1, "minh", 3);
  ASSERT_FALSE(u2);
  EXPECT_EQ(u2.status().code(), Status::Code::kConflict);
  EXPECT_EQ(st.get(a->id).value()->description, "first edit");
  s.id = 77;
  s.name = "not stored";
  EXPECT_EQ(st.update(s, 1, "x", 4).status().code(), Status::Code::kNotFound);
}

TEST_F(SystemStoreTest, RangesFollowEveryChangeAndSkipArchivedSystems) {
  SystemStore st(*db);
  auto a = st.create(sample("A"), "admin", 1);
  ASSERT_TRUE(a);
  auto lookup = [&](const char* ip) {
    auto span = st.ranges()->lookup(*IpAddr::parse(ip));
    return std::vector<uint32_t>(span.begin(), span.end());
  };
  EXPECT_EQ(lookup("10.20.3.4"), (std::vector<uint32_t>{1}));
  EXPECT_EQ(lookup("2001:db8:20::9"), (std::vector<uint32_t>{1}));
  InfoSystem s = *a;
  s.ranges = {cidr("192.0.2.0/24")};
  auto u = st.update(s, a->revision, "admin", 2);
  ASSERT_TRUE(u);
  EXPECT_TRUE(lookup("10.20.3.4").empty());
  EXPECT_EQ(lookup("192.0.2.7"), (std::vector<uint32_t>{1}));
  EXPECT_EQ(st.all_ranges().size(), 1u);
  s = *u;
  s.archived = true;
  ASSERT_TRUE(st.update(s, u->revision, "admin", 3));
  EXPECT_TRUE(lookup("192.0.2.7").empty());
  EXPECT_TRUE(st.all_ranges().empty());
  // An archived system's name may be used again.
  EXPECT_TRUE(st.create(sample("A"), "admin", 4));
}

}  // namespace
}  // namespace canh::storage
