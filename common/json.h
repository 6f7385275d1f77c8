// JSON string escaping shared by everything that writes JSON by hand (EVE lines in the sensor, API
// error bodies). One policy, Suricata's: valid UTF-8 passes through unchanged (Vietnamese host names,
// certificate subjects, signature messages stay readable), control characters are escaped, and each
// byte that is not part of a valid UTF-8 sequence is written as \u00XX, so the output is valid JSON
// whatever came off the network and the original bytes can still be told apart.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace canh {

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when the bytes there are
// not valid UTF-8 (overlong forms, surrogates, > U+10FFFF, truncated sequences).
size_t utf8_sequence_length(std::string_view s, size_t i);

// Appends `s` escaped for the inside of a JSON string (no quotes added).
void json_escape_append(std::string& out, std::string_view s);

}  // namespace canh
