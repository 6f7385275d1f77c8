// The column families of the console's stores, for the schema list the data folder is opened with.
#pragma once

#include <string>
#include <vector>

namespace canh::storage {

inline std::vector<std::string> console_column_families() {
  return {"users", "sessions", "api_tokens", "audit", "rulesets", "suppressions", "alert_notes"};
}

}  // namespace canh::storage
