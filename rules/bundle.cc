#include "rules/bundle.h"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "common/timestamp.h"

namespace canh::rules::bundle {

namespace {

constexpr std::string_view kSignedPrefix = "canh-rule-bundle-manifest-v1\n";
constexpr std::string_view kPubTag = "canh-ed25519-pub";
constexpr std::string_view kSecTag = "canh-ed25519-sec";
constexpr std::string_view kSigTag = "canh-ed25519-sig";
constexpr std::string_view kManifestEntry = "manifest";
constexpr std::string_view kSignatureEntry = "manifest.sig";
constexpr std::string_view kRulesDir = "rules/";
constexpr size_t kBlock = 512;
constexpr size_t kMaxManifestBytes = 64 * 1024;
constexpr size_t kMaxKeyFileBytes = 16 * 1024;

void init_sodium() {
  // Idempotent and thread-safe; only fails when the system has no usable randomness.
  static const int ok = sodium_init();
  if (ok < 0) std::abort();
}

std::string to_hex(const uint8_t* p, size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

std::string to_base64(const uint8_t* p, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), p, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Decodes exactly `n` bytes of standard base64; false on anything else.
bool from_base64(std::string_view text, uint8_t* out, size_t n) {
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out, n, text.data(), text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
    return false;
  return len == n && end == text.data() + text.size();
}

bool is_hex(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::vector<std::string_view> split_spaces(std::string_view line, size_t max_parts) {
  std::vector<std::string_view> parts;
  while (!line.empty() && parts.size() + 1 < max_parts) {
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) break;
    parts.push_back(line.substr(0, sp));
    line.remove_prefix(sp + 1);
  }
  parts.push_back(line);
  return parts;
}

// The one meaningful line of a key file: '#' comments and blank lines are skipped.
Result<std::string_view> key_line(std::string_view text, std::string_view source) {
  if (text.size() > kMaxKeyFileBytes) return Status::invalid(std::string(source) + ": not a key file (too large)");
  std::string_view found;
  size_t lineno = 0, found_line = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (!found.empty())
      return Status::invalid(std::string(source) + ":" + std::to_string(lineno) + ": more than one key in the file (first on line " +
                             std::to_string(found_line) + ")");
    found = line;
    found_line = lineno;
  }
  if (found.empty()) return Status::invalid(std::string(source) + ": no key in the file");
  return found;
}

Result<std::string> read_file(const std::string& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(path + ": cannot open: " + std::strerror(errno));
  std::string s;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    s.append(buf, static_cast<size_t>(in.gcount()));
    if (s.size() > limit) return Status::invalid(path + ": larger than " + std::to_string(limit >> 20) + " MiB");
  }
  return s;
}

// --- ustar ---------------------------------------------------------------------------------------

void put_octal(char* field, size_t width, uint64_t v) {
  // width-1 digits and a NUL, as POSIX ustar writes numeric fields.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(v));
}

void tar_entry(std::string& out, std::string_view name, std::string_view data, int64_t mtime) {
  char h[kBlock] = {};
  std::memcpy(h, name.data(), name.size());
  put_octal(h + 100, 8, 0644);
  put_octal(h + 108, 8, 0);
  put_octal(h + 116, 8, 0);
  put_octal(h + 124, 12, data.size());
  put_octal(h + 136, 12, static_cast<uint64_t>(mtime));
  std::memset(h + 148, ' ', 8);
  h[156] = '0';
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memcpy(h + 265, "root", 4);
  std::memcpy(h + 297, "root", 4);
  unsigned sum = 0;
  for (size_t i = 0; i < kBlock; ++i) sum += static_cast<unsigned char>(h[i]);
  std::snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  out.append(h, kBlock);
  out.append(data);
  out.append((kBlock - data.size() % kBlock) % kBlock, '\0');
}

bool parse_octal(const char* field, size_t width, uint64_t* out) {
  // Digits, optionally led by spaces and ended by NUL or space; nothing else (no base-256 form:
  // nothing we write needs it, so a bundle using it is not ours).
  size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  uint64_t v = 0;
  size_t digits = 0;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i, ++digits) {
    if (v > (UINT64_MAX >> 3)) return false;
    v = v * 8 + static_cast<uint64_t>(field[i] - '0');
  }
  if (digits == 0) return false;
  for (; i < width; ++i)
    if (field[i] != '\0' && field[i] != ' ') return false;
  *out = v;
  return true;
}

