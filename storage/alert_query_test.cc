// The list query against a brute-force model: random alerts, random filter combinations, every page
// followed through its cursor — including with a tiny work budget, where pages come back partial and
// the cursors alone must still deliver exactly the matching alerts, in order.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "storage/alert_store.h"
#include "storage/alert_test_util.h"

namespace canh::storage {
namespace {

using testing::make_alert;
using testing::open_storage;
using testing::TempDir;

constexpr int64_t kT0 = 1700000000ll * 1000000;

struct Stored {
  AlertId id;
  NewAlert a;
  uint32_t sensor;
};

class QueryModel : public ::testing::Test {
 protected:
  void SetUp() override {
    st_ = open_storage(dir_.str());
    std::mt19937_64 rng(12345);
    const char* msgs[] = {"ET SCAN Nmap", "ET POLICY curl", "ET MALWARE beacon", "GPL ICMP ping", "ET INFO dns"};
    uint64_t number = 0, seq = 0;
    for (int b = 0; b < 40; ++b) {
      IngestBatch batch;
      batch.sensor = 1 + static_cast<uint32_t>(rng() % 3);
      batch.stream = 1;
      batch.number = ++number;
      int n = 1 + static_cast<int>(rng() % 60);
      for (int i = 0; i < n; ++i) {
        // Clustered times (many alerts in the same second, as in a burst) and some late arrivals.
        int64_t ts = kT0 + static_cast<int64_t>(rng() % 400) * 250000 + static_cast<int64_t>(rng() % 3);
        uint32_t sid = 1000 + static_cast<uint32_t>(rng() % 5);
        std::string src = (rng() % 4 == 0 ? "2001:db8::" + std::to_string(rng() % 300)
                                          : "10." + std::to_string(rng() % 3) + "." + std::to_string(rng() % 4) +
                                                "." + std::to_string(rng() % 50));
        std::string dst = "192.168." + std::to_string(rng() % 2) + "." + std::to_string(rng() % 5);
        auto a = make_alert(ts, sid, src, dst, static_cast<uint8_t>(1 + rng() % 3), msgs[sid - 1000]);
        // The model knows the ids without asking the store: a fresh store numbers alerts from 1 in
        // ingest order.
        Alert m;
        m.id = AlertId{ts, ++seq};
        m.sid = a.sid;
        m.severity = a.severity;
        m.src = a.src;
        m.dst = a.dst;
        m.sensor = batch.sensor;
        m.signature = a.signature;
        model_.push_back(m);
        batch.alerts.push_back(std::move(a));
      }
      std::vector<IngestBatch*> p{&batch};
      auto r = st_->alerts().ingest(p, false, 0);
      ASSERT_TRUE(r.is_ok()) << r.status().message();
    }
    for (size_t i = 0; i < model_.size(); i += 7) {
      TriageChange c;
      c.state = static_cast<TriageState>(1 + i % 4);
      if (i % 14 == 0) c.assignee = "lan";
      auto r = st_->alerts().set_triage(model_[i].id, c, "t", 1);
      ASSERT_TRUE(r.is_ok());
      model_[i].state = *c.state;
      if (c.assignee) model_[i].assignee = *c.assignee;
    }
  }

  std::vector<AlertId> expected(const AlertQuery& q) const {
    std::vector<AlertId> out;
    std::string needle = q.text;
    for (auto& c : needle) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& a : model_) {
      if (a.id.ts_us < q.from_us || a.id.ts_us >= q.to_us) continue;
      auto has = [](const auto& v, auto x) { return v.empty() || std::find(v.begin(), v.end(), x) != v.end(); };
      if (!has(q.sids, a.sid) || !has(q.severities, a.severity) || !has(q.sensors, a.sensor) || !has(q.states, a.state))
        continue;
      if (q.src && !q.src->contains(a.src)) continue;
      if (q.dst && !q.dst->contains(a.dst)) continue;
      if (q.either && !q.either->contains(a.src) && !q.either->contains(a.dst)) continue;
      if (q.assignee && a.assignee != *q.assignee) continue;
      if (!needle.empty()) {
        std::string m = a.signature;
        for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (m.find(needle) == std::string::npos) continue;
      }
      out.push_back(a.id);
    }
    std::sort(out.begin(), out.end(), [](const AlertId& x, const AlertId& y) { return newer(x, y); });
    return out;
  }

