// Evidence files uploaded for controls and dossier parts, stored by their SHA-256: the hash is the
// only name a file has here, so an uploaded name can never reach a path, the same file uploaded
// twice is stored once, and an auditor can check a downloaded copy against the hash in the record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace canh::storage {

class Database;

inline constexpr std::string_view kEvidenceFamily = "evidence_blobs";

class EvidenceStore {
 public:
  static constexpr size_t kMaxBytes = 16 << 20;

  explicit EvidenceStore(Database& db) : db_(db) {}

  // Stores the bytes (once per content) and returns their SHA-256 in lower-case hex. Empty files and
  // files over kMaxBytes are refused.
  Result<std::string> put(std::string_view bytes);
  // The bytes, or nullopt when no blob has that hash. A malformed hash is kInvalid.
  Result<std::optional<std::string>> get(std::string_view sha256_hex) const;
  Result<bool> exists(std::string_view sha256_hex) const;

  static std::string sha256_hex(std::string_view bytes);
  static bool valid_hash(std::string_view s);

 private:
  Database& db_;
};

}  // namespace canh::storage
