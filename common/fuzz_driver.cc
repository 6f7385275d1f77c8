// Stand-in for libFuzzer's main() when the compiler has no libFuzzer (g++ builds): runs
// LLVMFuzzerTestOneInput on every seed file, then on a bounded number of deterministic mutations of
// the seeds (bit flips, byte changes, insertions, deletions, truncation, splicing). It finds less than
// coverage-guided fuzzing (the `fuzz` preset with clang does that) but runs every target in every build.
//   target [--runs=N] [--seed=S] [--max-len=N] FILE_OR_DIR...
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void add_file(const std::filesystem::path& p, std::vector<std::string>& seeds, size_t max_len) {
  std::ifstream in(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (s.size() > max_len) s.resize(max_len);
  seeds.push_back(std::move(s));
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 10000;
  unsigned seed = 1;
  size_t max_len = 1 << 16;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--runs=", 0) == 0) runs = std::strtol(a.c_str() + 7, nullptr, 10);
    else if (a.rfind("-runs=", 0) == 0) runs = std::strtol(a.c_str() + 6, nullptr, 10);
    else if (a.rfind("--seed=", 0) == 0) seed = static_cast<unsigned>(std::strtoul(a.c_str() + 7, nullptr, 10));
    else if (a.rfind("--max-len=", 0) == 0) max_len = std::strtoul(a.c_str() + 10, nullptr, 10);
    else if (a.rfind("-", 0) == 0) continue;  // ignore other libFuzzer flags
    else {
      std::error_code ec;
      if (std::filesystem::is_directory(a, ec)) {
        std::vector<std::filesystem::path> files;
        for (auto& e : std::filesystem::recursive_directory_iterator(a, ec))
          if (e.is_regular_file()) files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (auto& f : files) add_file(f, seeds, max_len);
      } else if (std::filesystem::is_regular_file(a, ec)) {
        add_file(a, seeds, max_len);
      } else {
        std::fprintf(stderr, "fuzz driver: no such file or directory: %s\n", a.c_str());
        return 2;
      }
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());

  std::mt19937_64 rng(seed);
  std::string buf;
  for (long r = 0; r < runs; ++r) {
    buf = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 7) {
        case 0: if (!buf.empty()) buf[rng() % buf.size()] ^= static_cast<char>(1u << (rng() % 8)); break;
        case 1: if (!buf.empty()) buf[rng() % buf.size()] = static_cast<char>(rng()); break;
        case 2: if (buf.size() < max_len) buf.insert(buf.begin() + static_cast<long>(rng() % (buf.size() + 1)), static_cast<char>(rng())); break;
        case 3: if (!buf.empty()) buf.erase(rng() % buf.size(), 1 + rng() % 16); break;
        case 4: if (!buf.empty()) buf.resize(rng() % buf.size()); break;
        case 5: {  // splice a piece of another seed
          const std::string& o = seeds[rng() % seeds.size()];
          if (!o.empty()) {
            size_t from = rng() % o.size(), n = 1 + rng() % std::min<size_t>(64, o.size() - from);
            size_t at = buf.empty() ? 0 : rng() % buf.size();
            buf.insert(at, o, from, n);
            if (buf.size() > max_len) buf.resize(max_len);
          }
          break;
        }
        case 6: {  // interesting values
          static const char* kVals[] = {"\xff\xff\xff\xff", "\x00\x00", "\x7f\xff", "\x80\x00\x00\x00", "%", "\\", "|"};
          const char* v = kVals[rng() % 7];
          if (!buf.empty()) buf.replace(rng() % buf.size(), 1, v, std::max<size_t>(1, std::strlen(v)));
          break;
        }
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(buf.data()), buf.size());
  }
  std::fprintf(stderr, "fuzz driver: %zu seeds, %ld mutated runs, no crash\n", seeds.size(), runs);
  return 0;
}
