// Signed rule bundles: how rule-set updates reach air-gapped networks. The security unit signs a
// bundle offline with an Ed25519 key (libsodium crypto_sign_detached); the server verifies it against
// the public keys it trusts before the rules become a new rule-set version, which the sensors then
// load through the ordinary rule-version mechanism.
//
// A bundle is a POSIX ustar archive, so `tar tvf F.bundle` lists it and `tar xOf F.bundle manifest`
// prints the manifest. Entries, in this order and nothing else:
//
//   manifest          text, one field per line (below)
//   manifest.sig      "canh-ed25519-sig <key-id> <base64 signature>\n"
//   rules/NAME.rules  the rule files, each listed in the manifest
//
//   canh-rule-bundle 1
//   version 2026.11.23-1
//   created-at 2026-11-23T15:30:00Z
//   key-id 8c1f03a2b4d5e6f7
//   note free text on one line (optional)
//   file <sha256 hex> <bytes> <name>        one per rule file, in load order
//
// The signature covers "canh-rule-bundle-manifest-v1\n" followed by the manifest bytes exactly; the
// manifest pins every file by SHA-256 and size, so a changed, added or removed file is caught without
// signing the files themselves. A key id is the first 8 bytes of SHA-256(public key), in hex.
//
// Key files are one line of text after optional '#' comments:
//   canh-ed25519-pub <key-id> <base64 32-byte public key>
//   canh-ed25519-sec <key-id> <base64 64-byte secret key>    (mode 0600; keep it off the network)
//
// Everything read here is hostile input: sizes, counts and names are bounded and every malformed
// field is refused with a message naming it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace canh::rules::bundle {

inline constexpr size_t kMaxBundleBytes = 64u << 20;
inline constexpr size_t kMaxFiles = 256;
inline constexpr size_t kMaxNameBytes = 90;  // "rules/" + name fits a ustar name field

struct PublicKey {
  std::array<uint8_t, 32> bytes{};
  std::string id;      // 16 hex digits
  std::string source;  // the file it came from, for messages
};

struct SecretKey {
  std::array<uint8_t, 64> bytes{};
  std::string id;
};

struct KeyPair {
  PublicKey pub;
  SecretKey sec;
};

KeyPair generate_key_pair();
std::string key_id(const std::array<uint8_t, 32>& public_key);

// Key file text; `comment` becomes a '#' line (so an admin can tell keys apart).
std::string format_public_key(const PublicKey& k, std::string_view comment);
std::string format_secret_key(const SecretKey& k, std::string_view comment);
Result<PublicKey> parse_public_key(std::string_view text, std::string_view source);
Result<SecretKey> parse_secret_key(std::string_view text, std::string_view source);
Result<PublicKey> load_public_key(const std::string& path);
Result<SecretKey> load_secret_key(const std::string& path);
// A file holding one public key, or a directory whose *.pub files each hold one. Two files with the
// same key id are an error (which one is meant?).
Result<std::vector<PublicKey>> load_trusted_keys(const std::string& path);

struct FileEntry {
  std::string name;    // "emerging-scan.rules": a plain name
  std::string sha256;  // hex
  uint64_t bytes = 0;
};

struct Manifest {
  std::string version;     // 1-64 of [A-Za-z0-9._:+-]
  std::string created_at;  // ISO 8601 UTC, "2026-11-23T15:30:00Z"
  std::string key_id;
  std::string note;        // one line, may be empty
  std::vector<FileEntry> files;
};

struct RuleFile {
  std::string name;
  std::string content;
};

struct CreateOptions {
  std::string version;     // empty: created_at's digits ("20261123T153000Z")
  std::string note;
  int64_t created_unix = 0;  // 0: now
};

// Builds a signed bundle of `files` (names must be plain *.rules names, unique).
Result<std::string> create_bundle(const std::vector<RuleFile>& files, const SecretKey& key, CreateOptions options);

struct VerifiedBundle {
  Manifest manifest;
  std::vector<RuleFile> files;  // in manifest order
  PublicKey key;                // the trusted key that signed it
};

// Parses and verifies `bytes` (named `source` in messages): the archive layout, the signature by one
// of `trusted` (matched by key id; an unknown key id is refused before anything else is believed),
// then every file against the manifest. Nothing is returned unless all of it holds.
Result<VerifiedBundle> verify_bundle(std::string_view bytes, const std::vector<PublicKey>& trusted,
                                     std::string_view source);

// Checks and parses a manifest's text (exposed for tests and the fuzz target).
Result<Manifest> parse_manifest(std::string_view text);
std::string format_manifest(const Manifest& m);

std::string sha256_hex(std::string_view data);
// Standard base64 (with padding) to bytes, for bundles sent inside JSON; kInvalid on anything else.
Result<std::string> decode_base64(std::string_view text);
bool valid_file_name(std::string_view name);

}  // namespace canh::rules::bundle
