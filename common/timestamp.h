// Timestamps as text: EVE's "2026-11-23T15:33:30.123456+0000" and ISO 8601 / RFC 3339 in general,
// read into and written from microseconds since the epoch (UTC).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace canh {

// "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HHMM|±HH:MM)"; a space may stand for the 'T'. Fractions beyond
// microseconds are truncated. Years 2000-2099 only: alert keys need a bounded time, and anything
// outside is a broken clock. False on anything else.
bool parse_timestamp_us(std::string_view text, int64_t* us);

// "2026-11-23T15:33:30.123456Z".
std::string format_timestamp_us(int64_t us);

}  // namespace canh
