// Public API (docs/library.md). Result<T>: a value or an Error, shaped like C++23
// std::expected so we can switch later.
#pragma once

#include <xdpchain/error.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>
#include <variant>

namespace xdpchain {

namespace detail {
// Asking a Result for what it does not hold (value() of an error, error() of a value) is a
// bug in the calling program: it is stopped here, in every build, with the reason on
// stderr, rather than going on with an undefined value.
[[noreturn]] inline void result_misuse(const char *what, const Error *held) {
  std::fprintf(stderr, "xdpchain: %s%s%s\n", what, held ? ": " : "",
               held ? held->str().c_str() : "");
  std::abort();
}
} // namespace detail

template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T &value() & {
    check_value();
    return std::get<0>(v_);
  }
  const T &value() const & {
    check_value();
    return std::get<0>(v_);
  }
  T &&value() && {
    check_value();
    return std::get<0>(std::move(v_));
  }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

  Error &error() & {
    check_error();
    return std::get<1>(v_);
  }
  const Error &error() const & {
    check_error();
    return std::get<1>(v_);
  }
  Error &&error() && {
    check_error();
    return std::get<1>(std::move(v_));
  }

private:
  void check_value() const {
    if (!has_value())
      detail::result_misuse("value() of a Result that holds an error", &std::get<1>(v_));
  }
  void check_error() const {
    if (has_value()) detail::result_misuse("error() of a Result that holds a value", nullptr);
  }
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}

  bool has_value() const { return !e_.has_value(); }
  explicit operator bool() const { return has_value(); }
  Error &error() & {
    check_error();
    return *e_;
  }
  const Error &error() const & {
    check_error();
    return *e_;
  }
  Error &&error() && {
    check_error();
    return std::move(*e_);
  }

private:
  void check_error() const {
    if (has_value()) detail::result_misuse("error() of a Status that holds success", nullptr);
  }
  std::optional<Error> e_;
};

using Status = Result<void>;

} // namespace xdpchain
