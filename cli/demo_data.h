// The demo's bundled data, ours and generated: a small capture of an agency network's traffic
// (web browsing, DNS, TLS, an FTP login, and a few attacks from outside and one infected
// workstation) and a rule set written for it. `canh demo` replays one against the other; `canh demo
// --export DIR` writes both out for use with `canh sensor` and `canh rules check`.
//
// The capture is deterministic: the same start time gives the same bytes. The demo starts it a few
// minutes in the past so the console's "last hour" views show the alerts.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace canh::cli::demo {

// Classic pcap (Ethernet), timestamps from `start_us` (microseconds since the epoch).
std::string make_capture(int64_t start_us);

// The demo rule file (Suricata syntax), and what each rule is expected to raise on the capture.
extern const char* const kRules;
struct ExpectedAlert {
  uint32_t sid;
  uint32_t count;
  const char* what;  // for the summary and tests
};
const std::vector<ExpectedAlert>& expected_alerts();

// The information system the demo seeds: its name and the ranges its traffic lives on.
inline constexpr const char* kSystemName = "Cổng thông tin điện tử tỉnh (demo)";
const std::vector<std::string>& system_ranges();

inline constexpr const char* kSensorName = "demo-sensor";
inline constexpr const char* kAdminName = "admin";

}  // namespace canh::cli::demo
