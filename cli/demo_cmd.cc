// canh demo: everything on one machine, in one data folder, in one command. It prepares the folder
// (an admin account, the demo rule set as rule-set version 1, a sensor, an information system
// covering the demo network), starts `canh server` on it as a child process, replays the bundled
// capture (cli/demo_data.h) through an in-process sensor that ships its alerts to that server like
// any enrolled sensor, prints the console URL and what to look at first, and keeps the server
// running until Ctrl-C. A second run reuses the folder: the account and the alerts are still there.
//
// The server runs as a child (the same binary: `canh server`) rather than in this process so the
// demo exercises exactly what a deployment runs, and so its log goes to DATA/server.log, away from
// the terminal. The child sits in its own process group: Ctrl-C reaches the demo alone, which stops
// the sensor's shipper first and then the server, in that order.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "cli/demo_data.h"
#include "common/args.h"
#include "common/log.h"
#include "console/rule_manager.h"
#include "console/server.h"
#include "rules/engine.h"
#include "rules/rule_set.h"
#include "sensor/app/app_layer.h"
#include "sensor/engine_detector.h"
#include "sensor/sensor.h"
#include "sensor/ship/shipper.h"
#include "storage/audit_log.h"
#include "storage/rule_store.h"
#include "storage/sensor_store.h"
#include "storage/storage.h"
#include "storage/system_store.h"
#include "storage/user_store.h"

namespace canh::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void step(const char* mark, const std::string& text) {
  std::printf("  %-4s %s\n", mark, text.c_str());
  std::fflush(stdout);
}

// A password people can copy from a terminal: 4 groups of 5 from an alphabet without look-alikes
// (no 0/O, 1/l/I), about 110 bits.
std::string make_password() {
  static const char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY2346789";
  std::string p;
  for (int g = 0; g < 4; ++g) {
    if (g) p += '-';
    for (int i = 0; i < 5; ++i) p += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  }
  return p;
}

void audit(storage::AuditLog& log, const std::string& action, const std::string& detail) {
  storage::AuditRecord r;
  r.time_ms = now_ms();
  r.actor_kind = "cli";
  r.actor = "uid " + std::to_string(getuid());
  r.actor_name = "canh demo";
  r.action = action;
  r.method = "CLI";
  r.path = "canh demo";
  r.status = 200;
  r.detail = detail;
  if (auto a = log.append(std::move(r)); !a)
    std::fprintf(stderr, "canh demo: warning: audit record not written: %s\n", a.status().message().c_str());
}

// What the demo keeps between runs, beside the database: DATA/demo/state, "key value" lines.
struct DemoState {
  bool replayed = false;
  uint64_t alerts = 0;
  std::string replayed_at;

  static DemoState load(const std::string& path) {
    DemoState s;
    std::ifstream in(path);
    std::string k, v;
    while (in >> k && std::getline(in >> std::ws, v)) {
      if (k == "replayed") s.replayed = v == "yes";
      else if (k == "alerts") s.alerts = std::strtoull(v.c_str(), nullptr, 10);
      else if (k == "replayed-at") s.replayed_at = v;
    }
    return s;
  }
  void save(const std::string& path) const {
    std::ofstream out(path, std::ios::trunc);
    out << "replayed " << (replayed ? "yes" : "no") << "\nalerts " << alerts << "\nreplayed-at " << replayed_at << "\n";
  }
};

struct Prepared {
  bool new_folder = false;
  std::string password;        // set only when the account was created now
  std::string enrolment_token;  // set when the sensor needs to enrol
  uint64_t ruleset_version = 0;
  // The current rule-set version as sensors load it (files, overrides, thresholds): what the
  // replay runs against.
  std::shared_ptr<const console::LoadedRuleSet> rules;
  bool ok = false;
};

// Everything that happens in the database before the server owns it.
// ET Open's rule files in a directory, in name order (what a sensor's rule-files would list).
Result<std::vector<std::pair<std::string, std::string>>> read_rule_dir(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".rules") names.push_back(e.path().filename().string());
  if (ec) return Status::io(dir + ": " + ec.message());
  if (names.empty()) return Status::not_found(dir + ": no *.rules files");
  std::sort(names.begin(), names.end());
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& n : names) {
    std::ifstream in(dir + "/" + n, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    files.emplace_back(n, ss.str());
  }
  return files;
}