struct TarEntry {
  std::string name;
  std::string_view data;
};

Result<std::vector<TarEntry>> parse_tar(std::string_view bytes, std::string_view source) {
  auto bad = [&](size_t offset, const std::string& what) {
    return Status::invalid(std::string(source) + ": not a valid bundle archive at byte " + std::to_string(offset) + ": " + what);
  };
  std::vector<TarEntry> entries;
  size_t off = 0;
  for (;;) {
    if (off + kBlock > bytes.size()) return bad(off, "archive ends without its end marker");
    const char* h = bytes.data() + off;
    if (std::all_of(h, h + kBlock, [](char c) { return c == '\0'; })) {
      // End of archive: whatever follows must be padding.
      if (!std::all_of(bytes.begin() + static_cast<long>(off), bytes.end(), [](char c) { return c == '\0'; }))
        return bad(off, "data after the end marker");
      break;
    }
    if (std::memcmp(h + 257, "ustar", 5) != 0) return bad(off, "entry header is not ustar");
    uint64_t want_sum = 0;
    if (!parse_octal(h + 148, 8, &want_sum)) return bad(off, "bad header checksum field");
    unsigned sum = 0;
    for (size_t i = 0; i < kBlock; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    if (sum != want_sum) return bad(off, "header checksum mismatch");
    if (h[156] != '0' && h[156] != '\0') return bad(off, "entry is not a regular file (type '" + std::string(1, h[156]) + "')");
    if (h[345] != '\0') return bad(off, "entry uses a name prefix");
    size_t name_len = strnlen(h, 100);
    if (name_len == 0 || name_len == 100) return bad(off, "entry name empty or not terminated");
    uint64_t size = 0;
    if (!parse_octal(h + 124, 12, &size)) return bad(off, "bad size field");
    std::string name(h, name_len);
    off += kBlock;
    if (size > bytes.size() - off) return bad(off, "entry \"" + name + "\" is cut short");
    entries.push_back({name, bytes.substr(off, size)});
    off += (size + kBlock - 1) / kBlock * kBlock;
    if (entries.size() > kMaxFiles + 2) return bad(off, "more than " + std::to_string(kMaxFiles) + " files");
    if (off > bytes.size()) return bad(bytes.size(), "last entry's padding is missing");
  }
  return entries;
}

bool valid_version(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
           c == '+' || c == '-';
  });
}

bool printable_line(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

std::string signed_message(std::string_view manifest) {
  std::string m(kSignedPrefix);
  m.append(manifest);
  return m;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  init_sodium();
  uint8_t h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const uint8_t*>(data.data()), data.size());
  return to_hex(h, sizeof h);
}

Result<std::string> decode_base64(std::string_view text) {
  init_sodium();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<uint8_t*>(out.data()), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    return Status::invalid("not valid base64");
  out.resize(len);
  return out;
}

std::string key_id(const std::array<uint8_t, 32>& public_key) {
  init_sodium();
  uint8_t h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, public_key.data(), public_key.size());
  return to_hex(h, 8);
}

