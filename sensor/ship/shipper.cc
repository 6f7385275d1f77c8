#include "sensor/ship/shipper.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/collector_protocol.h"
#include "common/log.h"

namespace canh::sensor::ship {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kCredentialFile = "credential";

std::string hex(const unsigned char* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  return hex(md, n);
}

// The collector's error message, or the start of the body when it is not our JSON.
std::string error_text(const HttpResult& r) {
  boost::system::error_code ec;
  auto v = json::parse(r.body, ec);
  if (!ec && v.is_object())
    if (auto* e = v.as_object().if_contains("error"); e && e->is_string()) return std::string(e->get_string());
  return "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 200);
}

Status write_private_file(const std::string& path, std::string_view text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::io(tmp + ": cannot create");
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) return Status::io(path + ": cannot write");
  return Status::ok();
}

// A rule file name from the collector, used as a file name here: its last path component, and only
// characters that cannot climb out of the directory.
std::string safe_name(std::string_view name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  std::string out;
  for (char c : name)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  if (out.empty() || out == "." || out == "..") out = "rules";
  return out;
}

}  // namespace

Shipper::Shipper(ShipperOptions o) : options_(std::move(o)) {}

Result<std::shared_ptr<Shipper>> Shipper::start(ShipperOptions options) {
  auto url = CollectorUrl::parse(options.collector_url);
  if (!url) return url.status();
  if (options.backoff_min.count() <= 0 || options.backoff_max < options.backoff_min)
    return Status::invalid("backoff: need 0 < min <= max");
  std::shared_ptr<Shipper> s(new Shipper(std::move(options)));
  auto spool = Spool::open(s->options_.spool);
  if (!spool) return spool.status();
  s->spool_ = std::move(spool).value();
  std::string cred_path = (fs::path(s->options_.spool.dir) / kCredentialFile).string();
  if (std::ifstream in(cred_path); in) {
    std::getline(in, s->credential_);
    std::string id;
    if (std::getline(in, id)) s->stats_.sensor_id = static_cast<uint32_t>(std::strtoul(id.c_str(), nullptr, 10));
  }
  if (s->credential_.empty() && s->options_.token.empty())
    return Status::invalid("spool " + s->options_.spool.dir + " holds no sensor credential: give --token (an enrolment "
                           "token from the console) for the first start");
  s->stats_.enrolled = !s->credential_.empty();
  s->client_ = std::make_unique<HttpClient>(*url, s->options_.http);
  s->started_ = Clock::now();
  auto st = s->spool_->stats();
  log::info("ship", "shipping alerts to the collector")
      .kv("collector", url->to_string())
      .kv("spool", s->options_.spool.dir)
      .kv("waiting_batches", st.sealed_batches)
      .kv("enrolled", s->stats_.enrolled);
  s->thread_ = std::thread([raw = s.get()] { raw->run(); });
  return s;
}

Shipper::~Shipper() { stop(std::chrono::milliseconds(0)); }

void Shipper::on_event(std::string_view event_type, std::string_view line) {
  if (event_type != "alert") return;
  bool was_empty = false;
  Status s = spool_->append(line, &was_empty);
  if (!s) {
    // Per alert, so say it once per distinct failure, not once per alert.
    std::lock_guard lock(mu_);
    spool_failing_.store(true, std::memory_order_relaxed);
    if (stats_.last_error != s.message()) {
      stats_.last_error = s.message();
      log::error("ship", "an alert could not be spooled").kv("error", s.message()).kv("spool", options_.spool.dir);
    }
    return;
  }
  if (spool_failing_.load(std::memory_order_relaxed) && spool_failing_.exchange(false)) {
    log::info("ship", "alerts are spooled again").kv("lost_alerts_total", spool_->stats().lost_alerts);
  }
  if (was_empty) {
    {
      std::lock_guard lock(mu_);
      data_ = true;
    }
    cv_.notify_one();
  }
}

void Shipper::flush() {
  Status s = spool_->seal();
  if (!s) log::error("ship", "sealing the spool batch failed").kv("error", s.message());
  {
    std::lock_guard lock(mu_);
    data_ = true;
  }
  cv_.notify_one();
}

