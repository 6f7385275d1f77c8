#include "rules/bundle.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace canh::rules::bundle {
namespace {

const std::vector<RuleFile> kFiles = {
    {"local.rules", "alert tcp any any -> any 80 (msg:\"one\"; content:\"GET\"; sid:1000001; rev:1;)\n"},
    {"extra.rules", "alert udp any any -> any 53 (msg:\"two\"; content:\"x\"; sid:1000002; rev:1;)\n"},
};

std::string make(const KeyPair& kp, int64_t created = 1795000000) {
  CreateOptions o;
  o.version = "2026.11.23-1";
  o.note = "weekly update";
  o.created_unix = created;
  auto b = create_bundle(kFiles, kp.sec, o);
  EXPECT_TRUE(b) << b.status().message();
  return b ? *b : std::string();
}

// Offset of an archive entry's data (headers are 512 bytes, data padded to 512).
size_t data_offset(const std::string& tar, std::string_view name) {
  size_t off = 0;
  while (off + 512 <= tar.size() && tar[off] != '\0') {
    std::string n(tar.data() + off);
    size_t size = std::stoull(std::string(tar.data() + off + 124, 11), nullptr, 8);
    if (n == name) return off + 512;
    off += 512 + (size + 511) / 512 * 512;
  }
  ADD_FAILURE() << "no entry " << name;
  return 0;
}

// A ustar header as any tar writes it, for building archives the bundle writer would not.
std::string entry(std::string_view name, std::string_view data, char type = '0') {
  char h[512] = {};
  std::memcpy(h, name.data(), name.size());
  std::snprintf(h + 100, 8, "%07o", 0644);
  std::snprintf(h + 124, 12, "%011llo", static_cast<unsigned long long>(data.size()));
  std::snprintf(h + 136, 12, "%011o", 0);
  std::memset(h + 148, ' ', 8);
  h[156] = type;
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  std::string out(h, 512);
  out += data;
  out.append((512 - data.size() % 512) % 512, '\0');
  return out;
}

std::string without_end(const std::string& b) { return b.substr(0, b.size() - 1024); }

TEST(Bundle, SignedBundleVerifiesWithItsKey) {
  KeyPair kp = generate_key_pair();
  std::string b = make(kp);
  auto v = verify_bundle(b, {kp.pub}, "u.bundle");
  ASSERT_TRUE(v) << v.status().message();
  EXPECT_EQ(v->manifest.version, "2026.11.23-1");
  EXPECT_EQ(v->manifest.note, "weekly update");
  EXPECT_EQ(v->manifest.created_at, "2026-11-18T11:06:40Z");
  EXPECT_EQ(v->manifest.key_id, kp.pub.id);
  ASSERT_EQ(v->files.size(), 2u);
  EXPECT_EQ(v->files[0].name, "local.rules");
  EXPECT_EQ(v->files[0].content, kFiles[0].content);
  EXPECT_EQ(v->files[1].content, kFiles[1].content);
  EXPECT_EQ(v->key.id, kp.pub.id);
}

TEST(Bundle, SameInputsGiveTheSameBytes) {
  // Ed25519 signatures are deterministic and the archive carries no host details: a bundle can be
  // rebuilt and compared.
  KeyPair kp = generate_key_pair();
  EXPECT_EQ(make(kp), make(kp));
}

TEST(Bundle, DefaultVersionComesFromCreationTime) {
  KeyPair kp = generate_key_pair();
  CreateOptions o;
  o.created_unix = 1795000000;
  auto b = create_bundle(kFiles, kp.sec, o);
  ASSERT_TRUE(b);
  auto v = verify_bundle(*b, {kp.pub}, "b");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->manifest.version, "20261118T110640Z");
}

TEST(Bundle, UnknownKeyIsRefused) {
  KeyPair signer = generate_key_pair(), other = generate_key_pair();
  auto v = verify_bundle(make(signer), {other.pub}, "u.bundle");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.status().code(), Status::Code::kPermission);
  EXPECT_NE(v.status().message().find("signed by key " + signer.pub.id + ", which is not trusted"), std::string::npos)
      << v.status().message();
  auto none = verify_bundle(make(signer), {}, "u.bundle");
  ASSERT_FALSE(none);
  EXPECT_NE(none.status().message().find("none configured"), std::string::npos);
}

TEST(Bundle, AlteredManifestFailsTheSignature) {
  KeyPair kp = generate_key_pair();
  std::string b = make(kp);
  size_t at = b.find("version 2026.11.23-1");
  ASSERT_NE(at, std::string::npos);
  b[at + 8] = '3';  // 3026...: same length, so only the signature can tell
  auto v = verify_bundle(b, {kp.pub}, "u.bundle");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.status().code(), Status::Code::kPermission);
  EXPECT_NE(v.status().message().find("bad signature"), std::string::npos) << v.status().message();
}