bool valid_file_name(std::string_view name) {
  if (name.size() < 7 || name.size() > kMaxNameBytes || name.front() == '.' || !name.ends_with(".rules")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

KeyPair generate_key_pair() {
  init_sodium();
  static_assert(crypto_sign_PUBLICKEYBYTES == 32 && crypto_sign_SECRETKEYBYTES == 64);
  KeyPair kp;
  crypto_sign_keypair(kp.pub.bytes.data(), kp.sec.bytes.data());
  kp.pub.id = key_id(kp.pub.bytes);
  kp.sec.id = kp.pub.id;
  return kp;
}

std::string format_public_key(const PublicKey& k, std::string_view comment) {
  std::string s = "# canh rule-bundle public key";
  if (!comment.empty()) s += ": " + std::string(comment);
  s += "\n" + std::string(kPubTag) + " " + k.id + " " + to_base64(k.bytes.data(), k.bytes.size()) + "\n";
  return s;
}

std::string format_secret_key(const SecretKey& k, std::string_view comment) {
  std::string s = "# canh rule-bundle SECRET key: keep it offline, readable by the signer only";
  if (!comment.empty()) s += "\n# " + std::string(comment);
  s += "\n" + std::string(kSecTag) + " " + k.id + " " + to_base64(k.bytes.data(), k.bytes.size()) + "\n";
  return s;
}

Result<PublicKey> parse_public_key(std::string_view text, std::string_view source) {
  init_sodium();
  auto line = key_line(text, source);
  if (!line) return line.status();
  auto parts = split_spaces(*line, 4);
  std::string src(source);
  if (parts.size() != 3 || parts[0] != kPubTag)
    return Status::invalid(src + ": expected \"" + std::string(kPubTag) + " KEY-ID BASE64\"" +
                           (!parts.empty() && parts[0] == kSecTag ? " (this is a secret key: give the .pub file)" : ""));
  PublicKey k;
  if (!from_base64(parts[2], k.bytes.data(), k.bytes.size())) return Status::invalid(src + ": the key is not 32 bytes of base64");
  k.id = key_id(k.bytes);
  if (parts[1] != k.id)
    return Status::invalid(src + ": key id " + std::string(parts[1]) + " does not match the key (" + k.id + "): the file is damaged");
  k.source = src;
  return k;
}

Result<SecretKey> parse_secret_key(std::string_view text, std::string_view source) {
  init_sodium();
  auto line = key_line(text, source);
  if (!line) return line.status();
  auto parts = split_spaces(*line, 4);
  std::string src(source);
  if (parts.size() != 3 || parts[0] != kSecTag)
    return Status::invalid(src + ": expected \"" + std::string(kSecTag) + " KEY-ID BASE64\"" +
                           (!parts.empty() && parts[0] == kPubTag ? " (this is a public key: signing needs the secret key)" : ""));
  SecretKey k;
  if (!from_base64(parts[2], k.bytes.data(), k.bytes.size())) return Status::invalid(src + ": the key is not 64 bytes of base64");
  // An Ed25519 secret key in libsodium's form carries its public half in the last 32 bytes.
  std::array<uint8_t, 32> pub;
  crypto_sign_ed25519_sk_to_pk(pub.data(), k.bytes.data());
  uint8_t seed[32];
  crypto_sign_ed25519_sk_to_seed(seed, k.bytes.data());
  std::array<uint8_t, 32> derived;
  std::array<uint8_t, 64> sk2;
  crypto_sign_seed_keypair(derived.data(), sk2.data(), seed);
  sodium_memzero(seed, sizeof seed);
  sodium_memzero(sk2.data(), sk2.size());
  if (derived != pub) return Status::invalid(src + ": the secret key is inconsistent (damaged file)");
  k.id = key_id(pub);
  if (parts[1] != k.id)
    return Status::invalid(src + ": key id " + std::string(parts[1]) + " does not match the key (" + k.id + "): the file is damaged");
  return k;
}

Result<PublicKey> load_public_key(const std::string& path) {
  auto text = read_file(path, kMaxKeyFileBytes);
  if (!text) return text.status();
  return parse_public_key(*text, path);
}

Result<SecretKey> load_secret_key(const std::string& path) {
  auto text = read_file(path, kMaxKeyFileBytes);
  if (!text) return text.status();
  return parse_secret_key(*text, path);
}

Result<std::vector<PublicKey>> load_trusted_keys(const std::string& path) {
  std::error_code ec;
  std::vector<std::string> files;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& e : std::filesystem::directory_iterator(path, ec))
      if (e.path().extension() == ".pub") files.push_back(e.path().string());
    if (ec) return Status::io(path + ": " + ec.message());
    std::sort(files.begin(), files.end());
  } else if (std::filesystem::exists(path, ec)) {
    files.push_back(path);
  } else {
    return Status::not_found(path + ": no such file or directory (trusted rule-bundle keys)");
  }
  std::vector<PublicKey> keys;
  for (const auto& f : files) {
    auto k = load_public_key(f);
    if (!k) return k.status();
    for (const auto& other : keys)
      if (other.id == k->id) return Status::invalid(f + ": key " + k->id + " is also in " + other.source);
    keys.push_back(std::move(*k));
  }
  return keys;
}

std::string format_manifest(const Manifest& m) {
  std::string s = "canh-rule-bundle 1\n";
  s += "version " + m.version + "\n";
  s += "created-at " + m.created_at + "\n";
  s += "key-id " + m.key_id + "\n";
  if (!m.note.empty()) s += "note " + m.note + "\n";
  for (const auto& f : m.files) s += "file " + f.sha256 + " " + std::to_string(f.bytes) + " " + f.name + "\n";
  return s;
}

