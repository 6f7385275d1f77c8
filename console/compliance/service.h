// The compliance service: information systems, their duties, dossier versions moving through the
// workflow, control statuses and evidence, live verdicts, scores, overview and reports. It owns the
// compliance stores and the loaded frameworks; the console's API (console/compliance_api.cc) is a
// thin JSON layer over it, and everything here is testable without a socket.
//
// Who may do what is decided here, on the server, from two things: the console role (admin manages
// systems and assigns duties) and the person's duties on the system (operator, expert, appraiser,
// approver, auditor), which the framework's workflow names per transition. Duties are checked
// against the console role when assigned and again when used, and the operating side can never hold
// a duty that must be independent of it on the same system (Circular 12 Art 6; Decree 331 Art 18.4).
//
// Every change a person makes goes to the audit log through the router (the API routes carry audit
// actions; each call returns a one-line detail for the record). Changes Canh makes by itself (a
// version coming due, older versions superseded) are written here, as actor "canh".
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/http_types.h"
#include "common/status.h"
#include "console/compliance/evidence.h"
#include "console/compliance/framework.h"
#include "console/compliance/workflow.h"
#include "storage/assessment_store.h"
#include "storage/evidence_store.h"
#include "storage/system_store.h"

namespace canh::storage {
class AuditLog;
class Database;
class UserStore;
}  // namespace canh::storage

namespace canh::compliance {

struct Person {
  std::string name;
  http::Role role = http::Role::kNone;
};

struct ServiceDeps {
  storage::Database* db = nullptr;
  storage::AuditLog* audit = nullptr;    // the console's: one chain per data folder
  storage::UserStore* users = nullptr;   // duty holders must be accounts
  EvidenceSource* evidence = nullptr;    // null: live checks report "not evaluated"
  // Called with every system's blocks at start and after each change (AlertStore::set_system_ranges),
  // so ingest attributes new alerts to the systems as they are now.
  std::function<void(std::vector<std::pair<uint32_t, storage::Cidr>>)> publish_ranges;
};

struct ServiceOptions {
  std::string frameworks_dir;       // DATA/frameworks: overrides and additions
  int64_t evidence_cache_ms = 30000;
  size_t max_alert_items = 5000;    // alerts read per system for the live checks (figures say when partial)
  size_t max_report_items = 50000;  // alerts read for a report's period statistics
};

struct SystemInput {
  std::string name, owner, operating_unit, description;
  std::vector<std::string> ranges;  // CIDR text
  std::vector<storage::SystemContact> contacts;
  std::vector<uint32_t> sensors;
  bool archived = false;
};

struct DossierEdit {
  std::optional<std::string> framework;  // only while no answers depend on it... any draft may switch
  std::optional<boost::json::object> answers;
  std::optional<int> proposed_level;
  std::optional<std::string> justification;
  std::vector<std::pair<std::string, std::string>> part_texts;  // part id -> text
  std::optional<bool> regulation_approved;
  std::optional<std::string> regulation_ref;
  std::optional<bool> system_running;
};

struct ControlEdit {
  std::string status;  // "", met, partly_met, not_met, not_applicable
  std::string reason;  // required for not_applicable
  std::string notes;
  uint64_t revision = 0;  // of the control record read (0: none yet)
};

template <class T>
struct Done {
  T value;
  std::string detail;  // for the audit record
};

class Service {
 public:
  static Result<std::unique_ptr<Service>> open(ServiceDeps deps, ServiceOptions options);

  std::shared_ptr<const FrameworkSet> frameworks() const;
  // Reloads built-in and DATA/frameworks files; on error the loaded set stays as it was.
  Result<std::string> reload_frameworks();

  // --- systems (admin)
  Result<Done<storage::InfoSystem>> create_system(const SystemInput& in, const Person& by, int64_t now);
  Result<Done<storage::InfoSystem>> update_system(uint32_t id, const SystemInput& in, uint64_t revision,
                                                  const Person& by, int64_t now);
  Result<Done<storage::InfoSystem>> set_duties(uint32_t id, std::vector<storage::DutyAssignment> duties,
                                               uint64_t revision, const Person& by, int64_t now);

  // --- dossiers
  Result<Done<storage::Dossier>> start_dossier(uint32_t system, std::string framework, const Person& by, int64_t now);
  Result<Done<storage::Dossier>> edit_dossier(uint32_t system, uint32_t version, const DossierEdit& edit,
                                              uint64_t revision, const Person& by, int64_t now);
  Result<Done<storage::Dossier>> add_part_file(uint32_t system, uint32_t version, const std::string& part,
                                               const std::string& name, std::string_view bytes, const Person& by,
                                               int64_t now);
  Result<Done<storage::Dossier>> remove_part_file(uint32_t system, uint32_t version, const std::string& part,
                                                  const std::string& sha256, const Person& by, int64_t now);
  // Returns the version the transition leaves the person looking at: the new version for a
  // re-assessment, the same version otherwise.
  Result<Done<storage::Dossier>> transition(uint32_t system, uint32_t version, const TransitionInput& in,
                                            uint64_t revision, const Person& by, int64_t now);