Prepared prepare(const std::string& data, const std::string& demo_dir, const std::string& et_open) {
  Prepared out;
  out.new_folder = !fs::exists(fs::path(data) / "db");
  storage::StorageOptions so;
  so.data_dir = data;
  so.block_cache_mb = 16;
  auto st = storage::Storage::open(so);
  if (!st) {
    std::fprintf(stderr,
                 "canh demo: %s\n  (is a canh server or another canh demo using %s? stop it, or pass --data DIR)\n",
                 st.status().message().c_str(), data.c_str());
    return out;
  }
  storage::Storage& s = **st;
  storage::AuditLog audit_log(s.db());

  // The admin account: created once, its password shown once.
  storage::UserStore users(s.db());
  auto existing = users.get(demo::kAdminName);
  if (!existing) {
    std::fprintf(stderr, "canh demo: %s\n", existing.status().message().c_str());
    return out;
  }
  if (*existing) {
    step("ok", std::string("account \"") + demo::kAdminName + "\" exists (its password was shown on the first run)");
  } else {
    out.password = make_password();
    Status a = users.add(demo::kAdminName, http::Role::kAdmin, out.password);
    if (!a) {
      std::fprintf(stderr, "canh demo: creating the admin account: %s\n", a.message().c_str());
      return out;
    }
    audit(audit_log, "user.add", std::string("demo admin \"") + demo::kAdminName + "\" created");
    step("ok", std::string("admin account \"") + demo::kAdminName + "\" created");
  }

  // The demo rules as rule-set version 1 (the console's Rules page shows them; sensors are told to
  // run this version).
  storage::RuleStore rule_store(s.db());
  storage::SuppressionStore suppressions(s.db());
  console::RuleManager rules(rule_store, suppressions);
  out.ruleset_version = rule_store.current_version();
  if (out.ruleset_version == 0) {
    auto v = rules.upload({{"canh-demo.rules", demo::kRules}}, "canh-demo", "the demo rule set");
    if (!v) {
      std::fprintf(stderr, "canh demo: storing the demo rules: %s\n", v.status().message().c_str());
      return out;
    }
    out.ruleset_version = v->version;
    audit(audit_log, "rules.upload", "demo rule set stored as version " + std::to_string(v->version));
    step("ok", "demo rule set stored as rule-set version " + std::to_string(v->version) + " (" +
                   std::to_string(v->rules_loadable) + " rules)");
  } else {
    step("ok", "rule-set version " + std::to_string(out.ruleset_version) + " is current");
  }
  if (!et_open.empty()) {
    auto cur = rule_store.current();
    bool loaded = false;
    if (cur && *cur)
      for (const auto& f : (*cur)->files) loaded |= f.name.rfind("emerging-", 0) == 0;
    if (loaded) {
      step("ok", "ET Open is already in the current rule set");
    } else {
      auto files = read_rule_dir(et_open);
      if (!files) {
        std::fprintf(stderr, "canh demo: --et-open: %s\n", files.status().message().c_str());
        return out;
      }
      files->insert(files->begin(), {"canh-demo.rules", demo::kRules});
      step("...", "storing ET Open (" + std::to_string(files->size() - 1) + " files) beside the demo rules");
      auto v = rules.upload(*files, "canh-demo", "the demo rules and ET Open from " + et_open);
      if (!v) {
        std::fprintf(stderr, "canh demo: storing ET Open: %s\n", v.status().message().c_str());
        return out;
      }
      out.ruleset_version = v->version;
      audit(audit_log, "rules.upload", "demo rules and ET Open stored as version " + std::to_string(v->version));
      step("ok", "rule-set version " + std::to_string(v->version) + ": " + std::to_string(v->rules_loadable) +
                     " rules load, " + std::to_string(v->rules_skipped) + " skipped (unsupported keywords, counted by reason "
                     "on the Rules page)");
    }
  }
  auto current = rules.current();
  if (!current || !*current) {
    std::fprintf(stderr, "canh demo: reading the current rule set: %s\n",
                 current ? "none" : current.status().message().c_str());
    return out;
  }
  out.rules = *current;

  // The sensor: registered once; enrols with a one-time token unless its spool holds a credential.
  auto sensors = s.sensors().list();
  if (!sensors) {
    std::fprintf(stderr, "canh demo: %s\n", sensors.status().message().c_str());
    return out;
  }
  const storage::Sensor* mine = nullptr;
  uint32_t sensor_id = 0;
  for (const auto& sn : *sensors)
    if (sn.name == demo::kSensorName && sn.state != storage::SensorState::kDecommissioned) mine = &sn;
  bool has_credential = fs::exists(fs::path(demo_dir) / "spool" / "credential");
  if (!mine) {
    auto c = s.sensors().create(demo::kSensorName, "the demo's in-process sensor", now_ms(), 24ll * 3600 * 1000);
    if (!c) {
      std::fprintf(stderr, "canh demo: registering the sensor: %s\n", c.status().message().c_str());
      return out;
    }
    out.enrolment_token = c->enrolment_token;
    sensor_id = c->sensor.id;
    // A credential from an older folder of the same name belongs to another sensor record.
    fs::remove(fs::path(demo_dir) / "spool" / "credential");
    audit(audit_log, "sensor.create", std::string("demo sensor \"") + demo::kSensorName + "\"");
    step("ok", std::string("sensor \"") + demo::kSensorName + "\" registered");
  } else {
    sensor_id = mine->id;
  }
  if (mine && !has_credential) {
    auto t = s.sensors().issue_token(mine->id, now_ms(), 24ll * 3600 * 1000);
    if (!t) {
      std::fprintf(stderr, "canh demo: re-enrolling the sensor: %s\n", t.status().message().c_str());
      return out;
    }
    out.enrolment_token = *t;
  }
  // The information system the demo traffic belongs to, so the compliance pages have a subject.
  storage::SystemStore systems(s.db());
  auto list = systems.list();
  bool have_system = false;
  if (list)
    for (const auto& sys : *list) have_system |= sys.name == demo::kSystemName;
  if (!have_system) {
    storage::InfoSystem sys;
    sys.name = demo::kSystemName;
    sys.owner = "Ủy ban nhân dân tỉnh (demo)";
    sys.operating_unit = "Trung tâm Công nghệ thông tin và Truyền thông (demo)";
    sys.description = "The provincial portal and the workstations of its editors: the network of the Canh demo capture.";
    for (const auto& r : demo::system_ranges()) {
      auto c = storage::Cidr::parse(r);
      if (c) sys.ranges.push_back(*c);
    }
    if (sensor_id) sys.sensors.push_back(sensor_id);
    sys.contacts.push_back({"Nguyễn Văn A (demo)", "Quản trị hệ thống", "admin@example.gov.vn", ""});
    auto created = systems.create(std::move(sys), "canh-demo", now_ms());
    if (!created) {
      std::fprintf(stderr, "canh demo: creating the information system: %s\n", created.status().message().c_str());
      return out;
    }
    audit(audit_log, "compliance.system_create", std::string("demo information system \"") + demo::kSystemName + "\"");
    step("ok", std::string("information system \"") + demo::kSystemName + "\" covering 10.20.1.0/24 and 10.20.5.0/24");
  }

  out.ok = true;
  return out;
}

