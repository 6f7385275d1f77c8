#include "sensor/engine_detector.h"

namespace canh::sensor {

namespace {
class EngineDetector : public Detector {
 public:
  explicit EngineDetector(EngineDetectorFactory& factory) : factory_(factory) { refresh(); }

  void inspect(const rules::DetectInput& in, rules::FlowDetectState& state, rules::AlertSink& sink) override {
    if (engine_) engine_->inspect(in, state, *scratch_, sink);
  }

  void maybe_reload() override {
    if (factory_.generation() != generation_) refresh();
  }

 private:
  void refresh() {
    engine_ = factory_.engine(&generation_);
    scratch_ = engine_ ? engine_->make_scratch() : nullptr;
  }

  EngineDetectorFactory& factory_;
  std::shared_ptr<const rules::Engine> engine_;
  std::unique_ptr<rules::Scratch> scratch_;
  uint64_t generation_ = 0;
};
}  // namespace

std::unique_ptr<Detector> EngineDetectorFactory::make(uint32_t) { return std::make_unique<EngineDetector>(*this); }

void EngineDetectorFactory::set_engine(std::shared_ptr<const rules::Engine> engine) {
  std::lock_guard<std::mutex> lock(mu_);
  engine_ = std::move(engine);
  generation_.fetch_add(1, std::memory_order_release);
}

std::shared_ptr<const rules::Engine> EngineDetectorFactory::engine(uint64_t* generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  *generation = generation_.load(std::memory_order_relaxed);
  return engine_;
}

}  // namespace canh::sensor