Result<Manifest> parse_manifest(std::string_view text) {
  if (text.size() > kMaxManifestBytes) return Status::invalid("manifest: larger than 64 KiB");
  if (text.empty() || text.back() != '\n') return Status::invalid("manifest: must end with a newline");
  Manifest m;
  bool version = false, created = false, key = false, note = false;
  std::set<std::string, std::less<>> names;
  size_t lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++lineno;
    std::string where = "manifest:" + std::to_string(lineno) + ": ";
    if (!printable_line(line)) return Status::invalid(where + "control characters");
    if (lineno == 1) {
      if (line != "canh-rule-bundle 1") return Status::invalid(where + "expected \"canh-rule-bundle 1\" (a newer format?)");
      continue;
    }
    size_t sp = line.find(' ');
    std::string_view field = line.substr(0, sp);
    std::string_view value = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    if (field == "version") {
      if (version) return Status::invalid(where + "version given twice");
      if (!valid_version(value)) return Status::invalid(where + "version must be 1-64 of A-Z a-z 0-9 . _ : + -");
      m.version = value;
      version = true;
    } else if (field == "created-at") {
      int64_t us = 0;
      if (created) return Status::invalid(where + "created-at given twice");
      if (!parse_timestamp_us(value, &us)) return Status::invalid(where + "created-at is not an ISO 8601 time");
      m.created_at = value;
      created = true;
    } else if (field == "key-id") {
      if (key) return Status::invalid(where + "key-id given twice");
      if (!is_hex(value, 16)) return Status::invalid(where + "key-id must be 16 hex digits");
      m.key_id = value;
      key = true;
    } else if (field == "note") {
      if (note) return Status::invalid(where + "note given twice");
      if (value.size() > 1000) return Status::invalid(where + "note longer than 1000 bytes");
      m.note = value;
      note = true;
    } else if (field == "file") {
      auto parts = split_spaces(value, 3);
      if (parts.size() != 3) return Status::invalid(where + "expected \"file SHA256 BYTES NAME\"");
      FileEntry f;
      if (!is_hex(parts[0], 64)) return Status::invalid(where + "file hash must be 64 hex digits");
      f.sha256 = parts[0];
      if (parts[1].empty() || parts[1].size() > 12 ||
          !std::all_of(parts[1].begin(), parts[1].end(), [](char c) { return c >= '0' && c <= '9'; }))
        return Status::invalid(where + "file size must be a number");
      f.bytes = std::stoull(std::string(parts[1]));
      if (f.bytes > kMaxBundleBytes) return Status::invalid(where + "file larger than a bundle may be");
      if (!valid_file_name(parts[2])) return Status::invalid(where + "file name \"" + std::string(parts[2]) + "\" is not a plain *.rules name");
      if (!names.insert(std::string(parts[2])).second) return Status::invalid(where + "file \"" + std::string(parts[2]) + "\" listed twice");
      f.name = parts[2];
      if (m.files.size() >= kMaxFiles) return Status::invalid(where + "more than " + std::to_string(kMaxFiles) + " files");
      m.files.push_back(std::move(f));
    } else {
      return Status::invalid(where + "unknown field \"" + std::string(field) + "\"");
    }
  }
  if (!version || !created || !key) return Status::invalid("manifest: version, created-at and key-id are required");
  if (m.files.empty()) return Status::invalid("manifest: lists no rule files");
  return m;
}

Result<std::string> create_bundle(const std::vector<RuleFile>& files, const SecretKey& key, CreateOptions options) {
  init_sodium();
  if (files.empty()) return Status::invalid("a bundle needs at least one rule file");
  if (files.size() > kMaxFiles) return Status::invalid("at most " + std::to_string(kMaxFiles) + " files per bundle");
  int64_t now = options.created_unix ? options.created_unix : static_cast<int64_t>(std::time(nullptr));
  Manifest m;
  m.created_at = format_timestamp_us(now * 1000000).substr(0, 19) + "Z";
  if (options.version.empty()) {
    for (char c : m.created_at)
      if (c != '-' && c != ':') m.version += c;
  } else {
    m.version = options.version;
  }
  if (!valid_version(m.version)) return Status::invalid("version \"" + m.version + "\": use 1-64 of A-Z a-z 0-9 . _ : + -");
  if (options.note.size() > 1000 || !printable_line(options.note)) return Status::invalid("note: one line of at most 1000 bytes");
  m.note = options.note;
  m.key_id = key.id;
  size_t total = 0;
  std::set<std::string, std::less<>> names;
  for (const auto& f : files) {
    if (!valid_file_name(f.name)) return Status::invalid("\"" + f.name + "\": rule files are plain names ending in .rules");
    if (!names.insert(f.name).second) return Status::invalid("\"" + f.name + "\" given twice");
    total += f.content.size() + kBlock;
    if (total > kMaxBundleBytes) return Status::invalid("the files exceed the bundle limit of 64 MiB");
    m.files.push_back({f.name, sha256_hex(f.content), f.content.size()});
  }
  std::string manifest = format_manifest(m);
  std::string msg = signed_message(manifest);
  uint8_t sig[crypto_sign_BYTES];
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), key.bytes.data());
  std::string sig_text = std::string(kSigTag) + " " + key.id + " " + to_base64(sig, sizeof sig) + "\n";

  std::string out;
  tar_entry(out, kManifestEntry, manifest, now);
  tar_entry(out, kSignatureEntry, sig_text, now);
  for (const auto& f : files) tar_entry(out, std::string(kRulesDir) + f.name, f.content, now);
  out.append(2 * kBlock, '\0');
  return out;
}