  std::vector<AlertId> run(AlertQuery q, size_t* partial_pages) const {
    std::vector<AlertId> out;
    for (int guard = 0; guard < 100000; ++guard) {
      auto p = st_->alerts().list(q);
      EXPECT_TRUE(p.is_ok()) << p.status().message();
      if (!p.is_ok()) break;
      EXPECT_LE(p->items.size(), q.limit);
      if (p->partial) ++*partial_pages;
      for (auto& a : p->items) out.push_back(a.id);
      if (!p->next) break;
      q.after = p->next;
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Storage> st_;
  std::vector<Alert> model_;
};

AlertQuery random_query(std::mt19937_64& rng) {
  AlertQuery q;
  q.limit = 1 + rng() % 25;
  if (rng() % 3 == 0) {
    q.from_us = kT0 + static_cast<int64_t>(rng() % 50) * 1000000;
    q.to_us = q.from_us + static_cast<int64_t>(1 + rng() % 60) * 1000000;
  }
  if (rng() % 3 == 0) q.sids.push_back(1000 + static_cast<uint32_t>(rng() % 5));
  if (rng() % 5 == 0) q.sids.push_back(1000 + static_cast<uint32_t>(rng() % 5));
  if (rng() % 4 == 0) q.severities.push_back(static_cast<uint8_t>(1 + rng() % 3));
  if (rng() % 4 == 0) q.sensors.push_back(1 + static_cast<uint32_t>(rng() % 3));
  if (rng() % 4 == 0) q.states.push_back(static_cast<TriageState>(rng() % 5));
  if (rng() % 5 == 0) q.text = rng() % 2 ? "et " : "NMAP";
  static const char* srcs[] = {"10.0.0.0/8", "10.1.0.0/16", "10.2.3.0/24", "10.0.2.7", "10.0.0.0/13",
                               "10.1.2.0/27", "2001:db8::/32", "2001:db8::/120", "2001:db8::/100", "0.0.0.0/0",
                               "10.0.0.0/20", "10.1.0.0/17"};
  if (rng() % 3 == 0) q.src = *Cidr::parse(srcs[rng() % std::size(srcs)]);
  static const char* dsts[] = {"192.168.0.0/16", "192.168.1.0/24", "192.168.0.3", "192.168.0.0/23", "192.168.1.0/30"};
  if (rng() % 4 == 0) q.dst = *Cidr::parse(dsts[rng() % std::size(dsts)]);
  static const char* eithers[] = {"10.1.0.0/16", "192.168.1.0/24", "192.168.0.0/17", "10.0.0.0/8", "10.2.3.4"};
  if (rng() % 8 == 0) q.either = *Cidr::parse(eithers[rng() % std::size(eithers)]);
  if (rng() % 10 == 0) q.assignee = rng() % 2 ? "" : "lan";
  return q;
}

std::string describe(const AlertQuery& q) {
  std::string s = " limit=" + std::to_string(q.limit) + " from=" + std::to_string(q.from_us) + " to=" + std::to_string(q.to_us);
  for (auto x : q.sids) s += " sid=" + std::to_string(x);
  for (auto x : q.severities) s += " sev=" + std::to_string(x);
  for (auto x : q.sensors) s += " sensor=" + std::to_string(x);
  for (auto x : q.states) s += " state=" + std::string(triage_state_name(x));
  if (q.src) s += " src=" + q.src->to_string();
  if (q.dst) s += " dst=" + q.dst->to_string();
  if (q.either) s += " ip=" + q.either->to_string();
  if (q.assignee) s += " assignee=" + *q.assignee;
  if (!q.text.empty()) s += " text=" + q.text;
  return s;
}

TEST_F(QueryModel, UnfilteredListIsEveryAlertNewestFirst) {
  size_t partial = 0;
  AlertQuery q;
  q.limit = 100;
  auto got = run(q, &partial);
  EXPECT_EQ(got.size(), model_.size());
  EXPECT_EQ(got, expected(q));
  EXPECT_EQ(partial, 0u);
}

TEST_F(QueryModel, EveryFilterCombinationMatchesTheModelPageByPage) {
  std::mt19937_64 rng(99);
  size_t partial = 0, nonempty = 0;
  for (int i = 0; i < 400; ++i) {
    AlertQuery q = random_query(rng);
    auto want = expected(q);
    auto got = run(q, &partial);
    nonempty += !want.empty();
    ASSERT_EQ(got, want) << "query " << i << describe(q);
  }
  EXPECT_GT(nonempty, 200u);  // the generator must exercise real matches, not just empty sets
}

TEST_F(QueryModel, ATinyBudgetGivesPartialPagesWhoseCursorsLoseNothing) {
  st_->alerts().set_query_budget(30);
  std::mt19937_64 rng(7);
  size_t partial = 0;
  for (int i = 0; i < 150; ++i) {
    AlertQuery q = random_query(rng);
    ASSERT_EQ(run(q, &partial), expected(q)) << "query " << i << describe(q);
  }
  EXPECT_GT(partial, 0u);
}

TEST_F(QueryModel, CursorPastTheEndAndEmptyRangesAreEmpty) {
  AlertQuery q;
  q.after = AlertId{0, 0};
  auto p = st_->alerts().list(q);
  ASSERT_TRUE(p.is_ok());
  EXPECT_TRUE(p->items.empty());
  EXPECT_FALSE(p->next);
  q = {};
  q.from_us = q.to_us = kT0;
  p = st_->alerts().list(q);
  ASSERT_TRUE(p.is_ok());
  EXPECT_TRUE(p->items.empty());
  q = {};
  q.limit = 0;
  EXPECT_FALSE(st_->alerts().list(q).is_ok());
}

}  // namespace
}  // namespace canh::storage
