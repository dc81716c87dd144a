// A Python-style scalar value (bool, int, float or complex) with the dtype it carries.
#pragma once
#include <complex>
#include <cstdint>
#include <variant>

#include "ember/dtype.h"

namespace ember {

struct Scalar {
  std::variant<bool, int64_t, uint64_t, double, std::complex<double>> value;

  Scalar() : value(int64_t{0}) {}
  Scalar(bool v) : value(v) {}
  Scalar(int64_t v) : value(v) {}
  Scalar(uint64_t v) : value(v) {}
  Scalar(double v) : value(v) {}
  Scalar(std::complex<double> v) : value(v) {}

  // The dtype NumPy gives a Python scalar of this kind on its own.
  DType default_dtype() const;
  // Converts to a storage type T with C++ (NumPy "unsafe") casting.
  template <class T> T as() const {
    return std::visit(
        [](auto v) -> T {
          using V = decltype(v);
          if constexpr (is_complex_v<T>) {
            if constexpr (is_complex_v<V>) return T(v);
            else return T(static_cast<typename T::value_type>(v));
          } else if constexpr (is_complex_v<V>) {
            if constexpr (std::is_same_v<T, bool>) return v != V(0);
            else return static_cast<T>(static_cast<compute_t<T>>(v.real()));
          } else if constexpr (std::is_same_v<T, bool>) {
            return v != V(0);
          } else if constexpr (is_half_v<T>) {
            return T(static_cast<float>(v));
          } else {
            return static_cast<T>(v);
          }
        },
        value);
  }
};

}  // namespace ember
