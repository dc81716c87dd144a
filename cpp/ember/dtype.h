// Data types, their properties and NumPy 2 (NEP 50) type promotion.
#pragma once
#include <complex>
#include <cstdint>
#include <string>
#include <string_view>

#include "ember/half.h"

namespace ember {

enum class DType : uint8_t {
  Bool,
  Int8, Int16, Int32, Int64,
  UInt8, UInt16, UInt32, UInt64,
  Float16, BFloat16, Float32, Float64,
  Complex64, Complex128,
};
inline constexpr int kNumDTypes = 15;

using complex64 = std::complex<float>;
using complex128 = std::complex<double>;

enum class DKind : uint8_t { Bool, UnsignedInt, SignedInt, Float, Complex };  // ordered for promotion

DKind kind_of(DType t);
int itemsize(DType t);
std::string_view dtype_name(DType t);  // NumPy's names: "float64", "bfloat16", ...
DType dtype_from_name(std::string_view name);  // throws TypeError for unknown names

inline bool is_bool(DType t) { return t == DType::Bool; }
inline bool is_integer(DType t) { return kind_of(t) == DKind::SignedInt || kind_of(t) == DKind::UnsignedInt; }
inline bool is_unsigned(DType t) { return kind_of(t) == DKind::UnsignedInt; }
inline bool is_floating(DType t) { return kind_of(t) == DKind::Float; }
inline bool is_complex(DType t) { return kind_of(t) == DKind::Complex; }
inline bool is_inexact(DType t) { return is_floating(t) || is_complex(t); }

// Promotion between two array dtypes (NumPy's table, extended to bfloat16 as ml_dtypes does).
DType promote_types(DType a, DType b);
// The float type NumPy gives a non-float input of math functions (sin(int8) -> float16, sin(int32) -> float64).
DType float_result_type(DType t);
// The real type of a complex type (complex64 -> float32); identity otherwise.
DType real_type(DType t);
DType complex_type_for(DType real);
// Whether a value of `from` can be cast to `to` under the "same_kind"/"safe" rules.
bool can_cast_safe(DType from, DType to);
bool can_cast_same_kind(DType from, DType to);
// Default types of sum/prod accumulation as NumPy: small ints widen to the platform int.
DType sum_result_type(DType t);

// Maps a DType to its C++ storage type.
template <DType D> struct CType;
template <> struct CType<DType::Bool> { using type = bool; };
template <> struct CType<DType::Int8> { using type = int8_t; };
template <> struct CType<DType::Int16> { using type = int16_t; };
template <> struct CType<DType::Int32> { using type = int32_t; };
template <> struct CType<DType::Int64> { using type = int64_t; };
template <> struct CType<DType::UInt8> { using type = uint8_t; };
template <> struct CType<DType::UInt16> { using type = uint16_t; };
template <> struct CType<DType::UInt32> { using type = uint32_t; };
template <> struct CType<DType::UInt64> { using type = uint64_t; };
template <> struct CType<DType::Float16> { using type = float16; };
template <> struct CType<DType::BFloat16> { using type = bfloat16; };
template <> struct CType<DType::Float32> { using type = float; };
template <> struct CType<DType::Float64> { using type = double; };
template <> struct CType<DType::Complex64> { using type = complex64; };
template <> struct CType<DType::Complex128> { using type = complex128; };

template <class T> inline constexpr bool is_half_v = std::is_same_v<T, float16> || std::is_same_v<T, bfloat16>;
template <class T> struct is_complex_t : std::false_type {};
template <class T> struct is_complex_t<std::complex<T>> : std::true_type {};
template <class T> inline constexpr bool is_complex_v = is_complex_t<T>::value;

// The type arithmetic is done in: float for the 16-bit floats, the storage type otherwise.
template <class T> using compute_t = std::conditional_t<is_half_v<T>, float, T>;

// Calls f(T{}) with T the storage type of `t`. Every kernel dispatches through here.
template <class F>
decltype(auto) dispatch_dtype(DType t, F&& f) {
  switch (t) {
    case DType::Bool: return f(bool{});
    case DType::Int8: return f(int8_t{});
    case DType::Int16: return f(int16_t{});
    case DType::Int32: return f(int32_t{});
    case DType::Int64: return f(int64_t{});
    case DType::UInt8: return f(uint8_t{});
    case DType::UInt16: return f(uint16_t{});
    case DType::UInt32: return f(uint32_t{});
    case DType::UInt64: return f(uint64_t{});
    case DType::Float16: return f(float16{});
    case DType::BFloat16: return f(bfloat16{});
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Complex64: return f(complex64{});
    case DType::Complex128: return f(complex128{});
  }
  return f(double{});
}

template <class T> constexpr DType dtype_of();

}  // namespace ember