void Shipper::stop(std::chrono::milliseconds drain) {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    drain_deadline_ = Clock::now() + drain;
  }
  Status s = spool_->seal();
  if (!s) log::error("ship", "sealing the spool batch failed").kv("error", s.message());
  cv_.notify_all();
  thread_.join();
  auto st = spool_->stats();
  if (st.sealed_batches > 0)
    log::warn("ship", "stopped with alerts still spooled; they are shipped at the next start")
        .kv("batches", st.sealed_batches)
        .kv("bytes", st.bytes)
        .kv("spool", options_.spool.dir);
}

ShipperStats Shipper::stats() const {
  std::lock_guard lock(mu_);
  ShipperStats s = stats_;
  s.spool = spool_->stats();
  return s;
}

bool Shipper::idle() const {
  auto st = spool_->stats();
  return st.sealed_batches == 0 && st.open_alerts == 0;
}

void Shipper::pause(std::chrono::milliseconds d, bool wake_on_data) {
  std::unique_lock lock(mu_);
  auto until = Clock::now() + d;
  if (stopping_) until = std::min(until, drain_deadline_);
  cv_.wait_until(lock, until, [&] {
    return (wake_on_data && data_) || (stopping_ && Clock::now() >= drain_deadline_) || (stopping_ && wake_on_data);
  });
  data_ = false;
}

std::chrono::milliseconds Shipper::next_backoff() {
  // Exponential with full jitter (each wait uniform in [min, current]), so sensors cut off together
  // do not all come back in the same instant.
  backoff_ = backoff_.count() == 0 ? options_.backoff_min : std::min(backoff_ * 2, options_.backoff_max);
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::uniform_int_distribution<int64_t> pick(options_.backoff_min.count(), backoff_.count());
  return std::chrono::milliseconds(pick(rng));
}

void Shipper::note_error(const std::string& what) {
  std::lock_guard lock(mu_);
  ++stats_.failures;
  if (stats_.last_error != what) {
    log::warn("ship", "collector not reachable or refusing; alerts stay in the spool and are retried").kv("error", what);
    stats_.last_error = what;
  }
}

std::vector<std::pair<std::string, std::string>> Shipper::auth_headers() const {
  return {{"authorization", "Bearer " + credential_}};
}

bool Shipper::enrol() {
  if (options_.token.empty()) {
    note_error("no credential and no enrolment token: restart the sensor with --token");
    return false;
  }
  json::object body{{"token", options_.token}, {"hostname", options_.hostname}, {"version", CANH_VERSION}};
  auto r = client_->request("POST", protocol::kEnrolPath, {}, json::serialize(body), "application/json");
  if (!r) {
    note_error(r.status().message());
    return false;
  }
  if (r->status != 200) {
    note_error("enrolment refused: " + error_text(*r));
    return false;
  }
  boost::system::error_code ec;
  auto v = json::parse(r->body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("credential") || !v.at("credential").is_string()) {
    note_error("enrolment: unexpected answer from the collector");
    return false;
  }
  std::string cred(v.at("credential").as_string());
  uint32_t id = v.as_object().contains("sensor_id") && v.at("sensor_id").is_int64()
                    ? static_cast<uint32_t>(v.at("sensor_id").as_int64())
                    : 0;
  Status s = write_private_file((fs::path(options_.spool.dir) / kCredentialFile).string(), cred + "\n" + std::to_string(id) + "\n");
  if (!s) {
    // Without the file a restart could not authenticate, and the token is spent: say so loudly.
    log::error("ship", "enrolled, but the credential could not be saved").kv("error", s.message());
  }
  credential_ = cred;
  {
    std::lock_guard lock(mu_);
    stats_.enrolled = true;
    stats_.sensor_id = id;
    stats_.last_error.clear();
  }
  options_.token.clear();  // spent
  log::info("ship", "sensor enrolled with the collector").kv("sensor_id", id);
  return true;
}

