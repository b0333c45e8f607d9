// Status and Result: errors as values, used by every layer.
//
// A Status is ok or carries one human-readable message ("cannot write /x: Permission
// denied"). Result<T> is a value or the Status saying why there is none. Neither throws.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace mosaic {

class [[nodiscard]] Status {
 public:
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message)); }

  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }

  /// The same failure with `context` in front: "writing roster: " + message.
  Status Prefixed(const std::string& context) const {
    return ok() ? *this : Error(context + message_);
  }

 private:
  Status() = default;
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status error) : state_(std::move(error)) {
    assert(!std::get<Status>(state_).ok());
  }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  /// REQUIRES: ok()
  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  /// Ok when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(state_); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace mosaic
