// From a transaction to the rule engine's inspection buffers (rules::AppBuffers). The side that
// progressed decides the two-sided buffers (http.header, http.cookie, http.content_type,
// http.protocol, file_data, ssh.proto, ssh.software ...). Request buffers (http.uri, http.user_agent ...) are offered with
// both directions, response buffers (http.stat_code, http.server, tls.cert_* ...) with to-client
// progress only: the engine inspects a rule with the side its buffers belong to (a rule mixing both
// with the response), and remembers per transaction and direction what alerted. A buffer that does
// not exist (header not sent, body not seen yet) stays absent, which is not the same as empty:
// `bsize:0` matches an empty User-Agent only.
#pragma once

#include <span>
#include <vector>

#include "rules/detect.h"
#include "sensor/app/app_types.h"

namespace canh::sensor::app {

// Storage behind multi-buffers (http.request_header ...), reused across calls by its owner.
struct BufferScratch {
  std::vector<std::span<const uint8_t>> parts;
};

// Resets *out and fills it for `ev`. Views point into the transaction (and `scratch`): valid while
// the event is.
void fill_buffers(const TxEvent& ev, rules::AppBuffers* out, BufferScratch* scratch);

}  // namespace canh::sensor::app
