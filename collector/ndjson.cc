#include "collector/ndjson.h"

#include <string>

namespace canh::collector {

Result<std::vector<std::string_view>> split_ndjson(std::string_view body, const BatchLimits& limits) {
  if (body.size() > limits.max_body_bytes)
    return Status::invalid("batch of " + std::to_string(body.size()) + " bytes exceeds the " +
                           std::to_string(limits.max_body_bytes) + "-byte limit");
  std::vector<std::string_view> lines;
  size_t line_no = 0;
  while (!body.empty()) {
    ++line_no;
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() > limits.max_line_bytes)
      return Status::invalid("line " + std::to_string(line_no) + ": record of " + std::to_string(line.size()) +
                             " bytes exceeds the " + std::to_string(limits.max_line_bytes) + "-byte limit");
    if (lines.size() == limits.max_lines)
      return Status::invalid("batch has more than " + std::to_string(limits.max_lines) + " records");
    lines.push_back(line);
  }
  return lines;
}

}  // namespace canh::collector