// A loopback port: the one asked for when it is free, else any free one (port 0 lets the kernel pick).
uint16_t pick_port(const std::string& host, uint16_t wanted) {
  int fd = ::socket(host.find(':') == std::string::npos ? AF_INET : AF_INET6, SOCK_STREAM, 0);
  if (fd < 0) return wanted;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto try_bind = [&](uint16_t port) -> uint16_t {
    if (host.find(':') == std::string::npos) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      if (inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) return 0;
      if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 0;
      socklen_t len = sizeof a;
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
      return ntohs(a.sin_port);
    }
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    if (inet_pton(AF_INET6, host.c_str(), &a.sin6_addr) != 1) return 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 0;
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin6_port);
  };
  uint16_t got = wanted ? try_bind(wanted) : 0;
  if (!got) got = try_bind(0);
  ::close(fd);
  return got;
}

std::string self_exe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "canh";
  buf[n] = '\0';
  return buf;
}

pid_t start_server(const std::string& data, const std::string& listen, const std::string& log_path,
                   const sigset_t& blocked) {
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (log_fd < 0) return -1;
  std::string exe = self_exe();
  pid_t pid = fork();
  if (pid == 0) {
    // Own process group: Ctrl-C at the terminal goes to the demo, which stops things in order. And
    // if the demo dies without stopping the server, the server is told.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &blocked, nullptr);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execl(exe.c_str(), exe.c_str(), "server", "--data", data.c_str(), "--listen", listen.c_str(), "--threads", "2",
          static_cast<char*>(nullptr));
    std::fprintf(stderr, "canh demo: cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
    _exit(127);
  }
  ::close(log_fd);
  return pid;
}

