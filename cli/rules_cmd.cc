// canh rules check FILE... — parse and compile rule files the way a sensor would, print every problem
// as `file:line: sid N: message`, then a summary of what loads and what is skipped, by reason.
// Exit status: 0 when every enabled rule parsed and every file was readable; 1 when the user has
// something to fix (unreadable file, syntax error, a pcre PCRE2 rejects, a bad configuration);
// rules skipped for keywords the engine does not support are reported but are not errors.
#include <cstdio>
#include <map>
#include <string>

#include "cli/commands.h"
#include "common/args.h"
#include "common/log.h"
#include "rules/engine.h"

namespace canh::cli {
namespace {

std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out;
}

struct Problem {
  std::string file;
  uint32_t line = 0;
  uint32_t sid = 0;
  std::string severity;  // error, skipped, note
  std::string message;
};

double pct(size_t a, size_t b) { return b ? 100.0 * double(a) / double(b) : 100.0; }

int check(const ArgParser& p) {
  rules::RuleLoadOptions opts;
  std::vector<std::string> files(p.positionals().begin() + 1, p.positionals().end());
  std::vector<Problem> problems;
  bool config_error = false;
  std::string threshold_file = p.get("threshold");
  if (p.has("config")) {
    auto cfg = rules::load_rules_config(p.get("config"));
    if (!cfg) {
      std::fprintf(stderr, "%s\n", cfg.status().message().c_str());
      return 1;
    }
    opts.vars = cfg->vars;
    if (!cfg->classification_file.empty()) {
      auto ct = rules::ClassificationTable::load(cfg->classification_file);
      if (!ct) {
        std::fprintf(stderr, "%s\n", ct.status().message().c_str());
        return 1;
      }
      opts.classification = std::move(ct).value();
    }
    if (threshold_file.empty()) threshold_file = cfg->threshold_file;
    if (files.empty()) files = cfg->resolved_rule_files();
  }
  if (p.has("classification")) {
    auto ct = rules::ClassificationTable::load(p.get("classification"));
    if (!ct) {
      std::fprintf(stderr, "%s\n", ct.status().message().c_str());
      return 1;
    }
    opts.classification = std::move(ct).value();
  }
  if (files.empty()) {
    std::fprintf(stderr, "canh rules check: no rule files given (name them, or -c a config with rule-files)\n");
    return 2;
  }
  size_t threshold_entries = 0;
  if (!threshold_file.empty()) {
    auto tc = rules::load_threshold_config(threshold_file, opts.vars.address);
    for (const auto& e : tc.errors) {
      problems.push_back({"", 0, 0, "error", e});
      config_error = true;
    }
    for (const auto& w : tc.warnings) problems.push_back({"", 0, 0, "note", w});
    threshold_entries = tc.entries.size();
    opts.thresholds = std::move(tc.entries);
  }

  rules::RuleSet rs = rules::load_rule_files(files, std::move(opts));
  rules::EngineOptions eo;
  eo.cache_dir = p.get("cache-dir");
  auto engine = rules::Engine::build(rs, eo);
  if (!engine) {
    std::fprintf(stderr, "canh rules check: %s\n", engine.status().message().c_str());
    return 1;
  }

  for (const auto& fe : rs.file_errors()) problems.push_back({"", 0, 0, "error", fe});
  std::map<std::string, size_t> skipped;
  size_t errors = 0;
  const auto& entries = rs.entries();
  for (const auto& e : entries) {
    if (!e.enabled) continue;
    if (!e.rule) {
      ++errors;
      problems.push_back({e.file, e.line, e.sid, "error", e.error});
      continue;
    }
    if (!e.skip_reason.empty()) {
      ++skipped[e.skip_reason];
      problems.push_back({e.file, e.line, e.sid, "skipped", e.skip_reason});
    }
    for (const auto& n : e.notes) problems.push_back({e.file, e.line, e.sid, "note", n});
  }
  size_t build_errors = 0;
  for (const auto& s : (*engine)->skipped_rules()) {
    const auto& e = entries[s.entry];
    ++skipped[s.reason];
    // A regex PCRE2 rejects is a mistake in the rule, not a missing feature.
    bool is_error = s.reason == "pcre does not compile";
    if (is_error) ++build_errors;
    problems.push_back({e.file, e.line, e.sid, is_error ? "error" : "skipped", s.detail});
  }
  rules::RuleSetStats st = rs.stats();
  const rules::EngineStats& es = (*engine)->stats();
  size_t total_skipped = 0;
  for (const auto& [k, v] : skipped) total_skipped += v;
  bool failed = errors > 0 || build_errors > 0 || !rs.file_errors().empty() || config_error;

  if (p.has("json")) {
    std::string j = "{";
    j += "\"files\":" + std::to_string(files.size());
    j += ",\"read\":" + std::to_string(st.read);
    j += ",\"enabled\":" + std::to_string(st.enabled);
    j += ",\"disabled\":" + std::to_string(st.disabled);
    j += ",\"parsed\":" + std::to_string(st.parsed);
    j += ",\"errors\":" + std::to_string(errors + build_errors);
    j += ",\"loaded\":" + std::to_string(es.rules_loaded);
    j += ",\"skipped\":{";
    bool first = true;
    for (const auto& [k, v] : skipped) {
      j += (first ? "\"" : ",\"") + json_escape(k) + "\":" + std::to_string(v);
      first = false;
    }
    j += "},\"threshold_entries\":" + std::to_string(threshold_entries);
    j += ",\"engine\":{\"version\":\"" + (*engine)->version() + "\",\"prefilter_databases\":" +
         std::to_string(es.prefilter_groups) + ",\"patterns\":" + std::to_string(es.prefilter_patterns) +
         ",\"database_bytes\":" + std::to_string(es.database_bytes) + ",\"build_seconds\":" +
         std::to_string(es.build_seconds) + "}";
    j += ",\"problems\":[";
    first = true;
    for (const auto& pr : problems) {
      j += first ? "{" : ",{";
      first = false;
      j += "\"file\":\"" + json_escape(pr.file) + "\",\"line\":" + std::to_string(pr.line) +
           ",\"sid\":" + std::to_string(pr.sid) + ",\"severity\":\"" + pr.severity + "\",\"message\":\"" +
           json_escape(pr.message) + "\"}";
    }
    j += "]}\n";
    std::fputs(j.c_str(), stdout);
    return failed ? 1 : 0;
  }

  for (const auto& pr : problems) {
    std::string where = pr.file.empty() ? "" : pr.file + ":" + std::to_string(pr.line) + ": ";
    std::string sid = pr.sid ? "sid " + std::to_string(pr.sid) + ": " : "";
    std::string sev = pr.severity == "error" ? "" : pr.severity + ": ";
    std::printf("%s%s%s%s\n", where.c_str(), sid.c_str(), sev.c_str(), pr.message.c_str());
  }
  std::printf("\n%zu file(s), %zu rules read: %zu enabled, %zu disabled\n", files.size(), st.read, st.enabled,
              st.disabled);
  if (st.enabled > 0) {
    std::printf("parsed:  %zu of %zu enabled (%.2f%%), %zu with syntax errors\n", st.parsed, st.enabled,
                pct(st.parsed, st.enabled), errors);
    std::printf("loaded:  %zu (%.2f%% of enabled)\n", es.rules_loaded, pct(es.rules_loaded, st.enabled));
  } else {
    std::printf("parsed:  no enabled rules\nloaded:  0\n");
  }
  std::printf("skipped: %zu\n", total_skipped);
  for (const auto& [k, v] : skipped) std::printf("  %6zu  %s\n", v, k.c_str());
  if (threshold_entries) std::printf("threshold.config: %zu entries\n", threshold_entries);
  std::printf("engine:  %zu prefilter databases, %zu patterns (%zu rules prefiltered by a pcre), %.1f MB, %zu rules "
              "without a prefilter pattern, built in %.2f s (version %s)\n",
              es.prefilter_groups, es.prefilter_patterns, es.regex_prefiltered_rules, double(es.database_bytes) / 1e6,
              es.unprefiltered_rules, es.build_seconds, (*engine)->version().c_str());
  return failed ? 1 : 0;
}

}  // namespace

