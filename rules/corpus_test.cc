// The rule sets the issue measures, read from ../shared at run time (never copied here): ET Open must
// parse at >= 99% with every other rule given a named reason, and every rule of the suricata-verify
// tier A and B tests must parse and load. Skips, saying why, when ../shared is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/engine.h"

namespace canh::rules {
namespace {

namespace fs = std::filesystem;

std::string shared_dir() {
  if (const char* env = std::getenv("CANH_SHARED_DIR")) return env;
  return CANH_SHARED_DIR;
}

TEST(Corpus, EtOpenParsesAndLoads) {
  fs::path dir = fs::path(shared_dir()) / "rulesets" / "et-open";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not found: the shared rule sets are not beside the repository";
  std::vector<std::string> files;
  for (const auto& f : fs::directory_iterator(dir))
    if (f.path().extension() == ".rules") files.push_back(f.path().string());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  RuleSet rs = load_rule_files(files);
  EXPECT_TRUE(rs.file_errors().empty());
  RuleSetStats st = rs.stats();
  EXPECT_GT(st.enabled, 19000u);
  EXPECT_GE(double(st.parsed), 0.99 * double(st.enabled)) << st.parsed << " of " << st.enabled;
  for (const auto& e : rs.entries()) {
    if (!e.enabled) continue;
    if (!e.rule) {
      EXPECT_FALSE(e.error.empty()) << e.file << ":" << e.line;
    } else if (!e.loadable()) {
      EXPECT_FALSE(e.skip_reason.empty()) << e.file << ":" << e.line;
    }
  }
  auto engine = Engine::build(rs);
  ASSERT_TRUE(engine.is_ok()) << engine.status().message();
  EXPECT_GE(double((*engine)->loaded()), 0.97 * double(st.enabled)) << (*engine)->loaded() << " of " << st.enabled;
  for (const auto& s : (*engine)->skipped_rules()) EXPECT_FALSE(s.reason.empty());
}

TEST(Corpus, SuricataVerifyTierAAndBRulesParseAndLoad) {
  fs::path root = fs::path(shared_dir()) / "suricata-verify";
  std::ifstream index(root / "INDEX.tsv");
  if (!index) GTEST_SKIP() << root / "INDEX.tsv" << " not found: suricata-verify is not beside the repository";
  std::string line;
  size_t tests = 0, rules = 0;
  while (std::getline(index, line)) {
    std::istringstream row(line);
    std::string name, tier;
    std::getline(row, name, '\t');
    std::getline(row, tier, '\t');
    if (tier != "A" && tier != "B") continue;
    fs::path file = root / "tests" / name / "test.rules";
    if (!fs::exists(file)) continue;
    ++tests;
    RuleSet rs;
    ASSERT_TRUE(rs.add_file(file.string()).is_ok()) << file;
    for (const auto& e : rs.entries()) {
      if (!e.enabled) continue;
      ++rules;
      EXPECT_TRUE(e.rule != nullptr) << name << ":" << e.line << ": " << e.error;
      EXPECT_EQ(e.skip_reason, "") << name << ":" << e.line;
    }
    auto engine = Engine::build(rs);
    ASSERT_TRUE(engine.is_ok()) << name << ": " << engine.status().message();
    EXPECT_TRUE((*engine)->skipped_rules().empty()) << name;
  }
  EXPECT_GE(tests, 90u);
  EXPECT_GT(rules, 200u);
}

}  // namespace
}  // namespace canh::rules
