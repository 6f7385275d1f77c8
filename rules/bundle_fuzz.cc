// Fuzzes what an air-gapped site feeds the server: a rule bundle (archive, signature line, manifest)
// verified against a fixed trusted key, and the manifest parser on its own.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace canh::rules::bundle;
  // The key that signed the checked-in seeds (fuzz_seeds/bundle/*.bundle; its secret half was
  // thrown away), so seeds pass the signature check and mutations of the files reach the manifest
  // and hash checks.
  static const std::vector<PublicKey> trusted = [] {
    auto k = parse_public_key("canh-ed25519-pub 51ba89546890e767 WWAeFTLT2L6CibiWNu0KKc0Q6WlPq53XGMW4AYFeHwU=\n", "fuzz.pub");
    return k ? std::vector<PublicKey>{*k} : std::vector<PublicKey>{};
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto v = verify_bundle(in, trusted, "fuzz.bundle");
  if (v && v->files.empty()) __builtin_trap();  // a verified bundle always lists files
  auto m = parse_manifest(in);
  if (m) {
    // What parses must print back to text that parses the same way.
    auto again = parse_manifest(format_manifest(*m));
    if (!again || again->files.size() != m->files.size()) __builtin_trap();
  }
  return 0;
}
