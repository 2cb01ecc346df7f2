// Public API (docs/library.md). Result<T>: a value or an Error, shaped like C++23
// std::expected so we can switch later.
#pragma once

#include <xdpchain/error.h>

#include <cassert>
#include <optional>
#include <utility>
#include <variant>

namespace xdpchain {

template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T &value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T &value() const & {
    assert(has_value());
    return std::get<0>(v_);
  }
  T &&value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  Error &error() & {
    assert(!has_value());
    return std::get<1>(v_);
  }
  const Error &error() const & {
    assert(!has_value());
    return std::get<1>(v_);
  }
  Error &&error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}

  bool has_value() const { return !e_.has_value(); }
  explicit operator bool() const { return has_value(); }
  Error &error() & { return *e_; }
  const Error &error() const & { return *e_; }
  Error &&error() && { return std::move(*e_); }

private:
  std::optional<Error> e_;
};

using Status = Result<void>;

} // namespace xdpchain
