// From a transaction to the rule engine's inspection buffers (rules::AppBuffers), direction by
// direction as Suricata registers its keywords: request-only buffers (http.uri, http.user_agent,
// tls.sni, ja3.*, dns.query ...) are offered with to-server progress, response-only ones
// (http.stat_code, http.server, file_data of a response, tls.cert_*, ja3s.* ...) with to-client
// progress, and the two-sided ones (http.header, http.cookie, http.content_type, http.protocol ...)
// hold the side that progressed. A buffer that does not exist (header not sent, body not seen yet)
// stays absent, which is not the same as empty: `bsize:0` matches an empty User-Agent only.
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
