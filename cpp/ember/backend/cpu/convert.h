// Value conversion between storage types with NumPy's casting results (no undefined behaviour:
// NaN and out-of-range floats to integers give what NumPy gives on x86-64).
#pragma once
#include <cmath>
#include <limits>

#include "ember/backend/cpu/type_traits.h"

namespace ember::cpu {

template <class To, class From>
To convert(From x) {
  if constexpr (std::is_same_v<To, From>) {
    return x;
  } else if constexpr (is_complex_v<From>) {
    if constexpr (is_complex_v<To>) return To(static_cast<typename To::value_type>(x.real()),
                                              static_cast<typename To::value_type>(x.imag()));
    else if constexpr (is_bool_v<To>) return x.real() != 0 || x.imag() != 0;
    else return convert<To>(x.real());
  } else if constexpr (is_complex_v<To>) {
    return To(static_cast<typename To::value_type>(static_cast<compute_t<From>>(x)));
  } else if constexpr (is_bool_v<To>) {
    return static_cast<compute_t<From>>(x) != 0;
  } else if constexpr (is_int_v<To> && is_float_v<From>) {
    double v = static_cast<double>(static_cast<compute_t<From>>(x));
    if constexpr (sizeof(To) < 4) {  // NumPy goes through int32 (or int64) and wraps
      return static_cast<To>(convert<int32_t>(x));
    } else {
      // NaN and out-of-range values are undefined in C++; give x86-64's "integer indefinite"
      // (INT_MIN) for signed targets and 0 for unsigned ones. Negative values wrap as NumPy's do.
      constexpr double lim = 9223372036854775808.0;  // 2^63
      if constexpr (std::is_signed_v<To>) {
        constexpr double lo = static_cast<double>(std::numeric_limits<To>::min());
        if (!(v >= lo && v < -lo)) return std::numeric_limits<To>::min();
        return static_cast<To>(v);
      } else {
        if (!(v > -lim && v < 2.0 * lim)) return 0;
        if (v < 0) return static_cast<To>(static_cast<int64_t>(v));
        return static_cast<To>(v);
      }
    }
  } else if constexpr (is_half_v<To>) {
    return To(static_cast<float>(static_cast<compute_t<From>>(x)));
  } else {
    return static_cast<To>(static_cast<compute_t<From>>(x));
  }
}

}  // namespace ember::cpu
