#include "storage/alert_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "storage/alert_test_util.h"
#include "storage/database.h"

namespace canh::storage {
namespace {

using testing::make_alert;
using testing::open_storage;
using testing::TempDir;

constexpr int64_t kT0 = 1700000000ll * 1000000;  // 2023-11-14T22:13:20Z
constexpr int64_t kHour = 3600ll * 1000000;

IngestBatch batch(uint32_t sensor, uint64_t number, std::vector<NewAlert> alerts, uint64_t stream = 7) {
  IngestBatch b;
  b.sensor = sensor;
  b.stream = stream;
  b.number = number;
  b.alerts = std::move(alerts);
  return b;
}

std::vector<IngestOutcome> ingest(AlertStore& s, std::vector<IngestBatch> batches) {
  std::vector<IngestBatch*> ptrs;
  for (auto& b : batches) ptrs.push_back(&b);
  auto r = s.ingest(ptrs, true, 1000);
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return r.is_ok() ? *r : std::vector<IngestOutcome>{};
}

std::vector<Alert> all(AlertStore& s, AlertQuery q = {}) {
  std::vector<Alert> out;
  q.limit = 7;
  for (int guard = 0; guard < 10000; ++guard) {
    auto p = s.list(q);
    EXPECT_TRUE(p.is_ok()) << p.status().message();
    if (!p.is_ok()) break;
    for (auto& a : p->items) out.push_back(std::move(a));
    if (!p->next) break;
    q.after = p->next;
  }
  return out;
}

TEST(AlertStore, StoresAlertsVerbatimAndReadsThemBack) {
  TempDir dir;
  auto st = open_storage(dir.str());
  auto a = make_alert(kT0, 2001, "10.0.0.1", "192.168.1.1", 1, "ET POLICY thing");
  a.eve = R"({"event_type":"alert","alert":{"signature":"ET POLICY thing"}})";
  auto out = ingest(st->alerts(), {batch(3, 1, {a})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].stored, 1u);
  EXPECT_FALSE(out[0].duplicate);
  auto got = all(st->alerts());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].eve, a.eve);
  EXPECT_EQ(got[0].sid, 2001u);
  EXPECT_EQ(got[0].sensor, 3u);
  EXPECT_EQ(got[0].signature, "ET POLICY thing");
  EXPECT_EQ(got[0].src.to_string(), "10.0.0.1");
  EXPECT_EQ(got[0].state, TriageState::kNew);
  auto one = st->alerts().get(got[0].id);
  ASSERT_TRUE(one.is_ok());
  ASSERT_TRUE(one->has_value());
  EXPECT_EQ((*one)->eve, a.eve);
}

TEST(AlertStore, ARetriedBatchIsStoredOnce) {
  TempDir dir;
  auto st = open_storage(dir.str());
  auto b1 = batch(1, 5, {make_alert(kT0, 1, "1.1.1.1", "2.2.2.2"), make_alert(kT0 + 1, 2, "1.1.1.1", "2.2.2.2")});
  ingest(st->alerts(), {b1});
  auto again = ingest(st->alerts(), {b1});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(again[0].duplicate);
  EXPECT_EQ(again[0].stored, 0u);
  // Twice within one group write, too (a retry racing its original).
  auto b2 = batch(1, 6, {make_alert(kT0 + 5, 3, "1.1.1.1", "2.2.2.2")});
  auto both = ingest(st->alerts(), {b2, b2});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_FALSE(both[0].duplicate);
  EXPECT_TRUE(both[1].duplicate);
  EXPECT_EQ(all(st->alerts()).size(), 3u);
  // The same number from another sensor or another spool stream is a different batch.
  auto other = ingest(st->alerts(), {batch(2, 5, {make_alert(kT0, 1, "1.1.1.1", "2.2.2.2")}),
                                     batch(1, 5, {make_alert(kT0, 1, "1.1.1.1", "2.2.2.2")}, 8)});
  EXPECT_FALSE(other[0].duplicate);
  EXPECT_FALSE(other[1].duplicate);
  EXPECT_EQ(all(st->alerts()).size(), 5u);
}