void Shipper::heartbeat() {
  SensorCounters c = options_.counters ? options_.counters() : SensorCounters{};
  auto sp = spool_->stats();
  json::object body{{"packets", c.packets},
                    {"bytes", c.bytes},
                    {"drops", c.drops},
                    {"alerts", c.alerts},
                    {"flows", c.flows},
                    {"uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_).count()},
                    {"ruleset_version", c.ruleset_version},
                    {"software_version", CANH_VERSION},
                    {"spool_batches", sp.sealed_batches},
                    {"spool_bytes", sp.bytes},
                    {"spool_dropped_alerts", sp.dropped_alerts}};
  auto r = client_->request("POST", protocol::kHeartbeatPath, auth_headers(), json::serialize(body), "application/json");
  if (!r) return note_error(r.status().message());
  if (r->status != 200) return note_error("heartbeat refused: " + error_text(*r));
  boost::system::error_code ec;
  auto v = json::parse(r->body, ec);
  if (ec || !v.is_object()) return;
  uint64_t ruleset = 0;
  {
    std::lock_guard lock(mu_);
    ++stats_.heartbeats;
    if (auto* i = v.as_object().if_contains("interval_seconds"); i && i->is_int64())
      options_.heartbeat_interval = std::chrono::seconds(std::clamp<int64_t>(i->as_int64(), 1, 3600));
    if (auto* rs = v.as_object().if_contains("ruleset"); rs && rs->is_object())
      if (auto* ver = rs->as_object().if_contains("version"); ver && ver->is_int64() && ver->as_int64() > 0)
        ruleset = static_cast<uint64_t>(ver->as_int64());
    stats_.ruleset_seen = ruleset;
  }
  if (ruleset != 0 && ruleset != ruleset_loaded_ && options_.on_ruleset && !options_.rules_dir.empty())
    fetch_ruleset(ruleset);
}

void Shipper::fetch_ruleset(uint64_t version) {
  auto r = client_->request("GET", std::string(protocol::kRulesetPath) + "?have=" + std::to_string(ruleset_loaded_),
                            auth_headers(), "", "");
  if (!r) return note_error(r.status().message());
  if (r->status != 200) return note_error("rule set " + std::to_string(version) + ": " + error_text(*r));
  boost::system::error_code ec;
  auto v = json::parse(r->body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("version") || !v.at("version").is_int64())
    return note_error("rule set " + std::to_string(version) + ": unexpected answer");
  const auto& o = v.as_object();
  RulesetUpdate u;
  u.version = static_cast<uint64_t>(o.at("version").as_int64());
  if (u.version == ruleset_loaded_ || o.contains("unchanged")) return;
  u.dir = (fs::path(options_.rules_dir) / ("v" + std::to_string(u.version))).string();
  std::error_code fec;
  fs::create_directories(u.dir, fec);
  if (fec) return note_error("rule set download: " + u.dir + ": " + fec.message());
  if (auto* files = o.if_contains("files"); files && files->is_array()) {
    for (const auto& f : files->as_array()) {
      if (!f.is_object() || !f.as_object().contains("sha256") || !f.at("sha256").is_string()) continue;
      std::string sha(f.at("sha256").as_string());
      std::string name = f.as_object().contains("name") && f.at("name").is_string()
                             ? safe_name(f.at("name").as_string())
                             : sha + ".rules";
      auto fr = client_->request("GET", "/api/v1/sensor/rulefile/" + sha, auth_headers(), "", "");
      if (!fr) return note_error(fr.status().message());
      if (fr->status != 200) return note_error("rule file " + name + ": " + error_text(*fr));
      // The file is named by its hash: a corrupted or substituted download is refused here.
      if (sha256_hex(fr->body) != sha) return note_error("rule file " + name + ": SHA-256 does not match");
      std::string path = (fs::path(u.dir) / name).string();
      Status s = write_private_file(path, fr->body);
      if (!s) return note_error(s.message());
      u.files.push_back(path);
    }
  }
  std::string thresholds;
  if (auto* t = o.if_contains("thresholds"); t && t->is_string()) thresholds = std::string(t->as_string());
  Status s = write_private_file((fs::path(u.dir) / "threshold.config").string(), thresholds);
  if (s) s = write_private_file((fs::path(u.dir) / "manifest.json").string(), r->body);
  if (!s) return note_error(s.message());
  ruleset_loaded_ = u.version;
  log::info("ship", "rule set downloaded").kv("version", u.version).kv("files", u.files.size()).kv("dir", u.dir);
  options_.on_ruleset(u);
}

bool Shipper::ship_one() {
  auto b = spool_->oldest();
  if (!b) return false;
  auto body = spool_->read(*b);
  if (!body) {
    note_error(body.status().message());
    pause(next_backoff(), false);
    return true;
  }
  char stream[17];
  std::snprintf(stream, sizeof stream, "%016llx", static_cast<unsigned long long>(spool_->stream()));
  auto headers = auth_headers();
  headers.emplace_back(protocol::kStreamHeader, stream);
  headers.emplace_back(protocol::kBatchHeader, std::to_string(b->number));
  auto r = client_->request("POST", protocol::kAlertsPath, headers, *body, protocol::kNdjsonType);
  if (!r) {
    note_error(r.status().message());
    pause(next_backoff(), false);
    return true;
  }
  if (r->status == 200) {
    boost::system::error_code ec;
    auto v = json::parse(r->body, ec);
    uint64_t stored = 0;
    bool dup = false;
    if (!ec && v.is_object()) {
      if (auto* s = v.as_object().if_contains("stored"); s && s->is_int64()) stored = static_cast<uint64_t>(s->as_int64());
      if (auto* d = v.as_object().if_contains("duplicate"); d && d->is_bool()) dup = d->as_bool();
    }
    {
      // Counted before the batch leaves the spool, so whoever sees the spool empty (idle()) also
      // sees it counted.
      std::lock_guard lock(mu_);
      ++stats_.shipped_batches;
      stats_.shipped_alerts += stored;
      stats_.duplicate_batches += dup;
      if (!stats_.last_error.empty()) {
        log::info("ship", "collector reachable again").kv("batch", b->number);
        stats_.last_error.clear();
      }
    }
    Status s = spool_->remove(b->number);
    if (!s) log::error("ship", "acknowledged batch could not be removed from the spool").kv("error", s.message());
    backoff_ = std::chrono::milliseconds(0);
    return true;
  }
  std::string msg = error_text(*r);
  if (r->status == 429 || r->status == 503) {
    int64_t ra = std::atoll(r->retry_after.c_str());
    note_error("collector busy: " + msg);
    auto wait = ra > 0 ? std::chrono::milliseconds(std::min<int64_t>(ra, 300) * 1000) : next_backoff();
    pause(wait, false);
    return true;
  }
  if (r->status == 401 || r->status == 403) {
    note_error("collector refused the sensor: " + msg);
    // A new token given by the operator replaces a credential the collector no longer accepts.
    if (!options_.token.empty() && enrol()) return true;
    pause(next_backoff(), false);
    return true;
  }
  if (r->status >= 400 && r->status < 500) {
    // Refused as malformed: retrying cannot help. Keep it aside for a person, tell the log, go on.
    boost::system::error_code ec;
    auto v = json::parse(r->body, ec);
    int64_t record = 0;
    if (!ec && v.is_object())
      if (auto* rec = v.as_object().if_contains("record"); rec && rec->is_int64()) record = rec->as_int64();
    Status s = record > 0 ? spool_->reject_record(b->number, static_cast<size_t>(record), msg)
                          : spool_->reject(b->number, msg);
    log::error("ship", record > 0 ? "the collector refused one alert; it is kept under rejected/"
                                  : "the collector refused a batch; it is kept under rejected/")
        .kv("batch", b->number)
        .kv("record", record)
        .kv("error", msg)
        .kv("spool", options_.spool.dir);
    std::lock_guard lock(mu_);
    if (record > 0) ++stats_.rejected_records;
    else ++stats_.rejected_batches;
    if (!s) stats_.last_error = s.message();
    return true;
  }
  note_error("collector error: " + msg);
  pause(next_backoff(), false);
  return true;
}

void Shipper::run() {
  next_heartbeat_ = Clock::now();
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopping_ && Clock::now() >= drain_deadline_) break;
    }
    if (credential_.empty()) {
      if (!enrol()) {
        pause(next_backoff(), false);
        continue;
      }
      backoff_ = std::chrono::milliseconds(0);
    }
    if (Clock::now() >= next_heartbeat_) {
      heartbeat();
      next_heartbeat_ = Clock::now() + options_.heartbeat_interval;
    }
    if (ship_one()) continue;
    // Nothing sealed: ship what the open batch holds now rather than wait for it to fill.
    if (spool_->stats().open_alerts > 0) {
      Status s = spool_->seal();
      if (!s) {
        note_error(s.message());
        pause(next_backoff(), false);
      }
      continue;
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;  // drained
    }
    auto until_heartbeat = std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat_ - Clock::now());
    pause(std::max(until_heartbeat, std::chrono::milliseconds(1)), true);
  }
  client_->close();
}

}  // namespace canh::sensor::ship