Result<VerifiedBundle> verify_bundle(std::string_view bytes, const std::vector<PublicKey>& trusted, std::string_view source) {
  init_sodium();
  std::string src(source);
  if (bytes.size() > kMaxBundleBytes) return Status::invalid(src + ": larger than 64 MiB: not a bundle");
  auto entries = parse_tar(bytes, source);
  if (!entries) return entries.status();
  if (entries->size() < 2 || (*entries)[0].name != kManifestEntry || (*entries)[1].name != kSignatureEntry)
    return Status::invalid(src + ": a bundle starts with \"manifest\" and \"manifest.sig\"");
  std::string_view manifest_text = (*entries)[0].data;
  std::string_view sig_text = (*entries)[1].data;

  // The signature first: nothing in the manifest is believed before it is verified.
  if (sig_text.size() > 512 || sig_text.empty() || sig_text.back() != '\n')
    return Status::invalid(src + ": manifest.sig: expected one line");
  auto parts = split_spaces(sig_text.substr(0, sig_text.size() - 1), 4);
  if (parts.size() != 3 || parts[0] != kSigTag || !is_hex(parts[1], 16))
    return Status::invalid(src + ": manifest.sig: expected \"" + std::string(kSigTag) + " KEY-ID BASE64\"");
  uint8_t sig[crypto_sign_BYTES];
  if (!from_base64(parts[2], sig, sizeof sig)) return Status::invalid(src + ": manifest.sig: the signature is not 64 bytes of base64");
  const PublicKey* key = nullptr;
  for (const auto& k : trusted)
    if (k.id == parts[1]) key = &k;
  if (!key) {
    std::string ids;
    for (const auto& k : trusted) ids += (ids.empty() ? "" : ", ") + k.id;
    return Status::permission(src + ": signed by key " + std::string(parts[1]) + ", which is not trusted here (trusted: " +
                              (ids.empty() ? "none configured" : ids) + ")");
  }
  std::string msg = signed_message(manifest_text);
  if (crypto_sign_verify_detached(sig, reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), key->bytes.data()) != 0)
    return Status::permission(src + ": bad signature: the manifest was not signed by key " + key->id +
                              " (altered after signing, or signed with another key)");

  auto m = parse_manifest(manifest_text);
  if (!m) return m.status().with_context(src);
  if (m->key_id != key->id)
    return Status::permission(src + ": the manifest names key " + m->key_id + " but the signature is by " + key->id);
  size_t rule_entries = entries->size() - 2;
  if (rule_entries != m->files.size())
    return Status::invalid(src + ": the archive holds " + std::to_string(rule_entries) + " rule files, the manifest lists " +
                           std::to_string(m->files.size()));
  VerifiedBundle out;
  for (size_t i = 0; i < m->files.size(); ++i) {
    const FileEntry& f = m->files[i];
    const TarEntry& e = (*entries)[i + 2];
    if (e.name != std::string(kRulesDir) + f.name)
      return Status::invalid(src + ": archive entry " + std::to_string(i + 3) + " is \"" + e.name + "\", the manifest expects rules/" + f.name);
    if (e.data.size() != f.bytes || sha256_hex(e.data) != f.sha256)
      return Status::permission(src + ": rules/" + f.name + " does not match its SHA-256 in the signed manifest (tampered)");
    out.files.push_back({f.name, std::string(e.data)});
  }
  out.manifest = std::move(*m);
  out.key = *key;
  return out;
}

}  // namespace canh::rules::bundle
