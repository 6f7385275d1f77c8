// Alert filters from query parameters, and alerts as JSON, shared by the console's alert routes
// (list, groups, bulk triage, detail). Parameter names match the inbox URL (#/alerts?sid=2001&...):
//
//   from, to       event time: milliseconds since the epoch or RFC 3339 ("2026-11-23T10:00:00Z")
//   severity, sid, sensor, system, state   repeatable; values within one name are alternatives
//   src, dst       an address or CIDR network; ip: either side (src OR dst)
//   assignee       user name; "-" or "unassigned" for nobody; "me" for whoever asks (so a bookmarked
//                  "my alerts" URL works for every analyst)
//   q              case-insensitive text in the signature message
//   not_sid, not_sensor, not_src, not_dst, not_ip   exclusions ("all but this scanner"), repeatable;
//                  not_ip: neither side in the network. They narrow what the others find.
//   limit, cursor  page size (1-500) and the `next` of the previous page
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "common/http_types.h"
#include "common/status.h"
#include "storage/alert_types.h"

namespace canh::console {

struct AlertFilter {
  storage::AlertQuery query;
  std::optional<std::string> assignee;   // "" matches unassigned; unset for "me"
  std::optional<storage::Cidr> either;   // src or dst in this network
  bool assignee_is_caller = false;       // assignee=me: resolved per request by query_for()

  // The store query with every filter in it (assignee through the store's assignee index, "me" as
  // the caller's name), so pages come back full and cursors exact.
  storage::AlertQuery query_for(const http::Caller& caller) const;
  // The assignee and either-side filters checked on one alert (fuzzing, callers holding alerts);
  // "me" is not checked here, having no caller.
  bool matches_extra(const storage::Alert& a) const;
};

Result<AlertFilter> parse_alert_filter(const http::Fields& params);
// The same from a JSON object ({"sid":[2001],"state":"new",...}) as the bulk action sends it.
Result<AlertFilter> parse_alert_filter(const boost::json::object& o);

// Milliseconds since the epoch or RFC 3339 UTC/offset time -> microseconds.
Result<int64_t> parse_time_us(std::string_view text, std::string_view name);

// An alert's fields named as in EVE (src_ip, dest_ip, alert.signature_id as "sid", ...), plus
// triage state. With `eve`, the stored EVE record is included parsed, as the sensor wrote it.
boost::json::object alert_brief_json(const storage::Alert& a, bool eve);

}  // namespace canh::console
