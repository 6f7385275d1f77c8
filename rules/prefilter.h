// Private to rules/: building Hyperscan literal databases for the prefilter, with an on-disk cache of
// serialized databases keyed by a hash of everything that goes into hs_compile (so a restart with the
// same rules and variables deserializes instead of compiling).
#pragma once

#include <hs/hs.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace canh::rules {

struct Literal {
  std::string bytes;
  bool nocase = false;
};

// 128-bit key, hex-printed, over the literals (in order; ids are their positions), Hyperscan's
// version and this machine's platform features.
std::string literal_db_key(const std::vector<Literal>& lits);

// Compiles `lits` (pattern id = index) in block mode with single-match semantics, or loads it from
// `cache_dir` when a database with the same key is there. `cache_hit` tells which happened. A cache
// that cannot be read or written is not an error: compile and go on (the caller logs once).
Result<hs_database_t*> build_literal_db(const std::vector<Literal>& lits, const std::string& cache_dir,
                                        bool* cache_hit, std::string* cache_warning);

// A regular expression for a prefilter database, with its Hyperscan flags (HS_FLAG_PREFILTER among
// them: the database over-approximates and PCRE2 verifies).
struct Regex {
  std::string expr;
  unsigned flags = 0;
};
// Whether Hyperscan accepts `r` (hs_expression_info: cheap, no compile).
bool regex_supported(const Regex& r);
// As build_literal_db, for regular expressions (ids are positions).
Result<hs_database_t*> build_regex_db(const std::vector<Regex>& res, const std::string& cache_dir, bool* cache_hit,
                                      std::string* cache_warning);

// A stable 64-bit hash for versions and cache keys.
uint64_t stable_hash64(const void* data, size_t n, uint64_t seed);

}  // namespace canh::rules
