// Fuzzes the shipper's spool as a restarted sensor finds it: a state file, an open batch and sealed
// batch files with whatever a crash, a full disk or a person left in them, recovered by Spool::open,
// then appends, seals, acknowledgements, record rejections and reopenings. Also the collector URL
// parser (--collector).
//
// Invariants besides "no crash":
//  - a batch number is never handed out twice in one stream, across reopenings too (the collector
//    would take the second batch for a retry of the first and drop it), and the stream id survives a
//    reopening;
//  - nothing goes missing: every line recovered or appended is, at the end, in a batch file, in the
//    open batch, acknowledged, set aside as rejected, or counted as dropped by the size bound;
//  - a URL that parses prints back to one that parses the same.
//
// Input: mode (u8; odd: the rest is a collector URL), then the spool's files — number of sealed
// batches (u8 % 4), for each a number (u16) and its text, the state file (absent when its length byte
// is 0xFF) and the open batch — then operations (u8 % 6): append a line, seal, acknowledge the
// oldest, reject one record of the oldest, reopen, append a line with a newline in it (refused).
// Texts are u8-length-prefixed.
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "common/log.h"
#include "sensor/ship/http_client.h"
#include "sensor/ship/spool.h"

namespace {

namespace fs = std::filesystem;
using namespace canh::sensor::ship;

struct Reader {
  const uint8_t* p;
  size_t n;
  bool more() const { return n > 0; }
  uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint16_t u16() { return static_cast<uint16_t>(u8() << 8 | u8()); }
  std::string str(uint8_t len) {
    size_t k = std::min<size_t>(len, n);
    std::string s(reinterpret_cast<const char*>(p), k);
    p += k;
    n -= k;
    return s;
  }
  std::string str() { return str(u8()); }
};

const std::string& base_dir() {
  static const std::string d = [] {
    std::string base = fs::exists("/dev/shm") ? "/dev/shm" : fs::temp_directory_path().string();
    std::string templ = base + "/canh-fuzz-spool-XXXXXX";
    if (!mkdtemp(templ.data())) std::abort();
    static std::string cleanup;
    cleanup = templ;
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(cleanup, ec);
    });
    return templ;
  }();
  return d;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

uint64_t newlines(const std::string& s) { return static_cast<uint64_t>(std::count(s.begin(), s.end(), '\n')); }

uint64_t lines_in(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return newlines(s);
}

// Lines now on disk: sealed batches and the open batch (complete lines only, as recovery keeps).
uint64_t lines_on_disk(const fs::path& dir) {
  uint64_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name == "open.ndjson" || (name.rfind("b-", 0) == 0 && name.size() == 29 && name.substr(22) == ".ndjson"))
      n += lines_in(e.path());
  }
  return n;
}

void fuzz_url(std::string_view text) {
  auto u = CollectorUrl::parse(text);
  if (!u) return;
  auto again = CollectorUrl::parse(u->to_string());
  if (!again || again->tls != u->tls || again->host != u->host || again->port != u->port || again->base != u->base)
    __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = (canh::log::set_level(canh::log::Level::kError), true);
  (void)quiet;
  Reader in{data, size};
  const uint8_t mode = in.u8();
  if (mode & 1) {
    fuzz_url(std::string_view(reinterpret_cast<const char*>(in.p), in.n));
    return 0;
  }
  const fs::path dir = fs::path(base_dir()) / "spool";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);

  // The files a previous run left.
  const int sealed = in.u8() % 4;
  for (int i = 0; i < sealed; ++i) {
    char name[40];
    const uint16_t n = in.u16();
    // 0xFFFF: a name whose 20 digits do not fit 64 bits.
    if (n == 0xFFFF) std::snprintf(name, sizeof name, "b-99999999999999999999.ndjson");
    else std::snprintf(name, sizeof name, "b-%020u.ndjson", static_cast<unsigned>(n));
    write(dir / name, in.str());
  }
  const uint8_t state_len = in.u8();
  if (state_len != 0xFF) write(dir / "state", in.str(state_len));
  std::string open_text = in.str();
  if (!open_text.empty()) write(dir / "open.ndjson", open_text);
  // What recovery must keep: every line of the sealed files and the complete lines of the open batch
  // (an unfinished last line is a write the crash cut: it never counted as spooled).
  const uint64_t recovered = lines_on_disk(dir);

  SpoolOptions o;
  o.dir = dir.string();
  o.max_bytes = 2048 + (mode >> 1) * 64;
  o.batch_max_alerts = 1 + (mode >> 5);
  o.batch_max_bytes = 600;
  o.reserve_block = 2;
  auto opened = Spool::open(o);
  if (!opened) return 0;  // a state file it cannot read is refused, with its name, and nothing changes
  std::unique_ptr<Spool> spool = std::move(opened).value();
  const uint64_t stream = spool->stream();

  std::set<uint64_t> numbers;  // every batch number seen in this stream
  uint64_t appended = 0, acked = 0, rejected = 0, dropped_before = 0;
  auto note_batches = [&] {
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name.rfind("b-", 0) != 0 || name.size() != 29) continue;
      uint64_t n = std::strtoull(name.substr(2, 20).c_str(), nullptr, 10);
      if (n != ULLONG_MAX) numbers.insert(n);  // a name past 64 bits is no number of this stream
    }
  };
  note_batches();
  uint64_t highest_before = numbers.empty() ? 0 : *numbers.rbegin();

  for (int ops = 0; in.more() && ops < 64; ++ops) {
    switch (in.u8() % 6) {
      case 0: {
        if (spool->append(in.str())) ++appended;
        break;
      }
      case 1:
        (void)spool->seal();
        break;
      case 2: {
        auto b = spool->oldest();
        if (!b) break;
        auto text = spool->read(*b);
        if (!text) __builtin_trap();  // a batch the spool offers must be readable, or shipping stalls on it
        uint64_t lines = newlines(*text);
        if (spool->remove(b->number)) acked += lines;
        break;
      }
      case 3: {
        auto b = spool->oldest();
        if (!b) break;
        auto before = spool->read(*b);
        size_t index = 1 + in.u8() % 4;
        if (spool->reject_record(b->number, index, "fuzz") && before) {
          auto after = spool->read(*b);
          rejected += newlines(*before) - (after ? newlines(*after) : 0);
        }
        break;
      }
      case 4: {
        dropped_before += spool->stats().dropped_alerts;
        spool.reset();
        auto again = Spool::open(o);
        if (!again) __builtin_trap();  // a spool this process wrote must always reopen
        spool = std::move(again).value();
        if (spool->stream() != stream) __builtin_trap();
        break;
      }
      case 5:
        if (spool->append(in.str() + "\n" + in.str())) __builtin_trap();
        break;
    }
    // New batch numbers must be above everything the stream used before.
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name.rfind("b-", 0) != 0 || name.size() != 29) continue;
      uint64_t n = std::strtoull(name.substr(2, 20).c_str(), nullptr, 10);
      if (n != ULLONG_MAX && !numbers.count(n)) {
        // The collector takes batch numbers 1..2^63-1 (common/collector_protocol.h).
        if (n <= highest_before || n == 0 || n > static_cast<uint64_t>(INT64_MAX)) __builtin_trap();
        highest_before = n;
        numbers.insert(n);
      }
    }
  }
  const uint64_t dropped = dropped_before + spool->stats().dropped_alerts;
  spool.reset();
  // Lines set aside under rejected/ are one per file (plus their .reason): counted above.
  const uint64_t now = lines_on_disk(dir);
  if (now + acked + rejected + dropped != recovered + appended) __builtin_trap();
  return 0;
}
