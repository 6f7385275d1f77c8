// The alert list and the dashboard aggregates of the console API, read from storage::AlertStore.
//
//   GET /api/v1/alerts        the filters of console/alert_query.h (the inbox URL's): from, to, sid,
//                             severity, sensor, system, state, src, dst, ip (either side), assignee,
//                             q (text in the signature message), limit (1-500, default 50), cursor
//     -> {"items":[alert...], "next_cursor": "..."|null, "partial": bool}
//     `partial`: the search stopped at its work budget before filling the page; next_cursor resumes it.
//
//   GET /api/v1/alerts/stats  from, to (default: the last 24 hours), top (default 10),
//                             bucket (seconds, a multiple of 60; default: about 100 buckets)
//     -> {"from","to","total","bucket_seconds","by_severity","by_state","series",
//         "top_signatures","top_sources","top_destinations","by_sensor","by_system"}
//
// Both are Access::people(). Each item carries the EVE record as the sensor wrote it ("eve"), so
// nothing is lost between the sensor and the page; the page must insert its strings as text.
#pragma once

#include <vector>

#include "common/http_types.h"
#include "storage/alert_store.h"
#include "storage/sensor_store.h"

namespace canh::console {

// `sensors` (optional) adds sensor names to items and aggregates.
std::vector<http::Route> alert_routes(storage::AlertStore& alerts, storage::SensorStore* sensors);

}  // namespace canh::console