TEST(AlertStore, BatchMemoryAndSequenceSurviveReopen) {
  TempDir dir;
  std::set<std::string> ids;
  {
    auto st = open_storage(dir.str());
    ingest(st->alerts(), {batch(1, 1, {make_alert(kT0, 1, "1.1.1.1", "2.2.2.2")})});
    for (auto& a : all(st->alerts())) ids.insert(a.id.to_string());
  }
  auto st = open_storage(dir.str());
  auto again = ingest(st->alerts(), {batch(1, 1, {make_alert(kT0, 1, "1.1.1.1", "2.2.2.2")})});
  EXPECT_TRUE(again[0].duplicate);
  // Same microsecond, new batch: a new id, never one handed out before the restart.
  ingest(st->alerts(), {batch(1, 2, {make_alert(kT0, 1, "1.1.1.1", "2.2.2.2")})});
  auto got = all(st->alerts());
  ASSERT_EQ(got.size(), 2u);
  for (auto& a : got) ids.insert(a.id.to_string());
  EXPECT_EQ(ids.size(), 2u);
  // The signature catalogue is reloaded too.
  EXPECT_EQ(st->alerts().signatures("signature 1", 10).size(), 1u);
}

TEST(AlertStore, ConcurrentWritersStoreEachBatchOnceWithDistinctIds) {
  TempDir dir;
  std::set<std::string> ids;
  {
    auto st = open_storage(dir.str());
    std::vector<std::thread> threads;
    std::atomic<int> stored_batches{0};
    // Eight writers; each batch is sent by two of them at once, as a retry racing its original.
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 40; ++i) {
          uint32_t sensor = 1 + static_cast<uint32_t>((t / 2) % 3);
          std::vector<NewAlert> v;
          for (int k = 0; k < 5; ++k) v.push_back(make_alert(kT0 + k, 7, "1.1.1.1", "2.2.2.2"));
          IngestBatch b = batch(sensor, static_cast<uint64_t>(t / 2 * 1000 + i), std::move(v));
          std::vector<IngestBatch*> p{&b};
          auto r = st->alerts().ingest(p, false, 1);
          ASSERT_TRUE(r.is_ok()) << r.status().message();
          if (!(*r)[0].duplicate) ++stored_batches;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(stored_batches.load(), 4 * 40);
    auto got = all(st->alerts());
    EXPECT_EQ(got.size(), 4u * 40 * 5);
    for (auto& a : got) ids.insert(a.id.to_string());
    EXPECT_EQ(ids.size(), got.size());
  }
  // After a restart, new alerts get ids never handed out before, even at the same microsecond.
  auto st = open_storage(dir.str());
  ingest(st->alerts(), {batch(9, 1, {make_alert(kT0, 7, "1.1.1.1", "2.2.2.2"), make_alert(kT0 + 1, 7, "1.1.1.1", "2.2.2.2")})});
  for (auto& a : all(st->alerts())) ids.insert(a.id.to_string());
  EXPECT_EQ(ids.size(), 4u * 40 * 5 + 2);
}

TEST(AlertStore, ListsNewestFirstAcrossPagesWithoutGapsOrRepeats) {
  TempDir dir;
  auto st = open_storage(dir.str());
  std::vector<NewAlert> v;
  for (int i = 0; i < 100; ++i) v.push_back(make_alert(kT0 + (i % 37) * 1000, 1, "1.1.1.1", "2.2.2.2"));
  ingest(st->alerts(), {batch(1, 1, v)});
  auto got = all(st->alerts());
  ASSERT_EQ(got.size(), 100u);
  std::set<std::string> seen;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(seen.insert(got[i].id.to_string()).second);
    if (i > 0) {
      EXPECT_TRUE(newer(got[i - 1].id, got[i].id));
    }
  }
}

