// Vectorised elementwise math over contiguous rows, compiled for several SIMD targets (SSE4, AVX2,
// AVX-512) with Highway and dispatched at run time to the best one the CPU has. Plain C++: no
// Highway types cross this header. The fused interpreter's instructions for these functions call
// these rows (cpu/simd_math.cpp installs them); exact IEEE arithmetic and sqrt are in simd_math.cpp.
//
// Unary functions read x[0..n) and write out[0..n); out may be x (in place). Binary functions read
// a with element stride sa and b with stride sb, each 0 (a broadcast scalar) or 1 (contiguous); out
// may be a or b. Lanes whose inputs fall outside a vector algorithm's validated range (NaN, ±inf,
// zeros, subnormals, huge arguments) are
// recomputed with the C library, so special values follow libm and NumPy exactly and every
// element's result depends only on its own inputs (not on its neighbours or the row alignment).
// Accuracy is stated and measured in docs/cpu_engine.md.
#pragma once
#include <cstdint>

namespace ember::cpu::simd {

#define EMBER_SIMD_UNARY(name)                               \
  void name(const float* x, float* out, int64_t n);         \
  void name(const double* x, double* out, int64_t n);
#define EMBER_SIMD_BINARY(name)                                                              \
  void name(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n); \
  void name(const double* a, int64_t sa, const double* b, int64_t sb, double* out, int64_t n);

EMBER_SIMD_UNARY(exp)
EMBER_SIMD_UNARY(expm1)
EMBER_SIMD_UNARY(log)
EMBER_SIMD_UNARY(log1p)
EMBER_SIMD_UNARY(sin)
EMBER_SIMD_UNARY(cos)
EMBER_SIMD_UNARY(tan)
EMBER_SIMD_UNARY(tanh)
EMBER_SIMD_UNARY(atan)
EMBER_SIMD_UNARY(log2)
EMBER_SIMD_UNARY(log10)
EMBER_SIMD_UNARY(sinh)
EMBER_SIMD_UNARY(asin)
EMBER_SIMD_UNARY(acos)
EMBER_SIMD_UNARY(asinh)
EMBER_SIMD_UNARY(acosh)
EMBER_SIMD_UNARY(atanh)

EMBER_SIMD_BINARY(maximum)
EMBER_SIMD_BINARY(minimum)
EMBER_SIMD_BINARY(atan2)
// float32 only: float64 pow needs extra-precise log/exp to stay near libm's accuracy and stays scalar.
void pow(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n);

#undef EMBER_SIMD_UNARY
#undef EMBER_SIMD_BINARY

// The instruction set the dispatcher chose on this CPU ("AVX3", "AVX2", "SSE4", ...).
const char* target_name();

}  // namespace ember::cpu::simd