// The URL the server logs when it is ready ("server: ready url=http://127.0.0.1:8443/"), read from
// its log past `offset` (the log is appended to on every run).
std::string ready_url(const std::string& log_path, std::streamoff offset) {
  std::ifstream in(log_path);
  in.seekg(offset);
  std::string line;
  while (std::getline(in, line)) {
    size_t at = line.find("server: ready url=");
    if (at == std::string::npos) continue;
    std::string url = line.substr(at + 18);
    return url.substr(0, url.find(' '));
  }
  return "";
}

std::string log_tail(const std::string& log_path, std::streamoff offset) {
  std::ifstream in(log_path);
  in.seekg(offset);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (all.size() > 2000) all = all.substr(all.size() - 2000);
  return all;
}

// True when SIGINT or SIGTERM is pending: checked while waiting, as the signals stay blocked.
bool interrupted() {
  timespec zero{0, 0};
  siginfo_t info;
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, SIGINT);
  sigaddset(&only, SIGTERM);
  return sigtimedwait(&only, &info, &zero) > 0;
}

struct ReplayResult {
  bool ok = false;
  uint64_t packets = 0, flows = 0, alerts = 0, delivered = 0;
  std::map<uint32_t, std::pair<std::string, uint64_t>> by_sid;  // sid -> message, count
};

// Counts alerts per signature in the sensor's eve.json (what the console will show).
void count_alerts(const std::string& eve, ReplayResult* r) {
  std::ifstream in(eve);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("\"event_type\":\"alert\"") == std::string::npos) continue;
    size_t at = line.find("\"signature_id\":");
    if (at == std::string::npos) continue;
    uint32_t sid = static_cast<uint32_t>(std::strtoul(line.c_str() + at + 15, nullptr, 10));
    std::string msg;
    size_t m = line.find("\"signature\":\"");
    if (m != std::string::npos) msg = line.substr(m + 13, line.find('"', m + 13) - (m + 13));
    auto& e = r->by_sid[sid];
    e.first = msg;
    ++e.second;
  }
}

std::shared_ptr<sensor::ship::Shipper> start_shipper(const std::string& url, const std::string& token,
                                                     const std::string& demo_dir, uint64_t ruleset,
                                                     std::shared_ptr<std::mutex> mu,
                                                     std::shared_ptr<sensor::ship::SensorCounters> counters) {
  sensor::ship::ShipperOptions o;
  o.collector_url = url;
  o.token = token;
  o.hostname = demo::kSensorName;
  o.spool.dir = demo_dir + "/spool";
  o.heartbeat_interval = std::chrono::seconds(5);
  o.backoff_max = std::chrono::milliseconds(2000);
  counters->ruleset_version = std::to_string(ruleset);
  o.counters = [mu, counters] {
    std::lock_guard lock(*mu);
    return *counters;
  };
  auto s = sensor::ship::Shipper::start(o);
  if (!s) {
    std::fprintf(stderr, "canh demo: sensor shipper: %s\n", s.status().message().c_str());
    return nullptr;
  }
  return *s;
}

