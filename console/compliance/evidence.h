// Live evidence: the controls monitoring can show, evaluated from what Canh itself sees — sensors
// and their heartbeats, the alerts attributed to the system and how fast they were triaged, the
// alert retention — with the figures behind every verdict. "Not evaluated" is kept apart from pass
// and fail everywhere: no data is never evidence, so a system with no evidence never scores 100%.
//
// Pure functions over an EvidenceInput snapshot; EvidenceSource is where the snapshot comes from
// (storage_evidence.h reads the collector's stores).
#pragma once

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "console/compliance/framework.h"
#include "storage/assessment_store.h"

namespace canh::compliance {

struct SensorFacts {
  uint32_t id = 0;
  std::string name;
  bool decommissioned = false;
  int64_t last_heartbeat_ms = 0;  // 0: never
  uint64_t packets = 0, drops = 0;
  std::string ruleset_version;
  std::optional<int64_t> ruleset_age_days;  // when the rule set's date is known
};

struct AlertItem {
  int64_t ts_ms = 0;        // event time
  int64_t received_ms = 0;  // when the collector stored it: triage time counts from here
  uint8_t severity = 3;
  std::string category, signature;
  bool triaged = false;     // any state but "new"
  int64_t triaged_ms = 0;
  uint32_t sensor = 0;
};

struct AlertFacts {
  int64_t from_ms = 0, to_ms = 0;
  uint64_t total = 0;
  std::array<uint64_t, 5> by_severity{};  // [0] other, [1..4]
  std::map<std::string, uint64_t> by_category;
  std::map<uint32_t, uint64_t> by_sensor;
  uint64_t open = 0;                      // still "new"
  std::vector<AlertItem> items;           // the alerts themselves, newest first, up to a bound
  bool truncated = false;                 // more alerts than items: figures say so
};

struct RetentionFacts {
  bool known = false;
  int64_t configured_days = 0;  // 0: kept without an age limit
  int64_t floor_ms = 0;         // alerts older than this were removed by retention (0: none yet)
};

// Where live evidence comes from. Implemented over the collector's stores in storage_evidence.h.
class EvidenceSource {
 public:
  virtual ~EvidenceSource() = default;
  virtual Result<std::vector<SensorFacts>> sensors() = 0;
  // Alerts attributed to `system` with event time in [from_ms, to_ms), at most `max_items` listed.
  virtual Result<AlertFacts> alerts_for(uint32_t system, int64_t from_ms, int64_t to_ms, size_t max_items) = 0;
  virtual RetentionFacts retention() = 0;
};

struct EvidenceInput {
  int level = 0;
  int64_t now_ms = 0;
  std::vector<uint32_t> declared_sensors;  // the system's
  std::vector<SensorFacts> sensors;        // all known sensors
  bool sensors_known = false;              // false: the sensor store could not be read
  AlertFacts alerts;                       // over the longest period any check needs
  bool alerts_known = false;
  RetentionFacts retention;
  const Framework* framework = nullptr;
  const storage::Dossier* approved = nullptr;  // the version in force, if any
};

enum class Verdict : uint8_t { kNotEvaluated, kPass, kFail };
std::string_view verdict_name(Verdict v);

struct LiveResult {
  Verdict verdict = Verdict::kNotEvaluated;
  std::string reason;    // a stable code the page translates: "no_sensor_declared", "sensor_silent", ...
  std::string summary;   // the same in English words, with the numbers, for reports and the API
  boost::json::object figures;  // the numbers behind the verdict
};

LiveResult evaluate_live(const Control& c, const EvidenceInput& in);

// --- per-control status and the system's score --------------------------------------------------

enum class Effective : uint8_t { kMet, kPartlyMet, kNotMet, kNotApplicable, kNotAssessed, kNotEvaluated };
std::string_view effective_name(Effective e);

// Manual status ("", met, partly_met, not_met, not_applicable) combined with the live verdict:
//  - not applicable (with its reason) excludes the control whatever the evidence;
//  - live controls take the verdict (not evaluated stays not evaluated);
//  - mixed controls take the manual status, but a failing measurement makes them not met: the
//    documents say one thing, the network another, and the network wins;
//  - manual controls take the manual status; none yet is "not assessed".
Effective effective_status(EvidenceKind kind, std::string_view manual, const LiveResult* live);

struct Score {
  size_t total = 0, not_applicable = 0, applicable = 0;
  size_t met = 0, partly_met = 0, not_met = 0, not_assessed = 0, not_evaluated = 0;
  // (met + partly_met / 2) / applicable, as a percentage with one decimal; absent when nothing
  // applies. Not assessed and not evaluated count as zero: they are in the denominator.
  std::optional<double> percent;
  std::string denominator;  // "of 52 applicable controls (3 not applicable excluded)"
};
Score score_of(const std::vector<Effective>& statuses);
boost::json::object score_json(const Score& s);

bool valid_manual_status(std::string_view s);

}  // namespace canh::compliance
