// EVE metadata of a transaction for an alert record, named as Suricata names it so that jq recipes,
// EveBox and SIEM parsers read it unchanged:
//   "http":{"hostname","http_port","url","http_user_agent","xff","http_content_type","http_refer",
//           "http_method","protocol","status","redirect","length"}
//   "dns":{"query":[{"type":"query","id","rrname","rrtype","tx_id","opcode"}]}  (a query), or
//   "dns":{"answer":{"version":2,"type":"answer","id","flags","qr",...,"rcode","answers":[...]}}
//   "tls":{"subject","issuerdn","serial","fingerprint","sni","version","notbefore","notafter",
//          "ja3":{"hash","string"},"ja3s":{"hash","string"}}
//   "ssh":{"client":{"proto_version","software_version"},"server":{...}}
// Fields that are absent are left out. Strings are JSON-escaped; bytes that are not UTF-8 become
// \u00XX, so a line is always valid JSON whatever the traffic held.
#pragma once

#include <string>
#include <string_view>

#include "sensor/app/app_types.h"

namespace canh::sensor::app {

// Appends the members (`"http":{...}`, no surrounding braces, no leading comma) for `ev`.
void write_eve(const TxEvent& ev, std::string* out);

// JSON string escaping as EVE needs it (exposed for tests).
void json_escape(std::string_view s, std::string* out);

}  // namespace canh::sensor::app
