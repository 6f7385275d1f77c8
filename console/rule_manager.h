// Rule management behind the console's rules and suppression pages and the sensors' rule-set route:
// validates uploads with the rules library (file:line errors), applies enable/disable overrides,
// turns suppressions into threshold.config, and cuts a new immutable version (storage/rule_store.h)
// for every change so sensors hot-reload it and everyone sees who changed what.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "rules/rule_set.h"
#include "storage/rule_store.h"

namespace canh::console {

struct LoadedRuleSet {
  storage::RuleSetVersion meta;
  rules::RuleSet set;
};

struct UploadReport {
  std::vector<std::string> errors;  // "file:line: sid N: message" for rules that do not parse
  std::vector<std::string> file_errors;
  rules::RuleSetStats stats;
};

class RuleManager {
 public:
  RuleManager(storage::RuleStore& store, storage::SuppressionStore& suppressions)
      : store_(store), suppressions_(suppressions) {}

  // The current version parsed (cached per version); null when no version exists yet.
  Result<std::shared_ptr<const LoadedRuleSet>> current();
  Result<std::shared_ptr<const LoadedRuleSet>> load(uint64_t version);

  // Parses uploaded files without storing anything.
  static UploadReport validate(const std::vector<std::pair<std::string, std::string>>& files);

  // Stores the files as a new version (keeping the current overrides and suppressions).
  Result<storage::RuleSetVersion> upload(const std::vector<std::pair<std::string, std::string>>& files,
                                         const std::string& author, const std::string& note);
  Result<storage::RuleSetVersion> set_enabled(uint32_t sid, bool enabled, const std::string& author,
                                              const std::string& reason);
  Result<storage::RuleSetVersion> rollback(uint64_t version, const std::string& author);
  // Re-renders threshold.config from the active suppressions; cuts a version when it changed.
  // Called after a suppression is added or removed and whenever someone reads the current version
  // (so an expired suppression leaves the sensors without a timer thread).
  Result<storage::RuleSetVersion> refresh_thresholds(const std::string& author, const std::string& change,
                                                     int64_t now_ms);

 private:
  Result<storage::RuleSetVersion> cut(storage::RuleSetVersion v);
  static void summarise(const rules::RuleSet& set, storage::RuleSetVersion* v);
  Result<std::shared_ptr<LoadedRuleSet>> build(const storage::RuleSetVersion& v);

  storage::RuleStore& store_;
  storage::SuppressionStore& suppressions_;
  std::mutex change_mu_;  // one change at a time
  std::mutex mu_;         // the cache
  std::map<uint64_t, std::shared_ptr<const LoadedRuleSet>> cache_;
};

}  // namespace canh::console
