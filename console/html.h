// HTML escaping for the few pages the server renders itself (the printable report, error pages).
// The web UI inserts network-derived text with textContent; this covers server-side rendering.
#pragma once

#include <string>
#include <string_view>

namespace canh::console {

// Escapes & < > " ' and replaces control bytes other than \t \n \r with U+FFFD, so the result is
// safe as element text and inside a quoted attribute value.
std::string html_escape(std::string_view text);

}  // namespace canh::console
