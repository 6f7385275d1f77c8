#include "rules/content.h"

namespace canh::rules {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> decode_content(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_hex = false;
  int pending = -1;  // first nibble of a hex byte in progress
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    std::string col = std::to_string(i + 1);
    if (in_hex) {
      if (c == '|') {
        if (pending >= 0) return Status::invalid("content: odd number of hex digits before column " + col);
        in_hex = false;
      } else if (c == ' ' || c == '\t') {
        // Suricata skips blanks anywhere in a hex run, even inside a byte: "|3 a20|" is 3a 20 (ET
        // sid 2021276 relies on it).
      } else {
        int v = hex_value(c);
        if (v < 0) return Status::invalid("content: '" + std::string(1, c) + "' at column " + col + " is not a hex digit");
        if (pending < 0) {
          pending = v;
        } else {
          out += static_cast<char>(pending << 4 | v);
          pending = -1;
        }
      }
      continue;
    }
    if (c == '|') {
      in_hex = true;
    } else if (c == '\\') {
      // Suricata accepts \" \; \\ \: and \| as escapes of the character itself; anything else is an error.
      if (i + 1 >= text.size()) return Status::invalid("content: trailing backslash at column " + col);
      char n = text[++i];
      if (n != '"' && n != ';' && n != '\\' && n != ':' && n != '|')
        return Status::invalid("content: unknown escape \\" + std::string(1, n) + " at column " + col);
      out += n;
    } else if (c == '"') {
      return Status::invalid("content: unescaped '\"' at column " + col);
    } else {
      out += c;
    }
  }
  if (in_hex) return Status::invalid("content: '|' hex section not closed");
  return out;
}

}  // namespace canh::rules
