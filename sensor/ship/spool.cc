#include "sensor/ship/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/log.h"

namespace canh::sensor::ship {

namespace fs = std::filesystem;

namespace {

constexpr const char* kOpenName = "open.ndjson";

std::string errno_text() { return std::strerror(errno); }

// Writes `text` to `path` through a synced temporary file and a rename: the file is either the old
// or the new content after a crash, never half.
Status write_atomically(const std::string& path, std::string_view text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::io(tmp + ": " + errno_text());
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::io(tmp + ": " + errno_text());
      ::close(fd);
      return s;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = Status::io(tmp + ": fsync: " + errno_text());
    ::close(fd);
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::io(path + ": " + errno_text());
  return Status::ok();
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::io(path + ": cannot read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool parse_batch_name(const std::string& name, uint64_t* number) {
  // b-<20 digits>.ndjson
  if (name.size() != 2 + 20 + 7 || name.rfind("b-", 0) != 0 || name.substr(22) != ".ndjson") return false;
  uint64_t v = 0;
  for (size_t i = 2; i < 22; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *number = v;
  return true;
}

}  // namespace

Result<std::unique_ptr<Spool>> Spool::open(const SpoolOptions& options) {
  if (options.dir.empty()) return Status::invalid("no spool directory given");
  if (options.batch_max_alerts == 0 || options.batch_max_bytes == 0 || options.reserve_block == 0)
    return Status::invalid("spool limits must be positive");
  std::error_code ec;
  fs::create_directories(fs::path(options.dir) / "rejected", ec);
  if (ec) return Status::io("spool " + options.dir + ": " + ec.message());
  ::chmod(options.dir.c_str(), 0700);  // alerts and the sensor's credential live here
  std::unique_ptr<Spool> s(new Spool(options));
  CANH_RETURN_IF_ERROR(s->recover().with_context("spool " + options.dir));
  return s;
}

Spool::~Spool() {
  std::lock_guard lock(mu_);
  if (open_fd_ >= 0) ::close(open_fd_);
}

std::string Spool::batch_path(uint64_t number) const {
  char name[40];
  std::snprintf(name, sizeof name, "b-%020llu.ndjson", static_cast<unsigned long long>(number));
  return (fs::path(options_.dir) / name).string();
}

Status Spool::recover() {
  std::lock_guard lock(mu_);
  std::string state_path = (fs::path(options_.dir) / "state").string();
  if (fs::exists(state_path)) {
    auto text = read_file(state_path);
    if (!text) return text.status();
    std::istringstream in(*text);
    std::string line;
    bool have_stream = false;
    while (std::getline(in, line)) {
      auto eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string k = line.substr(0, eq), v = line.substr(eq + 1);
      try {
        if (k == "stream") {
          stream_ = std::stoull(v, nullptr, 16);
          have_stream = true;
        } else if (k == "reserved") {
          reserved_ = std::stoull(v);
        }
      } catch (const std::exception&) {
        return Status::invalid("state: bad value for " + k);
      }
    }
    if (!have_stream) return Status::invalid("state: no stream id");
  } else {
    std::random_device rd;
    stream_ = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    if (stream_ == 0) stream_ = 1;
  }
  next_ = std::max<uint64_t>(reserved_, 1);

  for (const auto& e : fs::directory_iterator(options_.dir)) {
    uint64_t n = 0;
    if (!e.is_regular_file() || !parse_batch_name(e.path().filename().string(), &n)) continue;
    uint64_t bytes = e.file_size();
    sealed_[n] = bytes;
    sealed_bytes_ += bytes;
    next_ = std::max(next_, n + 1);
  }

  // A batch being filled when the sensor stopped: keep its complete lines and seal it.
  std::string open_path = (fs::path(options_.dir) / kOpenName).string();
  if (fs::exists(open_path)) {
    auto text = read_file(open_path);
    if (!text) return text.status();
    size_t keep = text->rfind('\n');
    keep = keep == std::string::npos ? 0 : keep + 1;
    if (keep < text->size())
      log::warn("ship", "cut an unfinished line at the end of the open spool batch").kv("bytes", text->size() - keep);
    if (keep == 0) {
      fs::remove(open_path);
    } else {
      if (::truncate(open_path.c_str(), static_cast<off_t>(keep)) != 0) return Status::io(open_path + ": " + errno_text());
      open_bytes_ = keep;
      open_alerts_ = static_cast<uint64_t>(std::count(text->begin(), text->begin() + static_cast<std::ptrdiff_t>(keep), '\n'));
      open_fd_ = ::open(open_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
      if (open_fd_ < 0) return Status::io(open_path + ": " + errno_text());
      CANH_RETURN_IF_ERROR(seal_locked());
    }
  }
  // Reserve before any number is used, so this start's numbers are above everything a crash may
  // have left unrecorded.
  return reserve_locked();
}

Status Spool::reserve_locked() {
  uint64_t want = next_ + options_.reserve_block;
  char text[96];
  std::snprintf(text, sizeof text, "stream=%016llx\nreserved=%llu\n", static_cast<unsigned long long>(stream_),
                static_cast<unsigned long long>(want));
  CANH_RETURN_IF_ERROR(write_atomically((fs::path(options_.dir) / "state").string(), text));
  reserved_ = want;
  return Status::ok();
}

Status Spool::write_line_locked(std::string_view line) {
  std::string path = (fs::path(options_.dir) / kOpenName).string();
  if (open_fd_ < 0) {
    open_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (open_fd_ < 0) return Status::io(path + ": " + errno_text());
    open_alerts_ = open_bytes_ = 0;
  }
  // One write per line: a line is in the file whole or (after a crash mid-write) cut at restart.
  // A short write only happens at a limit (disk full, RLIMIT_FSIZE); writing the rest then gets
  // the errno that names it.
  const size_t want = line.size() + 1;
  size_t done = 0;
  while (done < want) {
    iovec iov[2];
    int count = 0;
    if (done < line.size()) iov[count++] = {const_cast<char*>(line.data() + done), line.size() - done};
    iov[count++] = {const_cast<char*>("\n"), 1};
    ssize_t n = ::writev(open_fd_, iov, count);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  if (done == want) return Status::ok();
  Status s = Status::io(path + ": write: " + (errno != 0 ? errno_text() : std::string("nothing written")));
  // Cut what reached the file, so the next line starts on a fresh line and no half line is shipped.
  if (done > 0 && ::ftruncate(open_fd_, static_cast<off_t>(open_bytes_)) != 0)
    log::error("ship", "spool write failed and could not be undone").kv("file", path).kv("error", errno_text());
  return s;
}

Status Spool::append(std::string_view line, bool* was_empty) {
  if (line.find('\n') != std::string_view::npos) return Status::invalid("an EVE line with a newline in it");
  std::lock_guard lock(mu_);
  if (was_empty) *was_empty = open_alerts_ == 0;
  errno = 0;
  Status s = write_line_locked(line);
  if (!s) {
    ++write_errors_;
    std::string first_error = s.message();
    // The batch so far is whole: seal it (a rename needs no space) and try once more in a new file.
    // That gets past a per-file size limit; on a full disk the second write fails as well.
    if (open_alerts_ > 0 && seal_locked()) {
      if (was_empty) *was_empty = true;  // a batch was sealed: the caller wakes its sender for it
      errno = 0;
      s = write_line_locked(line);
      if (!s) ++write_errors_;
    }
    if (!s) ++lost_;
    // A full disk fails every alert: say it with the totals, on a log scale (1, 2, 4, 8... errors).
    if ((write_errors_ & (write_errors_ - 1)) == 0 || (!s && (lost_ & (lost_ - 1)) == 0))
      log::warn("ship", s ? "spool write failed; sealed the batch and wrote the alert into a new one"
                          : "spool write failed; the alert is lost")
          .kv("error", first_error)
          .kv("write_errors_total", write_errors_)
          .kv("lost_alerts_total", lost_);
    if (!s) return s;
  }
  ++open_alerts_;
  open_bytes_ += line.size() + 1;
  ++appended_;
  if (open_alerts_ >= options_.batch_max_alerts || open_bytes_ >= options_.batch_max_bytes) {
    CANH_RETURN_IF_ERROR(seal_locked());
  }
  enforce_bound_locked();
  return Status::ok();
}

Status Spool::seal() {
  std::lock_guard lock(mu_);
  return seal_locked();
}

Status Spool::seal_locked() {
  if (open_fd_ < 0 || open_alerts_ == 0) return Status::ok();
  if (next_ >= reserved_) CANH_RETURN_IF_ERROR(reserve_locked());
  ::close(open_fd_);
  open_fd_ = -1;
  uint64_t number = next_++;
  std::string from = (fs::path(options_.dir) / kOpenName).string();
  std::string to = batch_path(number);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    Status s = Status::io(to + ": " + errno_text());
    // Keep filling the same file: opening it anew would truncate the alerts it holds.
    open_fd_ = ::open(from.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    return s;
  }
  sealed_[number] = open_bytes_;
  sealed_bytes_ += open_bytes_;
  open_alerts_ = open_bytes_ = 0;
  return Status::ok();
}

void Spool::enforce_bound_locked() {
  while (sealed_bytes_ + open_bytes_ > options_.max_bytes) {
    auto it = sealed_.begin();
    if (it != sealed_.end() && it->first == in_flight_) ++it;
    if (it == sealed_.end()) return;
    std::string path = batch_path(it->first);
    auto text = read_file(path);
    uint64_t lines = text ? static_cast<uint64_t>(std::count(text->begin(), text->end(), '\n')) : 0;
    ::unlink(path.c_str());
    dropped_ += lines;
    sealed_bytes_ -= it->second;
    log::warn("ship", "spool full: dropped the oldest batch")
        .kv("batch", it->first)
        .kv("alerts", lines)
        .kv("max_bytes", options_.max_bytes)
        .kv("dropped_total", dropped_);
    sealed_.erase(it);
  }
}

std::optional<SealedBatch> Spool::oldest() {
  std::lock_guard lock(mu_);
  if (sealed_.empty()) return std::nullopt;
  auto it = sealed_.begin();
  in_flight_ = it->first;
  return SealedBatch{it->first, batch_path(it->first), it->second};
}

Result<std::string> Spool::read(const SealedBatch& b) const { return read_file(b.path); }

Status Spool::remove(uint64_t number) {
  std::lock_guard lock(mu_);
  auto it = sealed_.find(number);
  if (it == sealed_.end()) return Status::ok();
  if (::unlink(batch_path(number).c_str()) != 0 && errno != ENOENT)
    return Status::io(batch_path(number) + ": " + errno_text());
  sealed_bytes_ -= it->second;
  sealed_.erase(it);
  if (in_flight_ == number) in_flight_ = 0;
  return Status::ok();
}

Status Spool::reject(uint64_t number, std::string_view reason) {
  std::lock_guard lock(mu_);
  auto it = sealed_.find(number);
  if (it == sealed_.end()) return Status::ok();
  std::string base = (fs::path(options_.dir) / "rejected" / fs::path(batch_path(number)).filename()).string();
  if (::rename(batch_path(number).c_str(), base.c_str()) != 0) return Status::io(base + ": " + errno_text());
  CANH_RETURN_IF_ERROR(write_atomically(base + ".reason", std::string(reason) + "\n"));
  sealed_bytes_ -= it->second;
  sealed_.erase(it);
  if (in_flight_ == number) in_flight_ = 0;
  return Status::ok();
}

Status Spool::reject_record(uint64_t number, size_t index, std::string_view reason) {
  std::lock_guard lock(mu_);
  auto it = sealed_.find(number);
  if (it == sealed_.end()) return Status::ok();
  std::string path = batch_path(number);
  auto text = read_file(path);
  if (!text) return text.status();
  // Records are the non-empty lines, counted as the collector counts them.
  std::string kept, refused;
  size_t record = 0, pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    size_t end = nl == std::string::npos ? text->size() : nl;
    std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    if (++record == index) refused.assign(line);
    else kept.append(line).push_back('\n');
  }
  if (refused.empty()) return Status::invalid("batch " + std::to_string(number) + " has no record " + std::to_string(index));
  std::string rej = (fs::path(options_.dir) / "rejected" /
                     ("b-" + std::to_string(number) + "-record-" + std::to_string(index) + ".ndjson"))
                        .string();
  CANH_RETURN_IF_ERROR(write_atomically(rej, refused + "\n"));
  CANH_RETURN_IF_ERROR(write_atomically(rej + ".reason", std::string(reason) + "\n"));
  ++rejected_records_;
  sealed_bytes_ -= it->second;
  if (kept.empty()) {
    ::unlink(path.c_str());
    sealed_.erase(it);
    if (in_flight_ == number) in_flight_ = 0;
    return Status::ok();
  }
  CANH_RETURN_IF_ERROR(write_atomically(path, kept));
  it->second = kept.size();
  sealed_bytes_ += kept.size();
  return Status::ok();
}

SpoolStats Spool::stats() const {
  std::lock_guard lock(mu_);
  SpoolStats s;
  s.sealed_batches = sealed_.size();
  s.bytes = sealed_bytes_ + open_bytes_;
  s.open_alerts = open_alerts_;
  s.appended_alerts = appended_;
  s.dropped_alerts = dropped_;
  s.rejected_records = rejected_records_;
  s.write_errors = write_errors_;
  s.lost_alerts = lost_;
  return s;
}

}  // namespace canh::sensor::ship