TEST(AlertStore, TriageChangesStateAssigneeIndexAndCounts) {
  TempDir dir;
  auto st = open_storage(dir.str());
  ingest(st->alerts(), {batch(1, 1, {make_alert(kT0, 1, "1.1.1.1", "2.2.2.2"), make_alert(kT0 + 1, 2, "1.1.1.1", "2.2.2.2")})});
  auto got = all(st->alerts());
  ASSERT_EQ(got.size(), 2u);
  TriageChange c;
  c.state = TriageState::kEscalated;
  c.assignee = "lan";
  auto r = st->alerts().set_triage(got[0].id, c, "minh", 5000);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->state, TriageState::kEscalated);
  EXPECT_EQ(r->assignee, "lan");
  EXPECT_EQ(r->triaged_by, "minh");

  AlertQuery q;
  q.states = {TriageState::kEscalated};
  auto esc = all(st->alerts(), q);
  ASSERT_EQ(esc.size(), 1u);
  EXPECT_EQ(esc[0].id, got[0].id);
  EXPECT_EQ(esc[0].eve, got[0].eve);
  q.states = {TriageState::kNew};
  auto fresh = all(st->alerts(), q);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].id, got[1].id);

  AlertStatsQuery sq;
  sq.from_us = kT0 - kHour;
  sq.to_us = kT0 + kHour;
  auto s = st->alerts().stats(sq);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_EQ(s->by_state[static_cast<int>(TriageState::kNew)], 1u);
  EXPECT_EQ(s->by_state[static_cast<int>(TriageState::kEscalated)], 1u);

  AlertId missing{kT0, 999999};
  auto nf = st->alerts().set_triage(missing, c, "minh", 5000);
  ASSERT_FALSE(nf.is_ok());
  EXPECT_EQ(nf.status().code(), Status::Code::kNotFound);
}

TEST(AlertStore, StatsCountPerBucketSeverityAndTopValues) {
  TempDir dir;
  auto st = open_storage(dir.str());
  std::vector<NewAlert> v;
  for (int i = 0; i < 30; ++i) v.push_back(make_alert(kT0 + i * 60ll * 1000000, 100, "10.0.0.1", "192.168.0.9", 1));
  for (int i = 0; i < 10; ++i) v.push_back(make_alert(kT0 + i * 1000000, 200, "10.0.0.2", "192.168.0.9", 3));
  v.push_back(make_alert(kT0 - 48 * kHour, 300, "10.0.0.3", "192.168.0.9", 2));  // outside the range
  ingest(st->alerts(), {batch(4, 1, v)});
  AlertStatsQuery q;
  q.from_us = kT0 - kHour;
  q.to_us = kT0 + 23 * kHour;
  q.top = 5;
  auto s = st->alerts().stats(q);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_EQ(s->total, 40u);
  EXPECT_EQ(s->by_severity[1], 30u);
  EXPECT_EQ(s->by_severity[3], 10u);
  uint64_t series = 0;
  for (auto& b : s->series) series += b.count;
  EXPECT_EQ(series, 40u);
  ASSERT_EQ(s->top_signatures.size(), 2u);
  EXPECT_EQ(s->top_signatures[0].key, "100");
  EXPECT_EQ(s->top_signatures[0].count, 30u);
  EXPECT_EQ(s->top_signatures[0].label, "ET TEST signature 100");
  ASSERT_EQ(s->top_sources.size(), 2u);
  EXPECT_EQ(s->top_sources[0].key, "10.0.0.1");
  ASSERT_EQ(s->top_destinations.size(), 1u);
  EXPECT_EQ(s->top_destinations[0].count, 40u);
  ASSERT_EQ(s->by_sensor.size(), 1u);
  EXPECT_EQ(s->by_sensor[0].key, "4");
  EXPECT_FALSE(st->alerts().stats({kT0, kT0, 10, 0}).is_ok());
}

TEST(AlertStore, HourSummariesGiveTheSameTopListsAndGoStaleWhenTheHourChanges) {
  TempDir dir;
  auto st = open_storage(dir.str());
  const int64_t now = kT0 + 10 * kHour;
  std::vector<NewAlert> v;
  for (int h = 0; h < 6; ++h)
    for (int i = 0; i < 60; ++i)
      v.push_back(make_alert(kT0 + h * kHour + i * 1000, 100 + static_cast<uint32_t>(i % (3 + h)),
                             "10.0." + std::to_string(h) + "." + std::to_string(i % 7), "192.168.0." + std::to_string(i % 4)));
  ingest(st->alerts(), {batch(1, 1, v)});
  AlertStatsQuery q;
  q.from_us = kT0;
  q.to_us = kT0 + 6 * kHour;
  q.top = 20;
  auto raw = st->alerts().stats(q);
  ASSERT_TRUE(raw.is_ok()) << raw.status().message();
  auto n = st->alerts().refresh_summaries(now, 1000);
  ASSERT_TRUE(n.is_ok()) << n.status().message();
  EXPECT_EQ(*n, 18u);  // six hours, three dimensions
  EXPECT_EQ(*st->alerts().refresh_summaries(now, 1000), 0u);  // all current
  auto summarised = st->alerts().stats(q);
  ASSERT_TRUE(summarised.is_ok());
  auto same = [](const std::vector<Count>& a, const std::vector<Count>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].key != b[i].key || a[i].count != b[i].count) return false;
    return true;
  };
  EXPECT_TRUE(same(raw->top_signatures, summarised->top_signatures));
  EXPECT_TRUE(same(raw->top_sources, summarised->top_sources));
  EXPECT_TRUE(same(raw->top_destinations, summarised->top_destinations));
  EXPECT_EQ(raw->total, summarised->total);

  // A late alert for a summarised hour: the summary no longer matches the hour and is not used.
  ingest(st->alerts(), {batch(1, 2, {make_alert(kT0 + 10, 999, "10.9.9.9", "192.168.0.1")})});
  auto late = st->alerts().stats(q);
  ASSERT_TRUE(late.is_ok());
  bool seen = false;
  for (auto& c : late->top_signatures) seen |= c.key == "999";
  EXPECT_TRUE(seen);
  EXPECT_EQ(*st->alerts().refresh_summaries(now, 1000), 3u);
}