ReplayResult replay(const std::string& demo_dir, const rules::RuleSet& set, sensor::ship::Shipper& shipper, std::mutex& mu,
                    sensor::ship::SensorCounters& counters) {
  ReplayResult r;
  // Start the capture ten minutes ago, so its alerts sit in the console's recent views.
  int64_t start_us = (now_ms() - 10 * 60 * 1000) * 1000;
  std::string pcap = demo_dir + "/demo.pcap";
  {
    std::ofstream out(pcap, std::ios::binary | std::ios::trunc);
    out << demo::make_capture(start_us);
    if (!out) {
      std::fprintf(stderr, "canh demo: cannot write %s\n", pcap.c_str());
      return r;
    }
  }
  std::ofstream(demo_dir + "/demo.rules", std::ios::trunc) << demo::kRules;
  rules::EngineOptions eo;
  // Compiled databases are cached: with ET Open the second replay skips the compile.
  eo.cache_dir = demo_dir + "/hs-cache";
  std::error_code cec;
  fs::create_directories(eo.cache_dir, cec);
  if (cec) eo.cache_dir.clear();
  auto engine = rules::Engine::build(set, eo);
  if (!engine) {
    std::fprintf(stderr, "canh demo: rules: %s\n", engine.status().message().c_str());
    return r;
  }
  sensor::SensorConfig config;
  auto app = sensor::app::app_config_from(config.app_layer);
  if (!app) {
    std::fprintf(stderr, "canh demo: %s\n", app.status().message().c_str());
    return r;
  }
  sensor::SensorOptions so;
  so.read_file = pcap;
  so.log_dir = demo_dir;
  so.workers = 1;
  so.progress = false;
  so.summary = false;
  std::error_code ec;
  fs::remove(demo_dir + "/eve.json", ec);
  sensor::Sensor sensor(config, so, std::make_shared<sensor::EngineDetectorFactory>(engine.value()),
                        sensor::app::make_app_layer_factory(app.value()));
  struct Forward : sensor::EventSink {
    sensor::ship::Shipper& s;
    explicit Forward(sensor::ship::Shipper& sh) : s(sh) {}
    void on_event(std::string_view type, std::string_view line) override { s.on_event(type, line); }
    void flush() override { s.flush(); }
  };
  sensor.add_sink(std::make_shared<Forward>(shipper));
  Status s = sensor.run(false);
  if (!s) {
    std::fprintf(stderr, "canh demo: sensor: %s\n", s.message().c_str());
    return r;
  }
  const auto& t = sensor.totals().sum;
  r.packets = t.decode.pkts;
  r.flows = t.flow.created;
  r.alerts = t.alerts;
  {
    std::lock_guard lock(mu);
    counters.packets = t.decode.pkts;
    counters.bytes = t.decode.bytes;
    counters.alerts = t.alerts;
    counters.flows = t.flow.created;
    counters.drops = t.capture.dropped;
  }
  count_alerts(demo_dir + "/eve.json", &r);
  // Wait until the server has acknowledged every batch (durably stored).
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!shipper.idle()) {
    if (Clock::now() > deadline || interrupted()) {
      auto st = shipper.stats();
      std::fprintf(stderr, "canh demo: alerts not delivered yet (%llu batches waiting): %s\n",
                   static_cast<unsigned long long>(st.spool.sealed_batches), st.last_error.c_str());
      return r;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  r.delivered = shipper.stats().shipped_alerts;
  r.ok = true;
  return r;
}

int export_data(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "canh demo: --export %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  // A fixed start (2026-11-23 08:00 UTC) so exported captures are byte-for-byte reproducible.
  std::ofstream(dir + "/demo.pcap", std::ios::binary | std::ios::trunc) << demo::make_capture(1795420800ll * 1000000);
  std::ofstream(dir + "/demo.rules", std::ios::trunc) << demo::kRules;
  std::ofstream expected(dir + "/expected-alerts.txt", std::ios::trunc);
  expected << "# sid count what (canh sensor -r demo.pcap -S demo.rules raises these)\n";
  for (const auto& e : demo::expected_alerts()) expected << e.sid << " " << e.count << " " << e.what << "\n";
  std::printf("wrote %s/demo.pcap, %s/demo.rules and %s/expected-alerts.txt\n", dir.c_str(), dir.c_str(), dir.c_str());
  std::printf("try: canh sensor -r %s/demo.pcap -S %s/demo.rules -l %s\n", dir.c_str(), dir.c_str(), dir.c_str());
  return 0;
}

}  // namespace

