#include "collector/maintenance.h"

#include <gtest/gtest.h>

#include "storage/alert_test_util.h"

namespace canh::collector {
namespace {

using storage::testing::make_alert;
using storage::testing::open_storage;
using storage::testing::TempDir;

TEST(Maintenance, APassAppliesTheAgePolicy) {
  TempDir dir;
  auto st = open_storage(dir.str());
  const int64_t day = 86400ll * 1000000, now = 1795448010000000;
  storage::IngestBatch b;
  b.sensor = 1;
  b.stream = 1;
  b.number = 1;
  b.alerts = {make_alert(now - 40 * day, 1, "1.1.1.1", "2.2.2.2"), make_alert(now - day, 1, "1.1.1.1", "2.2.2.2")};
  std::vector<storage::IngestBatch*> p{&b};
  ASSERT_TRUE(st->alerts().ingest(p, true, 1).is_ok());
  MaintenanceOptions o;
  o.retention.max_age_seconds = 30 * 86400;
  o.interval = std::chrono::seconds(3600);
  Maintenance m(st->alerts(), o);
  auto floor = m.run_once(now);
  ASSERT_TRUE(floor.is_ok()) << floor.status().message();
  EXPECT_EQ(*floor, now - 30 * day);
  storage::AlertQuery q;
  auto page = st->alerts().list(q);
  ASSERT_TRUE(page.is_ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].id.ts_us, now - day);
}

TEST(Maintenance, NoPolicyKeepsEverything) {
  TempDir dir;
  auto st = open_storage(dir.str());
  Maintenance m(st->alerts(), {});
  auto floor = m.run_once(1795448010000000);
  ASSERT_TRUE(floor.is_ok());
  EXPECT_EQ(*floor, 0);
}

}  // namespace
}  // namespace canh::collector
