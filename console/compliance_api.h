// The compliance API: information systems, dossiers and their workflow, controls and evidence,
// the overview and reports, under /api/v1/compliance/. A thin JSON layer over compliance::Service
// (console/compliance/service.h), which decides who may do what; the router has already checked
// the console role, CSRF and written the audit record (each mutating route names its action, and
// the handler adds a one-line detail).
//
//   canh server:  auto api = ComplianceApi::open(storage, console, {data_dir, retention_days});
//                 router.mount(api->routes());
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/http_types.h"
#include "common/status.h"
#include "console/compliance/service.h"
#include "console/compliance/storage_evidence.h"

namespace canh::storage {
class Storage;
}

namespace canh::console {

class Console;

struct ComplianceApiOptions {
  std::string data_dir;  // frameworks are overridden from data_dir/frameworks/
  // The alert age limit the server enforces, in days (0: none). Null: not known to the server, so
  // the retention check reports "not evaluated".
  std::function<int64_t()> retention_days;
};

class ComplianceApi {
 public:
  static Result<std::unique_ptr<ComplianceApi>> open(storage::Storage& storage, Console& console,
                                                     ComplianceApiOptions options);
  std::vector<http::Route> routes();
  compliance::Service& service() { return *service_; }

 private:
  ComplianceApi() = default;
  std::unique_ptr<compliance::StorageEvidence> evidence_;
  std::unique_ptr<compliance::Service> service_;
};

// Content-Disposition for a download: the name reduced to safe ASCII for filename=, and the
// original in UTF-8 for filename* (RFC 6266, RFC 8187).
std::string attachment_disposition(std::string_view name);

}  // namespace canh::console
