#include "console/metrics.h"

#include <gtest/gtest.h>

#include "storage/storage.h"
#include "storage/test_util.h"
#include "storage/user_store.h"

namespace canh::console {
namespace {

http::Request get(std::string remote) {
  http::Request r;
  r.method = "GET";
  r.path = "/metrics";
  r.remote = std::move(remote);
  return r;
}

TEST(AddressAllowList, LoopbackByDefaultBlocks) {
  auto a = AddressAllowList::parse({"127.0.0.0/8", "::1/128"});
  ASSERT_TRUE(a) << a.status().message();
  EXPECT_TRUE(a->allows("127.0.0.1"));
  EXPECT_TRUE(a->allows("127.9.9.9"));
  EXPECT_TRUE(a->allows("::1"));
  EXPECT_TRUE(a->allows("::ffff:127.0.0.1"));  // an IPv4 peer on a dual-stack socket
  EXPECT_FALSE(a->allows("10.0.0.1"));
  EXPECT_FALSE(a->allows("::2"));
  EXPECT_FALSE(a->allows("garbage"));
  EXPECT_FALSE(a->allows(""));
}

TEST(AddressAllowList, HostBitsAndSingleAddresses) {
  auto a = AddressAllowList::parse({"10.1.2.3/8", "192.0.2.7", "2001:db8::/32"});
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->allows("10.200.0.1"));
  EXPECT_TRUE(a->allows("192.0.2.7"));
  EXPECT_FALSE(a->allows("192.0.2.8"));
  EXPECT_TRUE(a->allows("2001:db8:1::5"));
  EXPECT_FALSE(a->allows("2001:db9::5"));
}

TEST(AddressAllowList, ErrorsNameTheEntry) {
  auto a = AddressAllowList::parse({"10.0.0.0/33"});
  ASSERT_FALSE(a);
  EXPECT_NE(a.status().message().find("10.0.0.0/33"), std::string::npos);
  EXPECT_FALSE(AddressAllowList::parse({"10.0.0.0/x"}));
  EXPECT_FALSE(AddressAllowList::parse({"example.org"}));
  auto none = AddressAllowList::parse({});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->allows("127.0.0.1"));
}

TEST(ServerMetrics, OnlyAllowedAddressesOrPeopleMayScrape) {
  ServerMetrics m({}, *AddressAllowList::parse({"127.0.0.0/8"}));
  http::Route r = m.route();
  http::Caller anon;
  EXPECT_EQ(r.handler(get("10.0.0.5"), anon).status, 403);
  auto ok = r.handler(get("127.0.0.1"), anon);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.content_type, "text/plain; version=0.0.4; charset=utf-8");
  http::Caller token{http::Caller::Kind::kApiToken, "t1", "prometheus", http::Role::kReadOnly};
  EXPECT_EQ(r.handler(get("10.0.0.5"), token).status, 200);
  http::Caller sensor{http::Caller::Kind::kSensor, "1", "s1", http::Role::kSensor};
  EXPECT_EQ(r.handler(get("10.0.0.5"), sensor).status, 403);
}

TEST(ServerMetrics, InstrumentedRoutesCountStatusesAndLatency) {
  ServerMetrics m({}, *AddressAllowList::parse({}));
  int next = 429;
  auto routes = m.instrument({{"POST", "/api/v1/sensor/alerts", http::Access::sensors(),
                               [&](const http::Request&, const http::Caller&) { return http::Response::error(next, "x"); },
                               ""}});
  http::Request req;
  routes[0].handler(req, {});
  routes[0].handler(req, {});
  next = 418;
  routes[0].handler(req, {});
  std::string t = m.render();
  EXPECT_NE(t.find("canh_http_requests_total{route=\"POST /api/v1/sensor/alerts\",code=\"429\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("canh_http_requests_total{route=\"POST /api/v1/sensor/alerts\",code=\"4xx\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("canh_http_request_duration_seconds_count{route=\"POST /api/v1/sensor/alerts\"} 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("# TYPE canh_http_request_duration_seconds histogram\n"), std::string::npos);
}

TEST(ServerMetrics, IngestAndRuleFiguresComeFromTheirSources) {
  IngestFigures f;
  f.batches = 3;
  f.alerts = 120;
  f.refused = 2;
  f.queued_alerts = 7;
  MetricsSources src;
  src.ingest = [&] { return f; };
  src.ruleset_version = [] { return uint64_t{4}; };
  src.sensors_by_state = [] { return std::map<std::string, uint64_t>{{"active", 2}, {"pending", 1}}; };
  ServerMetrics m(src, *AddressAllowList::parse({}));
  std::string t = m.render();
  EXPECT_NE(t.find("canh_ingest_batches_total 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("canh_ingest_alerts_total 120\n"), std::string::npos);
  EXPECT_NE(t.find("canh_ingest_refused_total 2\n"), std::string::npos);
  EXPECT_NE(t.find("canh_ingest_queue_alerts 7\n"), std::string::npos);
  EXPECT_NE(t.find("canh_ruleset_version 4\n"), std::string::npos);
  EXPECT_NE(t.find("canh_sensors{state=\"active\"} 2\n"), std::string::npos);
  EXPECT_NE(t.find("canh_build_info{version=\"" CANH_VERSION "\",role=\"server\"} 1\n"), std::string::npos);
  EXPECT_NE(t.find("process_resident_memory_bytes "), std::string::npos);
  f.alerts = 500;
  EXPECT_NE(m.render().find("canh_ingest_alerts_total 500\n"), std::string::npos);
}

TEST(ServerMetrics, RocksDbFiguresMoveWithWrites) {
  storage::testing::TempDir dir;
  storage::StorageOptions so;
  so.data_dir = dir.str();
  so.block_cache_mb = 8;
  auto st = storage::Storage::open(so);
  ASSERT_TRUE(st) << st.status().message();
  MetricsSources src;
  src.db = [&] { return storage::db_figures(**st); };
  ServerMetrics m(src, *AddressAllowList::parse({}));
  auto value = [&](const std::string& text, const std::string& sample) -> long long {
    // A sample line, not the HELP line that names the family.
    size_t at = text.find("\n" + sample + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(text.substr(at + sample.size() + 2));
  };
  std::string before = m.render();
  EXPECT_EQ(value(before, "canh_rocksdb_live_sst_bytes{family=\"users\"}"), 0) << before;
  storage::UserStore users((*st)->db(), storage::PasswordHashing::fast_for_tests());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(users.add("user" + std::to_string(i), http::Role::kAnalyst, "a long password"));
  std::string mem = m.render();
  EXPECT_GT(value(mem, "canh_rocksdb_memtable_bytes{family=\"users\"}"), 0) << mem;
  ASSERT_TRUE((*st)->flush());
  std::string after = m.render();
  EXPECT_GT(value(after, "canh_rocksdb_live_sst_bytes{family=\"users\"}"), 0) << after;
  EXPECT_GE(value(after, "canh_rocksdb_estimate_num_keys{family=\"users\"}"), 20) << after;
  EXPECT_GE(value(after, "canh_rocksdb_pending_compaction_bytes"), 0);
  EXPECT_EQ(value(after, "canh_rocksdb_write_stopped"), 0);
}

}  // namespace
}  // namespace canh::console
