// Bulk triage (AlertStore::set_triage_many), the assignee index, exclusions and summary pages.
#include <gtest/gtest.h>

#include "storage/alert_codec.h"
#include "storage/alert_test_util.h"
#include "storage/database.h"
#include "storage/retention.h"
#include "storage/rule_store.h"

namespace canh::storage {
namespace {

using testing::make_alert;
using testing::open_storage;
using testing::TempDir;

constexpr int64_t kT0 = 1795448010000000;  // 2026-11-23T15:33:30Z

class AlertTriage : public ::testing::Test {
 protected:
  void SetUp() override { st_ = open_storage(dir_.str()); }

  // n alerts one millisecond apart, sid 2001 for even i and 2002 for odd, sources 10.0.0.(i % 8).
  void ingest(int n, uint64_t batch = 1) {
    IngestBatch b;
    b.sensor = 1;
    b.stream = 1;
    b.number = batch;
    for (int i = 0; i < n; ++i)
      b.alerts.push_back(make_alert(kT0 + i * 1000, i % 2 ? 2002 : 2001, "10.0.0." + std::to_string(i % 8), "192.0.2.1"));
    IngestBatch* p = &b;
    ASSERT_TRUE(st_->alerts().ingest(std::span<IngestBatch* const>(&p, 1), true, 1).is_ok());
  }
  std::vector<AlertId> ids(AlertQuery q) {
    std::vector<AlertId> out;
    q.limit = 1000;
    for (;;) {
      auto page = st_->alerts().list(q);
      EXPECT_TRUE(page.is_ok()) << page.status().message();
      if (!page) return out;
      for (auto& a : page->items) out.push_back(a.id);
      if (!page->next) return out;
      q.after = page->next;
    }
  }
  uint64_t by_state(TriageState s) {
    AlertStatsQuery q;
    q.from_us = kT0 - 3600ll * 1000000;
    q.to_us = kT0 + 3600ll * 1000000;
    auto st = st_->alerts().stats(q);
    EXPECT_TRUE(st.is_ok());
    return st ? st->by_state[static_cast<int>(s)] : 0;
  }

  TempDir dir_;
  std::unique_ptr<Storage> st_;
};

TEST_F(AlertTriage, ChangesManyAlertsWithTheirHistoryInOneWrite) {
  ingest(3000);
  AlertQuery q;
  q.sids = {2001};
  auto target = ids(q);
  ASSERT_EQ(target.size(), 1500u);
  AlertNotes notes(st_->db());
  TriageChange ch;
  ch.state = TriageState::kClosed;
  auto plan = [](const Alert& before, const Alert& after, std::vector<AlertNote>* out) {
    out->push_back({before.id.to_string(), after.triaged_ms, after.triaged_by, "state",
                    std::string(triage_state_name(before.state)), std::string(triage_state_name(after.state)), "benign",
                    "scanner"});
    return true;
  };
  size_t changed = 0;
  for (size_t i = 0; i < target.size(); i += 1000) {
    std::span<const AlertId> part(target.data() + i, std::min<size_t>(1000, target.size() - i));
    auto n = st_->alerts().set_triage_many(part, ch, "lan", 42, plan, &notes);
    ASSERT_TRUE(n.is_ok()) << n.status().message();
    changed += *n;
  }
  EXPECT_EQ(changed, 1500u);
  AlertQuery closed;
  closed.states = {TriageState::kClosed};
  EXPECT_EQ(ids(closed).size(), 1500u);
  AlertQuery open;
  open.states = {TriageState::kNew};
  EXPECT_EQ(ids(open).size(), 1500u);
  EXPECT_EQ(by_state(TriageState::kClosed), 1500u);
  EXPECT_EQ(by_state(TriageState::kNew), 1500u);
  auto hist = notes.list(target[777].to_string());
  ASSERT_TRUE(hist.is_ok());
  ASSERT_EQ(hist->size(), 1u);
  EXPECT_EQ((*hist)[0].from, "new");
  EXPECT_EQ((*hist)[0].to, "closed");
  EXPECT_EQ((*hist)[0].by, "lan");
  auto a = st_->alerts().get(target[777]);
  ASSERT_TRUE(a.is_ok() && a->has_value());
  EXPECT_EQ((*a)->state, TriageState::kClosed);
  EXPECT_EQ((*a)->triaged_by, "lan");
  EXPECT_EQ((*a)->triaged_ms, 42);
}

TEST_F(AlertTriage, PlanLeavesAlertsAloneAndMissingOnesAreSkipped) {
  ingest(10);
  auto all = ids(AlertQuery{});
  ASSERT_EQ(all.size(), 10u);
  all.push_back(AlertId{kT0 + 999999, 424242});  // never stored
  TriageChange ch;
  ch.state = TriageState::kAcknowledged;
  int asked = 0;
  auto n = st_->alerts().set_triage_many(all, ch, "lan", 1, [&](const Alert& b, const Alert&, std::vector<AlertNote>*) {
    ++asked;
    return b.sid == 2001;
  });
  ASSERT_TRUE(n.is_ok());
  EXPECT_EQ(*n, 5u);
  EXPECT_EQ(asked, 10);
  EXPECT_EQ(by_state(TriageState::kAcknowledged), 5u);
  std::vector<AlertId> too_many(AlertStore::kMaxTriageBatch + 1);
  EXPECT_FALSE(st_->alerts().set_triage_many(too_many, ch, "lan", 1).is_ok());
}

TEST_F(AlertTriage, AssigneeFilterReadsTheIndexAndFillsPages) {
  ingest(4000);
  auto all = ids(AlertQuery{});
  std::vector<AlertId> mine;
  for (size_t i = 0; i < all.size(); i += 400) mine.push_back(all[i]);  // ten, spread over the whole range
  TriageChange ch;
  ch.assignee = "lan";
  ASSERT_TRUE(st_->alerts().set_triage_many(mine, ch, "admin", 1).is_ok());
  // A budget far below the 4000 records a scan would examine: the index answers without them.
  st_->alerts().set_query_budget(300);
  AlertQuery q;
  q.assignee = "lan";
  auto page = st_->alerts().list(q);
  ASSERT_TRUE(page.is_ok());
  EXPECT_FALSE(page->partial);
  EXPECT_FALSE(page->next.has_value());
  ASSERT_EQ(page->items.size(), 10u);
  EXPECT_EQ(page->items[0].id, mine[0]);
  for (auto& a : page->items) EXPECT_EQ(a.assignee, "lan");
  // A name that is a prefix of another is its own list.
  q.assignee = "la";
  EXPECT_TRUE(st_->alerts().list(q)->items.empty());

  // Reassigning moves the entry; clearing removes it.
  ch.assignee = "minh";
  ASSERT_TRUE(st_->alerts().set_triage(mine[3], ch, "admin", 2).is_ok());
  ch.assignee = "";
  ASSERT_TRUE(st_->alerts().set_triage(mine[4], ch, "admin", 2).is_ok());
  st_->alerts().set_query_budget(40000);
  q.assignee = "lan";
  EXPECT_EQ(ids(q).size(), 8u);
  q.assignee = "minh";
  auto m = ids(q);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], mine[3]);
  q.assignee = "";
  EXPECT_EQ(ids(q).size(), 4000u - 9);
}

