#include "collector/ingest.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "storage/alert_test_util.h"

namespace canh::collector {
namespace {

using storage::testing::make_alert;
using storage::testing::open_storage;
using storage::testing::TempDir;

constexpr int64_t kT0 = 1700000000ll * 1000000;

storage::IngestBatch batch(uint32_t sensor, uint64_t number, int n) {
  storage::IngestBatch b;
  b.sensor = sensor;
  b.stream = 1;
  b.number = number;
  for (int i = 0; i < n; ++i) b.alerts.push_back(make_alert(kT0 + i, 1, "1.1.1.1", "2.2.2.2"));
  return b;
}

size_t count_all(storage::AlertStore& s) {
  size_t n = 0;
  storage::AlertQuery q;
  q.limit = 1000;
  for (;;) {
    auto p = s.list(q);
    EXPECT_TRUE(p.is_ok());
    n += p->items.size();
    if (!p->next) return n;
    q.after = p->next;
  }
}

TEST(Ingestor, ConcurrentSubmittersEachStoreEveryBatchOnce) {
  TempDir dir;
  auto st = open_storage(dir.str());
  {
    Ingestor ing(st->alerts());
    std::vector<std::thread> threads;
    std::atomic<int> ok{0}, dup{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 1; i <= 20; ++i) {
          // Every batch is sent twice, as a sensor whose acknowledgement was lost would.
          for (int copy = 0; copy < 2; ++copy) {
            auto r = ing.submit(batch(static_cast<uint32_t>(t + 1), static_cast<uint64_t>(i), 5));
            ASSERT_TRUE(r.is_ok()) << r.status().message();
            (r->duplicate ? dup : ok)++;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 160);
    EXPECT_EQ(dup.load(), 160);
    EXPECT_EQ(ing.counters().batches, 320u);
  }
  EXPECT_EQ(count_all(st->alerts()), 800u);
}

TEST(Ingestor, AFullQueueIsRefusedNotBuffered) {
  TempDir dir;
  auto st = open_storage(dir.str());
  // The first batch is held just before its write, so it stays in flight.
  std::mutex gate;
  std::unique_lock hold(gate);
  IngestOptions o;
  o.max_queued_alerts = 10;
  o.before_write = [&] { std::lock_guard pass(gate); };
  Ingestor ing(st->alerts(), o);
  std::thread first([&] { EXPECT_TRUE(ing.submit(batch(1, 1, 8)).is_ok()); });
  auto wait_for = [&](size_t queued) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ing.queued_alerts() != queued && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    ASSERT_EQ(ing.queued_alerts(), queued);
  };
  wait_for(8);  // in flight, held before its write
  auto refused = ing.submit(batch(2, 1, 8));
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kUnavailable);
  EXPECT_EQ(ing.counters().refused, 1u);
  hold.unlock();
  first.join();
  wait_for(0);
  // Drained: the refused batch, sent again, is stored.
  auto again = ing.submit(batch(2, 1, 8));
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->stored, 8u);
  EXPECT_EQ(count_all(st->alerts()), 16u);
}

TEST(Ingestor, AStalledWriteMakesNewBatchesWaitTheirTurn) {
  TempDir dir;
  auto st = open_storage(dir.str());
  std::mutex gate;
  std::unique_lock hold(gate);
  IngestOptions o;
  o.stall_after = std::chrono::milliseconds(20);
  o.before_write = [&] { std::lock_guard pass(gate); };
  Ingestor ing(st->alerts(), o);
  std::thread first([&] { EXPECT_TRUE(ing.submit(batch(1, 1, 2)).is_ok()); });
  // Held before its write: once it has been in flight past stall_after, storing is "behind".
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ing.stalled() && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_TRUE(ing.stalled());
  auto refused = ing.submit(batch(2, 1, 2));
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(refused.status().message().find("behind"), std::string::npos);
  hold.unlock();
  first.join();
  EXPECT_FALSE(ing.stalled());
  EXPECT_TRUE(ing.submit(batch(2, 1, 2)).is_ok());
}

TEST(Ingestor, ABatchLargerThanTheQueueStillGetsInAlone) {
  TempDir dir;
  auto st = open_storage(dir.str());
  IngestOptions o;
  o.max_queued_alerts = 10;
  Ingestor ing(st->alerts(), o);
  auto r = ing.submit(batch(1, 1, 50));
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(r->stored, 50u);
}

}  // namespace
}  // namespace canh::collector
