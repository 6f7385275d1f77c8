#include "sensor/ship/spool.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <atomic>
#include <cerrno>
#include <cstring>
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

// RLIMIT_FSIZE on this process, for one test: writes past it fail with EFBIG (SIGXFSZ ignored, as
// canh sensor ignores it) through the same write path a full disk takes. Restored before any
// assertion prints, since the test's own output may go to a file.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit r = saved_;
    r.rlim_cur = bytes;
    ok_ = setrlimit(RLIMIT_FSIZE, &r) == 0;
  }
  ~FileSizeLimit() { restore(); }
  void restore() {
    if (restored_) return;
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
    restored_ = true;
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = SIG_DFL;
  bool ok_ = false, restored_ = false;
};

std::string numbered_line(int i, size_t width) {
  std::string l = "alert-" + std::to_string(i) + "-";
  l.resize(width, 'x');
  return l;
}

TEST(Spool, AFileSizeLimitSealsTheBatchAndLosesNothing) {
  TempDir d;
  auto s = Spool::open(opts(d.str(), 1000));
  ASSERT_TRUE(s.is_ok());
  std::vector<Status> results;
  size_t wakes = 0;  // appends that told the caller to wake its sender
  {
    // 100-byte lines under a 4096-byte limit: the 41st line of each file is cut by the kernel
    // (a short write, then EFBIG), so every file ends in a failed write.
    FileSizeLimit limit(4096);
    ASSERT_TRUE(limit.ok());
    for (int i = 0; i < 200; ++i) {
      bool was_empty = false;
      results.push_back((*s)->append(numbered_line(i, 99), &was_empty));
      wakes += was_empty;
    }
  }
  for (size_t i = 0; i < results.size(); ++i) EXPECT_TRUE(results[i].is_ok()) << i << ": " << results[i].message();
  SpoolStats st = (*s)->stats();
  EXPECT_GE(st.write_errors, 4u);
  EXPECT_EQ(st.lost_alerts, 0u);
  EXPECT_EQ(st.appended_alerts, 200u);
  EXPECT_EQ(wakes, 1 + st.write_errors);  // the first alert, then each batch sealed by a failed write
  for (const auto& e : fs::directory_iterator(d.str()))
    if (e.is_regular_file()) {
      EXPECT_LE(e.file_size(), 4096u) << e.path();
    }
  // Reopened as after a restart: every line once, whole, in order.
  (*s).reset();
  auto again = Spool::open(opts(d.str(), 1000));
  ASSERT_TRUE(again.is_ok());
  std::string all;
  for (auto& [n, text] : drain(**again)) all += text;
  std::string want;
  for (int i = 0; i < 200; ++i) want += numbered_line(i, 99) + "\n";
  EXPECT_EQ(all, want);
}

TEST(Spool, ALineOverTheFileSizeLimitIsLostAndCountedNotHalfWritten) {
  TempDir d;
  auto s = Spool::open(opts(d.str(), 1000));
  ASSERT_TRUE(s.is_ok());
  Status small, big, after;
  {
    FileSizeLimit limit(4096);
    ASSERT_TRUE(limit.ok());
    for (int i = 0; i < 10; ++i) small = (*s)->append(numbered_line(i, 99));
    big = (*s)->append(std::string(5000, 'B'));
    after = (*s)->append(numbered_line(10, 99));
  }
  EXPECT_TRUE(small.is_ok());
  ASSERT_FALSE(big.is_ok());
  EXPECT_NE(big.message().find("open.ndjson"), std::string::npos) << big.message();
  EXPECT_NE(big.message().find(std::strerror(EFBIG)), std::string::npos) << big.message();
  EXPECT_TRUE(after.is_ok()) << after.message();
  SpoolStats st = (*s)->stats();
  EXPECT_EQ(st.lost_alerts, 1u);
  EXPECT_EQ(st.write_errors, 2u);  // the first try and the retry in a fresh file
  ASSERT_TRUE((*s)->seal().is_ok());
  std::string all;
  for (auto& [n, text] : drain(**s)) all += text;
  std::string want;
  for (int i = 0; i <= 10; ++i) want += numbered_line(i, 99) + "\n";
  EXPECT_EQ(all, want);
}

TEST(Spool, ADiskFullWriteLosesTheAlertAndKeepsTheSpool) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  TempDir d;
  auto s = Spool::open(opts(d.str(), 3));
  ASSERT_TRUE(s.is_ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*s)->append(numbered_line(i, 20)).is_ok());  // sealed: batch 1
  // The next batch file opens onto /dev/full, whose writes fail with ENOSPC as a full disk's do.
  fs::create_symlink("/dev/full", fs::path(d.str()) / "open.ndjson");
  Status st = (*s)->append("lost");
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find(std::strerror(ENOSPC)), std::string::npos) << st.message();
  SpoolStats stats = (*s)->stats();
  EXPECT_EQ(stats.lost_alerts, 1u);
  EXPECT_EQ(stats.appended_alerts, 3u);
  EXPECT_EQ(stats.open_alerts, 0u);
  auto batches = drain(**s);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].second, numbered_line(0, 20) + "\n" + numbered_line(1, 20) + "\n" + numbered_line(2, 20) + "\n");
}

TEST(Spool, AnUnusableDirectoryIsAnErrorNamingIt) {
  auto s = Spool::open(opts("/proc/canh-cannot-be-here"));
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.status().message().find("/proc/canh-cannot-be-here"), std::string::npos);
}

}  // namespace
}  // namespace canh::sensor::ship
