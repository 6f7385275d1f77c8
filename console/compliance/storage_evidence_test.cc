// Live evidence from the real stores: alerts attributed at ingest by the system's ranges, their
// triage, and sensors' heartbeats, read back by StorageEvidence and judged by the service.
#include "console/compliance/storage_evidence.h"

#include <gtest/gtest.h>

#include "storage/test_util.h"

namespace canh::compliance {
namespace {

constexpr int64_t kMs = 1795402800000;

storage::NewAlert alert(int64_t ts_ms, const char* src, const char* dst, uint8_t severity, const char* category) {
  storage::NewAlert a;
  a.ts_us = ts_ms * 1000;
  a.sid = 2000000 + severity;
  a.severity = severity;
  a.src = *storage::IpAddr::parse(src);
  a.dst = *storage::IpAddr::parse(dst);
  a.proto = "TCP";
  a.signature = "ET MALWARE test";
  a.category = category;
  a.eve = "{}";
  return a;
}

TEST(StorageEvidence, ReadsAlertsAttributedAtIngestAndSensorHealth) {
  storage::testing::TempDir dir;
  storage::StorageOptions so;
  so.data_dir = dir.str();
  so.block_cache_mb = 8;
  auto st = storage::Storage::open(so);
  ASSERT_TRUE(st) << st.status().message();
  storage::Storage& s = **st;
  s.alerts().set_system_ranges({{7, *storage::Cidr::parse("10.7.0.0/16")}, {8, *storage::Cidr::parse("10.8.0.0/16")}});

  storage::IngestBatch b;
  b.sensor = 1;
  b.stream = 1;
  b.number = 1;
  b.alerts = {alert(kMs - 3000, "10.7.0.5", "8.8.8.8", 1, "A Network Trojan was detected"),
              alert(kMs - 2000, "1.1.1.1", "10.7.9.9", 2, "Attempted Information Leak"),
              alert(kMs - 1000, "10.8.0.1", "8.8.4.4", 1, "Misc activity")};
  storage::IngestBatch* bp = &b;
  auto out = s.alerts().ingest(std::span<storage::IngestBatch* const>(&bp, 1), true, kMs);
  ASSERT_TRUE(out) << out.status().message();

  auto created = s.sensors().create("edge-1", "", kMs, 3600000);
  ASSERT_TRUE(created);
  storage::SensorHealth h;
  h.received_ms = kMs - 60000;
  h.packets = 1000;
  h.drops = 3;
  h.ruleset_version = "4";
  ASSERT_TRUE(s.sensors().record_heartbeat(created->sensor.id, h));

  StorageEvidence ev(s, [] { return int64_t{180}; });
  auto facts = ev.alerts_for(7, kMs - 86400000, kMs + 1, 100);
  ASSERT_TRUE(facts) << facts.status().message();
  EXPECT_EQ(facts->total, 2u);  // the third alert belongs to system 8
  EXPECT_EQ(facts->by_severity[1], 1u);
  EXPECT_EQ(facts->by_severity[2], 1u);
  EXPECT_EQ(facts->open, 2u);
  ASSERT_EQ(facts->items.size(), 2u);
  EXPECT_EQ(facts->items[0].ts_ms, kMs - 2000);  // newest first
  EXPECT_EQ(facts->items[1].category, "A Network Trojan was detected");
  EXPECT_EQ(facts->by_sensor.at(1), 2u);
  EXPECT_FALSE(facts->truncated);

  auto few = ev.alerts_for(7, kMs - 86400000, kMs + 1, 1);
  ASSERT_TRUE(few);
  EXPECT_EQ(few->items.size(), 1u);
  EXPECT_EQ(few->total, 2u);
  EXPECT_TRUE(few->truncated);

  auto sensors = ev.sensors();
  ASSERT_TRUE(sensors);
  ASSERT_EQ(sensors->size(), 1u);
  EXPECT_EQ((*sensors)[0].name, "edge-1");
  EXPECT_EQ((*sensors)[0].last_heartbeat_ms, kMs - 60000);
  EXPECT_EQ((*sensors)[0].drops, 3u);
  EXPECT_FALSE((*sensors)[0].ruleset_age_days);  // version 4 was never cut here

  auto r = ev.retention();
  EXPECT_TRUE(r.known);
  EXPECT_EQ(r.configured_days, 180);
}

}  // namespace
}  // namespace canh::compliance
