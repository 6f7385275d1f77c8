// Reading one EVE alert line from a sensor batch: the schema the collector accepts, checked field by
// field, into the values the alert store indexes. The line itself is kept verbatim.
#pragma once

#include <string_view>

#include "common/status.h"
#include "storage/alert_types.h"

namespace canh::collector {

// Parses and validates `line` (one JSON object, no newline) into `out`, which keeps a copy of the
// line. Errors name the field: "alert.signature_id: must be an integer from 1 to 4294967295".
Status parse_eve_alert(std::string_view line, storage::NewAlert* out);

}  // namespace canh::collector
