// Status and Result<T>: how every library boundary in Canh reports failure (STYLE.md, "Errors").
// The message names the input: "rules/foo.rules:17: sid 2001: unknown keyword \"dns.opcode\"".
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace canh {

class Status {
 public:
  // Codes are coarse on purpose: callers branch on a few kinds (HTTP maps them to 4xx/5xx);
  // everything else a person needs is in the message.
  enum class Code {
    kOk = 0,
    kInvalid,      // bad input: syntax, schema, out of range
    kNotFound,     // no such key, file, user
    kConflict,     // exists already, wrong state for the transition
    kPermission,   // authenticated but not allowed, or not authenticated
    kUnavailable,  // try again later: busy, peer down, queue full
    kIo,           // file system, database
    kInternal,     // a bug
  };

  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status invalid(std::string m) { return {Code::kInvalid, std::move(m)}; }
  static Status not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status permission(std::string m) { return {Code::kPermission, std::move(m)}; }
  static Status unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status io(std::string m) { return {Code::kIo, std::move(m)}; }
  static Status internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool is_ok() const { return code_ == Code::kOk; }
  explicit operator bool() const { return is_ok(); }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Prefixes context: Status::io("disk full").with_context("spool/0001") -> "spool/0001: disk full".
  Status with_context(std::string_view context) const {
    if (is_ok()) return *this;
    return {code_, std::string(context) + ": " + message_};
  }

  static std::string_view code_name(Code c) {
    switch (c) {
      case Code::kOk: return "ok";
      case Code::kInvalid: return "invalid";
      case Code::kNotFound: return "not found";
      case Code::kConflict: return "conflict";
      case Code::kPermission: return "permission denied";
      case Code::kUnavailable: return "unavailable";
      case Code::kIo: return "i/o error";
      case Code::kInternal: return "internal error";
    }
    return "unknown";
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design, like std::expected
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.is_ok() && "a Result without a value needs an error status");
  }

  bool is_ok() const { return value_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  const Status& status() const { return status_; }

  T& value() & { assert(value_); return *value_; }
  const T& value() const& { assert(value_); return *value_; }
  T&& value() && { assert(value_); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace canh

// Returns early from a function returning Status or Result<T> when `expr` fails.
#define CANH_RETURN_IF_ERROR(expr)              \
  do {                                          \
    ::canh::Status canh_status_ = (expr);       \
    if (!canh_status_.is_ok()) return canh_status_; \
  } while (0)
