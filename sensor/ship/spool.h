// The sensor's on-disk queue of alert batches waiting for the collector.
//
// Layout of the spool directory:
//   open.ndjson            the batch being filled: one EVE alert per line, appended as alerts happen
//   b-<number>.ndjson      sealed batches, shipped oldest first and deleted once acknowledged
//   state                  the spool stream id and the batch numbers reserved so far
//   rejected/              batches and records the collector refused as malformed, kept for a person
//
// Numbering: a batch's number is fixed when it is sealed, and it is what makes a retry a duplicate at
// the collector, so a number must never be used twice in one stream. Numbers are reserved in blocks
// (the reservation written and synced before any of its numbers is used); after a crash numbering
// resumes above the reservation, leaving a harmless gap. The stream id is drawn when the spool is
// created: a wiped spool is a new stream, not a replay.
//
// Durability: lines reach the file with one write() each, so they survive the sensor process dying
// (they are in the page cache); an unfinished last line is cut at restart. Bounded: when the spool
// holds more than max_bytes, the oldest sealed batches are dropped and counted (the batch being sent
// and the open batch are never dropped, so the spool can exceed max_bytes by at most those two).
//
// Write failures (full disk ENOSPC, a file size limit EFBIG, quota): a failed line is cut off again,
// so the file never holds half a line; the open batch is then sealed and the line written once more
// into a fresh file, which is enough under a per-file limit. If that fails too the alert is lost and
// counted (lost_alerts); the spool stays consistent and later appends try again.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace canh::sensor::ship {

struct SpoolOptions {
  std::string dir;
  uint64_t max_bytes = 1ull << 30;
  size_t batch_max_alerts = 2000;
  size_t batch_max_bytes = 4u << 20;
  uint64_t reserve_block = 1000;  // batch numbers reserved per state write
};

struct SealedBatch {
  uint64_t number = 0;
  std::string path;
  uint64_t bytes = 0;
};

struct SpoolStats {
  uint64_t sealed_batches = 0;   // waiting to be shipped
  uint64_t bytes = 0;            // sealed + open
  uint64_t open_alerts = 0;      // in the batch being filled
  uint64_t appended_alerts = 0;  // since open
  uint64_t dropped_alerts = 0;   // lost to the size bound since open
  uint64_t write_errors = 0;     // failed writes to the open batch since open (retried or not)
  uint64_t lost_alerts = 0;      // could not be written at all (disk full) since open
  uint64_t rejected_records = 0;
};

class Spool {
 public:
  static Result<std::unique_ptr<Spool>> open(const SpoolOptions& options);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends one line (no newline in it). Seals the open batch when it is full. Thread-safe.
  // `was_empty` tells whether the open batch had no alert before, so the caller wakes its sender
  // once per batch rather than once per alert.
  Status append(std::string_view line, bool* was_empty = nullptr);
  // Seals the open batch if it holds anything.
  Status seal();

  // The oldest sealed batch, which is then protected from the size bound until removed or rejected.
  std::optional<SealedBatch> oldest();
  Result<std::string> read(const SealedBatch& b) const;
  // The collector acknowledged it.
  Status remove(uint64_t number);
  // The collector refused the whole batch: keep it under rejected/ with the reason.
  Status reject(uint64_t number, std::string_view reason);
  // The collector refused record `index` (1-based) of the batch: move that line to rejected/ and
  // keep the rest under the same number (nothing of a refused batch was stored).
  Status reject_record(uint64_t number, size_t index, std::string_view reason);

  uint64_t stream() const { return stream_; }
  SpoolStats stats() const;
  const std::string& dir() const { return options_.dir; }

 private:
  explicit Spool(SpoolOptions o) : options_(std::move(o)) {}
  Status recover();
  Status seal_locked();
  Status reserve_locked();
  Status write_line_locked(std::string_view line);
  void enforce_bound_locked();
  std::string batch_path(uint64_t number) const;

  SpoolOptions options_;
  mutable std::mutex mu_;
  uint64_t stream_ = 0;
  uint64_t next_ = 1;
  uint64_t reserved_ = 0;  // numbers below this may have been used (persisted)
  int open_fd_ = -1;
  uint64_t open_alerts_ = 0, open_bytes_ = 0;
  std::map<uint64_t, uint64_t> sealed_;  // number -> bytes
  uint64_t sealed_bytes_ = 0;
  uint64_t in_flight_ = 0;
  uint64_t appended_ = 0, dropped_ = 0, rejected_records_ = 0;
  uint64_t write_errors_ = 0, lost_ = 0;
};

}  // namespace canh::sensor::ship
