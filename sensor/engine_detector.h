// Detection over the rule engine (rules/engine.h), with rule reload.
//
// The factory holds the current engine; set_engine() (from any thread: the shipper receiving a new
// rule bundle, a SIGHUP handler's thread) swaps it and bumps a generation counter. Each worker's
// detector checks the generation with one relaxed load per packet and, when it changed, takes the
// new engine (under a mutex, between packets) and makes a new scratch. Flows and their
// FlowDetectState stay; flowbit indexes are per engine, so a reload that renumbers flowbits
// starts them afresh — as Suricata's rule reload does.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "rules/engine.h"
#include "sensor/detector.h"

namespace canh::sensor {

class EngineDetectorFactory : public DetectorFactory {
 public:
  explicit EngineDetectorFactory(std::shared_ptr<const rules::Engine> engine) : engine_(std::move(engine)) {}
  std::unique_ptr<Detector> make(uint32_t worker_id) override;

  void set_engine(std::shared_ptr<const rules::Engine> engine);
  std::shared_ptr<const rules::Engine> engine(uint64_t* generation) const;
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const rules::Engine> engine_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace canh::sensor