TEST(AlertStore, AnHourSummaryKeepsTheThousandMostFrequentValues) {
  TempDir dir;
  auto st = open_storage(dir.str());
  std::vector<NewAlert> v;
  for (int i = 0; i < 1500; ++i) v.push_back(make_alert(kT0 + i, 1, IpAddr::v4(0x0a000000u + static_cast<uint32_t>(i)).to_string(), "2.2.2.2"));
  for (int i = 0; i < 5; ++i) v.push_back(make_alert(kT0 + 2000 + i, 1, "10.0.0.7", "2.2.2.2"));  // the top source
  ingest(st->alerts(), {batch(1, 1, v)});
  ASSERT_TRUE(st->alerts().refresh_summaries(kT0 + 5 * kHour, 100).is_ok());
  AlertStatsQuery q;
  q.from_us = kT0;
  q.to_us = kT0 + kHour;
  q.top = 3;
  auto s = st->alerts().stats(q);
  ASSERT_TRUE(s.is_ok());
  ASSERT_FALSE(s->top_sources.empty());
  EXPECT_EQ(s->top_sources[0].key, "10.0.0.7");
  EXPECT_EQ(s->top_sources[0].count, 6u);
  EXPECT_EQ(s->total, 1505u);  // totals stay exact
}

TEST(AlertStore, SystemRangesIndexAlertsByInformationSystem) {
  TempDir dir;
  auto st = open_storage(dir.str());
  st->alerts().set_system_ranges({{7, *Cidr::parse("192.168.0.0/16")}, {8, *Cidr::parse("10.9.0.0/16")}});
  ingest(st->alerts(), {batch(1, 1, {make_alert(kT0, 1, "1.1.1.1", "192.168.3.3"), make_alert(kT0 + 1, 1, "10.9.1.1", "8.8.8.8"),
                                     make_alert(kT0 + 2, 1, "10.9.1.1", "192.168.1.1"), make_alert(kT0 + 3, 1, "5.5.5.5", "6.6.6.6")})});
  AlertQuery q;
  q.systems = {7};
  auto seven = all(st->alerts(), q);
  ASSERT_EQ(seven.size(), 2u);
  for (auto& a : seven) EXPECT_NE(std::find(a.systems.begin(), a.systems.end(), 7u), a.systems.end());
  q.systems = {8};
  EXPECT_EQ(all(st->alerts(), q).size(), 2u);
  q.systems = {7, 8};
  EXPECT_EQ(all(st->alerts(), q).size(), 3u);
}