int run_rules(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  // Signed rule bundles have their own file (cli/rules_bundle_cmd.cc).
  if (!args.empty() && (args[0] == "keygen" || args[0] == "bundle" || args[0] == "import")) return run_rules_bundle(args);
  ArgParser p("canh rules",
              "Rule-set tools. `check FILE...` parses and compiles rule files as a sensor would and reports every "
              "problem as file:line: sid N: message, then what loads and what is skipped, by reason. Signed rule "
              "bundles: `keygen`, `bundle create|verify`, `import` (see canh rules import --help).");
  p.positional("check", "the subcommand", false, true)
      .positional("FILE", "rule files (default: rule-files of the -c configuration)", true)
      .flag("json", 0, "print the summary as one JSON object (keys: enabled, parsed, loaded, skipped, errors, problems, ...)")
      .option("config", 'c', "FILE", "canh.yaml / suricata.yaml: vars, classification-file, threshold-file, rule-files")
      .option("classification", 0, "FILE", "classification.config (default: the built-in Suricata table)")
      .option("threshold", 0, "FILE", "threshold.config to check and apply")
      .option("cache-dir", 0, "DIR", "Hyperscan database cache to use (default: none)")
      .epilog("Exit status: 0 when everything enabled parses; 1 when there is something to fix (unreadable file,\n"
              "syntax error, a regular expression PCRE2 rejects, bad configuration); 2 on a usage error.\n"
              "Rules skipped for unsupported keywords are reported and counted, not errors.");
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  if (p.positionals().empty() || p.positionals()[0] != "check") {
    std::fprintf(stderr, "canh rules: expected the subcommand 'check' (see canh rules --help)\n");
    return 2;
  }
  // The build summary line is printed by this command; keep the library's info log quiet.
  if (log::level() < log::Level::kWarn) log::set_level(log::Level::kWarn);
  return check(p);
}

}  // namespace canh::cli
