// canh user: accounts from the command line, for the first admin (before anyone can sign in to the
// console) and for recovery. Passwords are read from standard input, never from arguments, which
// other local users can see in the process list.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "common/args.h"
#include "storage/audit_log.h"
#include "storage/storage.h"
#include "storage/user_store.h"

namespace canh::cli {

namespace {

std::string read_password() {
  std::string pw;
  std::getline(std::cin, pw);
  if (!pw.empty() && pw.back() == '\r') pw.pop_back();
  return pw;
}

void audit_cli(storage::AuditLog& log, std::string action, std::string detail) {
  storage::AuditRecord r;
  r.time_ms = static_cast<int64_t>(time(nullptr)) * 1000;
  r.actor_kind = "cli";
  const char* who = getenv("SUDO_USER");
  if (!who) who = getenv("USER");
  r.actor = "uid " + std::to_string(getuid());
  r.actor_name = who ? who : "";
  r.action = std::move(action);
  r.method = "CLI";
  r.path = "canh user";
  r.status = 200;
  r.detail = std::move(detail);
  auto a = log.append(std::move(r));
  if (!a) std::fprintf(stderr, "canh user: warning: audit record not written: %s\n", a.status().message().c_str());
}

}  // namespace

int run_user(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh user", "Manage console accounts: add, list, passwd (the password is read from standard input).");
  p.positional("ACTION", "add | list | passwd", false, false)
      .option("data", 0, "DIR", "data folder of the server", "/var/lib/canh")
      .option("name", 0, "NAME", "user name (a-z, 0-9, '.', '_', '-')")
      .option("role", 0, "ROLE", "admin, analyst, auditor or read-only (add)", "")
      .epilog("Example: echo 'a long password' | canh user add --data /var/lib/canh --name admin --role admin\n"
              "Stop canh server first: the data folder has one writer at a time.");
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  std::string action = p.positionals().empty() ? "" : p.positionals()[0];
  if (action != "add" && action != "list" && action != "passwd") {
    std::fprintf(stderr, "canh user: expected an action: add, list or passwd (see canh user --help)\n");
    return 2;
  }
  std::string name = p.get("name");
  if (action != "list") {
    if (name.empty()) {
      std::fprintf(stderr, "canh user %s: --name is required\n", action.c_str());
      return 2;
    }
    if (Status n = storage::UserStore::check_name(name); !n) {
      std::fprintf(stderr, "canh user: --name: %s\n", n.message().c_str());
      return 2;
    }
  }
  std::optional<http::Role> role;
  if (action == "add") {
    role = http::parse_role(p.get("role"));
    if (!role) {
      std::fprintf(stderr, "canh user add: --role \"%s\": expected admin, analyst, auditor or read-only\n",
                   p.get("role").c_str());
      return 2;
    }
  }

  storage::StorageOptions o;
  o.data_dir = p.get("data");
  o.block_cache_mb = 8;
  auto db = storage::Storage::open(o);
  if (!db) {
    std::fprintf(stderr, "canh user: %s\n  (is canh server running on this data folder? stop it first)\n",
                 db.status().message().c_str());
    return 1;
  }
  storage::UserStore users((*db)->db());
  storage::AuditLog audit((*db)->db());

  if (action == "list") {
    auto l = users.list();
    if (!l) {
      std::fprintf(stderr, "canh user list: %s\n", l.status().message().c_str());
      return 1;
    }
    for (const auto& u : *l)
      std::printf("%-24s %-10s%s\n", u.name.c_str(), std::string(http::role_name(u.role)).c_str(),
                  u.disabled ? " disabled" : "");
    return 0;
  }
  if (isatty(STDIN_FILENO)) std::fprintf(stderr, "Password for %s (10+ characters): ", name.c_str());
  std::string pw = read_password();
  if (Status c = storage::UserStore::check_password(pw); !c) {
    std::fprintf(stderr, "canh user %s: %s\n", action.c_str(), c.message().c_str());
    return 2;
  }
  if (action == "add") {
    s = users.add(name, *role, pw);
    if (!s) {
      std::fprintf(stderr, "canh user add: %s\n", s.message().c_str());
      return 1;
    }
    audit_cli(audit, "user.add", "user \"" + name + "\" added as " + std::string(http::role_name(*role)));
    std::printf("user %s added (%s)\n", name.c_str(), std::string(http::role_name(*role)).c_str());
    return 0;
  }
  s = users.set_password(name, pw);
  if (!s) {
    std::fprintf(stderr, "canh user passwd: %s\n", s.message().c_str());
    return 1;
  }
  storage::SessionStore sessions((*db)->db());
  (void)sessions.revoke_user(name);
  audit_cli(audit, "user.password", "password of \"" + name + "\" reset from the command line");
  std::printf("password of %s changed; their sessions ended\n", name.c_str());
  return 0;
}

}  // namespace canh::cli
