// The CUDA C++ every rendered Kernel starts with: storage types, conversions and one device
// function per elementwise primitive, with NumPy's semantics (the same rules as the cpu's
// functors.h and convert.h, written again for the device: integer division and modulo signs,
// wrapping arithmetic, NaN propagation, casts of NaN and out-of-range floats). It includes no
// header, so NVRTC needs no include path; 16-bit floats are converted here (PTX cvt for float16,
// bit arithmetic for bfloat16) and computed in float, rounded after every instruction.
#include "ember/backend/cuda/render.h"

namespace ember::cuda {

const std::string& prelude() {
  static const std::string text = R"EMBER(// ---- ember prelude ----
typedef signed char em_i8; typedef short em_i16; typedef int em_i32; typedef long long em_i64;
typedef unsigned char em_u8; typedef unsigned short em_u16; typedef unsigned int em_u32;
typedef unsigned long long em_u64;
struct em_f16 { unsigned short bits; };
struct em_bf16 { unsigned short bits; };
template <class R> struct em_complex { R re, im; };
typedef em_complex<float> em_c64;
typedef em_complex<double> em_c128;
#define EMD static __device__ __forceinline__

// kind: 0 bool, 1 signed int, 2 unsigned int, 3 float, 4 complex
template <class T> struct em_t;
template <> struct em_t<bool> { enum { kind = 0 }; typedef unsigned char U; };
template <> struct em_t<em_i8> { enum { kind = 1 }; typedef em_u8 U; };
template <> struct em_t<em_i16> { enum { kind = 1 }; typedef em_u16 U; };
template <> struct em_t<em_i32> { enum { kind = 1 }; typedef em_u32 U; };
template <> struct em_t<em_i64> { enum { kind = 1 }; typedef em_u64 U; };
template <> struct em_t<em_u8> { enum { kind = 2 }; typedef em_u8 U; };
template <> struct em_t<em_u16> { enum { kind = 2 }; typedef em_u16 U; };
template <> struct em_t<em_u32> { enum { kind = 2 }; typedef em_u32 U; };
template <> struct em_t<em_u64> { enum { kind = 2 }; typedef em_u64 U; };
template <> struct em_t<float> { enum { kind = 3 }; typedef float R; };
template <> struct em_t<double> { enum { kind = 3 }; typedef double R; };
template <class R> struct em_t<em_complex<R>> { enum { kind = 4 }; typedef R R_; };
template <class T> constexpr bool em_int = em_t<T>::kind == 1 || em_t<T>::kind == 2;
template <class T> constexpr bool em_sint = em_t<T>::kind == 1;
template <class T> constexpr bool em_flt = em_t<T>::kind == 3;
template <class T> constexpr bool em_cpx = em_t<T>::kind == 4;
template <class T> constexpr bool em_isbool = em_t<T>::kind == 0;

// ---- 16-bit floats: storage <-> float ----
EMD float em_h2f(em_f16 h) { float f; asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h.bits)); return f; }
EMD em_f16 em_f2h(float f) { em_f16 h; asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h.bits) : "f"(f)); return h; }
EMD em_f16 em_d2h(double d) { em_f16 h; asm("cvt.rn.f16.f64 %0, %1;" : "=h"(h.bits) : "d"(d)); return h; }
EMD float em_b2f(em_bf16 b) { return __int_as_float(static_cast<int>(static_cast<unsigned>(b.bits) << 16)); }
EMD em_bf16 em_f2b(float f) {  // round to nearest even; NaN stays a (quiet) NaN
  unsigned u = static_cast<unsigned>(__float_as_int(f));
  em_bf16 b;
  if ((u & 0x7fffffffu) > 0x7f800000u) { b.bits = static_cast<unsigned short>((u >> 16) | 0x40u); return b; }
  u += 0x7fffu + ((u >> 16) & 1u);
  b.bits = static_cast<unsigned short>(u >> 16);
  return b;
}
EMD float em_rf16(float x) { return em_h2f(em_f2h(x)); }   // a float16 result, kept in a float
EMD float em_rbf16(float x) { return em_b2f(em_f2b(x)); }  // a bfloat16 result, kept in a float

