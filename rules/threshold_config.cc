#include "rules/threshold_config.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace canh::rules {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool parse_u32(std::string_view s, uint32_t* out) {
  s = trim(s);
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v > 0xffffffffu) return false;
  *out = uint32_t(v);
  return true;
}

// Splits "gen_id 1, sig_id 2, ip [1.2.3.4, 5.6.7.8]" on commas outside brackets.
std::vector<std::string_view> split_items(std::string_view s) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && s[i] == '[') ++depth;
    if (i < s.size() && s[i] == ']') --depth;
    if (i == s.size() || (s[i] == ',' && depth <= 0)) {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

Status parse_line(std::string_view line, const VarMap& vars, ThresholdEntry* e, bool* skipped, std::string* why) {
  size_t sp = line.find_first_of(" \t:");
  std::string_view kind = line.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : trim(line.substr(sp));
  if (!rest.empty() && rest[0] == ':') rest = trim(rest.substr(1));  // "rate_filter: rate_filter gen_id ..." form
  if (kind == "rate_filter") {
    *skipped = true;
    *why = "rate_filter changes rule actions and is not applied by an IDS sensor";
    return Status::ok();
  }
  if (kind == "suppress") {
    e->kind = ThresholdEntry::Kind::kSuppress;
  } else if (kind == "threshold" || kind == "event_filter") {
    e->kind = ThresholdEntry::Kind::kThreshold;
  } else {
    return Status::invalid("unknown entry '" + std::string(kind) + "' (expected suppress, threshold, event_filter or rate_filter)");
  }
  bool have_gid = false, have_sid = false, have_type = false, have_track = false, have_count = false,
       have_seconds = false, have_ip = false;
  for (std::string_view item : split_items(rest)) {
    size_t s = item.find_first_of(" \t");
    if (s == std::string_view::npos) return Status::invalid("expected 'name value', got '" + std::string(item) + "'");
    std::string_view k = item.substr(0, s), v = trim(item.substr(s));
    if (k == "gen_id") {
      if (!parse_u32(v, &e->gid)) return Status::invalid("gen_id: '" + std::string(v) + "' is not a number");
      have_gid = true;
    } else if (k == "sig_id") {
      if (!parse_u32(v, &e->sid)) return Status::invalid("sig_id: '" + std::string(v) + "' is not a number");
      have_sid = true;
    } else if (k == "track") {
      if (v == "by_src") e->track = Track::kBySrc;
      else if (v == "by_dst") e->track = Track::kByDst;
      else if (v == "by_either" && e->kind == ThresholdEntry::Kind::kSuppress) e->track = Track::kByEither;
      else if (v == "by_rule" && e->kind == ThresholdEntry::Kind::kThreshold) e->track = Track::kByRule;
      else if (v == "by_both" && e->kind == ThresholdEntry::Kind::kThreshold) e->track = Track::kByBoth;
      else if (v == "by_flow" && e->kind == ThresholdEntry::Kind::kThreshold) e->track = Track::kByFlow;
      else return Status::invalid("track: '" + std::string(v) + "' is not valid here");
      e->spec.track = e->track;
      have_track = true;
    } else if (k == "ip" && e->kind == ThresholdEntry::Kind::kSuppress) {
      auto set = parse_address_set(v, vars);
      if (!set) return Status::invalid("ip: " + set.status().message());
      e->ip = std::make_shared<const IpSet>(std::move(set).value());
      have_ip = true;
    } else if (k == "type" && e->kind == ThresholdEntry::Kind::kThreshold) {
      if (v == "limit") e->spec.type = ThresholdSpec::Type::kLimit;
      else if (v == "threshold") e->spec.type = ThresholdSpec::Type::kThreshold;
      else if (v == "both") e->spec.type = ThresholdSpec::Type::kBoth;
      else return Status::invalid("type: '" + std::string(v) + "' is not limit, threshold or both");
      have_type = true;
    } else if (k == "count" && e->kind == ThresholdEntry::Kind::kThreshold) {
      if (!parse_u32(v, &e->spec.count) || e->spec.count == 0) return Status::invalid("count: '" + std::string(v) + "' is not a positive number");
      have_count = true;
    } else if (k == "seconds" && e->kind == ThresholdEntry::Kind::kThreshold) {
      if (!parse_u32(v, &e->spec.seconds)) return Status::invalid("seconds: '" + std::string(v) + "' is not a number");
      have_seconds = true;
    } else {
      return Status::invalid("unexpected '" + std::string(k) + "' in a " + std::string(kind) + " entry");
    }
  }
  if (!have_gid || !have_sid) return Status::invalid("gen_id and sig_id are required");
  if (e->kind == ThresholdEntry::Kind::kSuppress) {
    if (have_track != have_ip) return Status::invalid("suppress: track and ip go together");
    e->has_ip = have_ip;
  } else if (!have_type || !have_track || !have_count || !have_seconds) {
    return Status::invalid(std::string(kind) + ": type, track, count and seconds are required");
  }
  return Status::ok();
}

}  // namespace

ThresholdConfig parse_threshold_config(std::string_view text, std::string_view file, const VarMap& vars) {
  ThresholdConfig cfg;
  uint32_t line_no = 0;
  std::string pending;  // continued lines ("\" at the end)
  uint32_t pending_line = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++line_no;
    std::string_view line = trim(raw);
    if (pending.empty()) pending_line = line_no;
    if (!line.empty() && line.back() == '\\') {
      pending += std::string(line.substr(0, line.size() - 1));
      pending += ' ';
      continue;
    }
    pending += std::string(line);
    std::string full = std::move(pending);
    pending.clear();
    std::string_view l = trim(full);
    if (l.empty() || l[0] == '#') continue;
    auto where = std::string(file) + ":" + std::to_string(pending_line) + ": ";
    ThresholdEntry e;
    e.file = std::string(file);
    e.line = pending_line;
    bool skipped = false;
    std::string why;
    Status s = parse_line(l, vars, &e, &skipped, &why);
    if (!s) {
      cfg.errors.push_back(where + s.message());
      continue;
    }
    if (skipped) {
      cfg.warnings.push_back(where + why);
      continue;
    }
    if (e.kind == ThresholdEntry::Kind::kThreshold && (e.sid == 0 || e.gid == 0)) {
      cfg.warnings.push_back(where + "thresholds for gen_id 0 or sig_id 0 are not supported (as in Suricata); entry skipped");
      continue;
    }
    cfg.entries.push_back(std::move(e));
  }
  return cfg;
}

ThresholdConfig load_threshold_config(const std::string& path, const VarMap& vars) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ThresholdConfig cfg;
    cfg.errors.push_back(path + ": cannot open for reading");
    return cfg;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_threshold_config(ss.str(), path, vars);
}

}  // namespace canh::rules
