// Fuzzes the small rule-side files a sensor or server reads besides rules: classification.config
// (`config classification: name,description,priority`), public key files of trusted bundle signers
// (rule-bundles.trusted-keys), base64 (bundles uploaded as JSON) and bundle file names. The first
// byte picks the reader. Invariants: no crash; errors name the file; a key that parses prints back
// to the same key; base64 that decodes has the length its text says.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/bundle.h"
#include "rules/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canh::rules;
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto t = ClassificationTable::parse(in, "fuzz.config");
      if (!t && t.status().message().rfind("fuzz.config", 0) != 0) __builtin_trap();
      if (t) (void)t->find(in.substr(0, 16));
      break;
    }
    case 1: {
      auto k = bundle::parse_public_key(in, "fuzz.pub");
      if (!k && k.status().message().find("fuzz.pub") == std::string::npos) __builtin_trap();
      if (k) {
        auto again = bundle::parse_public_key(bundle::format_public_key(*k, "again"), "again.pub");
        if (!again || again->bytes != k->bytes || again->id != k->id) __builtin_trap();
      }
      (void)bundle::parse_secret_key(in, "fuzz.key");
      break;
    }
    case 2: {
      auto b = bundle::decode_base64(in);
      if (b && b->size() > in.size()) __builtin_trap();
      break;
    }
    case 3:
      (void)bundle::valid_file_name(in);
      break;
  }
  return 0;
}