// Loads give the compute type, stores take it.
template <class S> EMD S em_ld(const S& s) { return s; }
EMD float em_ld(const em_f16& s) { return em_h2f(s); }
EMD float em_ld(const em_bf16& s) { return em_b2f(s); }
template <class S, class C> EMD void em_st(S* p, C v) { *p = v; }
EMD void em_st(em_f16* p, float v) { *p = em_f2h(v); }
EMD void em_st(em_bf16* p, float v) { *p = em_f2b(v); }
// Loads that bypass L1 (partials written by other blocks of the same launch).
template <class T> EMD T em_ldcg(const T* p) { return __ldcg(p); }
EMD bool em_ldcg(const bool* p) { return __ldcg(reinterpret_cast<const unsigned char*>(p)) != 0; }
template <class R> EMD em_complex<R> em_ldcg(const em_complex<R>* p) { return {__ldcg(&p->re), __ldcg(&p->im)}; }

// ---- math on float and double (explicit, so no overload is ambiguous) ----
#define EM_M1(name, f, d) EMD float em_##name(float x) { return f(x); } EMD double em_##name(double x) { return d(x); }
#define EM_M2(name, f, d) EMD float em_##name(float x, float y) { return f(x, y); } EMD double em_##name(double x, double y) { return d(x, y); }
EM_M1(sqrt, sqrtf, sqrt) EM_M1(exp, expf, exp) EM_M1(log, logf, log) EM_M1(log2, log2f, log2)
EM_M1(log10, log10f, log10) EM_M1(sin, sinf, sin) EM_M1(cos, cosf, cos) EM_M1(tan, tanf, tan)
EM_M1(tanh, tanhf, tanh) EM_M1(acos, acosf, acos) EM_M1(asin, asinf, asin) EM_M1(atan, atanf, atan)
EM_M1(acosh, acoshf, acosh) EM_M1(asinh, asinhf, asinh) EM_M1(atanh, atanhf, atanh)
EM_M1(sinh, sinhf, sinh) EM_M1(cosh, coshf, cosh) EM_M1(expm1, expm1f, expm1) EM_M1(log1p, log1pf, log1p)
EM_M1(exp2, exp2f, exp2) EM_M1(cbrt, cbrtf, cbrt) EM_M1(fabs, fabsf, fabs) EM_M1(ffloor, floorf, floor)
EM_M1(fceil, ceilf, ceil) EM_M1(ftrunc, truncf, trunc) EM_M1(frint, rintf, rint)
EM_M2(atan2, atan2f, atan2) EM_M2(hypot, hypotf, hypot) EM_M2(copysign, copysignf, copysign)
EM_M2(fmod_, fmodf, fmod) EM_M2(nextafter_, nextafterf, nextafter) EM_M2(fpow, powf, pow)
template <class T> EMD bool em_nan(T x) { if constexpr (em_cpx<T>) return x.re != x.re || x.im != x.im; else if constexpr (em_flt<T>) return x != x; else return false; }
template <class T> EMD T em_inf() { if constexpr (sizeof(T) == 4) return __int_as_float(0x7f800000); else return __longlong_as_double(0x7ff0000000000000LL); }
template <class T> EMD T em_qnan() { if constexpr (sizeof(T) == 4) return __int_as_float(0x7fc00000); else return __longlong_as_double(0x7ff8000000000000LL); }

