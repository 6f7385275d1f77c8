// Live evidence read from the collector's stores: sensors and their last heartbeat (SensorStore),
// the alerts attributed to a system at ingest (AlertStore, by its information-system index), the
// rule-set versions sensors run (RuleStore, for their age) and the retention in force.
#pragma once

#include <functional>

#include "console/compliance/evidence.h"
#include "storage/rule_store.h"
#include "storage/storage.h"

namespace canh::compliance {

class StorageEvidence : public EvidenceSource {
 public:
  // `retention_days` tells the alert age limit the server enforces (0: none, alerts are kept).
  StorageEvidence(storage::Storage& storage, std::function<int64_t()> retention_days);

  Result<std::vector<SensorFacts>> sensors() override;
  Result<AlertFacts> alerts_for(uint32_t system, int64_t from_ms, int64_t to_ms, size_t max_items) override;
  RetentionFacts retention() override;

 private:
  storage::Storage& storage_;
  storage::RuleStore rules_;
  std::function<int64_t()> retention_days_;
};

}  // namespace canh::compliance
