// Shared by the console's request fuzz targets (api_fuzz.cc through the router, wire_fuzz.cc through
// the Beast server): the whole server as `canh server` mounts it — console, collector, alert list,
// rule bundles, /metrics, health and (when built) the compliance API — over a real Storage in a
// temporary data folder (on /dev/shm when there is one, so durable writes cost little), with one
// signed-in person per role, API tokens and an enrolled sensor. Fuzz-only; not part of canh_console.
//
// Fuzzed requests may sign people out, change roles, disable accounts, revoke tokens or decommission
// the sensor. repair() puts every identity back before each input, so each input starts from callers
// that work and a finding replays the same way from a fresh process.
#pragma once

#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collector/collector.h"
#include "common/log.h"
#include "console/alerts_api.h"
#include "console/console.h"
#include "console/metrics.h"
#include "console/router.h"
#include "console/rule_bundles.h"
#include "rules/bundle.h"
#include "storage/db_stats.h"
#include "storage/storage.h"
#if __has_include("console/compliance_api.h")
#include "console/compliance_api.h"
#define CANH_FUZZ_COMPLIANCE 1
#endif

namespace canh::console::fuzz {

inline int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Who sends a request.
enum class Who : uint8_t {
  kAnonymous, kAdmin, kAnalyst, kAuditor, kReader,  // sessions (cookie + CSRF) for people
  kAdminToken, kReaderToken, kSensor, kBadBearer, kBadCookie,
  kCount
};

struct Identity {
  std::string user;
  http::Role role = http::Role::kNone;
  std::string session, csrf;  // people
  std::string token;          // API tokens
};

class ApiWorld {
 public:
  static ApiWorld& get() {
    static ApiWorld* w = new ApiWorld();  // never destroyed: the fuzzer exits with it in use
    return *w;
  }

  const Router& router() const { return *router_; }
  std::string_view data_dir() const { return dir_; }

  // Puts back every identity a previous input may have broken. Cheap: a few point reads.
  void repair() {
    const std::pair<std::string, http::Role> people[] = {{"fuzz-admin", http::Role::kAdmin},
                                                         {"fuzz-analyst", http::Role::kAnalyst},
                                                         {"fuzz-auditor", http::Role::kAuditor},
                                                         {"fuzz-reader", http::Role::kReadOnly}};
    for (const auto& [name, role] : people) {
      auto u = console_->users().get(name);
      bool changed = false;
      if (u && !u.value()) {
        (void)console_->users().add(name, role, kPassword);
        changed = true;
      } else if (u && u.value()) {
        if (u.value()->disabled) (void)console_->users().set_disabled(name, false), changed = true;
        if (u.value()->role != role) (void)console_->users().set_role(name, role), changed = true;
      }
      Identity& id = ids_[name];
      id.user = name;
      id.role = role;
      auto s = id.session.empty() ? Result<std::optional<storage::Session>>(std::optional<storage::Session>())
                                  : console_->sessions().lookup(id.session, now_ms());
      if (changed || !s || !s.value()) {
        auto c = console_->sessions().create(name, now_ms());
        if (c) {
          id.session = c->id;
          id.csrf = c->session.csrf_token;
        }
      }
    }
    for (const auto& [key, owner, role] :
         {std::tuple{"token-admin", "fuzz-admin", http::Role::kAdmin}, std::tuple{"token-reader", "fuzz-reader", http::Role::kReadOnly}}) {
      Identity& id = ids_[key];
      auto t = id.token.empty() ? Result<std::optional<storage::ApiToken>>(std::optional<storage::ApiToken>())
                                : console_->tokens().lookup(id.token, now_ms());
      if (!t || !t.value()) {
        auto c = console_->tokens().create(owner, "fuzz", role, 0, now_ms());
        if (c) id.token = c->secret;
      }
    }
    http::Request probe;
    probe.headers.emplace_back("authorization", "Bearer " + sensor_credential_);
    auto a = collector_->authenticate(probe);
    if (!a || !a.value()) enrol_sensor();
  }

  // Adds the caller's credentials to `req` (cookie and CSRF for sessions, a bearer otherwise).
  // `csrf` false leaves the CSRF header out, as a cross-site form would.
  void sign(Who who, bool csrf, http::Request& req) {
    auto person = [&](const char* name) {
      const Identity& id = ids_[name];
      req.headers.emplace_back("cookie", std::string(kSessionCookie) + "=" + id.session);
      if (csrf) req.headers.emplace_back(std::string(kCsrfHeader), id.csrf);
    };
    switch (who) {
      case Who::kAdmin: person("fuzz-admin"); break;
      case Who::kAnalyst: person("fuzz-analyst"); break;
      case Who::kAuditor: person("fuzz-auditor"); break;
      case Who::kReader: person("fuzz-reader"); break;
      case Who::kAdminToken: req.headers.emplace_back("authorization", "Bearer " + ids_["token-admin"].token); break;
      case Who::kReaderToken: req.headers.emplace_back("authorization", "Bearer " + ids_["token-reader"].token); break;
      case Who::kSensor: req.headers.emplace_back("authorization", "Bearer " + sensor_credential_); break;
      case Who::kBadBearer: req.headers.emplace_back("authorization", "Bearer canh_at_0000_ffff"); break;
      case Who::kBadCookie: req.headers.emplace_back("cookie", std::string(kSessionCookie) + "=feedface"); break;
      default: break;
    }
  }

