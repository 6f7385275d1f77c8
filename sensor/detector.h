// Detection as the pipeline sees it: one Detector per worker (it owns the worker's scratch), made
// by a DetectorFactory shared by all workers. engine_detector.h implements it over rules::Engine;
// tests implement it with fixed behaviour to exercise the pipeline without a rule set.
//
// Rule reload: the factory may be given a new engine at any time (another thread); each Detector
// notices between packets (a relaxed atomic generation check) and switches, keeping flows and their
// FlowDetectState. In-flight packets finish on the old engine.
#pragma once

#include <cstdint>
#include <memory>

#include "rules/detect.h"

namespace canh::sensor {

class Detector {
 public:
  virtual ~Detector() = default;
  // Called once per packet (and once per extra stream chunk or app transaction of that packet).
  virtual void inspect(const rules::DetectInput& in, rules::FlowDetectState& state, rules::AlertSink& sink) = 0;
  // Called between packets: pick up a reloaded rule set if there is one.
  virtual void maybe_reload() {}
};

class DetectorFactory {
 public:
  virtual ~DetectorFactory() = default;
  virtual std::unique_ptr<Detector> make(uint32_t worker_id) = 0;
};

}  // namespace canh::sensor
