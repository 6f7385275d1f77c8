#include "rules/rule_set.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "rules/parser.h"

namespace canh::rules {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

RuleSet::RuleSet(RuleLoadOptions options)
    : options_(std::move(options)), parser_(std::make_unique<RuleParser>(options_.vars)) {}
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;
RuleSet::~RuleSet() = default;

RuleEntry RuleSet::make_entry(std::string_view text, std::string_view file, uint32_t line, bool enabled, bool* keep) {
  RuleEntry e;
  e.file = std::string(file);
  e.line = line;
  e.text = std::string(text);
  e.enabled = enabled;
  *keep = true;
  auto r = parser_->parse(text);
  if (!r) {
    RuleIdentity id = scan_identity(text);
    e.gid = id.gid;
    e.sid = id.sid;
    e.rev = id.rev;
    e.msg = id.msg;
    e.error = r.status().message();
    return e;
  }
  Rule& rule = r.value();
  e.gid = rule.gid;
  e.sid = rule.sid;
  e.rev = rule.rev;
  e.msg = rule.msg;
  e.classtype = rule.classtype;
  e.notes = rule.notes;
  if (!rule.unsupported.empty()) {
    std::vector<std::string> u = rule.unsupported;
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
    std::string reason = "unsupported keyword: " + u[0];
    if (u[0].rfind("protocol ", 0) == 0 || u[0].rfind("direction ", 0) == 0) reason = "unsupported " + u[0];
    e.skip_reason = reason;
    for (size_t i = 1; i < u.size(); ++i) e.notes.push_back("also unsupported: " + u[i]);
  }
  if (!rule.classtype.empty() && !options_.classification.find(rule.classtype)) {
    // Suricata refuses such a rule; we keep it with priority 3 and no category, and say so.
    e.notes.push_back("unknown classtype \"" + rule.classtype + "\": priority 3, no category");
  }
  e.rule = std::make_shared<const Rule>(std::move(rule));
  return e;
}

void RuleSet::add_rule(std::string_view text, std::string_view file, uint32_t line, bool enabled) {
  bool keep;
  RuleEntry e = make_entry(text, file, line, enabled, &keep);
  // A commented line that does not parse is a comment that merely starts like a rule.
  if (!enabled && !e.rule) return;
  entries_.push_back(std::move(e));
}

Status RuleSet::set_rule(size_t index, std::string_view text, bool enabled) {
  if (index >= entries_.size()) return Status::not_found("rule entry " + std::to_string(index) + " does not exist");
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r' || t.back() == '\n')) t.remove_suffix(1);
  if (t.empty()) return Status::invalid("empty rule text");
  bool keep;
  RuleEntry& old = entries_[index];
  entries_[index] = make_entry(t, old.file, old.line, enabled, &keep);
  mark_duplicates();
  return Status::ok();
}

void RuleSet::add_text(std::string_view text, std::string_view file) {
  uint32_t line_no = 0;
  std::string joined;
  uint32_t first_line = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (joined.empty()) first_line = line_no;
    // A trailing backslash continues the rule on the next line (Suricata's multi-line rules).
    std::string_view t = trim(raw);
    if (!t.empty() && t.back() == '\\') {
      joined += std::string(t.substr(0, t.size() - 1));
      if (joined.size() > 1 << 20) joined.clear();  // runaway continuation: drop it
      continue;
    }
    joined += std::string(t);
    std::string line = std::move(joined);
    joined.clear();
    std::string_view l = trim(line);
    if (l.empty()) continue;
    if (l[0] == '#') {
      std::string_view body = l;
      while (!body.empty() && (body[0] == '#' || std::isspace(static_cast<unsigned char>(body[0])))) body.remove_prefix(1);
      if (looks_like_rule(body) && body.find('(') != std::string_view::npos && !body.empty() && body.back() == ')')
        add_rule(body, file, first_line, false);
      continue;
    }
    add_rule(l, file, first_line, true);
  }
  if (!joined.empty()) add_rule(trim(joined), file, first_line, true);
  mark_duplicates();
}

Status RuleSet::add_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    file_errors_.push_back(path + ": cannot open for reading");
    return Status::io(file_errors_.back());
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    file_errors_.push_back(path + ": read error");
    return Status::io(file_errors_.back());
  }
  add_text(ss.str(), path);
  return Status::ok();
}

void RuleSet::mark_duplicates() {
  constexpr std::string_view kDup = "duplicate sid";
  std::unordered_map<uint64_t, size_t> best;  // gid:sid -> entry index
  for (size_t i = 0; i < entries_.size(); ++i) {
    RuleEntry& e = entries_[i];
    if (e.skip_reason == kDup) e.skip_reason.clear();
  }
  for (size_t i = 0; i < entries_.size(); ++i) {
    RuleEntry& e = entries_[i];
    if (!e.enabled || !e.rule) continue;
    uint64_t key = uint64_t(e.gid) << 32 | e.sid;
    auto [it, inserted] = best.emplace(key, i);
    if (inserted) continue;
    RuleEntry& prev = entries_[it->second];
    if (e.rev > prev.rev) {
      if (prev.skip_reason.empty()) prev.skip_reason = std::string(kDup);
      it->second = i;
    } else if (e.skip_reason.empty()) {
      e.skip_reason = std::string(kDup);
    }
  }
}

RuleSetStats RuleSet::stats() const {
  RuleSetStats s;
  for (const auto& e : entries_) {
    ++s.read;
    if (!e.enabled) {
      ++s.disabled;
      continue;
    }
    ++s.enabled;
    if (!e.rule) {
      ++s.errors;
      continue;
    }
    ++s.parsed;
    if (e.skip_reason.empty()) ++s.loadable;
    else ++s.skipped[e.skip_reason];
  }
  return s;
}

RuleSet load_rule_files(const std::vector<std::string>& files, RuleLoadOptions options) {
  RuleSet rs(std::move(options));
  for (const auto& f : files) (void)rs.add_file(f);
  return rs;
}

}  // namespace canh::rules
