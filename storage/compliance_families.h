// The column families of the compliance stores (information systems, dossiers, control statuses,
// evidence files), for the schema list storage::column_families() opens a data folder with.
#pragma once

#include <string>
#include <vector>

namespace canh::storage {

inline std::vector<std::string> compliance_column_families() {
  return {"info_systems", "dossiers", "control_status", "evidence_blobs"};
}

}  // namespace canh::storage