// ---- complex numbers (NumPy's formulas: naive product, Smith's quotient) ----
template <class R> EMD em_complex<R> operator+(em_complex<R> a, em_complex<R> b) { return {a.re + b.re, a.im + b.im}; }
template <class R> EMD em_complex<R> operator-(em_complex<R> a, em_complex<R> b) { return {a.re - b.re, a.im - b.im}; }
template <class R> EMD em_complex<R> operator-(em_complex<R> a) { return {-a.re, -a.im}; }
template <class R> EMD em_complex<R> operator*(em_complex<R> a, em_complex<R> b) { return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
template <class R> EMD em_complex<R> operator/(em_complex<R> a, em_complex<R> b) {
  R abr = em_fabs(b.re), abi = em_fabs(b.im);
  if (abr >= abi) {
    if (abr == 0 && abi == 0) return {a.re / abr, a.im / abr};
    R rat = b.im / b.re, scl = R(1) / (b.re + b.im * rat);
    return {(a.re + a.im * rat) * scl, (a.im - a.re * rat) * scl};
  }
  R rat = b.re / b.im, scl = R(1) / (b.im + b.re * rat);
  return {(a.re * rat + a.im) * scl, (a.im * rat - a.re) * scl};
}
template <class R> EMD bool operator==(em_complex<R> a, em_complex<R> b) { return a.re == b.re && a.im == b.im; }
template <class R> EMD bool operator!=(em_complex<R> a, em_complex<R> b) { return !(a == b); }
template <class R> EMD em_complex<R> em_cexp(em_complex<R> z) { R e = em_exp(z.re); return {e * em_cos(z.im), e * em_sin(z.im)}; }
template <class R> EMD em_complex<R> em_clog(em_complex<R> z) { return {em_log(em_hypot(z.re, z.im)), em_atan2(z.im, z.re)}; }
template <class R> EMD em_complex<R> em_csqrt(em_complex<R> z) {  // principal root, stable for both signs
  if (z.re == 0 && z.im == 0) return {R(0), z.im};
  if (z.im != z.im && !(z.re == -em_inf<R>() || z.re == em_inf<R>())) return {em_qnan<R>(), em_qnan<R>()};
  if (z.im == em_inf<R>() || z.im == -em_inf<R>()) return {em_inf<R>(), z.im};
  R t = em_sqrt((em_fabs(z.re) + em_hypot(z.re, z.im)) / R(2));
  if (z.re >= 0) return {t, z.im / (R(2) * t)};
  return {em_fabs(z.im) / (R(2) * t), em_copysign(t, z.im)};
}
template <class R> EMD em_complex<R> em_csin(em_complex<R> z) { return {em_sin(z.re) * em_cosh(z.im), em_cos(z.re) * em_sinh(z.im)}; }
template <class R> EMD em_complex<R> em_ccos(em_complex<R> z) { return {em_cos(z.re) * em_cosh(z.im), -em_sin(z.re) * em_sinh(z.im)}; }
template <class R> EMD em_complex<R> em_csinh(em_complex<R> z) { return {em_sinh(z.re) * em_cos(z.im), em_cosh(z.re) * em_sin(z.im)}; }
template <class R> EMD em_complex<R> em_ccosh(em_complex<R> z) { return {em_cosh(z.re) * em_cos(z.im), em_sinh(z.re) * em_sin(z.im)}; }
template <class R> EMD em_complex<R> em_ctanh(em_complex<R> z) {  // (sinh 2x + i sin 2y) / (cosh 2x + cos 2y)
  if (em_fabs(z.re) > R(20)) return {em_copysign(R(1), z.re), em_copysign(R(0), em_sin(R(2) * z.im))};
  R d = em_cosh(R(2) * z.re) + em_cos(R(2) * z.im);
  return {em_sinh(R(2) * z.re) / d, em_sin(R(2) * z.im) / d};
}
template <class R> EMD em_complex<R> em_ctan(em_complex<R> z) { em_complex<R> t = em_ctanh(em_complex<R>{-z.im, z.re}); return {t.im, -t.re}; }

// ---- the primitives (names as in graph nodes) ----
template <class T> EMD T em_wrap_add(T a, T b) { typedef typename em_t<T>::U U; return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b))); }
template <class T> EMD T em_wrap_sub(T a, T b) { typedef typename em_t<T>::U U; return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b))); }
template <class T> EMD T em_wrap_mul(T a, T b) {
  if constexpr (sizeof(T) < 4) return static_cast<T>(static_cast<em_u32>(a) * static_cast<em_u32>(b));
  else { typedef typename em_t<T>::U U; return static_cast<T>(static_cast<U>(a) * static_cast<U>(b)); }
}
template <class T> EMD bool em_lt(T a, T b) { if constexpr (em_cpx<T>) return a.re < b.re || (a.re == b.re && a.im < b.im); else return a < b; }
template <class T> EMD T em_add(T a, T b) { if constexpr (em_isbool<T>) return a || b; else if constexpr (em_int<T>) return em_wrap_add(a, b); else return a + b; }
template <class T> EMD T em_subtract(T a, T b) { if constexpr (em_int<T>) return em_wrap_sub(a, b); else return a - b; }
template <class T> EMD T em_multiply(T a, T b) { if constexpr (em_isbool<T>) return a && b; else if constexpr (em_int<T>) return em_wrap_mul(a, b); else return a * b; }
template <class T> EMD T em_divide(T a, T b) { return a / b; }
template <class T> EMD T em_floor_divide(T a, T b) {
  if constexpr (em_int<T>) {
    if (b == 0) return 0;
    if constexpr (em_sint<T>) {
      if (b == T(-1)) return em_wrap_sub(T(0), a);
      T q = a / b;
      if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
      return q;
    } else {
      return a / b;
    }
  } else {
    if (b == 0) return a / b;
    T mod = em_fmod_(a, b);
    T div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
    if (div == 0) return em_copysign(T(0), a / b);
    T fl = em_ffloor(div);
    if (div - fl > T(0.5)) fl += 1;
    return fl;
  }
}
template <class T> EMD T em_remainder(T a, T b) {
  if constexpr (em_int<T>) {
    if (b == 0) return 0;
    if constexpr (em_sint<T>) {
      if (b == T(-1)) return 0;
      T r = a % b;
      if (r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    } else {
      return a % b;
    }
  } else {
    if (b == 0) return em_fmod_(a, b);
    T mod = em_fmod_(a, b);
    if (mod != 0) { if ((b < 0) != (mod < 0)) mod += b; }
    else mod = em_copysign(T(0), b);
    return mod;
  }
}
template <class T> EMD T em_fmod(T a, T b) {
  if constexpr (em_int<T>) {
    if (b == 0) return 0;
    if constexpr (em_sint<T>) { if (b == T(-1)) return 0; }
    return static_cast<T>(a % b);
  } else {
    return em_fmod_(a, b);
  }
}
// Integer powers by squaring; a negative exponent is an error NumPy raises: flagged in *err.
template <class T> EMD T em_pow(T a, T b, int* err) {
  if constexpr (em_int<T>) {
    if constexpr (em_sint<T>) { if (b < 0) { atomicOr(err, 1); return 0; } }
    T result = 1;
    while (b) {
      if (b & 1) result = em_wrap_mul(result, a);
      a = em_wrap_mul(a, a);
      b = static_cast<T>(b >> 1);
    }
    return result;
  } else if constexpr (em_cpx<T>) {
    typedef typename em_t<T>::R_ R;
    if (b.re == 0 && b.im == 0) return {R(1), R(0)};
    if (a.re == 0 && a.im == 0) return b.re > 0 ? T{R(0), R(0)} : T{em_qnan<R>(), em_qnan<R>()};
    return em_cexp(b * em_clog(a));
  } else {
    return em_fpow(a, b);
  }
}
template <class T> EMD T em_maximum(T a, T b) {
  if constexpr (em_flt<T>) { if (a != a || b != b) return a + b; }
  if constexpr (em_cpx<T>) { if (em_nan(a)) return a; if (em_nan(b)) return b; }
  return em_lt(a, b) ? b : a;
}
template <class T> EMD T em_minimum(T a, T b) {
  if constexpr (em_flt<T>) { if (a != a || b != b) return a + b; }
  if constexpr (em_cpx<T>) { if (em_nan(a)) return a; if (em_nan(b)) return b; }
  return em_lt(b, a) ? b : a;
}
template <class T> EMD bool em_equal(T a, T b) { return a == b; }
template <class T> EMD bool em_not_equal(T a, T b) { return a != b; }
template <class T> EMD bool em_less(T a, T b) { return em_lt(a, b); }
template <class T> EMD bool em_less_equal(T a, T b) { return em_lt(a, b) || a == b; }
template <class T> EMD bool em_greater(T a, T b) { return em_lt(b, a); }
template <class T> EMD bool em_greater_equal(T a, T b) { return em_lt(b, a) || a == b; }
template <class T> EMD bool em_nz(T x) { if constexpr (em_cpx<T>) return x.re != 0 || x.im != 0; else return x != T(0); }
template <class T> EMD bool em_logical_and(T a, T b) { return em_nz(a) && em_nz(b); }
template <class T> EMD bool em_logical_or(T a, T b) { return em_nz(a) || em_nz(b); }
template <class T> EMD bool em_logical_xor(T a, T b) { return em_nz(a) != em_nz(b); }
template <class T> EMD bool em_logical_not(T x) { return !em_nz(x); }
template <class T> EMD T em_bitwise_and(T a, T b) { return static_cast<T>(a & b); }
template <class T> EMD T em_bitwise_or(T a, T b) { return static_cast<T>(a | b); }
template <class T> EMD T em_bitwise_xor(T a, T b) { return static_cast<T>(a ^ b); }
template <class T> EMD T em_bitwise_invert(T x) { if constexpr (em_isbool<T>) return !x; else return static_cast<T>(~x); }
template <class T> EMD T em_bitwise_left_shift(T a, T b) {
  if constexpr (em_isbool<T>) return a;
  else {
    typedef typename em_t<T>::U U;
    if (static_cast<U>(b) >= sizeof(T) * 8) return 0;
    return static_cast<T>(static_cast<U>(a) << static_cast<U>(b));
  }
}
template <class T> EMD T em_bitwise_right_shift(T a, T b) {
  if constexpr (em_isbool<T>) return a;
  else {
    typedef typename em_t<T>::U U;
    if (static_cast<U>(b) >= sizeof(T) * 8) return (em_sint<T> && a < 0) ? T(-1) : T(0);
    return static_cast<T>(a >> static_cast<U>(b));
  }
}
template <class T> EMD T em_logaddexp(T a, T b) {
  if (a == b) return a + em_log(T(2));
  T d = a - b;
  if (d > 0) return a + em_log1p(em_exp(-d));
  if (d <= 0) return b + em_log1p(em_exp(d));
  return d;
}
template <class T> EMD T em_logaddexp2(T a, T b) {
  const T log2e = T(1.4426950408889634);
  if (a == b) return a + T(1);
  T d = a - b;
  if (d > 0) return a + log2e * em_log1p(em_exp2(-d));
  if (d <= 0) return b + log2e * em_log1p(em_exp2(d));
  return d;
}
template <class T> EMD T em_heaviside(T a, T b) { if (a != a) return a; if (a == 0) return b; return a < 0 ? T(0) : T(1); }
template <class T> EMD T em_nextafter(T a, T b) { return em_nextafter_(a, b); }
// float16 and bfloat16 step their own bits (NumPy's npy_nextafter_half); values arrive as floats.
EMD float em_nextafter_h(float x, float y, bool bf) {
  if (x != x || y != y) return em_qnan<float>();
  if (x == y) return x;
  unsigned short bits = bf ? em_f2b(x).bits : em_f2h(x).bits;
  if (x == 0) bits = static_cast<unsigned short>(1u | (y < 0 ? 0x8000u : 0u));
  else bits = static_cast<unsigned short>(((x < y) == (x > 0)) ? bits + 1 : bits - 1);
  if (bf) { em_bf16 b; b.bits = bits; return em_b2f(b); }
  em_f16 h; h.bits = bits; return em_h2f(h);
}
template <class T> EMD bool em_ge(T a, T b) { if constexpr (em_cpx<T>) return a.re > b.re || (a.re == b.re && a.im >= b.im); else return a >= b; }
template <class T> EMD T em_fmax(T a, T b) { return (em_ge(a, b) || em_nan(b)) ? a : b; }
template <class T> EMD T em_fmin(T a, T b) { return (em_ge(b, a) || em_nan(b)) ? a : b; }

template <class T> EMD T em_copy(T x) { return x; }
template <class T> EMD T em_positive(T x) { return x; }
template <class T> EMD T em_negative(T x) { if constexpr (em_int<T>) return em_wrap_sub(T(0), x); else return -x; }
template <class T> EMD auto em_abs(T x) {
  if constexpr (em_cpx<T>) return em_hypot(x.re, x.im);
  else if constexpr (em_isbool<T>) return x;
  else if constexpr (em_sint<T>) return x < 0 ? em_wrap_sub(T(0), x) : x;
  else if constexpr (em_int<T>) return x;
  else return em_fabs(x);
}
template <class T> EMD T em_square(T x) { if constexpr (em_int<T>) return em_wrap_mul(x, x); else return x * x; }
template <class T> EMD T em_sign(T x) {
  if constexpr (em_cpx<T>) {
    typedef typename em_t<T>::R_ R;
    R m = em_hypot(x.re, x.im);
    if (m != m) return {em_qnan<R>(), em_qnan<R>()};
    if (m == em_inf<R>()) {
      if (em_fabs(x.re) == em_inf<R>()) return em_fabs(x.im) == em_inf<R>() ? T{em_qnan<R>(), em_qnan<R>()} : T{R(x.re > 0 ? 1 : -1), R(0)};
      return {R(0), R(x.im > 0 ? 1 : -1)};
    }
    if (m == 0) return {R(0), R(0)};
    return {x.re / m, x.im / m};
  } else if constexpr (em_flt<T>) {
    if (x != x) return x;
    return T((x > 0) - (x < 0));
  } else {
    return T((x > 0) - (x < T(0)));
  }
}
template <class T> EMD T em_sqrt_(T x) { if constexpr (em_cpx<T>) return em_csqrt(x); else return em_sqrt(x); }
template <class T> EMD T em_exp_(T x) { if constexpr (em_cpx<T>) return em_cexp(x); else return em_exp(x); }
template <class T> EMD T em_log_(T x) { if constexpr (em_cpx<T>) return em_clog(x); else return em_log(x); }
template <class T> EMD T em_sin_(T x) { if constexpr (em_cpx<T>) return em_csin(x); else return em_sin(x); }
template <class T> EMD T em_cos_(T x) { if constexpr (em_cpx<T>) return em_ccos(x); else return em_cos(x); }
template <class T> EMD T em_tan_(T x) { if constexpr (em_cpx<T>) return em_ctan(x); else return em_tan(x); }
template <class T> EMD T em_tanh_(T x) { if constexpr (em_cpx<T>) return em_ctanh(x); else return em_tanh(x); }
template <class T> EMD T em_sinh_(T x) { if constexpr (em_cpx<T>) return em_csinh(x); else return em_sinh(x); }
template <class T> EMD T em_cosh_(T x) { if constexpr (em_cpx<T>) return em_ccosh(x); else return em_cosh(x); }
template <class T> EMD T em_log2_(T x) {
  if constexpr (em_cpx<T>) { typedef typename em_t<T>::R_ R; T l = em_clog(x); const R k = R(1.4426950408889634); return {l.re * k, l.im * k}; }
  else return em_log2(x);
}
template <class T> EMD T em_log10_(T x) {
  if constexpr (em_cpx<T>) { typedef typename em_t<T>::R_ R; T l = em_clog(x); const R k = R(0.4342944819032518); return {l.re * k, l.im * k}; }
  else return em_log10(x);
}
template <class T> EMD T em_expm1_(T x) {
  if constexpr (em_cpx<T>) { typedef typename em_t<T>::R_ R; R h = em_sin(x.im / 2); return {em_expm1(x.re) * em_cos(x.im) - 2 * h * h, em_exp(x.re) * em_sin(x.im)}; }
  else return em_expm1(x);
}
template <class T> EMD T em_log1p_(T x) {
  if constexpr (em_cpx<T>) { typedef typename em_t<T>::R_ R; R re = x.re + 1; return {em_log(em_hypot(re, x.im)), em_atan2(x.im, re)}; }
  else return em_log1p(x);
}
template <class T> EMD T em_exp2_(T x) {
  if constexpr (em_cpx<T>) { typedef typename em_t<T>::R_ R; const R k = R(0.6931471805599453); return em_cexp(T{x.re * k, x.im * k}); }
  else return em_exp2(x);
}
template <class T> EMD bool em_isnan(T x) { return em_nan(x); }
template <class T> EMD bool em_isinf(T x) {
  if constexpr (em_cpx<T>) return em_fabs(x.re) == em_inf<decltype(x.re)>() || em_fabs(x.im) == em_inf<decltype(x.re)>();
  else if constexpr (em_flt<T>) return em_fabs(x) == em_inf<T>();
  else return false;
}
template <class T> EMD bool em_isfinite(T x) {
  if constexpr (em_cpx<T>) return !em_isnan(x) && !em_isinf(x);
  else if constexpr (em_flt<T>) return x - x == x - x;
  else return true;
}
template <class T> EMD T em_floor(T x) { if constexpr (em_flt<T>) return em_ffloor(x); else return x; }
template <class T> EMD T em_ceil(T x) { if constexpr (em_flt<T>) return em_fceil(x); else return x; }
template <class T> EMD T em_trunc(T x) { if constexpr (em_flt<T>) return em_ftrunc(x); else return x; }
template <class T> EMD T em_rint(T x) {
  if constexpr (em_cpx<T>) return {em_frint(x.re), em_frint(x.im)};
  else if constexpr (em_flt<T>) return em_frint(x);
  else return x;
}
template <class T> EMD T em_deg2rad(T x) { return x * T(0.017453292519943295); }
template <class T> EMD T em_rad2deg(T x) { return x * T(57.29577951308232); }
template <class T> EMD bool em_signbit(T x) {
  if constexpr (em_flt<T>) return em_copysign(T(1), x) < 0;
  else if constexpr (em_sint<T>) return x < 0;
  else return false;
}
template <class T> EMD T em_reciprocal(T x) {
  if constexpr (em_int<T>) {
    if (x == 0) return (em_sint<T> && sizeof(T) >= 4) ? static_cast<T>(static_cast<typename em_t<T>::U>(1) << (sizeof(T) * 8 - 1)) : T(0);
    if (x == 1) return T(1);
    if constexpr (em_sint<T>) { if (x == T(-1)) return T(-1); }
    return T(0);
  } else if constexpr (em_cpx<T>) {
    typedef typename em_t<T>::R_ R;
    return T{R(1), R(0)} / x;
  } else {
    return T(1) / x;
  }
}
template <class T> EMD T em_conj(T x) { if constexpr (em_cpx<T>) return {x.re, -x.im}; else return x; }
template <class T> EMD auto em_real(T x) { if constexpr (em_cpx<T>) return x.re; else return x; }
template <class T> EMD auto em_imag(T x) { if constexpr (em_cpx<T>) return x.re * 0; else return T(0); }

// ---- casts (convert.h's rules: NaN and out-of-range floats to integers as NumPy on x86-64) ----
template <class To, class From> EMD To em_cast(From x) {
  if constexpr (em_cpx<From>) {
    if constexpr (em_cpx<To>) { typedef typename em_t<To>::R_ R; return To{static_cast<R>(x.re), static_cast<R>(x.im)}; }
    else if constexpr (em_isbool<To>) return x.re != 0 || x.im != 0;
    else return em_cast<To>(x.re);
  } else if constexpr (em_cpx<To>) {
    typedef typename em_t<To>::R_ R;
    return To{static_cast<R>(x), R(0)};
  } else if constexpr (em_isbool<To>) {
    return x != From(0);
  } else if constexpr (em_int<To> && em_flt<From>) {
    double v = static_cast<double>(x);
    if constexpr (sizeof(To) < 4) {  // through int32, then wrap
      return static_cast<To>(em_cast<em_i32>(x));
    } else if constexpr (em_sint<To>) {
      const double lo = sizeof(To) == 4 ? -2147483648.0 : -9223372036854775808.0;
      if (!(v >= lo && v < -lo)) return static_cast<To>(static_cast<typename em_t<To>::U>(1) << (sizeof(To) * 8 - 1));
      return static_cast<To>(v);
    } else {
      const double lim = 9223372036854775808.0;
      if (!(v > -lim && v < 2.0 * lim)) return 0;
      if (v < 0 || sizeof(To) < 8) return static_cast<To>(static_cast<em_i64>(v));
      return static_cast<To>(v);
    }
  } else {
    return static_cast<To>(x);
  }
}
// ---- end of the prelude ----
)EMBER";
  return text;
}

}  // namespace ember::cuda