  // Replaces placeholders in raw request bytes with live credentials and ids, so seeds can carry
  // signed-in requests on things that exist: @SESSION@ (the admin's cookie value), @CSRF@ (its CSRF
  // token), @TOKEN@ (an admin API token), @SENSOR@ (the sensor's credential), @ALERT@ (a stored
  // alert's id).
  std::string substitute(std::string_view raw) {
    if (raw.find('@') == std::string_view::npos) return std::string(raw);
    const std::pair<std::string_view, std::string> subs[] = {{"@SESSION@", ids_["fuzz-admin"].session},
                                                             {"@CSRF@", ids_["fuzz-admin"].csrf},
                                                             {"@TOKEN@", ids_["token-admin"].token},
                                                             {"@SENSOR@", sensor_credential_},
                                                             {"@ALERT@", alert_id_}};
    std::string out;
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size();) {
      bool hit = false;
      if (raw[i] == '@') {
        for (const auto& [from, to] : subs) {
          if (raw.substr(i, from.size()) == from) {
            out += to;
            i += from.size();
            hit = true;
            break;
          }
        }
      }
      if (!hit) out += raw[i++];
    }
    return out;
  }

  // The role a signed request acts with (kNone for anonymous and bad credentials).
  static http::Role role_of(Who who) {
    switch (who) {
      case Who::kAdmin: case Who::kAdminToken: return http::Role::kAdmin;
      case Who::kAnalyst: return http::Role::kAnalyst;
      case Who::kAuditor: return http::Role::kAuditor;
      case Who::kReader: case Who::kReaderToken: return http::Role::kReadOnly;
      case Who::kSensor: return http::Role::kSensor;
      default: return http::Role::kNone;
    }
  }

  static constexpr const char* kPassword = "fuzzing password 1";

 private:
  ApiWorld() {
    log::set_level(log::Level::kError);
    std::string base = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path().string();
    std::string templ = base + "/canh-fuzz-api-XXXXXX";
    if (!mkdtemp(templ.data())) std::abort();
    dir_ = templ;
    static std::string cleanup_dir;
    cleanup_dir = dir_;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(cleanup_dir, ec);
    });

    storage::StorageOptions so;
    so.data_dir = dir_;
    so.block_cache_mb = 8;
    auto st = storage::Storage::open(so);
    if (!st) std::abort();
    storage_ = std::move(st).value();
    ConsoleOptions co;
    co.hashing = storage::PasswordHashing::fast_for_tests();
    console_ = std::make_unique<Console>(*storage_, co);
    collector::CollectorOptions cop;
    cop.current_ruleset = [c = console_.get()] { return c->rule_store().current_version(); };
    collector_ = std::make_unique<collector::Collector>(storage_->alerts(), storage_->sensors(), cop);
    RouterHooks hooks = console_->hooks();
    hooks.sensor = [c = collector_.get()](const http::Request& r) { return c->authenticate(r); };
    RouterOptions ro;
    ro.anonymous_burst = 1u << 30;  // the fuzzer is one address sending everything: no rate limit
    router_ = std::make_unique<Router>(hooks, ro);

    MetricsSources ms;
    ms.ingest = [c = collector_.get()] {
      auto n = c->ingestor().counters();
      return IngestFigures{n.batches, n.alerts, n.writes, n.refused, c->ingestor().queued_alerts()};
    };
    ms.db = [s = storage_.get()] { return storage::db_figures(*s); };
    ms.ruleset_version = [c = console_.get()] { return c->rule_store().current_version(); };
    ms.sensors_by_state = [] { return std::map<std::string, uint64_t>{{"active", 1}}; };
    auto allow = AddressAllowList::parse({"127.0.0.0/8"});
    if (!allow) std::abort();
    metrics_ = std::make_unique<ServerMetrics>(ms, std::move(*allow));
    // The key that signed rules/fuzz_seeds/bundle/*.bundle, so seeded bundles get past the signature.
    TrustedKeys keys = []() -> Result<std::vector<rules::bundle::PublicKey>> {
      auto k = rules::bundle::parse_public_key(
          "canh-ed25519-pub 51ba89546890e767 WWAeFTLT2L6CibiWNu0KKc0Q6WlPq53XGMW4AYFeHwU=\n", "fuzz.pub");
      if (!k) return k.status();
      return std::vector<rules::bundle::PublicKey>{*k};
    };
    http::Route health{"GET", "/api/v1/health", http::Access::anyone(),
                       [](const http::Request&, const http::Caller&) { return http::Response::json(200, "{\"status\":\"ok\"}"); },
                       ""};
    Status s = router_->mount(metrics_->instrument({health, metrics_->route()}));
    if (s) s = router_->mount(metrics_->instrument(console_->routes()));
    if (s) s = router_->mount(metrics_->instrument(collector_->routes()));
    if (s) s = router_->mount(metrics_->instrument(alert_routes(storage_->alerts(), &storage_->sensors())));
    if (s) s = router_->mount(metrics_->instrument(rule_bundle_routes(console_->rule_manager(), keys)));
