//===- Result.h - A value or an error message, for the runtime's fallible calls ---*- C++ -*-===//
//
// The runtime reports failures (I/O, a malformed artifact, a bad request) as values, never as
// exceptions or asserts, so that embedding services and the C API can rely on it.
//
//===----------------------------------------------------------------------------------------===//
#ifndef PRIVET_RESULT_H
#define PRIVET_RESULT_H

#include <optional>
#include <string>
#include <utility>

namespace privet::rt {

/// An error message, lower-case, no trailing period, names in backticks.
struct Error {
  std::string Message;
};

/// Either a T or an Error. Test with `if (R)` / `R.ok()` before dereferencing.
template <typename T> class Result {
public:
  Result(T Value) : Value(std::move(Value)) {}
  Result(Error E) : Err(std::move(E.Message)) {}

  bool ok() const { return Value.has_value(); }
  explicit operator bool() const { return ok(); }
  const std::string &error() const { return Err; }

  T &operator*() { return *Value; }
  const T &operator*() const { return *Value; }
  T *operator->() { return &*Value; }
  const T *operator->() const { return &*Value; }
  T &value() { return *Value; }
  const T &value() const { return *Value; }
  /// Moves the value out (the Result is left holding a moved-from value).
  T take() { return std::move(*Value); }

private:
  std::optional<T> Value;
  std::string Err;
};

/// Success or an Error, for calls with nothing to return.
class Status {
public:
  Status() = default;
  Status(Error E) : Err(std::move(E.Message)), Failed(true) {}
  static Status success() { return Status(); }

  bool ok() const { return !Failed; }
  explicit operator bool() const { return ok(); }
  const std::string &error() const { return Err; }

private:
  std::string Err;
  bool Failed = false;
};

} // namespace privet::rt

#endif // PRIVET_RESULT_H
