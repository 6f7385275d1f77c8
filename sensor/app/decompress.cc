#include "sensor/app/decompress.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "sensor/app/app_types.h"

namespace canh::sensor::app {

struct Inflater::Z {
  z_stream s{};
  bool initialised = false;
  int window_bits = 0;
  // Decoded bytes land here before being copied into the (bounded) body: lets us keep inflating to
  // find the end of the stream without the body growing.
  uint8_t out[4096];
};

bool Inflater::looks_like_text(std::span<const uint8_t> rest) const {
  auto printable = [](uint8_t c) { return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\r' || c == '\n'; };
  size_t checked = 0;
  for (uint8_t c : sniff_) {
    if (!printable(c)) return false;
    ++checked;
  }
  for (size_t i = 0; i < rest.size() && checked < 16; ++i, ++checked)
    if (!printable(rest[i])) return false;
  return true;
}

// zlib's state is only made for the first compressed body: most flows never carry one, and an HTTP
// parser has an Inflater per direction.
Inflater::Inflater() = default;

Inflater::~Inflater() {
  if (z_ && z_->initialised) inflateEnd(&z_->s);
}

Encoding parse_content_encoding(std::string_view value) {
  // "gzip", "x-gzip", "deflate", possibly listed with others ("gzip, identity"): take the last
  // non-identity token.
  Encoding e = Encoding::kIdentity;
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view tok = trim(value.substr(0, comma));
    if (iequals(tok, "gzip") || iequals(tok, "x-gzip")) e = Encoding::kGzip;
    else if (iequals(tok, "deflate") || iequals(tok, "x-deflate")) e = Encoding::kDeflate;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return e;
}

void Inflater::start(Encoding encoding, uint32_t max_ratio) {
  encoding_ = encoding;
  max_ratio_ = max_ratio;
  mode_ = encoding == Encoding::kIdentity ? Mode::kCopy : Mode::kSniff;
  bomb_ = false;
  failed_ = false;
  framed_ = false;
  in_total_ = 0;
  out_total_ = 0;
  sniff_len_ = 0;
}

bool Inflater::begin_inflate(int window_bits) {
  if (!z_) z_ = std::make_unique<Z>();
  z_stream& s = z_->s;
  int rc;
  if (!z_->initialised) {
    s = z_stream{};
    rc = inflateInit2(&s, window_bits);
    z_->initialised = rc == Z_OK;
  } else {
    rc = inflateReset2(&s, window_bits);
  }
  z_->window_bits = window_bits;
  return rc == Z_OK;
}

size_t Inflater::write(std::span<const uint8_t> in, std::string* out, size_t room) {
  in_total_ += in.size();
  switch (mode_) {
    case Mode::kStopped:
      return 0;
    case Mode::kCopy:
    case Mode::kPassthrough: {
      size_t n = std::min(in.size(), room);
      out->append(reinterpret_cast<const char*>(in.data()), n);
      out_total_ += n;
      return n;
    }
    case Mode::kSniff: {
      // The format is decided on the first two bytes: gzip magic, a valid zlib header, or (for
      // "deflate", which servers send either way) raw deflate. Anything else is clear text.
      size_t take = std::min(in.size(), sizeof(sniff_) - sniff_len_);
      std::memcpy(sniff_ + sniff_len_, in.data(), take);
      sniff_len_ = static_cast<uint8_t>(sniff_len_ + take);
      if (sniff_len_ < sizeof(sniff_)) return 0;  // the rest of `in` is empty
      in = in.subspan(take);
      bool gzip = sniff_[0] == 0x1f && sniff_[1] == 0x8b;
      bool zlib = (sniff_[0] & 0x0f) == 8 && (sniff_[0] >> 4) <= 7 && ((sniff_[0] << 8) | sniff_[1]) % 31 == 0;
      int bits = 0;
      if (gzip) {
        bits = 16 + MAX_WBITS;
      } else if (zlib) {
        bits = MAX_WBITS;
      } else if (encoding_ == Encoding::kDeflate && !looks_like_text(in)) {
        // Raw deflate has no header to check, and clear text often decodes as a "fixed Huffman"
        // block without error, into garbage. Text-looking bytes are therefore taken as clear text.
        bits = -MAX_WBITS;
      }
      framed_ = gzip || zlib;
      if (bits == 0 || !begin_inflate(bits)) {
        mode_ = Mode::kPassthrough;
        in_total_ -= in.size();  // counted again below
        size_t n = std::min<size_t>(sizeof(sniff_), room);
        out->append(reinterpret_cast<const char*>(sniff_), n);
        out_total_ += n;
        return n + write(in, out, room - n);
      }
      mode_ = Mode::kInflate;
      size_t n = inflate_some(std::span<const uint8_t>(sniff_, sizeof(sniff_)), out, room);
      if (mode_ == Mode::kPassthrough) {
        in_total_ -= in.size();
        return n + write(in, out, room - n);
      }
      return n + inflate_some(in, out, room - n);
    }
    case Mode::kInflate:
      return inflate_some(in, out, room);
  }
  return 0;
}

size_t Inflater::inflate_some(std::span<const uint8_t> in, std::string* out, size_t room) {
  if (mode_ != Mode::kInflate || in.empty()) return 0;
  z_stream& s = z_->s;
  s.next_in = const_cast<Bytef*>(in.data());
  s.avail_in = static_cast<uInt>(in.size());
  size_t appended = 0;
  while (s.avail_in > 0) {
    if (room == 0) {
      // Budget spent: nothing more will be inspected, so stop spending CPU on it.
      mode_ = Mode::kStopped;
      return appended;
    }
    s.next_out = z_->out;
    s.avail_out = sizeof(z_->out);
    int rc = inflate(&s, Z_NO_FLUSH);
    size_t produced = sizeof(z_->out) - s.avail_out;
    size_t n = std::min(produced, room);
    out->append(reinterpret_cast<const char*>(z_->out), n);
    appended += n;
    room -= n;
    out_total_ += produced;
    if (max_ratio_ > 0 && out_total_ > 65536 && out_total_ / std::max<uint64_t>(in_total_, 1) > max_ratio_) {
      bomb_ = true;
      mode_ = Mode::kStopped;
      return appended;
    }
    if (rc == Z_STREAM_END) {
      // Trailing bytes after the stream (garbage or a second member) are not decoded.
      mode_ = Mode::kStopped;
      return appended;
    }
    if (rc == Z_BUF_ERROR && produced == 0) break;  // needs more input
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      // A raw deflate guess that fails at once was clear text after all (libhtp's passthrough).
      // A stream with a real gzip/zlib header that fails is corrupt: keep what came out, stop.
      if (out_total_ == 0 && !framed_) {
        mode_ = Mode::kPassthrough;
        size_t n2 = std::min(in.size(), room);
        out->append(reinterpret_cast<const char*>(in.data()), n2);
        out_total_ += n2;
        return appended + n2;
      }
      failed_ = true;
      mode_ = Mode::kStopped;
      return appended;
    }
  }
  return appended;
}

}  // namespace canh::sensor::app
