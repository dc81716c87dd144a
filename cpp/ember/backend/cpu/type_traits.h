// Type predicates the cpu kernels use to decide which dtypes an op is defined for.
#pragma once
#include <type_traits>

#include "ember/dtype.h"

namespace ember::cpu {

template <class T> inline constexpr bool is_bool_v = std::is_same_v<T, bool>;
template <class T> inline constexpr bool is_int_v = std::is_integral_v<T> && !is_bool_v<T>;
template <class T> inline constexpr bool is_float_v = std::is_floating_point_v<T> || is_half_v<T>;
template <class T> inline constexpr bool is_real_v = !is_complex_v<T>;
template <class T> inline constexpr bool is_numeric_v = !is_bool_v<T>;
template <class T> inline constexpr bool is_inexact_v = is_float_v<T> || is_complex_v<T>;

// The real storage type of T (complex<float> -> float).
template <class T> struct real_of { using type = T; };
template <class T> struct real_of<std::complex<T>> { using type = T; };
template <class T> using real_t = typename real_of<T>::type;

}  // namespace ember::cpu
