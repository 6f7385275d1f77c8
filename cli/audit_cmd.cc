// canh audit: check and export the hash-chained audit log of a data folder (storage/audit_log.h).
// The data folder is opened read-only, so an auditor can run it while the server is up; what is
// checked is the log as of that moment.
//
//   canh audit verify --data DIR          exit 0: intact; 1: broken (the first bad record is named)
//   canh audit export --data DIR [--out FILE] [--after SEQ]
//                                         one record per line, exactly the bytes that were hashed
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "common/args.h"
#include "storage/audit_log.h"
#include "storage/database.h"

namespace canh::cli {

namespace {

Result<std::unique_ptr<storage::Database>> open_read_only(const std::string& data) {
  std::string path = data + "/db";
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec))
    return Status::not_found("--data " + data + ": no database here (expected " + path + ")");
  storage::DatabaseOptions o;
  o.path = path;
  o.block_cache_mb = 8;
  o.read_only = true;
  o.column_families = {std::string(storage::kAuditFamily)};
  auto db = storage::Database::open(o);
  if (!db) return db.status();
  if (!(*db)->family(storage::kAuditFamily))
    return Status::not_found("--data " + data + ": the database has no audit log");
  return db;
}

std::string describe(const storage::AuditRecord& r) {
  char when[32] = "";
  time_t secs = static_cast<time_t>(r.time_ms / 1000);
  struct tm tm;
  if (gmtime_r(&secs, &tm)) std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(when) + " " + (r.actor_name.empty() ? r.actor_kind : r.actor_name) + " " + r.action + " " +
         r.method + " " + r.path + " -> " + std::to_string(r.status) + (r.detail.empty() ? "" : " (" + r.detail + ")");
}

int verify(const std::string& data) {
  auto db = open_read_only(data);
  if (!db) {
    std::fprintf(stderr, "canh audit verify: %s\n", db.status().message().c_str());
    return 2;
  }
  storage::AuditLog log(**db);
  storage::AuditVerifyReport rep = log.verify();
  if (rep.ok) {
    std::printf("audit log intact: %llu records, last hash %s\n", static_cast<unsigned long long>(rep.records),
                rep.last_hash.c_str());
    return 0;
  }
  std::printf("audit log BROKEN at record %llu: %s\n", static_cast<unsigned long long>(rep.first_bad_seq),
              rep.problem.c_str());
  std::printf("records 1 to %llu are intact (last good hash %s)\n", static_cast<unsigned long long>(rep.records),
              rep.last_hash.c_str());
  // What the stored record says now, when it can still be read: the auditor compares it with an
  // earlier export or a backup.
  auto recs = log.list(rep.first_bad_seq - 1, 1);
  if (recs && !recs->empty() && recs->front().seq == rep.first_bad_seq)
    std::printf("record %llu as stored: %s\n", static_cast<unsigned long long>(rep.first_bad_seq),
                describe(recs->front()).c_str());
  return 1;
}

int export_log(const std::string& data, const std::string& out_path, uint64_t after) {
  auto db = open_read_only(data);
  if (!db) {
    std::fprintf(stderr, "canh audit export: %s\n", db.status().message().c_str());
    return 2;
  }
  storage::AuditLog log(**db);
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!out_path.empty() && out_path != "-") {
    file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::fprintf(stderr, "canh audit export: --out %s: %s\n", out_path.c_str(), std::strerror(errno));
      return 1;
    }
    out = &file;
  }
  uint64_t n = 0, last = after;
  while (true) {
    auto recs = log.list(last, 10000);
    if (!recs) {
      std::fprintf(stderr, "canh audit export: %s\n", recs.status().message().c_str());
      return 1;
    }
    if (recs->empty()) break;
    for (const auto& r : *recs) {
      *out << r.raw << '\n';
      last = r.seq;
      ++n;
    }
  }
  out->flush();
  if (!*out) {
    std::fprintf(stderr, "canh audit export: write failed\n");
    return 1;
  }
  // The verdict goes with the export, on stderr so the records stay clean on stdout.
  auto rep = log.verify();
  std::fprintf(stderr, "exported %llu records; chain %s\n", static_cast<unsigned long long>(n),
               rep.ok ? "intact" : ("BROKEN: " + rep.problem).c_str());
  return rep.ok ? 0 : 1;
}

}  // namespace

int run_audit(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh audit", "Verify or export the hash-chained audit log of a data folder (read-only; the server may run).");
  p.positional("ACTION", "verify: recompute the hash chain and name the first broken record; "
                         "export: write every record, one per line, exactly as hashed", false, true)
      .option("data", 0, "DIR", "data folder", "/var/lib/canh")
      .option("out", 'o', "FILE", "export: write here instead of standard output")
      .option("after", 0, "SEQ", "export: only records after this sequence number", "0")
      .epilog("Exit status: 0 intact, 1 broken (or a failed export), 2 usage or unreadable data folder.\n"
              "Each record holds the SHA-256 of the one before it; its own hash covers its bytes up to the\n"
              "\"hash\" field. An export can be checked without Canh: sha256sum of each line's bytes before\n"
              ",\"hash\" followed by } must equal its hash, and its \"prev\" the previous line's hash.");
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  if (p.positionals().empty()) {
    std::fprintf(stderr, "canh audit: say verify or export (see canh audit --help)\n");
    return 2;
  }
  const std::string& action = p.positionals()[0];
  if (action == "verify") return verify(p.get("data"));
  if (action == "export") {
    uint64_t after = 0;
    try {
      after = std::stoull(p.get("after"));
    } catch (const std::exception&) {
      std::fprintf(stderr, "canh audit: --after \"%s\": expected a sequence number\n", p.get("after").c_str());
      return 2;
    }
    return export_log(p.get("data"), p.get("out"), after);
  }
  std::fprintf(stderr, "canh audit: unknown action \"%s\" (verify or export)\n", action.c_str());
  return 2;
}

}  // namespace canh::cli
