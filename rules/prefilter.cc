#include "rules/prefilter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace canh::rules {
namespace {

constexpr char kMagic[8] = {'C', 'A', 'N', 'H', 'H', 'S', '0', '1'};

uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// A tiny streaming 128-bit hash (two independent 64-bit lanes); only for cache keys, not security.
struct Hasher {
  uint64_t a = 0x243f6a8885a308d3ULL, b = 0x13198a2e03707344ULL;
  void add(const void* data, size_t n) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < n; ++i) {
      a = (a ^ p[i]) * 0x100000001b3ULL;
      b = rotl(b ^ (uint64_t(p[i]) * 0x9e3779b97f4a7c15ULL), 27) * 0xc2b2ae3d27d4eb4fULL;
    }
  }
  void add_u64(uint64_t v) { add(&v, sizeof v); }
  std::string hex() const {
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                  static_cast<unsigned long long>(b));
    return buf;
  }
};

bool read_all(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return false;
  *out = ss.str();
  return true;
}

// Writes to a temporary name and renames, so a crash or a concurrent writer never leaves a torn file.
bool write_atomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out.write(data.data(), std::streamsize(data.size()));
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace

uint64_t stable_hash64(const void* data, size_t n, uint64_t seed) {
  Hasher h;
  h.add_u64(seed);
  h.add(data, n);
  return h.a ^ rotl(h.b, 17);
}

std::string literal_db_key(const std::vector<Literal>& lits) {
  Hasher h;
  const char* v = hs_version();
  h.add(v, std::strlen(v));
  hs_platform_info_t plat{};
  if (hs_populate_platform(&plat) == HS_SUCCESS) {
    h.add_u64(plat.tune);
    h.add_u64(plat.cpu_features);
  }
  h.add_u64(lits.size());
  for (const auto& l : lits) {
    h.add_u64(l.bytes.size() << 1 | (l.nocase ? 1 : 0));
    h.add(l.bytes.data(), l.bytes.size());
  }
  return h.hex();
}

namespace {

// Looks `key` up in the cache; on a hit returns the database.
hs_database_t* cache_load(const std::string& path, const std::string& key, std::string* cache_warning) {
  std::string data;
  if (!read_all(path, &data)) return nullptr;
  if (data.size() > sizeof kMagic + key.size() && std::memcmp(data.data(), kMagic, sizeof kMagic) == 0 &&
      data.compare(sizeof kMagic, key.size(), key) == 0) {
    size_t off = sizeof kMagic + key.size();
    hs_database_t* db = nullptr;
    if (hs_deserialize_database(data.data() + off, data.size() - off, &db) == HS_SUCCESS) return db;
  }
  if (cache_warning->empty()) *cache_warning = path + ": unreadable cached database; recompiling";
  return nullptr;
}

void cache_store(const std::string& cache_dir, const std::string& path, const std::string& key, hs_database_t* db,
                 std::string* cache_warning) {
  char* bytes = nullptr;
  size_t n = 0;
  if (hs_serialize_database(db, &bytes, &n) != HS_SUCCESS) return;
  std::string data(kMagic, sizeof kMagic);
  data += key;
  data.append(bytes, n);
  std::free(bytes);
  std::error_code ec;
  std::filesystem::create_directories(cache_dir, ec);
  if (!write_atomic(path, data) && cache_warning->empty())
    *cache_warning = cache_dir + ": cannot write the database cache; every start will compile";
}

}  // namespace

bool regex_supported(const Regex& r) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(r.expr.c_str(), r.flags, &info, &err) != HS_SUCCESS) {
    if (err) hs_free_compile_error(err);
    return false;
  }
  std::free(info);
  return true;
}

Result<hs_database_t*> build_regex_db(const std::vector<Regex>& res, const std::string& cache_dir, bool* cache_hit,
                                      std::string* cache_warning) {
  *cache_hit = false;
  std::string key, path;
  if (!cache_dir.empty()) {
    Hasher h;
    h.add("regex", 5);
    const char* v = hs_version();
    h.add(v, std::strlen(v));
    hs_platform_info_t plat{};
    if (hs_populate_platform(&plat) == HS_SUCCESS) {
      h.add_u64(plat.tune);
      h.add_u64(plat.cpu_features);
    }
    for (const auto& r : res) {
      h.add_u64(r.expr.size() << 32 | r.flags);
      h.add(r.expr.data(), r.expr.size());
    }
    key = h.hex();
    path = cache_dir + "/" + key + ".hsdb";
    if (hs_database_t* db = cache_load(path, key, cache_warning)) {
      *cache_hit = true;
      return db;
    }
  }
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (size_t i = 0; i < res.size(); ++i) {
    exprs.push_back(res[i].expr.c_str());
    flags.push_back(res[i].flags);
    ids.push_back(unsigned(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), unsigned(res.size()), HS_MODE_BLOCK, nullptr, &db,
                       &err) != HS_SUCCESS) {
    std::string msg = err && err->message ? err->message : "unknown error";
    if (err) hs_free_compile_error(err);
    return Status::internal("Hyperscan refused the regex prefilter database: " + msg);
  }
  if (!path.empty()) cache_store(cache_dir, path, key, db, cache_warning);
  return db;
}

Result<hs_database_t*> build_literal_db(const std::vector<Literal>& lits, const std::string& cache_dir,
                                        bool* cache_hit, std::string* cache_warning) {
  *cache_hit = false;
  std::string key, path;
  if (!cache_dir.empty()) {
    key = literal_db_key(lits);
    path = cache_dir + "/" + key + ".hsdb";
    if (hs_database_t* db = cache_load(path, key, cache_warning)) {
      *cache_hit = true;
      return db;
    }
  }
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> flags, ids;
  exprs.reserve(lits.size());
  for (size_t i = 0; i < lits.size(); ++i) {
    exprs.push_back(lits[i].bytes.data());
    lens.push_back(lits[i].bytes.size());
    // SINGLEMATCH: a pattern reports once per scan, which is all a prefilter needs.
    flags.push_back(HS_FLAG_SINGLEMATCH | (lits[i].nocase ? HS_FLAG_CASELESS : 0));
    ids.push_back(unsigned(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(), unsigned(lits.size()),
                                       HS_MODE_BLOCK, nullptr, &db, &err);
  if (rc != HS_SUCCESS) {
    std::string msg = err && err->message ? err->message : "unknown error";
    int expr = err ? err->expression : -1;
    if (err) hs_free_compile_error(err);
    return Status::internal("Hyperscan refused the prefilter database (pattern " + std::to_string(expr) + "): " + msg);
  }
  if (!path.empty()) cache_store(cache_dir, path, key, db, cache_warning);
  return db;
}

}  // namespace canh::rules
