#include "storage/evidence_store.h"

#include <sodium.h>

#include "storage/database.h"

namespace canh::storage {

std::string EvidenceStore::sha256_hex(std::string_view bytes) {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* d = "0123456789abcdef";
  std::string out(sizeof h * 2, '0');
  for (size_t i = 0; i < sizeof h; ++i) {
    out[2 * i] = d[h[i] >> 4];
    out[2 * i + 1] = d[h[i] & 15];
  }
  return out;
}

bool EvidenceStore::valid_hash(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<std::string> EvidenceStore::put(std::string_view bytes) {
  if (bytes.empty()) return Status::invalid("the file is empty");
  if (bytes.size() > kMaxBytes)
    return Status::invalid("the file is larger than " + std::to_string(kMaxBytes >> 20) + " MiB");
  std::string h = sha256_hex(bytes);
  auto have = exists(h);
  if (!have) return have.status();
  if (*have) return h;
  CANH_RETURN_IF_ERROR(db_.put(kEvidenceFamily, h, bytes, true));
  return h;
}

Result<std::optional<std::string>> EvidenceStore::get(std::string_view sha) const {
  if (!valid_hash(sha)) return Status::invalid("\"" + std::string(sha.substr(0, 80)) + "\" is not a SHA-256 in hex");
  return db_.get(kEvidenceFamily, sha);
}

Result<bool> EvidenceStore::exists(std::string_view sha) const {
  auto r = get(sha);
  if (!r) return r.status();
  return r.value().has_value();
}

}  // namespace canh::storage