TEST(Bundle, SignatureByAnotherKeyClaimingATrustedIdFails) {
  KeyPair trusted = generate_key_pair(), attacker = generate_key_pair();
  std::string good = make(trusted);
  // The attacker signs their own bundle and relabels the signature with the trusted key's id.
  std::string forged = make(attacker);
  size_t sig = data_offset(forged, "manifest.sig");
  std::string sig_line(forged.data() + sig, forged.find('\n', sig) - sig);
  size_t id_at = forged.find(attacker.pub.id, sig);
  forged.replace(id_at, 16, trusted.pub.id);
  size_t man = forged.find("key-id " + attacker.pub.id);
  forged.replace(man + 7, 16, trusted.pub.id);
  auto v = verify_bundle(forged, {trusted.pub}, "forged.bundle");
  ASSERT_FALSE(v);
  EXPECT_NE(v.status().message().find("bad signature"), std::string::npos) << v.status().message();
}

TEST(Bundle, TamperedRuleFileIsRefused) {
  KeyPair kp = generate_key_pair();
  std::string b = make(kp);
  size_t at = data_offset(b, "rules/local.rules");
  size_t sid = b.find("sid:1000001", at);
  b[sid + 10] = '9';  // same length: only the manifest's hash can tell
  auto v = verify_bundle(b, {kp.pub}, "u.bundle");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.status().code(), Status::Code::kPermission);
  EXPECT_NE(v.status().message().find("rules/local.rules does not match its SHA-256"), std::string::npos)
      << v.status().message();
}

TEST(Bundle, AddedOrRemovedFilesAreRefused) {
  KeyPair kp = generate_key_pair();
  std::string b = make(kp);
  std::string added = without_end(b) + entry("rules/evil.rules", "pass ip any any -> any any (sid:1;)\n") + std::string(1024, '\0');
  auto v = verify_bundle(added, {kp.pub}, "u.bundle");
  ASSERT_FALSE(v);
  EXPECT_NE(v.status().message().find("holds 3 rule files, the manifest lists 2"), std::string::npos) << v.status().message();

  size_t second = data_offset(b, "rules/extra.rules") - 512;
  std::string removed = b.substr(0, second) + std::string(1024, '\0');
  v = verify_bundle(removed, {kp.pub}, "u.bundle");
  ASSERT_FALSE(v);
  EXPECT_NE(v.status().message().find("holds 1 rule files, the manifest lists 2"), std::string::npos) << v.status().message();
}

TEST(Bundle, MalformedArchivesAreRefusedWithTheOffset) {
  KeyPair kp = generate_key_pair();
  std::string b = make(kp);
  auto cut = verify_bundle(b.substr(0, 1000), {kp.pub}, "cut.bundle");
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.status().message().find("cut.bundle: not a valid bundle archive at byte"), std::string::npos)
      << cut.status().message();
  std::string bad_sum = b;
  bad_sum[0] = 'M';  // "Manifest": the header checksum no longer matches
  EXPECT_FALSE(verify_bundle(bad_sum, {kp.pub}, "x"));
  std::string link = without_end(b) + entry("rules/x.rules", "", '2') + std::string(1024, '\0');
  auto l = verify_bundle(link, {kp.pub}, "x");
  ASSERT_FALSE(l);
  EXPECT_NE(l.status().message().find("not a regular file"), std::string::npos);
  auto trailing = verify_bundle(b + "garbage", {kp.pub}, "x");
  ASSERT_FALSE(trailing);
  EXPECT_FALSE(verify_bundle("", {kp.pub}, "x"));
  EXPECT_FALSE(verify_bundle(std::string(4096, '\0'), {kp.pub}, "x"));
}

TEST(Bundle, CreateRefusesNamesThatAreNotPlainRuleFiles) {
  KeyPair kp = generate_key_pair();
  for (std::string name : {"../x.rules", "a/b.rules", ".hidden.rules", "x.txt", "sp ace.rules", ""}) {
    auto b = create_bundle({{name, "x"}}, kp.sec, {});
    EXPECT_FALSE(b) << name;
  }
  EXPECT_FALSE(create_bundle({{"a.rules", "x"}, {"a.rules", "y"}}, kp.sec, {}));
  EXPECT_FALSE(create_bundle({}, kp.sec, {}));
  CreateOptions bad;
  bad.version = "1 2";
  EXPECT_FALSE(create_bundle(kFiles, kp.sec, bad));
}

