// canh rules keygen | bundle create | bundle verify | import: signed rule bundles for air-gapped
// networks (rules/bundle.h). The security unit keeps the secret key offline, signs bundles there,
// carries them across; each server trusts the public keys in its rule-bundles.trusted-keys and
// refuses anything else.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/server_config.h"
#include "common/args.h"
#include "common/log.h"
#include "console/rule_bundles.h"
#include "console/rule_manager.h"
#include "rules/bundle.h"
#include "storage/audit_log.h"
#include "storage/rule_store.h"
#include "storage/storage.h"

namespace canh::cli {

namespace {

namespace bundle = rules::bundle;

Result<std::string> read_all(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (s.size() > limit) return Status::invalid(path + ": larger than " + std::to_string(limit >> 20) + " MiB");
  return s;
}

// Writes through a temporary file and rename, so a reader never sees half a file; `mode` applies
// before any byte is written (the secret key is never readable by others, even briefly).
Status write_file(const std::string& path, std::string_view data, mode_t mode, bool overwrite) {
  std::error_code ec;
  if (!overwrite && std::filesystem::exists(path, ec)) return Status::conflict(path + ": exists (not overwritten)");
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  FILE* f = nullptr;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd >= 0) f = fdopen(fd, "wb");
  if (!f) return Status::io(path + ": cannot write: " + std::strerror(errno));
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = std::fflush(f) == 0 && ok;
  ok = ::fsync(fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::io(path + ": write failed: " + std::strerror(errno));
  }
  return Status::ok();
}

int usage_error(const std::string& m) {
  std::fprintf(stderr, "%s\n", m.c_str());
  return 2;
}

void print_manifest(const bundle::Manifest& m, const std::string& key_source) {
  std::printf("bundle %s, created %s, signed by key %s%s%s\n", m.version.c_str(), m.created_at.c_str(),
              m.key_id.c_str(), key_source.empty() ? "" : " (", key_source.empty() ? "" : (key_source + ")").c_str());
  if (!m.note.empty()) std::printf("  note: %s\n", m.note.c_str());
  for (const auto& f : m.files)
    std::printf("  %-40s %10llu bytes  sha256 %s\n", f.name.c_str(), static_cast<unsigned long long>(f.bytes),
                f.sha256.c_str());
}

// Trusted keys: --trusted-keys wins, then rule-bundles.trusted-keys of the -c server configuration.
Result<std::vector<bundle::PublicKey>> trusted_keys(const ArgParser& p) {
  std::vector<bundle::PublicKey> keys;
  if (p.has("pubkey")) {
    for (const auto& f : p.all("pubkey")) {
      auto k = bundle::load_public_key(f);
      if (!k) return k.status();
      keys.push_back(std::move(*k));
    }
    return keys;
  }
  std::string path = p.get("trusted-keys");
  if (path.empty() && p.has("config")) {
    auto cfg = load_server_config(p.get("config"));
    if (!cfg) return cfg.status();
    path = cfg->trusted_keys;
  }
  if (path.empty()) return Status::invalid("no trusted keys: give --pubkey FILE, --trusted-keys PATH or -c server.yaml");
  return bundle::load_trusted_keys(path);
}

int keygen(const Args& args) {
  ArgParser p("canh rules keygen",
              "Create an Ed25519 key pair for signing rule bundles: OUT.key (secret, mode 0600) and OUT.pub.");
  p.option("out", 'o', "PREFIX", "write PREFIX.key and PREFIX.pub", "canh-rules")
      .option("comment", 0, "TEXT", "a comment in both files (who holds the key, since when)")
      .epilog("Keep PREFIX.key offline (the machine that signs). Copy PREFIX.pub to every server's trusted keys\n"
              "directory (rule-bundles.trusted-keys, /etc/canh/trusted-keys by default).");
  Status s = p.parse(args);
  if (!s) return usage_error(s.message());
  if (p.help_requested()) return std::fputs(p.usage().c_str(), stdout), 0;
  bundle::KeyPair kp = bundle::generate_key_pair();
  std::string prefix = p.get("out");
  std::string comment = p.get("comment");
  s = write_file(prefix + ".key", bundle::format_secret_key(kp.sec, comment), 0600, false);
  if (s) s = write_file(prefix + ".pub", bundle::format_public_key(kp.pub, comment), 0644, false);
  if (!s) {
    std::fprintf(stderr, "canh rules keygen: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("key %s\n  secret: %s.key (keep offline)\n  public: %s.pub (copy to the servers' trusted keys)\n",
              kp.pub.id.c_str(), prefix.c_str(), prefix.c_str());
  return 0;
}

int create(const Args& args) {
  ArgParser p("canh rules bundle create", "Sign rule files into a bundle for servers that trust the key.");
  p.option("key", 'k', "FILE", "secret key (from canh rules keygen)")
      .option("out", 'o', "FILE", "bundle to write")
      .option("bundle-version", 0, "TEXT", "the bundle's version (default: the creation time, 20261123T153000Z)")
      .option("note", 0, "TEXT", "one line saying what changed")
      .positional("FILE", "rule files (*.rules), loaded in this order", true, true);
  Status s = p.parse(args);
  if (!s) return usage_error(s.message());
  if (p.help_requested()) return std::fputs(p.usage().c_str(), stdout), 0;
  if (!p.has("key") || !p.has("out")) return usage_error("canh rules bundle create: --key and --out are required");
  auto key = bundle::load_secret_key(p.get("key"));
  if (!key) {
    std::fprintf(stderr, "canh rules bundle create: %s\n", key.status().message().c_str());
    return 1;
  }
  struct stat st;
  if (::stat(p.get("key").c_str(), &st) == 0 && (st.st_mode & 077))
    std::fprintf(stderr, "canh rules bundle create: warning: %s is readable by other users (chmod 600 it)\n",
                 p.get("key").c_str());
  std::vector<bundle::RuleFile> files;
  for (const auto& f : p.positionals()) {
    auto text = read_all(f, bundle::kMaxBundleBytes);
    if (!text) {
      std::fprintf(stderr, "canh rules bundle create: %s\n", text.status().message().c_str());
      return 1;
    }
    files.push_back({std::filesystem::path(f).filename().string(), std::move(*text)});
  }
  bundle::CreateOptions o;
  o.version = p.get("bundle-version");
  o.note = p.get("note");
  auto b = bundle::create_bundle(files, *key, o);
  if (!b) {
    std::fprintf(stderr, "canh rules bundle create: %s\n", b.status().message().c_str());
    return 1;
  }
  s = write_file(p.get("out"), *b, 0644, true);
  if (!s) {
    std::fprintf(stderr, "canh rules bundle create: %s\n", s.message().c_str());
    return 1;
  }
  // Show what was signed, from the bundle itself.
  bundle::PublicKey self;
  std::memcpy(self.bytes.data(), key->bytes.data() + 32, 32);
  self.id = key->id;
  auto v = bundle::verify_bundle(*b, {self}, p.get("out"));
  if (!v) {
    std::fprintf(stderr, "canh rules bundle create: the bundle written does not verify: %s\n", v.status().message().c_str());
    return 1;
  }
  std::printf("wrote %s (%zu bytes)\n", p.get("out").c_str(), b->size());
  print_manifest(v->manifest, "");
  return 0;
}

int verify(const Args& args) {
  ArgParser p("canh rules bundle verify",
              "Check a bundle's signature and files against trusted public keys; print its manifest.");
  p.option("pubkey", 0, "FILE", "a trusted public key (repeatable)", "", true)
      .option("trusted-keys", 0, "PATH", "a .pub file or a directory of them")
      .option("config", 'c', "FILE", "server configuration: its rule-bundles.trusted-keys")
      .positional("BUNDLE", "the bundle file", false, true)
      .epilog("Exit status 0: signed by a trusted key and every file matches; 1: refused (the reason is printed).");
  Status s = p.parse(args);
  if (!s) return usage_error(s.message());
  if (p.help_requested()) return std::fputs(p.usage().c_str(), stdout), 0;
  auto keys = trusted_keys(p);
  if (!keys) {
    std::fprintf(stderr, "canh rules bundle verify: %s\n", keys.status().message().c_str());
    return 2;
  }
  std::string path = p.positionals()[0];
  auto bytes = read_all(path, bundle::kMaxBundleBytes);
  if (!bytes) {
    std::fprintf(stderr, "canh rules bundle verify: %s\n", bytes.status().message().c_str());
    return 1;
  }
  auto v = bundle::verify_bundle(*bytes, *keys, path);
  if (!v) {
    std::fprintf(stderr, "canh rules bundle verify: REFUSED: %s\n", v.status().message().c_str());
    return 1;
  }
  std::printf("OK: ");
  print_manifest(v->manifest, v->key.source);
  return 0;
}

int import(const Args& args) {
  ArgParser p("canh rules import",
              "Verify a signed rule bundle and make its rules the current rule-set version of a data folder; "
              "sensors load it at their next heartbeat.");
  p.option("data", 0, "DIR", "data folder of the (stopped) server", "/var/lib/canh")
      .option("pubkey", 0, "FILE", "a trusted public key (repeatable)", "", true)
      .option("trusted-keys", 0, "PATH", "a .pub file or a directory of them")
      .option("config", 'c', "FILE", "server configuration: its rule-bundles.trusted-keys", "")
      .flag("allow-errors", 0, "import even if some rules do not parse (they are skipped and listed)")
      .positional("BUNDLE", "the bundle file", false, true)
      .epilog("Stop canh server first (one writer per data folder), or upload the bundle in the console:\n"
              "POST /api/v1/rulesets/bundle (admin). A bundle that fails any check changes nothing.");
  Status s = p.parse(args);
  if (!s) return usage_error(s.message());
  if (p.help_requested()) return std::fputs(p.usage().c_str(), stdout), 0;
  auto keys = trusted_keys(p);
  if (!keys) {
    std::fprintf(stderr, "canh rules import: %s\n", keys.status().message().c_str());
    return 2;
  }
  std::string path = p.positionals()[0];
  auto bytes = read_all(path, bundle::kMaxBundleBytes);
  if (!bytes) {
    std::fprintf(stderr, "canh rules import: %s\n", bytes.status().message().c_str());
    return 1;
  }
  // This command prints its own summary; keep the libraries' info lines off the terminal.
  if (log::level() < log::Level::kWarn) log::set_level(log::Level::kWarn);
  // Verify before opening the data folder: a refused bundle must not even take the database lock.
  auto pre = bundle::verify_bundle(*bytes, *keys, path);
  if (!pre) {
    std::fprintf(stderr, "canh rules import: REFUSED: %s\n", pre.status().message().c_str());
    return 1;
  }
  storage::StorageOptions o;
  o.data_dir = p.get("data");
  o.block_cache_mb = 8;
  auto db = storage::Storage::open(o);
  if (!db) {
    std::fprintf(stderr, "canh rules import: %s\n  (is canh server running on this data folder? stop it, or upload the bundle in the console)\n",
                 db.status().message().c_str());
    return 1;
  }
  storage::RuleStore store((*db)->db());
  storage::SuppressionStore supp((*db)->db());
  console::RuleManager rm(store, supp);
  const char* who = getenv("SUDO_USER");
  if (!who) who = getenv("USER");
  std::string author = std::string("cli:") + (who ? who : ("uid " + std::to_string(getuid())).c_str());
  auto imp = console::import_bundle(rm, *bytes, *keys, path, author, p.has("allow-errors"));
  storage::AuditLog audit((*db)->db());
  storage::AuditRecord r;
  r.time_ms = static_cast<int64_t>(time(nullptr)) * 1000;
  r.actor_kind = "cli";
  r.actor = "uid " + std::to_string(getuid());
  r.actor_name = who ? who : "";
  r.action = "rules.bundle_import";
  r.method = "CLI";
  r.path = "canh rules import";
  r.status = imp ? 201 : 400;
  r.detail = imp ? "version " + std::to_string(imp->version.version) + ": bundle " + imp->manifest.version + " signed by key " + imp->key_id
                 : "bundle refused: " + imp.status().message();
  if (auto a = audit.append(std::move(r)); !a)
    std::fprintf(stderr, "canh rules import: warning: audit record not written: %s\n", a.status().message().c_str());
  if (!imp) {
    std::fprintf(stderr, "canh rules import: REFUSED: %s\n", imp.status().message().c_str());
    return 1;
  }
  std::printf("imported as rule-set version %llu: %llu rules loadable, %llu skipped\n",
              static_cast<unsigned long long>(imp->version.version),
              static_cast<unsigned long long>(imp->version.rules_loadable),
              static_cast<unsigned long long>(imp->version.rules_skipped));
  print_manifest(imp->manifest, pre->key.source);
  for (const auto& e : imp->errors) std::printf("  skipped: %s\n", e.c_str());
  return 0;
}

}  // namespace

int run_rules_bundle(const Args& args) {
  // args[0] is keygen, bundle or import (run_rules dispatches here, after --version).
  std::string what = args.empty() ? "" : args[0];
  Args rest(args.begin() + 1, args.end());
  if (what == "keygen") return keygen(rest);
  if (what == "import") return import(rest);
  std::string sub = rest.empty() ? "" : rest[0];
  Args rest2(rest.empty() ? rest.end() : rest.begin() + 1, rest.end());
  if (sub == "create") return create(rest2);
  if (sub == "verify") return verify(rest2);
  if (sub == "-h" || sub == "--help" || sub.empty()) {
    std::printf("Usage: canh rules bundle create|verify [options]\n\n"
                "  create --key F.key --out F.bundle FILES...   sign rule files into a bundle\n"
                "  verify --pubkey F.pub F.bundle               check a bundle, print its manifest\n\n"
                "Run 'canh rules bundle create --help' for the options.\n");
    return sub.empty() ? 2 : 0;
  }
  std::fprintf(stderr, "canh rules bundle: expected create or verify (got \"%s\")\n", sub.c_str());
  return 2;
}

}  // namespace canh::cli