  // --- controls of the system's level
  Result<Done<storage::ControlState>> set_control(uint32_t system, const std::string& control, const ControlEdit& e,
                                                  const Person& by, int64_t now);
  Result<Done<storage::ControlState>> add_control_link(uint32_t system, const std::string& control,
                                                       const std::string& kind, const std::string& ref,
                                                       const std::string& label, const Person& by, int64_t now);
  Result<Done<storage::ControlState>> add_control_file(uint32_t system, const std::string& control,
                                                       const std::string& name, std::string_view bytes,
                                                       const Person& by, int64_t now);
  Result<Done<storage::ControlState>> remove_control_evidence(uint32_t system, const std::string& control,
                                                              const std::string& evidence_id, const Person& by,
                                                              int64_t now);

  // --- views, as the API returns them
  Result<boost::json::object> system_json(uint32_t id, const Person& viewer, int64_t now);
  Result<boost::json::object> dossier_json(uint32_t system, uint32_t version, const Person& viewer, int64_t now);
  Result<boost::json::object> controls_json(uint32_t system, int64_t now);
  Result<boost::json::object> overview_json(int64_t now);
  Result<boost::json::object> report_json(uint32_t system, int64_t from_ms, int64_t to_ms, int64_t now);
  Result<std::string> report_csv(uint32_t system, int64_t from_ms, int64_t to_ms, int64_t now);
  Result<std::optional<std::string>> file(std::string_view sha256) const;

  // Approved versions whose re-assessment date has passed move to the framework's overdue state,
  // as Canh, each written to the audit log. Views call it first; returns how many moved.
  Result<size_t> sweep(int64_t now);

  storage::SystemStore& systems() { return systems_; }
  storage::DossierStore& dossiers() { return dossiers_; }
  storage::ControlStore& controls() { return controls_; }

  // Which console roles may hold a duty, and the duties one person may not combine on one system.
  static bool role_may_hold(http::Role role, Duty duty);
  static bool incompatible(Duty a, Duty b);

 private:
  Service(ServiceDeps deps, ServiceOptions options);

  // The framework, level and versions that apply to a system now.
  struct Assessment {
    const Framework* fw = nullptr;
    int level = 0;                        // of the working version (the one being assessed) or the approved one
    std::optional<storage::Dossier> working;   // newest version not closed
    std::optional<storage::Dossier> approved;  // newest version in an approved state
    std::vector<storage::Dossier> versions;
  };
  Result<Assessment> assessment(uint32_t system, const FrameworkSet& set);
  Result<storage::InfoSystem> system_or_error(uint32_t id);
  std::vector<Duty> duties_of(const storage::InfoSystem& s, const Person& p) const;
  Status need_duty(const storage::InfoSystem& s, const Person& p, std::initializer_list<Duty> any_of,
                   std::string_view what) const;

  struct ControlRow {
    const Control* control = nullptr;
    std::optional<storage::ControlState> state;
    std::optional<LiveResult> live;
    Effective effective = Effective::kNotAssessed;
  };
  struct ControlsEval {
    std::vector<ControlRow> rows;
    Score score;
    EvidenceInput input;
  };
  Result<ControlsEval> evaluate_controls(const storage::InfoSystem& s, const Assessment& a, int64_t now);
  EvidenceInput evidence_input(const storage::InfoSystem& s, const Framework& fw, int level,
                               const storage::Dossier* approved, int64_t now, int64_t period_from_ms);
  Result<DossierFacts> facts_for(const storage::InfoSystem& s, const storage::Dossier& d, const Framework& fw,
                                 int64_t now);
  boost::json::object dossier_view(const storage::InfoSystem& s, const storage::Dossier& d, const Framework* fw,
                                   const Person& viewer, int64_t now);
  boost::json::object controls_view(const ControlsEval& ev, const Assessment& a);
  Status audit_system_change(const std::string& path, const std::string& action, const std::string& detail, int64_t now);
  void publish_ranges();

  ServiceDeps deps_;
  ServiceOptions options_;
  storage::SystemStore systems_;
  storage::DossierStore dossiers_;
  storage::ControlStore controls_;
  storage::EvidenceStore blobs_;

  mutable std::mutex frameworks_mu_;
  std::shared_ptr<const FrameworkSet> frameworks_;

  // Every compliance write runs under this lock: the volume is small and read-check-write of
  // dossiers, their siblings and control records must not interleave.
  std::mutex write_mu_;

  struct CachedAlerts {
    int64_t at_ms = 0;
    int64_t from_ms = 0;
    AlertFacts facts;
    bool ok = false;
  };
  std::mutex cache_mu_;
  std::map<uint32_t, CachedAlerts> alert_cache_;
};

// RFC 4180 field, with a leading apostrophe on text a spreadsheet would run as a formula
// (=, +, -, @, tab, CR): alert fields in reports come from the network.
std::string csv_field(std::string_view s);

}  // namespace canh::compliance
