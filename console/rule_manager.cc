#include "console/rule_manager.h"

#include <algorithm>
#include <set>

#include "common/log.h"
#include "console/api_util.h"

namespace canh::console {

namespace {

void apply_overrides(rules::RuleSet& set, const storage::RuleSetVersion& v) {
  std::set<uint32_t> off(v.disabled_sids.begin(), v.disabled_sids.end());
  std::set<uint32_t> on(v.enabled_sids.begin(), v.enabled_sids.end());
  for (auto& e : set.mutable_entries()) {
    if (off.count(e.sid)) e.enabled = false;
    else if (on.count(e.sid)) e.enabled = true;
  }
  set.mark_duplicates();
}

}  // namespace

void RuleManager::summarise(const rules::RuleSet& set, storage::RuleSetVersion* v) {
  auto st = set.stats();
  v->rules_loadable = st.loadable;
  v->rules_errors = st.errors;
  v->rules_disabled = st.disabled;
  uint64_t skipped = 0;
  for (const auto& [reason, n] : st.skipped) skipped += n;
  v->rules_skipped = skipped;
}

UploadReport RuleManager::validate(const std::vector<std::pair<std::string, std::string>>& files) {
  UploadReport rep;
  rules::RuleSet set;
  for (const auto& [name, text] : files) set.add_text(text, name);
  for (const auto& e : set.entries()) {
    if (!e.enabled || e.error.empty()) continue;
    if (rep.errors.size() >= 1000) break;
    rep.errors.push_back(e.file + ":" + std::to_string(e.line) + ": " + (e.sid ? "sid " + std::to_string(e.sid) + ": " : "") +
                         e.error);
  }
  rep.file_errors = set.file_errors();
  rep.stats = set.stats();
  return rep;
}

Result<std::shared_ptr<LoadedRuleSet>> RuleManager::build(const storage::RuleSetVersion& v) {
  auto loaded = std::make_shared<LoadedRuleSet>();
  loaded->meta = v;
  for (const auto& f : v.files) {
    auto text = store_.file_text(f.sha256);
    if (!text) return text.status().with_context("rule-set version " + std::to_string(v.version) + ", " + f.name);
    loaded->set.add_text(*text, f.name);
  }
  apply_overrides(loaded->set, v);
  return loaded;
}

Result<std::shared_ptr<const LoadedRuleSet>> RuleManager::load(uint64_t version) {
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(version);
    if (it != cache_.end()) return it->second;
  }
  auto v = store_.get(version);
  if (!v) return v.status();
  if (!v.value()) return Status::not_found("no rule-set version " + std::to_string(version));
  auto built = build(*v.value());
  if (!built) return built.status();
  std::lock_guard lock(mu_);
  // Keep two parses (the current version and the one being looked at); ET Open is ~40k rules.
  while (cache_.size() >= 2) cache_.erase(cache_.begin());
  cache_[version] = *built;
  return std::shared_ptr<const LoadedRuleSet>(*built);
}

Result<std::shared_ptr<const LoadedRuleSet>> RuleManager::current() {
  uint64_t c = store_.current_version();
  if (c == 0) return std::shared_ptr<const LoadedRuleSet>();
  return load(c);
}

Result<storage::RuleSetVersion> RuleManager::cut(storage::RuleSetVersion v) {
  uint64_t base = v.parent;
  auto built = build(v);
  if (!built) return built.status();
  summarise((*built)->set, &v);
  auto committed = store_.commit(std::move(v), base);
  if (!committed) return committed.status();
  (*built)->meta = *committed;
  {
    std::lock_guard lock(mu_);
    while (cache_.size() >= 2) cache_.erase(cache_.begin());
    cache_[committed->version] = *built;
  }
  log::info("rules", "rule-set version cut")
      .kv("version", committed->version)
      .kv("author", committed->author)
      .kv("change", committed->change)
      .kv("loadable", committed->rules_loadable)
      .kv("skipped", committed->rules_skipped);
  return committed;
}

namespace {
// The base for a change: the current version's content, or an empty set.
Result<storage::RuleSetVersion> base_version(storage::RuleStore& store) {
  auto cur = store.current();
  if (!cur) return cur.status();
  storage::RuleSetVersion v;
  if (cur.value()) v = *cur.value();
  v.parent = cur.value() ? cur.value()->version : 0;
  return v;
}
}  // namespace

Result<storage::RuleSetVersion> RuleManager::upload(const std::vector<std::pair<std::string, std::string>>& files,
                                                    const std::string& author, const std::string& note) {
  std::lock_guard change(change_mu_);
  auto v = base_version(store_);
  if (!v) return v.status();
  auto stored = store_.put_files(files);
  if (!stored) return stored.status();
  v->files = *stored;
  v->author = author;
  v->created_ms = now_ms();
  v->change = "uploaded " + std::to_string(files.size()) + (files.size() == 1 ? " file" : " files");
  if (!note.empty()) v->change += ": " + note;
  return cut(std::move(*v));
}

Result<storage::RuleSetVersion> RuleManager::set_enabled(uint32_t sid, bool enabled, const std::string& author,
                                                         const std::string& reason) {
  std::lock_guard change(change_mu_);
  auto v = base_version(store_);
  if (!v) return v.status();
  if (v->parent == 0) return Status::not_found("no rule set uploaded yet");
  auto cur = load(v->parent);
  if (!cur) return cur.status();
  bool known = false;
  for (const auto& e : (*cur)->set.entries()) known |= e.sid == sid;
  if (!known) return Status::not_found("sid " + std::to_string(sid) + " is not in the current rule set");
  auto erase = [&](std::vector<uint32_t>& l) { l.erase(std::remove(l.begin(), l.end(), sid), l.end()); };
  erase(v->disabled_sids);
  erase(v->enabled_sids);
  if (enabled) v->enabled_sids.push_back(sid);
  else v->disabled_sids.push_back(sid);
  v->author = author;
  v->created_ms = now_ms();
  v->change = std::string(enabled ? "enabled" : "disabled") + " sid " + std::to_string(sid);
  if (!reason.empty()) v->change += " (" + reason + ")";
  return cut(std::move(*v));
}

Result<storage::RuleSetVersion> RuleManager::rollback(uint64_t version, const std::string& author) {
  std::lock_guard change(change_mu_);
  auto old = store_.get(version);
  if (!old) return old.status();
  if (!old.value()) return Status::not_found("no rule-set version " + std::to_string(version));
  storage::RuleSetVersion v = *old.value();
  v.parent = store_.current_version();
  v.author = author;
  v.created_ms = now_ms();
  v.change = "rolled back to version " + std::to_string(version);
  // Suppressions are managed on their own: a rollback restores rules, not old suppressions.
  auto text = suppressions_.config_text(v.created_ms);
  if (!text) return text.status();
  v.thresholds = *text;
  return cut(std::move(v));
}

Result<storage::RuleSetVersion> RuleManager::refresh_thresholds(const std::string& author, const std::string& change,
                                                                int64_t now) {
  std::lock_guard lock(change_mu_);
  auto v = base_version(store_);
  if (!v) return v.status();
  auto text = suppressions_.config_text(now);
  if (!text) return text.status();
  if (v->parent != 0 && *text == v->thresholds) return *v;  // nothing changed
  v->thresholds = *text;
  v->author = author;
  v->created_ms = now;
  v->change = change;
  return cut(std::move(*v));
}

}  // namespace canh::console