TEST(BundleManifest, StrictFields) {
  std::string hash(64, 'a');
  std::string ok = "canh-rule-bundle 1\nversion 1\ncreated-at 2026-11-23T15:30:00Z\nkey-id 0123456789abcdef\nfile " + hash +
                   " 3 a.rules\n";
  ASSERT_TRUE(parse_manifest(ok));
  EXPECT_FALSE(parse_manifest("canh-rule-bundle 2\n" + ok.substr(ok.find('\n') + 1)));
  EXPECT_FALSE(parse_manifest(ok + "file " + hash + " 3 a.rules\n"));          // listed twice
  EXPECT_FALSE(parse_manifest(ok + "color blue\n"));                            // unknown field
  EXPECT_FALSE(parse_manifest(ok + "version 2\n"));                             // twice
  EXPECT_FALSE(parse_manifest(ok + "file " + hash + " 3 ../b.rules\n"));       // path
  EXPECT_FALSE(parse_manifest(ok + "file " + hash + " -3 b.rules\n"));         // size
  EXPECT_FALSE(parse_manifest(ok.substr(0, ok.size() - 1)));                    // no final newline
  EXPECT_FALSE(parse_manifest("canh-rule-bundle 1\nversion 1\nkey-id 0123456789abcdef\nfile " + hash + " 3 a.rules\n"));
  auto m = parse_manifest(ok);
  EXPECT_EQ(format_manifest(*m), ok);
}

TEST(BundleKeys, KeyFilesRoundTrip) {
  KeyPair kp = generate_key_pair();
  auto pub = parse_public_key(format_public_key(kp.pub, "security unit 2026"), "k.pub");
  ASSERT_TRUE(pub) << pub.status().message();
  EXPECT_EQ(pub->bytes, kp.pub.bytes);
  EXPECT_EQ(pub->id, kp.pub.id);
  auto sec = parse_secret_key(format_secret_key(kp.sec, "security unit 2026"), "k.key");
  ASSERT_TRUE(sec) << sec.status().message();
  EXPECT_EQ(sec->bytes, kp.sec.bytes);
}

TEST(BundleKeys, DamagedOrMixedUpKeyFilesAreRefused) {
  KeyPair kp = generate_key_pair();
  std::string pub = format_public_key(kp.pub, "");
  std::string sec = format_secret_key(kp.sec, "");
  auto swapped = parse_public_key(sec, "k.key");
  ASSERT_FALSE(swapped);
  EXPECT_NE(swapped.status().message().find("this is a secret key"), std::string::npos);
  EXPECT_FALSE(parse_secret_key(pub, "k.pub"));
  std::string wrong_id = pub;
  size_t at = wrong_id.find(kp.pub.id);
  wrong_id[at] = wrong_id[at] == '0' ? '1' : '0';
  auto w = parse_public_key(wrong_id, "k.pub");
  ASSERT_FALSE(w);
  EXPECT_NE(w.status().message().find("does not match the key"), std::string::npos);
  EXPECT_FALSE(parse_public_key(pub + pub, "two.pub"));
  EXPECT_FALSE(parse_public_key("# only a comment\n", "empty.pub"));
}

TEST(BundleKeys, TrustedKeysFromADirectory) {
  auto dir = std::filesystem::temp_directory_path() / ("canh-keys-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  KeyPair a = generate_key_pair(), b = generate_key_pair();
  std::ofstream(dir / "a.pub") << format_public_key(a.pub, "a");
  std::ofstream(dir / "b.pub") << format_public_key(b.pub, "b");
  std::ofstream(dir / "README") << "not a key";
  auto keys = load_trusted_keys(dir.string());
  ASSERT_TRUE(keys) << keys.status().message();
  EXPECT_EQ(keys->size(), 2u);
  std::ofstream(dir / "c.pub") << format_public_key(a.pub, "a again");
  auto dup = load_trusted_keys(dir.string());
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.status().message().find("is also in"), std::string::npos);
  EXPECT_FALSE(load_trusted_keys((dir / "missing").string()));
  std::filesystem::remove_all(dir);
}

TEST(Bundle, StandardTarListsTheBundle) {
  if (access("/usr/bin/tar", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/tar";
  KeyPair kp = generate_key_pair();
  auto path = std::filesystem::temp_directory_path() / ("canh-bundle-" + std::to_string(getpid()) + ".bundle");
  std::ofstream(path, std::ios::binary) << make(kp);
  std::string cmd = "/usr/bin/tar tf " + path.string();
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string listing;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) listing += buf;
  EXPECT_EQ(pclose(p), 0);
  EXPECT_EQ(listing, "manifest\nmanifest.sig\nrules/local.rules\nrules/extra.rules\n");
  std::filesystem::remove(path);
}

TEST(Bundle, FuzzSeedsVerifyWithTheFuzzKey) {
  // rules_bundle_fuzz trusts this key; if the seeds stopped verifying, mutations would never get
  // past the signature check.
  auto key = parse_public_key("canh-ed25519-pub 51ba89546890e767 WWAeFTLT2L6CibiWNu0KKc0Q6WlPq53XGMW4AYFeHwU=\n", "fuzz.pub");
  ASSERT_TRUE(key);
  for (const char* seed : {"one.bundle", "two.bundle"}) {
    std::ifstream in(std::string(CANH_SOURCE_DIR) + "/rules/fuzz_seeds/bundle/" + seed, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto v = verify_bundle(bytes, {*key}, seed);
    EXPECT_TRUE(v) << seed << ": " << v.status().message();
  }
}

}  // namespace
}  // namespace canh::rules::bundle
