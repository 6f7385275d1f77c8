#include "sensor/ship/spool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace canh::sensor::ship {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> n{0};
    path_ = fs::temp_directory_path() / ("canh-spool-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

SpoolOptions opts(const std::string& dir, size_t max_alerts = 3) {
  SpoolOptions o;
  o.dir = dir;
  o.batch_max_alerts = max_alerts;
  o.reserve_block = 4;
  return o;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Drains the spool as the shipper does: oldest first, acknowledging each.
std::vector<std::pair<uint64_t, std::string>> drain(Spool& s) {
  std::vector<std::pair<uint64_t, std::string>> out;
  while (auto b = s.oldest()) {
    auto text = s.read(*b);
    EXPECT_TRUE(text.is_ok());
    out.emplace_back(b->number, *text);
    EXPECT_TRUE(s.remove(b->number).is_ok());
  }
  return out;
}

TEST(Spool, BatchesSealWhenFullAndShipOldestFirst) {
  TempDir d;
  auto s = Spool::open(opts(d.str()));
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  bool was_empty = false;
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE((*s)->append("{\"n\":" + std::to_string(i) + "}", &was_empty).is_ok());
    EXPECT_EQ(was_empty, i % 3 == 0);
  }
  EXPECT_EQ((*s)->stats().sealed_batches, 2u);
  EXPECT_EQ((*s)->stats().open_alerts, 1u);
  ASSERT_TRUE((*s)->seal().is_ok());
  auto got = drain(**s);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].second, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ(got[2].second, "{\"n\":6}\n");
  EXPECT_LT(got[0].first, got[1].first);
  EXPECT_LT(got[1].first, got[2].first);
  EXPECT_FALSE((*s)->append("two\nlines").is_ok());
}

TEST(Spool, RestartResumesUnsentBatchesAndTheOpenOneAndNeverReusesANumber) {
  TempDir d;
  std::set<uint64_t> used;
  uint64_t stream = 0;
  {
    auto s = Spool::open(opts(d.str()));
    ASSERT_TRUE(s.is_ok());
    stream = (*s)->stream();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*s)->append("a" + std::to_string(i)).is_ok());
    // Ship and acknowledge the first batch before the "crash".
    auto first = (*s)->oldest();
    ASSERT_TRUE(first);
    used.insert(first->number);
    ASSERT_TRUE((*s)->remove(first->number).is_ok());
  }
  // An unfinished line at the end of the open batch, as a crash mid-write would leave it.
  { std::ofstream(d.str() + "/open.ndjson", std::ios::app) << "partial-without-newline"; }
  auto s = Spool::open(opts(d.str()));
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_EQ((*s)->stream(), stream);
  ASSERT_TRUE((*s)->append("b0").is_ok());
  ASSERT_TRUE((*s)->seal().is_ok());
  auto got = drain(**s);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].second, "a3\na4\n");  // the open batch of the last run, sealed at restart
  EXPECT_EQ(got[1].second, "b0\n");
  for (auto& [n, text] : got) EXPECT_TRUE(used.insert(n).second) << "number " << n << " used twice";
}

TEST(Spool, ManyRestartsWithinOneReservationStillNeverReuse) {
  TempDir d;
  std::set<uint64_t> used;
  for (int run = 0; run < 12; ++run) {
    auto s = Spool::open(opts(d.str(), 1));
    ASSERT_TRUE(s.is_ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*s)->append("x").is_ok());
    for (auto& [n, text] : drain(**s)) EXPECT_TRUE(used.insert(n).second) << n;
  }
  EXPECT_EQ(used.size(), 36u);
}

TEST(Spool, AWipedSpoolIsANewStream) {
  TempDir d;
  uint64_t first = 0;
  {
    auto s = Spool::open(opts(d.str()));
    ASSERT_TRUE(s.is_ok());
    first = (*s)->stream();
  }
  fs::remove_all(d.str());
  auto s = Spool::open(opts(d.str()));
  ASSERT_TRUE(s.is_ok());
  EXPECT_NE((*s)->stream(), first);
}

TEST(Spool, TheSizeBoundDropsTheOldestBatchesAndCountsTheirAlerts) {
  TempDir d;
  SpoolOptions o = opts(d.str(), 2);
  o.max_bytes = 40;
  auto s = Spool::open(o);
  ASSERT_TRUE(s.is_ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*s)->append("line-" + std::to_string(i)).is_ok());  // 7 bytes each
  auto st = (*s)->stats();
  EXPECT_LE(st.bytes, 40u);
  EXPECT_GT(st.dropped_alerts, 0u);
  auto got = drain(**s);
  size_t kept = 0;
  for (auto& [n, text] : got) kept += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  EXPECT_EQ(kept + st.dropped_alerts + st.open_alerts, 10u);
  EXPECT_NE(got.back().second.find("line-9"), std::string::npos);  // the newest are kept
}

TEST(Spool, TheBatchInFlightIsNotDroppedUnderIt) {
  TempDir d;
  SpoolOptions o = opts(d.str(), 1);
  o.max_bytes = 10;
  auto s = Spool::open(o);
  ASSERT_TRUE(s.is_ok());
  ASSERT_TRUE((*s)->append("aaaa").is_ok());
  auto b = (*s)->oldest();
  ASSERT_TRUE(b);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*s)->append("bbbb").is_ok());
  EXPECT_TRUE(fs::exists(b->path));
  EXPECT_EQ(*(*s)->read(*b), "aaaa\n");
}

TEST(Spool, RejectedBatchesAndRecordsAreKeptAside) {
  TempDir d;
  auto s = Spool::open(opts(d.str()));
  ASSERT_TRUE(s.is_ok());
  for (auto l : {"good1", "bad", "good2"}) ASSERT_TRUE((*s)->append(l).is_ok());
  auto b = (*s)->oldest();
  ASSERT_TRUE(b);
  ASSERT_TRUE((*s)->reject_record(b->number, 2, "record 2: timestamp: missing").is_ok());
  auto again = (*s)->oldest();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->number, b->number);  // nothing of a refused batch was stored: same number
  EXPECT_EQ(*(*s)->read(*again), "good1\ngood2\n");
  EXPECT_EQ(slurp(d.str() + "/rejected/b-" + std::to_string(b->number) + "-record-2.ndjson"), "bad\n");
  EXPECT_EQ((*s)->stats().rejected_records, 1u);
  ASSERT_TRUE((*s)->reject(b->number, "no").is_ok());
  EXPECT_FALSE((*s)->oldest());
  EXPECT_TRUE((*s)->reject_record(12345, 1, "x").is_ok());  // unknown batch: nothing to do
}

TEST(Spool, ConcurrentAppendsLoseNothing) {
  TempDir d;
  auto s = Spool::open(opts(d.str(), 50));
  ASSERT_TRUE(s.is_ok());
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) ASSERT_TRUE((*s)->append("t" + std::to_string(t) + "-" + std::to_string(i)).is_ok());
    });
  for (auto& t : ts) t.join();
  ASSERT_TRUE((*s)->seal().is_ok());
  std::set<std::string> lines;
  for (auto& [n, text] : drain(**s)) {
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) EXPECT_TRUE(lines.insert(l).second);
  }
  EXPECT_EQ(lines.size(), 2000u);
}

TEST(Spool, AnUnusableDirectoryIsAnErrorNamingIt) {
  auto s = Spool::open(opts("/proc/canh-cannot-be-here"));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("/proc/canh-cannot-be-here"), std::string::npos);
}

}  // namespace
}  // namespace canh::sensor::ship
