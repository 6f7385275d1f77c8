// A rule set as loaded from files: every rule line with its file, line, raw text, enabled flag,
// identity and, when it cannot be used, why. The console browses and edits rules through this; the
// engine is built from it (engine.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/config.h"
#include "rules/rule.h"
#include "rules/threshold_config.h"

namespace canh::rules {

struct RuleEntry {
  std::string file;
  uint32_t line = 0;      // first line of the rule (continuations follow)
  std::string text;       // the rule as written, continuations joined, without a disabling '#'
  bool enabled = true;    // false: the line was commented out (`# alert ...`)
  uint32_t gid = 1, sid = 0, rev = 0;
  std::string msg, classtype;
  std::shared_ptr<const Rule> rule;  // null when the text does not parse
  std::string error;        // the parse error, "" when it parsed
  std::string skip_reason;  // "" when loadable; else e.g. "unsupported keyword: asn1", "duplicate sid"
  std::vector<std::string> notes;  // accepted with reduced effect ("tag: tagged packets are not logged")

  bool loadable() const { return enabled && rule && skip_reason.empty(); }
};

struct RuleLoadOptions {
  RuleVars vars = default_rule_vars();
  ClassificationTable classification = ClassificationTable::builtin();
  std::vector<ThresholdEntry> thresholds;  // from threshold.config (or pushed by the console)
};

struct RuleSetStats {
  size_t read = 0;      // rule lines read (enabled + disabled)
  size_t enabled = 0;
  size_t disabled = 0;
  size_t parsed = 0;    // enabled rules that parsed without error
  size_t errors = 0;    // enabled rules with a parse error
  size_t loadable = 0;  // enabled, parsed, nothing unsupported
  std::map<std::string, size_t> skipped;  // reason -> enabled rules not loadable for it (parse errors excluded)
};

class RuleSet {
 public:
  RuleSet() : RuleSet(RuleLoadOptions{}) {}
  explicit RuleSet(RuleLoadOptions options);

  // Reads rules from text (a file's content); `file` names it in entries and messages. Rules are
  // numbered from line 1 of `text`.
  void add_text(std::string_view text, std::string_view file);
  // An unreadable file is recorded in file_errors() and returns its error.
  Status add_file(const std::string& path);

  const std::vector<RuleEntry>& entries() const { return entries_; }
  std::vector<RuleEntry>& mutable_entries() { return entries_; }
  const std::vector<std::string>& file_errors() const { return file_errors_; }
  const RuleLoadOptions& options() const { return options_; }
  RuleSetStats stats() const;

  // Marks duplicate gid:sid pairs as skipped (Suricata keeps the highest rev, then the first loaded).
  // add_text/add_file call it; call it again after editing entries.
  void mark_duplicates();

  // Edits one rule in place (the console enabling, disabling or rewriting a rule): the text is parsed
  // again with this set's variables and the entry keeps its file and line. An out-of-range index is
  // an error; a text that does not parse is stored with its error, as when loading a file.
  Status set_rule(size_t index, std::string_view text, bool enabled);
  // The entry as a rules-file line: the text, commented out when disabled.
  static std::string to_line(const RuleEntry& e) { return e.enabled ? e.text : "# " + e.text; }

 private:
  RuleEntry make_entry(std::string_view text, std::string_view file, uint32_t line, bool enabled, bool* keep);
  void add_rule(std::string_view text, std::string_view file, uint32_t line, bool enabled);

  RuleLoadOptions options_;
  std::unique_ptr<class RuleParser> parser_;
  std::vector<RuleEntry> entries_;
  std::vector<std::string> file_errors_;

 public:
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;
  ~RuleSet();
};

// Loads every file in order (a convenience over RuleSet::add_file).
RuleSet load_rule_files(const std::vector<std::string>& files, RuleLoadOptions options = {});

}  // namespace canh::rules
