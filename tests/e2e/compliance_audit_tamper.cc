// Test tool: changes one record of a data folder's audit log directly in RocksDB, behind Canh's
// back, the way someone with access to the disk could. `canh audit verify` must then name it.
//
//   compliance_audit_tamper DATA_DIR SEQ edit|rehash|delete
//     edit    change the record's detail text, leave its hash as it was
//     rehash  change the detail and recompute the record's own hash (a careful forger): the link
//             from the next record breaks instead
//     delete  remove the record
#include <rocksdb/db.h>
#include <sodium.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

std::string key_of(uint64_t seq) {
  std::string k;
  for (int i = 7; i >= 0; --i) k += static_cast<char>(seq >> (i * 8));
  return k;
}

std::string sha256_hex(const std::string& s) {
  unsigned char h[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h, reinterpret_cast<const unsigned char*>(s.data()), s.size());
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : h) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

int fail(const std::string& m) {
  std::fprintf(stderr, "compliance_audit_tamper: %s\n", m.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return fail("usage: compliance_audit_tamper DATA_DIR SEQ edit|rehash|delete");
  if (sodium_init() < 0) return fail("libsodium");
  std::string path = std::string(argv[1]) + "/db";
  uint64_t seq = std::stoull(argv[2]);
  std::string mode = argv[3];

  rocksdb::Options opts;
  std::vector<std::string> names;
  auto s = rocksdb::DB::ListColumnFamilies(opts, path, &names);
  if (!s.ok()) return fail("list families: " + s.ToString());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::Open(opts, path, descs, &handles, &raw);
  if (!s.ok()) return fail("open: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* audit = nullptr;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == "audit") audit = handles[i];
  int rc = 0;
  if (!audit) {
    rc = fail("no audit family");
  } else if (mode == "delete") {
    s = db->Delete(rocksdb::WriteOptions(), audit, key_of(seq));
    if (!s.ok()) rc = fail(s.ToString());
  } else {
    std::string value;
    s = db->Get(rocksdb::ReadOptions(), audit, key_of(seq), &value);
    if (!s.ok()) {
      rc = fail("record " + std::to_string(seq) + ": " + s.ToString());
    } else {
      const std::string marker = "\"detail\":\"";
      auto p = value.find(marker);
      if (p == std::string::npos) {
        rc = fail("record has no detail field");
      } else {
        value.insert(p + marker.size(), "TAMPERED ");
        if (mode == "rehash") {
          auto h = value.rfind(",\"hash\":\"");
          std::string body = value.substr(0, h) + "}";
          value = value.substr(0, h) + ",\"hash\":\"" + sha256_hex(body) + "\"}";
        }
        s = db->Put(rocksdb::WriteOptions(), audit, key_of(seq), value);
        if (!s.ok()) rc = fail(s.ToString());
      }
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  db->Close();
  if (rc == 0) std::printf("record %llu: %s\n", static_cast<unsigned long long>(seq), mode.c_str());
  return rc;
}
