#include "sensor/metrics.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

#include "sensor/worker.h"

namespace canh::sensor {
namespace {

TEST(SensorMetrics, PerWorkerCountersAndShipping) {
  PublishedCounters a, b;
  a.packets = 100;
  a.bytes = 64000;
  a.alerts = 3;
  a.flows_total = 7;
  a.flows_active = 2;
  a.decoder_events = 1;
  b.packets = 50;
  b.capture_drops = 4;
  SensorMetricsSources src;
  src.workers = [&] { return std::vector<const PublishedCounters*>{&a, &b}; };
  src.ruleset_version = "12";
  src.rules_loaded = 345;
  ShipFigures ship;
  ship.enrolled = true;
  ship.spool_batches = 2;
  ship.spool_bytes = 4096;
  ship.shipped_alerts = 40;
  ship.failures = 1;
  ship.spool_write_errors = 5;
  ship.spool_lost_alerts = 3;
  src.ship = [&] { return std::optional<ShipFigures>(ship); };
  std::string t = render_sensor_metrics(src);
  for (const char* want : {"# TYPE canh_sensor_packets_total counter\n", "canh_sensor_packets_total{worker=\"0\"} 100\n",
                           "canh_sensor_packets_total{worker=\"1\"} 50\n", "canh_sensor_bytes_total{worker=\"0\"} 64000\n",
                           "canh_sensor_alerts_total{worker=\"0\"} 3\n", "canh_sensor_flows_total{worker=\"0\"} 7\n",
                           "# TYPE canh_sensor_flows_active gauge\n", "canh_sensor_decoder_events_total{worker=\"0\"} 1\n",
                           "canh_sensor_capture_drops_total{worker=\"1\"} 4\n", "canh_sensor_workers 2\n",
                           "canh_sensor_ruleset_info{version=\"12\"} 345\n", "canh_sensor_enrolled 1\n",
                           "canh_sensor_spool_batches 2\n", "canh_sensor_spool_bytes 4096\n",
                           "canh_sensor_shipped_alerts_total 40\n", "canh_sensor_ship_failures_total 1\n",
                           "canh_sensor_spool_write_errors_total 5\n", "canh_sensor_spool_lost_alerts_total 3\n",
                           "# TYPE canh_sensor_worker_busy_seconds_total counter\n", "process_cpu_seconds_total "})
    EXPECT_NE(t.find(want), std::string::npos) << want << "\n" << t;
  a.packets = 180;
  EXPECT_NE(render_sensor_metrics(src).find("canh_sensor_packets_total{worker=\"0\"} 180\n"), std::string::npos);
}

TEST(SensorMetrics, NoShipperNoShippingFamilies) {
  SensorMetricsSources src;
  std::string t = render_sensor_metrics(src);
  EXPECT_EQ(t.find("canh_sensor_spool_batches"), std::string::npos);
  EXPECT_NE(t.find("canh_sensor_workers 0\n"), std::string::npos);
}

double thread_cpu() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

TEST(SensorMetrics, BusyTimeIsTheNamedThreadsCpuTime) {
  std::mutex mu;
  std::condition_variable cv;
  bool burnt = false, done = false;
  std::thread t([&] {
    pthread_setname_np(pthread_self(), "canh-w1");
    // Burn CPU until this thread's own clock shows 50 ms (measured CPU, not wall time).
    volatile uint64_t x = 0;
    double start = thread_cpu();
    while (thread_cpu() - start < 0.05) x = x + 1;
    std::unique_lock lock(mu);
    burnt = true;
    cv.notify_all();
    cv.wait(lock, [&] { return done; });
  });
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return burnt; });
  }
  std::vector<double> cpu = worker_cpu_seconds(2);
  {
    std::lock_guard lock(mu);
    done = true;
    cv.notify_all();
  }
  t.join();
  ASSERT_EQ(cpu.size(), 2u);
  EXPECT_EQ(cpu[0], 0.0);   // no thread named canh-w0
  EXPECT_GE(cpu[1], 0.04);  // clock ticks are 10 ms: 50 ms shows as at least 40
}

}  // namespace
}  // namespace canh::sensor