TEST(AlertStore, RetentionByAgeRemovesOldAlertsAndRefusesLateOnes) {
  TempDir dir;
  auto st = open_storage(dir.str());
  ingest(st->alerts(), {batch(1, 1, {make_alert(kT0 - 10 * 86400ll * 1000000, 1, "1.1.1.1", "2.2.2.2"),
                                     make_alert(kT0 - 1 * 86400ll * 1000000, 1, "1.1.1.1", "2.2.2.2"),
                                     make_alert(kT0, 2, "1.1.1.1", "2.2.2.2")})});
  RetentionPolicy p;
  p.max_age_seconds = 5 * 86400;
  auto floor = st->alerts().enforce_retention(p, kT0);
  ASSERT_TRUE(floor.is_ok()) << floor.status().message();
  EXPECT_EQ(*floor, kT0 - 5 * 86400ll * 1000000);
  EXPECT_EQ(all(st->alerts()).size(), 2u);
  AlertQuery q;
  q.sids = {1};
  EXPECT_EQ(all(st->alerts(), q).size(), 1u);
  auto late = ingest(st->alerts(), {batch(1, 2, {make_alert(kT0 - 9 * 86400ll * 1000000, 1, "1.1.1.1", "2.2.2.2")})});
  EXPECT_EQ(late[0].expired, 1u);
  EXPECT_EQ(late[0].stored, 0u);
  EXPECT_EQ(all(st->alerts()).size(), 2u);
  // The floor survives a restart.
  st.reset();
  st = open_storage(dir.str());
  EXPECT_EQ(st->alerts().retention_floor_us(), *floor);
  EXPECT_EQ(all(st->alerts()).size(), 2u);
}

TEST(AlertStore, RetentionBySizeDropsTheOldestHoursUntilTheStoreFits) {
  TempDir dir;
  auto st = open_storage(dir.str());
  std::string pad(2000, 'x');
  for (int h = 0; h < 10; ++h) {
    std::vector<NewAlert> v;
    for (int i = 0; i < 300; ++i) {
      auto a = make_alert(kT0 + h * kHour + i * 1000, 1 + i % 3, "10.0.0." + std::to_string(i % 200), "2.2.2.2");
      a.eve += pad + std::to_string(h * 1000 + i);  // incompressible enough to take room
      for (size_t k = 0; k < 64; ++k) a.eve[a.eve.size() - 1 - k] = static_cast<char>('a' + (i * 31 + k * 7 + h) % 26);
      v.push_back(std::move(a));
    }
    ingest(st->alerts(), {batch(1, static_cast<uint64_t>(h + 1), v)});
  }
  RetentionPolicy none;
  ASSERT_TRUE(st->alerts().enforce_retention(none, kT0).is_ok());  // compacts nothing, measures
  ASSERT_TRUE(st->db().flush().is_ok());
  uint64_t before = st->disk_bytes();
  ASSERT_GT(before, 0u);
  RetentionPolicy p;
  p.max_bytes = before / 2;
  auto floor = st->alerts().enforce_retention(p, kT0 + 10 * kHour);
  ASSERT_TRUE(floor.is_ok()) << floor.status().message();
  EXPECT_GT(*floor, kT0);
  EXPECT_EQ(*floor % kHour, 0);
  EXPECT_LE(st->disk_bytes(), p.max_bytes);
  auto left = all(st->alerts());
  EXPECT_GT(left.size(), 0u);
  EXPECT_LT(left.size(), 3000u);
  for (auto& a : left) EXPECT_GE(a.id.ts_us, *floor);
  // The newest hour is kept whole.
  size_t newest = 0;
  for (auto& a : left) newest += a.id.ts_us >= kT0 + 9 * kHour;
  EXPECT_EQ(newest, 300u);
}

TEST(AlertStore, TextSearchFindsSignaturesCaseInsensitively) {
  TempDir dir;
  auto st = open_storage(dir.str());
  ingest(st->alerts(), {batch(1, 1, {make_alert(kT0, 10, "1.1.1.1", "2.2.2.2", 2, "ET SCAN Nmap Scripting Engine"),
                                     make_alert(kT0 + 1, 11, "1.1.1.1", "2.2.2.2", 2, "ET POLICY curl User-Agent"),
                                     make_alert(kT0 + 2, 10, "1.1.1.1", "2.2.2.2", 2, "ET SCAN Nmap Scripting Engine")})});
  AlertQuery q;
  q.text = "nmap";
  auto got = all(st->alerts(), q);
  ASSERT_EQ(got.size(), 2u);
  for (auto& a : got) EXPECT_EQ(a.sid, 10u);
  q.text = "no such words";
  EXPECT_TRUE(all(st->alerts(), q).empty());
  q.text = "ET ";
  q.sids = {11};
  EXPECT_EQ(all(st->alerts(), q).size(), 1u);
  EXPECT_EQ(st->alerts().signatures("CURL", 10).size(), 1u);
}

}  // namespace
}  // namespace canh::storage
