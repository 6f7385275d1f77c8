#include "storage/audit_log.h"

#include <gtest/gtest.h>

#include "storage/test_util.h"

namespace canh::storage {
namespace {

AuditRecord action(std::string what, std::string detail = "") {
  AuditRecord r;
  r.time_ms = 1700000000000;
  r.actor_kind = "session";
  r.actor = "lan";
  r.actor_name = "lan";
  r.role = "analyst";
  r.action = std::move(what);
  r.method = "POST";
  r.path = "/api/v1/alerts/1/state";
  r.remote = "127.0.0.1";
  r.status = 200;
  r.detail = std::move(detail);
  return r;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db = testing::open_test_db(dir.str());
    ASSERT_TRUE(db);
  }
  void append_n(AuditLog& log, int n) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(log.append(action("alert.state", "n=" + std::to_string(i))));
  }
  testing::TempDir dir;
  std::unique_ptr<Database> db;
};

TEST_F(AuditLogTest, RecordsChainEachToThePrevious) {
  AuditLog log(*db);
  auto a = log.append(action("login"));
  auto b = log.append(action("alert.state", "alert 7: new -> acknowledged"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->seq, 1u);
  EXPECT_EQ(b->seq, 2u);
  EXPECT_EQ(a->prev, std::string(64, '0'));
  EXPECT_EQ(b->prev, a->hash);
  auto rep = log.verify();
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.records, 2u);
  EXPECT_EQ(rep.last_hash, b->hash);
}

TEST_F(AuditLogTest, HashIsSha256OfTheStoredBytesWithoutTheHashField) {
  AuditLog log(*db);
  auto a = log.append(action("login", "quote \" and <script>"));
  ASSERT_TRUE(a);
  auto pos = a->raw.rfind(",\"hash\":");
  ASSERT_NE(pos, std::string::npos);
  EXPECT_EQ(AuditLog::sha256_hex(a->raw.substr(0, pos) + "}"), a->hash);
  // Known-answer check of the hash function itself.
  EXPECT_EQ(AuditLog::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(AuditLogTest, ChainContinuesAcrossReopen) {
  std::string last;
  {
    AuditLog log(*db);
    append_n(log, 3);
    last = log.list_newest(0, 1)->front().hash;
  }
  AuditLog log(*db);
  EXPECT_EQ(log.last_seq(), 3u);
  auto r = log.append(action("logout"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->seq, 4u);
  EXPECT_EQ(r->prev, last);
  EXPECT_TRUE(log.verify().ok);
}

TEST_F(AuditLogTest, EditedRecordIsFound) {
  AuditLog log(*db);
  append_n(log, 5);
  auto third = log.list(2, 1);
  ASSERT_TRUE(third && third->size() == 1);
  std::string edited = third->front().raw;
  auto p = edited.find("\"status\":200");
  edited.replace(p, 12, "\"status\":403");
  ASSERT_TRUE(db->put(kAuditFamily, std::string("\0\0\0\0\0\0\0\3", 8), edited, true));
  auto rep = log.verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.first_bad_seq, 3u);
  EXPECT_NE(rep.problem.find("hash mismatch"), std::string::npos);
}

TEST_F(AuditLogTest, EditRecomputingItsOwnHashBreaksTheNextLink) {
  AuditLog log(*db);
  append_n(log, 5);
  auto rec = log.list(1, 1)->front();  // seq 2
  rec.detail = "nothing happened here";
  std::string body = AuditLog::serialize_without_hash(rec);
  std::string hash = AuditLog::sha256_hex(body);
  body.pop_back();
  ASSERT_TRUE(db->put(kAuditFamily, std::string("\0\0\0\0\0\0\0\2", 8), body + ",\"hash\":\"" + hash + "\"}", true));
  auto rep = log.verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.first_bad_seq, 3u);
  EXPECT_NE(rep.problem.find("link"), std::string::npos);
}

TEST_F(AuditLogTest, DeletedRecordIsFound) {
  AuditLog log(*db);
  append_n(log, 4);
  rocksdb::WriteBatch b;
  b.Delete(db->family(kAuditFamily), std::string("\0\0\0\0\0\0\0\2", 8));
  ASSERT_TRUE(db->write(b, true));
  auto rep = log.verify();
  EXPECT_FALSE(rep.ok);
  EXPECT_EQ(rep.first_bad_seq, 2u);
  EXPECT_NE(rep.problem.find("missing"), std::string::npos);
}

TEST_F(AuditLogTest, ListsPageBothWaysWithFilter) {
  AuditLog log(*db);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log.append(action(i % 2 ? "login" : "alert.state")));
  auto newest = log.list_newest(0, 3);
  ASSERT_TRUE(newest);
  ASSERT_EQ(newest->size(), 3u);
  EXPECT_EQ(newest->front().seq, 10u);
  auto older = log.list_newest(8, 100);
  EXPECT_EQ(older->front().seq, 7u);
  EXPECT_EQ(older->size(), 7u);
  auto logins = log.list(0, 100, [](const AuditRecord& r) { return r.action == "login"; });
  EXPECT_EQ(logins->size(), 5u);
}

}  // namespace
}  // namespace canh::storage
