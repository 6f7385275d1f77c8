#include "console/compliance/storage_evidence.h"

#include <charconv>
#include <chrono>

namespace canh::compliance {

namespace {

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

StorageEvidence::StorageEvidence(storage::Storage& storage, std::function<int64_t()> retention_days)
    : storage_(storage), rules_(storage.db()), retention_days_(std::move(retention_days)) {}

Result<std::vector<SensorFacts>> StorageEvidence::sensors() {
  auto list = storage_.sensors().list();
  if (!list) return list.status();
  std::vector<SensorFacts> out;
  const int64_t now = wall_ms();
  for (const auto& s : *list) {
    SensorFacts f;
    f.id = s.id;
    f.name = s.name;
    f.decommissioned = s.state == storage::SensorState::kDecommissioned;
    if (s.health) {
      f.last_heartbeat_ms = s.health->received_ms;
      f.packets = s.health->packets;
      f.drops = s.health->drops;
      f.ruleset_version = s.health->ruleset_version;
      // Sensors report the console's rule-set version number; its age is when that version was cut.
      uint64_t v = 0;
      const auto& text = f.ruleset_version;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && p == text.data() + text.size() && v > 0) {
        auto rv = rules_.get(v);
        if (rv && rv.value()) f.ruleset_age_days = (now - rv.value()->created_ms) / 86400000;
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

Result<AlertFacts> StorageEvidence::alerts_for(uint32_t system, int64_t from_ms, int64_t to_ms, size_t max_items) {
  AlertFacts f;
  f.from_ms = from_ms;
  f.to_ms = to_ms;
  storage::AlertQuery q;
  q.systems = {system};
  q.from_us = from_ms * 1000;
  q.to_us = to_ms * 1000;
  q.limit = 500;
  // Counts go on past the listed items, up to a bound, so a busy system's statistics stay right
  // even when only the newest alerts are kept for the triage checks.
  const size_t count_bound = max_items * 2;
  size_t seen = 0;
  while (true) {
    auto page = storage_.alerts().list(q);
    if (!page) return page.status();
    for (const auto& a : page->items) {
      ++seen;
      ++f.total;
      f.by_severity[a.severity >= 1 && a.severity <= 4 ? a.severity : 0]++;
      f.by_category[a.category]++;
      f.by_sensor[a.sensor]++;
      bool triaged = a.state != storage::TriageState::kNew;
      if (!triaged) ++f.open;
      if (f.items.size() < max_items) {
        AlertItem it;
        it.ts_ms = a.id.ts_us / 1000;
        it.received_ms = a.received_ms;
        it.severity = a.severity;
        it.category = a.category;
        it.signature = a.signature;
        it.triaged = triaged;
        it.triaged_ms = a.triaged_ms;
        it.sensor = a.sensor;
        f.items.push_back(std::move(it));
      } else {
        f.truncated = true;
      }
    }
    if (!page->next || seen >= count_bound) {
      if (page->next) f.truncated = true;
      break;
    }
    q.after = page->next;
  }
  return f;
}

RetentionFacts StorageEvidence::retention() {
  RetentionFacts r;
  r.known = static_cast<bool>(retention_days_);
  r.configured_days = retention_days_ ? retention_days_() : 0;
  r.floor_ms = storage_.alerts().retention_floor_us() / 1000;
  return r;
}

}  // namespace canh::compliance
