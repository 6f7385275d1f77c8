#include "common/metrics_text.h"

#include <gtest/gtest.h>

#include <limits>

namespace canh::metrics {
namespace {

TEST(MetricsText, FamilyHasHelpAndTypeOnce) {
  TextWriter w;
  w.family("canh_x_total", "counter", "Things.");
  w.sample("canh_x_total", {{"kind", "a"}}, uint64_t{1});
  w.family("canh_x_total", "counter", "Things.");
  w.sample("canh_x_total", {{"kind", "b"}}, uint64_t{2});
  EXPECT_EQ(w.text(),
            "# HELP canh_x_total Things.\n# TYPE canh_x_total counter\n"
            "canh_x_total{kind=\"a\"} 1\ncanh_x_total{kind=\"b\"} 2\n");
}

TEST(MetricsText, LabelValuesAndHelpAreEscaped) {
  TextWriter w;
  w.family("m", "gauge", "back\\slash\nnewline");
  w.sample("m", {{"route", "a\"b\\c\nd"}}, 1.5);
  EXPECT_EQ(w.text(), "# HELP m back\\\\slash\\nnewline\n# TYPE m gauge\nm{route=\"a\\\"b\\\\c\\nd\"} 1.5\n");
}

TEST(MetricsText, SpecialFloatValues) {
  TextWriter w;
  w.sample("a", {}, std::numeric_limits<double>::infinity());
  w.sample("b", {}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(w.text(), "a +Inf\nb NaN\n");
}

TEST(LatencyHistogram, BucketsAreCumulativeAndEndWithInf) {
  LatencyHistogram h;
  h.observe_ns(500'000);         // 0.5 ms -> le 0.001
  h.observe_ns(20'000'000);      // 20 ms -> le 0.025
  h.observe_ns(60'000'000'000);  // 60 s -> only +Inf
  TextWriter w;
  w.family("lat", "histogram", "Latency.");
  h.write(w, "lat", {{"route", "GET /x"}});
  const std::string& t = w.text();
  EXPECT_NE(t.find("lat_bucket{route=\"GET /x\",le=\"0.001\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("lat_bucket{route=\"GET /x\",le=\"0.01\"} 1\n"), std::string::npos) << t;
  EXPECT_NE(t.find("lat_bucket{route=\"GET /x\",le=\"0.025\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("lat_bucket{route=\"GET /x\",le=\"30\"} 2\n"), std::string::npos) << t;
  EXPECT_NE(t.find("lat_bucket{route=\"GET /x\",le=\"+Inf\"} 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("lat_count{route=\"GET /x\"} 3\n"), std::string::npos) << t;
  EXPECT_NE(t.find("lat_sum{route=\"GET /x\"} 60.02"), std::string::npos) << t;
  EXPECT_EQ(h.count(), 3u);
}

}  // namespace
}  // namespace canh::metrics
