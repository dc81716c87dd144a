// Maps elementwise functors to the vector functions of simd/vector_math.h. VectorUnary<Op>::run and
// VectorBinary<Op>::run exist only for the (functor, float type) pairs that have a vector path;
// has_vector_unary / has_vector_binary test for them. Functors not listed keep the scalar loop.
#pragma once
#include <cstdint>

#include "ember/backend/cpu/functors.h"
#include "ember/backend/cpu/simd/vector_math.h"

namespace ember::cpu {

template <class Op> struct VectorUnary {};
template <class Op> struct VectorBinary {};

#define EMBER_VECTOR_UNARY(Op, fn)                                                       \
  template <> struct VectorUnary<Op> {                                                   \
    static void run(const float* x, float* o, int64_t n) { simd::fn(x, o, n); }         \
    static void run(const double* x, double* o, int64_t n) { simd::fn(x, o, n); }       \
  };
#define EMBER_VECTOR_BINARY(Op, fn)                                                                     \
  template <> struct VectorBinary<Op> {                                                                 \
    static void run(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n) {     \
      simd::fn(a, sa, b, sb, o, n);                                                                     \
    }                                                                                                   \
    static void run(const double* a, int64_t sa, const double* b, int64_t sb, double* o, int64_t n) {  \
      simd::fn(a, sa, b, sb, o, n);                                                                     \
    }                                                                                                   \
  };

EMBER_VECTOR_UNARY(Exp, exp)
EMBER_VECTOR_UNARY(Expm1, expm1)
EMBER_VECTOR_UNARY(Log, log)
EMBER_VECTOR_UNARY(Log1p, log1p)
EMBER_VECTOR_UNARY(Sin, sin)
EMBER_VECTOR_UNARY(Cos, cos)
EMBER_VECTOR_UNARY(Tan, tan)
EMBER_VECTOR_UNARY(Tanh, tanh)
EMBER_VECTOR_UNARY(Atan, atan)
EMBER_VECTOR_UNARY(Sqrt, sqrt)
EMBER_VECTOR_BINARY(Add, add)
EMBER_VECTOR_BINARY(Subtract, subtract)
EMBER_VECTOR_BINARY(Multiply, multiply)
EMBER_VECTOR_BINARY(Divide, divide)
EMBER_VECTOR_BINARY(Maximum, maximum)
EMBER_VECTOR_BINARY(Minimum, minimum)
EMBER_VECTOR_BINARY(Atan2, atan2)
// float64 pow stays scalar (docs/vector_math.md).
template <> struct VectorBinary<Power> {
  static void run(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n) {
    simd::pow(a, sa, b, sb, o, n);
  }
};

#undef EMBER_VECTOR_UNARY
#undef EMBER_VECTOR_BINARY

template <class Op, class T>
concept has_vector_unary = requires(const T* x, T* o, int64_t n) { VectorUnary<Op>::run(x, o, n); };
template <class Op, class T>
concept has_vector_binary = requires(const T* a, T* o, int64_t n) { VectorBinary<Op>::run(a, n, a, n, o, n); };

}  // namespace ember::cpu