#ifdef CANH_FUZZ_COMPLIANCE
    auto compliance = ComplianceApi::open(*storage_, *console_, {dir_, [] { return int64_t{30}; }});
    if (!compliance) std::abort();
    compliance_ = std::move(compliance).value();
    if (s) s = router_->mount(metrics_->instrument(compliance_->routes()));
#endif
    if (!s) std::abort();

    repair();
    // Something to read, triage and comment on: alerts from the sensor, a rule set, a suppression.
    http::Request b;
    b.method = "POST";
    b.path = protocol::kAlertsPath;
    b.remote = "127.0.0.1";
    b.headers = {{"content-type", protocol::kNdjsonType}, {protocol::kStreamHeader, "00000000000000aa"},
                 {protocol::kBatchHeader, "1"}};
    sign(Who::kSensor, true, b);
    for (int i = 0; i < 20; ++i)
      b.body += R"({"timestamp":"2026-11-23T15:33:30.123456+0000","flow_id":)" + std::to_string(1000 + i) +
                R"(,"event_type":"alert","src_ip":"10.0.0.)" + std::to_string(1 + i) +
                R"(","src_port":51234,"dest_ip":"192.168.1.10","dest_port":80,"proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":)" +
                std::to_string(2001 + i % 3) +
                R"(,"rev":3,"signature":"ET POLICY test","category":"Policy","severity":2},"app_proto":"http","http":{"hostname":"example.com","url":"/x"}})"
                "\n";
    if (router_->handle(b).status != 200) std::abort();
    http::Request l;
    l.method = "GET";
    l.path = "/api/v1/alerts";
    l.query = {{"limit", "1"}};
    l.remote = "127.0.0.1";
    sign(Who::kReader, true, l);
    auto listed = boost::json::parse(router_->handle(l).body);
    alert_id_ = std::string(listed.at("items").at(0).at("id").as_string());
    http::Request r;
    r.method = "POST";
    r.path = "/api/v1/rulesets";
    r.remote = "127.0.0.1";
    r.headers = {{"content-type", "application/json"}};
    sign(Who::kAdmin, true, r);
    r.body = R"({"files":[{"name":"a.rules","content":"alert tcp any any -> any 80 (msg:\"x\"; content:\"GET\"; sid:2001; rev:1;)\n"}],"note":"fuzz"})";
    (void)router_->handle(r);
#ifdef CANH_FUZZ_COMPLIANCE
    // An information system with a dossier, for the compliance routes' {id} and {v} to find.
    http::Request c = r;
    c.headers = {{"content-type", "application/json"}};
    sign(Who::kAdmin, true, c);
    c.path = "/api/v1/compliance/systems";
    c.body = R"({"name":"Cong thong tin","owner":"So TT&TT","operating_unit":"Trung tam","ranges":["10.0.0.0/24"]})";
    (void)router_->handle(c);
    c.method = "PUT";
    c.path = "/api/v1/compliance/systems/1/duties";
    c.body = R"({"duties":[{"user":"fuzz-analyst","duty":"operator"},{"user":"fuzz-admin","duty":"appraiser"},)"
             R"({"user":"fuzz-admin","duty":"approver"},{"user":"fuzz-auditor","duty":"auditor"}]})";
    (void)router_->handle(c);
    c.method = "POST";
    c.headers = {{"content-type", "application/json"}};
    sign(Who::kAnalyst, true, c);
    c.path = "/api/v1/compliance/systems/1/dossiers";
    c.body = R"({"framework":"nd331_2026"})";
    (void)router_->handle(c);
#endif
  }

  void enrol_sensor() {
    auto sn = storage_->sensors().create("fuzz-sensor-" + std::to_string(++sensor_serial_), "fuzz", now_ms(), 3600 * 1000);
    if (!sn) std::abort();
    auto en = storage_->sensors().enrol(sn->enrolment_token, "fuzz.host", now_ms());
    if (!en) std::abort();
    sensor_credential_ = en->credential;
  }

  std::string dir_;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<Console> console_;
  std::unique_ptr<collector::Collector> collector_;
  std::unique_ptr<ServerMetrics> metrics_;
  std::unique_ptr<Router> router_;
#ifdef CANH_FUZZ_COMPLIANCE
  std::unique_ptr<ComplianceApi> compliance_;
#endif
  std::map<std::string, Identity> ids_;
  std::string sensor_credential_;
  std::string alert_id_;
  int sensor_serial_ = 0;
};

}  // namespace canh::console::fuzz