int run_demo(const Args& args) {
  if (print_version_if_asked(args)) return 0;
  ArgParser p("canh demo",
              "Start a server on 127.0.0.1 with its own data folder, replay the bundled capture through a sensor "
              "against the bundled rules, and print the console URL and a first admin account.");
  p.option("data", 0, "DIR", "data folder for the demo (kept between runs)", "./canh-data")
      .option("listen", 0, "HOST:PORT", "where the console listens (a busy port falls back to a free one)", "127.0.0.1:8443")
      .flag("replay", 0, "replay the capture again even if this data folder has it already")
      .option("export", 0, "DIR", "only write the demo capture and rules into DIR, then exit")
      .option("et-open", 0, "DIR", "also load the ET Open rules in DIR (e.g. ../shared/rulesets/et-open) as the current rule set")
      .epilog("Stop with Ctrl-C; run again to continue with the same data. Forgot the admin password?\n"
              "Stop the demo, then: canh user passwd --data ./canh-data --name admin");
  Status s = p.parse(args);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (p.help_requested()) {
    std::fputs(p.usage().c_str(), stdout);
    return 0;
  }
  if (sodium_init() < 0) {
    std::fprintf(stderr, "canh demo: libsodium cannot initialise (no randomness?)\n");
    return 1;
  }
  if (p.has("export")) return export_data(p.get("export"));

  std::string host;
  uint16_t wanted = 0;
  s = console::parse_listen(p.get("listen"), &host, &wanted);
  if (!s) {
    std::fprintf(stderr, "canh demo: %s\n", s.message().c_str());
    return 2;
  }
  if (host.empty() || host == "0.0.0.0" || host == "::") {
    std::fprintf(stderr, "canh demo: --listen %s: the demo listens on loopback only (its admin password is on this terminal)\n",
                 p.get("listen").c_str());
    return 2;
  }
  // The demo keeps its own log lines quiet; the server logs to DATA/server.log.
  if (log::level() < log::Level::kWarn) log::set_level(log::Level::kWarn);

  // Block the stop signals before any thread starts (every thread inherits the mask); this thread
  // takes them with sigwait/sigtimedwait.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  std::string data = p.get("data");
  std::error_code ec;
  fs::create_directories(data, ec);
  if (ec) {
    std::fprintf(stderr, "canh demo: --data %s: %s\n", data.c_str(), ec.message().c_str());
    return 1;
  }
  std::string demo_dir = data + "/demo";
  fs::create_directories(demo_dir + "/spool", ec);
  std::printf("Canh %s demo, data folder %s\n", CANH_VERSION, fs::absolute(data).lexically_normal().c_str());
  Prepared prep = prepare(data, demo_dir, p.get("et-open"));
  if (!prep.ok) return 1;

  uint16_t port = pick_port(host, wanted);
  if (port == 0) {
    std::fprintf(stderr, "canh demo: cannot listen on %s\n", host.c_str());
    return 1;
  }
  if (wanted && port != wanted) step("note", "port " + std::to_string(wanted) + " is busy: using " + std::to_string(port));
  std::string listen = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  std::string log_path = data + "/server.log";
  std::streamoff log_offset = 0;
  if (fs::exists(log_path, ec)) log_offset = static_cast<std::streamoff>(fs::file_size(log_path, ec));
  pid_t server = start_server(data, listen, log_path, sigs);
  if (server < 0) {
    std::fprintf(stderr, "canh demo: cannot start the server: %s\n", std::strerror(errno));
    return 1;
  }
  auto stop_server = [&](bool report) {
    kill(server, SIGTERM);
    auto deadline = Clock::now() + std::chrono::seconds(20);
    int status = 0;
    for (;;) {
      pid_t w = waitpid(server, &status, WNOHANG);
      if (w == server) break;
      if (Clock::now() > deadline) {
        kill(server, SIGKILL);
        waitpid(server, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (report && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
      std::fprintf(stderr, "canh demo: the server did not stop cleanly (see %s)\n", log_path.c_str());
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  };

  // Wait for the server's "ready" line, or its early exit, or Ctrl-C.
  std::string url;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    url = ready_url(log_path, log_offset);
    if (!url.empty()) break;
    int status = 0;
    if (waitpid(server, &status, WNOHANG) == server) {
      std::fprintf(stderr, "canh demo: the server stopped at start:\n%s", log_tail(log_path, log_offset).c_str());
      return 1;
    }
    if (interrupted() || Clock::now() > deadline) {
      if (Clock::now() > deadline)
        std::fprintf(stderr, "canh demo: the server did not become ready:\n%s", log_tail(log_path, log_offset).c_str());
      stop_server(false);
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (url.back() == '/') url.pop_back();
  step("ok", "server running at " + url + " (log: " + log_path + ")");

  auto mu = std::make_shared<std::mutex>();
  auto counters = std::make_shared<sensor::ship::SensorCounters>();
  auto shipper = start_shipper(url, prep.enrolment_token, demo_dir, prep.ruleset_version, mu, counters);
  if (!shipper) {
    stop_server(false);
    return 1;
  }
  DemoState state = DemoState::load(demo_dir + "/state");
  if (!state.replayed || p.has("replay")) {
    step("...", "replaying the sample capture (web, DNS, TLS, FTP, a port scan, attacks on the portal, a C2 beacon)");
    ReplayResult r = replay(demo_dir, prep.rules->set, *shipper, *mu, *counters);
    if (!r.ok) {
      shipper->stop(std::chrono::milliseconds(500));
      stop_server(false);
      return 1;
    }
    char line[200];
    std::snprintf(line, sizeof line, "%llu packets, %llu flows: %llu alerts from %zu signatures, %llu delivered to the server",
                  static_cast<unsigned long long>(r.packets), static_cast<unsigned long long>(r.flows),
                  static_cast<unsigned long long>(r.alerts), r.by_sid.size(), static_cast<unsigned long long>(r.delivered));
    step("ok", line);
    for (const auto& [sid, e] : r.by_sid)
      std::printf("         %3llu  %-9u %s\n", static_cast<unsigned long long>(e.second), sid, e.first.c_str());
    state.replayed = true;
    state.alerts += r.alerts;
    char ts[32];
    std::time_t now = std::time(nullptr);
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    state.replayed_at = ts;
    state.save(demo_dir + "/state");
  } else {
    step("ok", "the sample capture was replayed on " + state.replayed_at + " (" + std::to_string(state.alerts) +
                   " alerts); canh demo --replay replays it again");
  }

  std::printf("\n  Console    %s/\n", url.c_str());
  if (!prep.password.empty()) {
    std::printf("  Sign in    %s / %s\n", demo::kAdminName, prep.password.c_str());
    std::printf("             (shown once, now: write it down)\n");
  } else {
    std::printf("  Sign in    %s (the password shown on the first run)\n", demo::kAdminName);
    std::printf("             forgot it? Ctrl-C, then: canh user passwd --data %s --name %s\n", data.c_str(), demo::kAdminName);
  }
  std::printf("\n  Look at, in this order:\n"
              "   1. Alerts: the SQL injection and the web shell against the portal (10.20.1.10) from 198.51.100.23;\n"
              "      open one for its payload, then group by signature.\n"
              "   2. Dashboard: alerts over time, top signatures and sources.\n"
              "   3. Sensors: %s, its heartbeat and rule-set version.\n"
              "   4. Compliance: \"%s\", the alerts on its ranges.\n"
              "   5. Rules: the demo rule set; switch a rule off and see a new version.\n"
              "   Metrics for Prometheus: curl %s/metrics\n\n",
              demo::kSensorName, demo::kSystemName, url.c_str());
  // ET Open beside the clone (../shared, as the tests expect it): offered, never needed.
  const char* kEtOpen = "../shared/rulesets/et-open";
  if (!p.has("et-open") && fs::exists(std::string(kEtOpen) + "/emerging-scan.rules", ec))
    std::printf("  ET Open is at %s: canh demo --et-open %s --replay adds its ~19,000 rules.\n\n", kEtOpen, kEtOpen);
  std::printf("  Press Ctrl-C to stop. Data stays in %s; run canh demo again to continue.\n", data.c_str());
  std::fflush(stdout);

  // Serve until Ctrl-C / SIGTERM, or until the server exits on its own.
  int code = 0;
  for (;;) {
    siginfo_t info;
    timespec tick{1, 0};
    int sig = sigtimedwait(&sigs, &info, &tick);
    int status = 0;
    if (waitpid(server, &status, WNOHANG) == server) {
      std::fprintf(stderr, "canh demo: the server stopped unexpectedly:\n%s", log_tail(log_path, log_offset).c_str());
      shipper->stop(std::chrono::milliseconds(200));
      return 1;
    }
    if (sig == SIGINT || sig == SIGTERM) break;
  }
  std::printf("\n  stopping: sensor shipper, then the server\n");
  shipper->stop(std::chrono::milliseconds(2000));
  if (!stop_server(true)) code = 1;
  std::printf("  stopped. Data kept in %s\n", data.c_str());
  return code;
}

}  // namespace canh::cli