TEST_F(AlertTriage, AssigneesStoredBeforeTheIndexAreIndexedAtOpen) {
  ingest(50);
  auto all = ids(AlertQuery{});
  TriageChange ch;
  ch.assignee = "lan";
  ASSERT_TRUE(st_->alerts().set_triage(all[7], ch, "admin", 1).is_ok());
  // Make the folder look like one written before the index: no entries, no marker.
  auto& db = st_->db();
  std::string lo(1, static_cast<char>(codec::IndexKind::kAssignee)), hi(1, static_cast<char>(static_cast<int>(codec::IndexKind::kAssignee) + 1));
  ASSERT_TRUE(db.raw()->DeleteRange(rocksdb::WriteOptions(), db.family(kAlertIndexFamily), lo, hi).ok());
  ASSERT_TRUE(db.raw()->Delete(rocksdb::WriteOptions(), db.family(kMetaFamily), "assignee_index").ok());
  AlertQuery q;
  q.assignee = "lan";
  EXPECT_TRUE(ids(q).empty());
  st_.reset();
  st_ = open_storage(dir_.str());
  auto found = ids(q);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0], all[7]);
}

TEST_F(AlertTriage, AssigneeIndexKeysCarryTheAlertTimeForRetention) {
  AlertId id{kT0 + 5, 9};
  int64_t bucket = 0;
  auto t = codec::index_key_time(codec::assignee_key("lan", id), &bucket);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, kT0 + 5);
  EXPECT_EQ(bucket, 1);
}

TEST_F(AlertTriage, ExclusionsNarrowEveryFilter) {
  ingest(80);
  AlertQuery q;
  q.not_sids = {2002};
  EXPECT_EQ(ids(q).size(), 40u);
  q.not_src = {*Cidr::parse("10.0.0.0/31")};  // .0 and .1
  auto rest = ids(q);
  EXPECT_EQ(rest.size(), 30u);  // sid 2001 is even i: sources .0 .2 .4 .6, minus .0
  q = AlertQuery{};
  q.sids = {2001};
  q.not_either = {*Cidr::parse("192.0.2.1")};
  EXPECT_TRUE(ids(q).empty());
  q = AlertQuery{};
  q.not_sensors = {1};
  EXPECT_TRUE(ids(q).empty());
  q = AlertQuery{};
  q.not_dst = {*Cidr::parse("192.0.2.0/24")};
  EXPECT_TRUE(ids(q).empty());
  q = AlertQuery{};
  q.not_sids.assign(257, 1);
  EXPECT_FALSE(st_->alerts().list(q).is_ok());
}

TEST_F(AlertTriage, SummaryPagesLeaveTheEveLineOut) {
  ingest(5);
  AlertQuery q;
  q.with_eve = false;
  auto page = st_->alerts().list(q);
  ASSERT_TRUE(page.is_ok());
  ASSERT_EQ(page->items.size(), 5u);
  EXPECT_TRUE(page->items[0].eve.empty());
  EXPECT_EQ(page->items[0].signature, "ET TEST signature 2001");
  q.with_eve = true;
  EXPECT_FALSE(st_->alerts().list(q)->items[0].eve.empty());
}

}  // namespace
}  // namespace canh::storage
