#include "storage/rule_store.h"

#include <gtest/gtest.h>

#include "storage/test_util.h"

namespace canh::storage {
namespace {

class RuleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = testing::open_test_db(dir.str());
    ASSERT_TRUE(db);
  }
  testing::TempDir dir;
  std::unique_ptr<Database> db;
};

TEST_F(RuleStoreTest, VersionsAreNumberedCurrentAndKeepWhoChangedWhat) {
  RuleStore rules(*db);
  EXPECT_EQ(rules.current_version(), 0u);
  auto files = rules.put_files({{"a.rules", "alert ip any any -> any any (msg:\"a\"; sid:1;)\n"}});
  ASSERT_TRUE(files);
  RuleSetVersion v;
  v.author = "admin";
  v.change = "uploaded 1 file";
  v.files = *files;
  auto v1 = rules.commit(v, 0);
  ASSERT_TRUE(v1) << v1.status().message();
  EXPECT_EQ(v1->version, 1u);
  RuleSetVersion v2 = *v1;
  v2.disabled_sids = {1};
  v2.author = "lan";
  v2.change = "disabled sid 1 (noisy)";
  auto c2 = rules.commit(v2, 1);
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->version, 2u);
  EXPECT_EQ(c2->parent, 1u);
  EXPECT_EQ(rules.current_version(), 2u);
  auto list = rules.list(10);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(list->front().version, 2u);
  EXPECT_EQ(list->front().author, "lan");
  EXPECT_EQ(list->front().disabled_sids, std::vector<uint32_t>{1});
  // The file is stored once and read back by hash.
  auto text = rules.file_text(files->front().sha256);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("sid:1;"), std::string::npos);
}

TEST_F(RuleStoreTest, ConcurrentEditIsAConflict) {
  RuleStore rules(*db);
  ASSERT_TRUE(rules.commit(RuleSetVersion{}, 0));
  auto stale = rules.commit(RuleSetVersion{}, 0);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.status().code(), Status::Code::kConflict);
}

TEST_F(RuleStoreTest, RollbackCutsANewVersionCopyingTheOld) {
  RuleStore rules(*db);
  RuleSetVersion a;
  a.thresholds = "suppress gen_id 1, sig_id 5\n";
  ASSERT_TRUE(rules.commit(a, 0));
  ASSERT_TRUE(rules.commit(RuleSetVersion{}, 1));
  auto back = rules.activate(1, "admin", 2);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->version, 3u);
  EXPECT_EQ(back->thresholds, a.thresholds);
  EXPECT_EQ(back->change, "rolled back to version 1");
  EXPECT_EQ(rules.current_version(), 3u);
  EXPECT_EQ(rules.activate(9, "admin", 3).status().code(), Status::Code::kNotFound);
}

TEST_F(RuleStoreTest, SuppressionsRenderAsThresholdConfigWhileActive) {
  SuppressionStore supp(*db);
  Suppression s;
  s.sid = 2001;
  s.track = "by_src";
  s.ip = "10.0.0.0/8";
  s.author = "lan";
  s.reason = "scanner";
  s.expires_ms = 5000;
  auto a = supp.add(s);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->id, 1u);
  Suppression t;
  t.kind = "threshold";
  t.sid = 2002;
  t.track = "by_dst";
  t.threshold_type = "limit";
  t.count = 1;
  t.seconds = 60;
  auto b = supp.add(t);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->id, 2u);
  auto text = supp.config_text(1000);
  ASSERT_TRUE(text);
  EXPECT_NE(text->find("suppress gen_id 1, sig_id 2001, track by_src, ip 10.0.0.0/8\n"), std::string::npos);
  EXPECT_NE(text->find("event_filter gen_id 1, sig_id 2002, type limit, track by_dst, count 1, seconds 60\n"),
            std::string::npos);
  auto later = supp.config_text(5000);  // the first has expired
  EXPECT_EQ(later->find("sig_id 2001"), std::string::npos);
  Suppression removed = *b;
  removed.removed_ms = 100;
  removed.removed_by = "admin";
  ASSERT_TRUE(supp.put(removed));
  EXPECT_EQ(supp.config_text(200)->find("sig_id 2002"), std::string::npos);
  EXPECT_EQ(supp.list()->size(), 2u);
}

TEST_F(RuleStoreTest, AlertNotesKeepTheHistoryInOrder) {
  AlertNotes notes(*db);
  ASSERT_TRUE(notes.add({"a1", 10, "lan", "state", "new", "acknowledged", "", ""}));
  ASSERT_TRUE(notes.add({"a1", 10, "lan", "comment", "", "", "", "<b>looks like a scan</b>"}));
  ASSERT_TRUE(notes.add({"a2", 5, "minh", "comment", "", "", "", "other"}));
  ASSERT_TRUE(notes.add({"a1", 20, "minh", "state", "acknowledged", "closed", "false-positive", "lab traffic"}));
  auto l = notes.list("a1");
  ASSERT_TRUE(l);
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ(l->at(0).to, "acknowledged");
  EXPECT_EQ(l->at(1).text, "<b>looks like a scan</b>");
  EXPECT_EQ(l->at(2).reason, "false-positive");
}

}  // namespace
}  // namespace canh::storage
