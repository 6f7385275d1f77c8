// Decoding of a content/pattern string as Suricata writes it: printable text with `|hex hex|` runs
// and backslash escapes (\" \; \\ \:), e.g. "GET /|2e 2e|/etc\;passwd" -> bytes.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace canh::rules {

// `text` is the option value without its surrounding quotes. Errors name the offending character
// position, counted from 1: "content: hex byte at column 7 is not two hex digits".
Result<std::string> decode_content(std::string_view text);

}  // namespace canh::rules
