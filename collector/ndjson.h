// Splitting a sensor's NDJSON batch body into lines, with the limits the ingest API enforces before
// any line is parsed: a hostile or broken sensor cannot make the collector buffer without bound.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::collector {

struct BatchLimits {
  size_t max_body_bytes = 8u << 20;  // whole request body
  size_t max_lines = 10000;          // records per batch
  size_t max_line_bytes = 256u << 10;
};

// Views into `body`, one per non-empty line ("\n" or "\r\n" separated). Errors name the line:
// "line 17: record of 300000 bytes exceeds the 262144-byte limit".
Result<std::vector<std::string_view>> split_ndjson(std::string_view body, const BatchLimits& limits);

}  // namespace canh::collector
