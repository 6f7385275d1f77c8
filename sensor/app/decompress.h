// Bounded gzip/deflate decoding of HTTP bodies (Content-Encoding). One Inflater per parser direction,
// reset per message: zlib's state (~40 KiB with the window) is allocated for the first compressed body
// and then reused, so steady state allocates nothing.
//
// Hostile input rules: output is capped by the caller's remaining body budget, a decompression ratio
// above `max_ratio` stops decoding (a "bomb"), and a stream that is not what its header claims falls
// back to passing the raw bytes through, as libhtp does (suricata-verify http-encoding-gzip-uncompressed:
// "Content-Encoding: gzip" on a clear-text JSON body must still be inspected as JSON).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace canh::sensor::app {

enum class Encoding : uint8_t { kIdentity, kGzip, kDeflate };

class Inflater {
 public:
  Inflater();
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Starts a new body declared with `encoding`. kIdentity makes write() a bounded copy.
  void start(Encoding encoding, uint32_t max_ratio);

  // Decodes `in` and appends at most `room` bytes to *out. Returns the number of bytes appended.
  // Input past the point where `room` ran out is still counted but no longer decoded.
  size_t write(std::span<const uint8_t> in, std::string* out, size_t room);

  // Bytes of this body are missing: compressed data cannot be decoded past a hole, clear text can.
  void gap() {
    if (mode_ == Mode::kSniff || mode_ == Mode::kInflate) mode_ = Mode::kStopped;
  }

  bool passthrough() const { return mode_ == Mode::kPassthrough; }
  bool bomb() const { return bomb_; }
  bool failed() const { return failed_; }
  uint64_t in_bytes() const { return in_total_; }
  uint64_t out_bytes() const { return out_total_; }

 private:
  enum class Mode : uint8_t { kCopy, kSniff, kInflate, kPassthrough, kStopped };
  bool begin_inflate(int window_bits);
  bool looks_like_text(std::span<const uint8_t> rest) const;
  size_t inflate_some(std::span<const uint8_t> in, std::string* out, size_t room);

  struct Z;
  std::unique_ptr<Z> z_;
  Mode mode_ = Mode::kCopy;
  Encoding encoding_ = Encoding::kIdentity;
  uint32_t max_ratio_ = 0;
  bool bomb_ = false;
  bool failed_ = false;
  bool framed_ = false;  // the stream had a gzip or zlib header
  uint64_t in_total_ = 0;
  uint64_t out_total_ = 0;
  // The first bytes of a body decide its real format; keep them until there are enough to look at.
  uint8_t sniff_[2] = {};
  uint8_t sniff_len_ = 0;
};

// Parses a Content-Encoding value: the last coding applied decides (we undo one layer).
Encoding parse_content_encoding(std::string_view value);

}  // namespace canh::sensor::app
