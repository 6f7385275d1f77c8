// Security-level assessments: the versions of each system's level dossier (hồ sơ đề xuất cấp độ)
// and the status of each control of its level. The workflow that moves a dossier between states
// lives in console/compliance/; this store keeps the records and two guarantees of its own:
//  - a write names the revision it read, so two people never silently overwrite each other;
//  - once a version is frozen (approved), its content can never change again — only its lifecycle
//    (state, history, re-assessment date) moves on. Re-assessment starts a new version.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::storage {

class Database;

inline constexpr std::string_view kDossiersFamily = "dossiers";
inline constexpr std::string_view kControlStatusFamily = "control_status";

struct DossierEvent {
  int64_t time_ms = 0;
  std::string actor;   // user name, or "canh" for system transitions
  std::string duty;    // operator, appraiser, ..., system
  std::string action;  // submit, appraise, ...
  std::string from, to;
  std::string note;    // reasons, opinion summary, trigger
};

struct FileRef {
  std::string sha256;  // of the blob in storage/evidence_store.h
  std::string name;    // as uploaded, for display and the download's file name only
  uint64_t size = 0;
};

struct DossierPart {
  std::string id;  // overview, design, ...
  std::string text;
  std::vector<FileRef> files;
};

struct Dossier {
  uint32_t system = 0;
  uint32_t version = 0;  // 1, 2, ...: each re-assessment is a new version

  // --- lifecycle: moves on even after the version is frozen
  std::string state;
  int64_t state_since_ms = 0;
  std::vector<DossierEvent> history;
  int64_t reassessment_due_ms = 0;  // set on approval from the framework's cycle
  int64_t updated_ms = 0;
  uint64_t revision = 0;
  bool frozen = false;

  // --- content: fixed once frozen
  std::string framework;
  std::string answers_json = "{}";  // the questionnaire, as the framework's questions define it
  int suggested_level = 0;
  int proposed_level = 0;
  std::string justification;
  std::vector<DossierPart> parts;
  bool regulation_approved = false;
  std::string regulation_ref;
  bool system_running = false;
  std::string expert_opinion, appraisal_opinion, return_reasons;
  std::string decision_number, decision_date, pm_decision;
  std::string trigger;                // why this re-assessment (for versions after the first)
  std::string snapshot_json;          // control statuses, live verdicts and score, frozen at approval
  int64_t created_ms = 0, approved_ms = 0;
  std::string created_by;
};

struct DossierLimits {
  static constexpr size_t kText = 64 * 1024;     // justification, opinions, part texts
  static constexpr size_t kShort = 500;          // decision number, references, reasons summary
  static constexpr size_t kParts = 32, kFilesPerPart = 64, kHistory = 10000;
  static constexpr size_t kAnswers = 64 * 1024, kSnapshot = 4 << 20;
};

class DossierStore {
 public:
  explicit DossierStore(Database& db);

  // Stores `d` as the next version of its system (version and revision are assigned).
  Result<Dossier> create(Dossier d);
  Result<std::optional<Dossier>> get(uint32_t system, uint32_t version) const;
  // Every version of a system, oldest first.
  Result<std::vector<Dossier>> list(uint32_t system) const;
  // The newest version of every system, by system id.
  Result<std::vector<Dossier>> latest_per_system() const;
  // Writes all of `ds` in one atomic batch. Each must exist with the revision it carries (kConflict
  // otherwise); a frozen version's content must be unchanged (kConflict) and it stays frozen.
  // Revisions are bumped; the stored values are returned.
  Result<std::vector<Dossier>> update(std::vector<Dossier> ds);

  static Status validate(const Dossier& d);

 private:
  Database& db_;
  std::mutex mu_;
};

struct EvidenceRef {
  std::string id;      // unique within the control record
  std::string kind;    // file, alert, url
  std::string ref;     // SHA-256 of the blob, alert id, or the URL
  std::string label;   // file name or a person's description
  uint64_t size = 0;   // files
  std::string added_by;
  int64_t added_ms = 0;
};

struct ControlState {
  uint32_t system = 0;
  std::string framework, control;
  std::string status;  // "", met, partly_met, not_met, not_applicable
  std::string reason;  // why not applicable
  std::string notes;
  std::vector<EvidenceRef> evidence;
  std::string updated_by;
  int64_t updated_ms = 0;
  uint64_t revision = 0;
};

class ControlStore {
 public:
  explicit ControlStore(Database& db) : db_(db) {}

  Result<std::optional<ControlState>> get(uint32_t system, std::string_view framework, std::string_view control) const;
  // All control records of a system under a framework, by control id.
  Result<std::vector<ControlState>> list(uint32_t system, std::string_view framework) const;
  // Stores when the stored revision is `expected_revision` (0: must not exist yet).
  Result<ControlState> put(ControlState s, uint64_t expected_revision);

  static constexpr size_t kMaxEvidence = 200, kMaxNotes = 16 * 1024;

 private:
  Database& db_;
  std::mutex mu_;
};

}  // namespace canh::storage
