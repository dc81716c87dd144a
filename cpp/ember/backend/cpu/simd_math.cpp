// Highway versions of the hot float32/float64 instructions and folds, compiled for every x86
// target Highway knows and picked at run time. Arithmetic and sqrt are IEEE operations (bit-identical
// to the scalar functors), comparisons and where exact. The vector-math instructions (exp, log, sin,
// tan, atan2, float32 pow, ...) are the row functions of simd/vector_math.h, installed here.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ember/backend/cpu/simd_math.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/contrib/math/math-inl.h>
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <cfloat>
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "ember/backend/cpu/functors.h"
#include "ember/backend/cpu/simd/vector_math.h"
#include "ember/backend/cpu/simd_math.h"

HWY_BEFORE_NAMESPACE();
namespace ember::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Non-temporal stores need vector-aligned destinations (output blocks are: 64-byte buffers, blocks
// of 2048 elements).
template <class T> HWY_INLINE bool Streamable(const T* y) {
  const hn::ScalableTag<T> d;
  return g_stream_stores && reinterpret_cast<uintptr_t>(y) % (hn::Lanes(d) * sizeof(T)) == 0;
}

// y = f(x) by vectors where valid(x) holds in every lane, else lane by lane with the functor.
template <class T, class Vf, class Valid, class Sf>
HWY_INLINE void MapUnary(const T* x, T* y, int64_t n, Vf vf, Valid valid, Sf sf) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  const bool stream = Streamable(y);
  for (; i + N <= n; i += N) {
    auto v = hn::LoadU(d, x + i);
    if (hn::AllTrue(d, valid(d, v))) {
      if (stream) hn::Stream(vf(d, v), d, y + i);
      else hn::StoreU(vf(d, v), d, y + i);
    } else {
      for (int64_t j = i; j < i + N; ++j) y[j] = sf(x[j]);
    }
  }
  for (; i < n; ++i) y[i] = sf(x[i]);
}

template <class T, class Vf, class Sf>
HWY_INLINE void MapBinary(const T* x, const T* z, T* y, int64_t n, Vf vf, Sf sf) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  if (Streamable(y)) {
    for (; i + N <= n; i += N) hn::Stream(vf(hn::LoadU(d, x + i), hn::LoadU(d, z + i)), d, y + i);
  } else {
    for (; i + N <= n; i += N) hn::StoreU(vf(hn::LoadU(d, x + i), hn::LoadU(d, z + i)), d, y + i);
  }
  for (; i < n; ++i) y[i] = sf(x[i], z[i]);
}

// sqrt is correctly rounded in both paths; every input is valid.
template <class T> void SqrtT(const void* const* a, void* o, int64_t n) {
  MapUnary(static_cast<const T*>(a[0]), static_cast<T*>(o), n, [](auto, auto v) { return hn::Sqrt(v); },
           [](auto d, auto) { return hn::Eq(hn::Zero(d), hn::Zero(d)); }, [](T x) { return Sqrt{}(x); });
}
void Sqrt64(const void* const* a, void* o, int64_t n) { SqrtT<double>(a, o, n); }
void Sqrt32(const void* const* a, void* o, int64_t n) { SqrtT<float>(a, o, n); }

// Exact unary instructions (sign-bit operations, x*x, IEEE rounding to integral values): the same
// bits as the scalar functors for every input, NaN and signed zeros included.
#define EMBER_HWY_EXACT1(Name, Functor, Call)                                                               \
  template <class T> void Name##T(const void* const* a, void* o, int64_t n) {                             \
    MapUnary(static_cast<const T*>(a[0]), static_cast<T*>(o), n, [](auto, auto v) { return Call; },       \
             [](auto d, auto) { return hn::Eq(hn::Zero(d), hn::Zero(d)); }, [](T x) { return Functor{}(x); }); \
  }                                                                                                       \
  void Name##64(const void* const* a, void* o, int64_t n) { Name##T<double>(a, o, n); }                   \
  void Name##32(const void* const* a, void* o, int64_t n) { Name##T<float>(a, o, n); }
EMBER_HWY_EXACT1(Neg, Negative, hn::Neg(v))
EMBER_HWY_EXACT1(Abs, Absolute, hn::Abs(v))
EMBER_HWY_EXACT1(Square, Square, hn::Mul(v, v))
EMBER_HWY_EXACT1(Floor, Floor, hn::Floor(v))
EMBER_HWY_EXACT1(Ceil, Ceil, hn::Ceil(v))
EMBER_HWY_EXACT1(Trunc, Trunc, hn::Trunc(v))
EMBER_HWY_EXACT1(Rint, Rint, hn::Round(v))  // round half to even, as nearbyint in the default mode
#undef EMBER_HWY_EXACT1

#define EMBER_HWY_BINARY(Name, Functor, Call)                                                               \
  void Name##64(const void* const* a, void* o, int64_t n) {                                                 \
    MapBinary(static_cast<const double*>(a[0]), static_cast<const double*>(a[1]), static_cast<double*>(o), n, \
              [](auto x, auto y) { return Call(x, y); }, [](double x, double y) { return Functor{}(x, y); }); \
  }                                                                                                         \
  void Name##32(const void* const* a, void* o, int64_t n) {                                                 \
    MapBinary(static_cast<const float*>(a[0]), static_cast<const float*>(a[1]), static_cast<float*>(o), n,  \
              [](auto x, auto y) { return Call(x, y); }, [](float x, float y) { return Functor{}(x, y); });   \
  }
EMBER_HWY_BINARY(Add, Add, hn::Add)
EMBER_HWY_BINARY(Sub, Subtract, hn::Sub)
EMBER_HWY_BINARY(Mul, Multiply, hn::Mul)
EMBER_HWY_BINARY(Div, Divide, hn::Div)
#undef EMBER_HWY_BINARY

// ---- comparisons (float -> bool bytes) and where (bool bytes, float, float) ----

// Byte b of kSpread[bits] is bit b of `bits` (bool bytes from 8 mask bits).
struct Spread {
  uint64_t v[256];
  constexpr Spread() : v() {
    for (int i = 0; i < 256; ++i)
      for (int b = 0; b < 8; ++b)
        if (i >> b & 1) v[i] |= uint64_t{1} << (8 * b);
  }
};
constexpr Spread kSpread;

template <class T, class Cmp, class Sf>
HWY_INLINE void Compare(const T* x, const T* z, bool* y, int64_t n, Cmp cmp, Sf sf) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  uint8_t bits[16] = {};
  for (; i + N <= n; i += N) {
    hn::StoreMaskBits(d, cmp(d, hn::LoadU(d, x + i), hn::LoadU(d, z + i)), bits);
    for (int64_t g = 0; g < N; g += 8) {
      uint64_t bytes = kSpread.v[bits[g / 8]];
      std::memcpy(y + i + g, &bytes, static_cast<size_t>(std::min<int64_t>(8, N - g)));
    }
  }
  for (; i < n; ++i) y[i] = sf(x[i], z[i]);
}

template <class T>
HWY_INLINE void Where(const bool* c, const T* x, const T* z, T* y, int64_t n) {
  const hn::ScalableTag<T> d;
  const bool stream = Streamable(y);
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  uint8_t bits[16] = {};
  for (; i + N <= n; i += N) {
    for (int64_t g = 0; g < N; g += 8) {
      uint64_t bytes = 0;  // bool bytes are 0 or 1: gather their low bits into one byte
      std::memcpy(&bytes, c + i + g, static_cast<size_t>(std::min<int64_t>(8, N - g)));
      bits[g / 8] = static_cast<uint8_t>((bytes * 0x0102040810204080ull) >> 56);
    }
    auto m = hn::LoadMaskBits(d, bits);
    auto v = hn::IfThenElse(m, hn::LoadU(d, x + i), hn::LoadU(d, z + i));
    if (stream) hn::Stream(v, d, y + i);
    else hn::StoreU(v, d, y + i);
  }
  for (; i < n; ++i) y[i] = c[i] ? x[i] : z[i];
}

#define EMBER_HWY_CMP(Name, Functor, Expr)                                                                  \
  template <class T> void Name##T(const void* const* a, void* o, int64_t n) {                             \
    Compare(static_cast<const T*>(a[0]), static_cast<const T*>(a[1]), static_cast<bool*>(o), n,          \
            [](auto d, auto x, auto z) { (void)d; return Expr; }, [](T x, T z) { return Functor{}(x, z); }); \
  }                                                                                                       \
  void Name##64(const void* const* a, void* o, int64_t n) { Name##T<double>(a, o, n); }                   \
  void Name##32(const void* const* a, void* o, int64_t n) { Name##T<float>(a, o, n); }
EMBER_HWY_CMP(Gt, Greater, hn::Gt(x, z))
EMBER_HWY_CMP(Ge, GreaterEqual, hn::Ge(x, z))
EMBER_HWY_CMP(Lt, Less, hn::Lt(x, z))
EMBER_HWY_CMP(Le, LessEqual, hn::Le(x, z))
EMBER_HWY_CMP(Eq, Equal, hn::Eq(x, z))
EMBER_HWY_CMP(Ne, NotEqual, hn::Not(hn::Eq(x, z)))  // NaN != anything: Ne is ordered, Not(Eq) is not
#undef EMBER_HWY_CMP

void Where64(const void* const* a, void* o, int64_t n) {
  Where(static_cast<const bool*>(a[0]), static_cast<const double*>(a[1]), static_cast<const double*>(a[2]),
        static_cast<double*>(o), n);
}
void Where32(const void* const* a, void* o, int64_t n) {
  Where(static_cast<const bool*>(a[0]), static_cast<const float*>(a[1]), static_cast<const float*>(a[2]),
        static_cast<float*>(o), n);
}

// ---- folds ----

// NumPy-style pairwise summation; runs of up to 256 are summed in 4 vector accumulators started
// at -0.0 (the identity that keeps sum([-0.0]) == -0.0).
template <class T> T SumRun(const T* x, int64_t n) {
  if (n > 256) {
    int64_t n2 = n / 2;
    n2 -= n2 % 8;
    return SumRun(x, n2) + SumRun(x + n2, n - n2);
  }
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  auto z = hn::Set(d, T(-0.0));
  auto v0 = z, v1 = z, v2 = z, v3 = z;
  int64_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    v0 = hn::Add(v0, hn::LoadU(d, x + i));
    v1 = hn::Add(v1, hn::LoadU(d, x + i + N));
    v2 = hn::Add(v2, hn::LoadU(d, x + i + 2 * N));
    v3 = hn::Add(v3, hn::LoadU(d, x + i + 3 * N));
  }
  for (; i + N <= n; i += N) v0 = hn::Add(v0, hn::LoadU(d, x + i));
  T r = hn::GetLane(hn::SumOfLanes(d, hn::Add(hn::Add(v0, v1), hn::Add(v2, v3))));
  for (; i < n; ++i) r += x[i];
  return r;
}

// max / min propagating NaN (any NaN in the run gives NaN, as NumPy).
template <class T, bool Max> T ExtremeRun(const T* x, int64_t n) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  T r = x[0];
  int64_t i = 0;
  if (n >= N) {
    auto acc = hn::LoadU(d, x);
    auto nan = hn::VecFromMask(d, hn::IsNaN(acc));
    for (i = N; i + N <= n; i += N) {
      auto v = hn::LoadU(d, x + i);
      acc = Max ? hn::Max(acc, v) : hn::Min(acc, v);
      nan = hn::Or(nan, hn::VecFromMask(d, hn::IsNaN(v)));
    }
    const hn::RebindToUnsigned<decltype(d)> du;  // set lanes are all ones: compare as integers
    if (!hn::AllFalse(du, hn::Ne(hn::BitCast(du, nan), hn::Zero(du)))) return std::numeric_limits<T>::quiet_NaN();
    r = hn::GetLane(Max ? hn::MaxOfLanes(d, acc) : hn::MinOfLanes(d, acc));
  } else {
    i = 1;
  }
  for (; i < n; ++i) r = Max ? Maximum{}(r, x[i]) : Minimum{}(r, x[i]);
  return r;
}

void Sum64(const void* x, int64_t n, void* out) { *static_cast<double*>(out) = SumRun(static_cast<const double*>(x), n); }
void Sum32(const void* x, int64_t n, void* out) { *static_cast<float*>(out) = SumRun(static_cast<const float*>(x), n); }
void Max64(const void* x, int64_t n, void* out) { *static_cast<double*>(out) = ExtremeRun<double, true>(static_cast<const double*>(x), n); }
void Max32(const void* x, int64_t n, void* out) { *static_cast<float*>(out) = ExtremeRun<float, true>(static_cast<const float*>(x), n); }
void Min64(const void* x, int64_t n, void* out) { *static_cast<double*>(out) = ExtremeRun<double, false>(static_cast<const double*>(x), n); }
void Min32(const void* x, int64_t n, void* out) { *static_cast<float*>(out) = ExtremeRun<float, false>(static_cast<const float*>(x), n); }

}  // namespace ember::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember::cpu {

thread_local bool g_stream_stores = false;
void flush_streams() { hwy::FlushStream(); }

#define EMBER_EXPORT2(Name) \
  HWY_EXPORT(Name##64);     \
  HWY_EXPORT(Name##32);
EMBER_EXPORT2(Sqrt)
EMBER_EXPORT2(Neg)
EMBER_EXPORT2(Abs)
EMBER_EXPORT2(Square)
EMBER_EXPORT2(Floor)
EMBER_EXPORT2(Ceil)
EMBER_EXPORT2(Trunc)
EMBER_EXPORT2(Rint)
EMBER_EXPORT2(Add)
EMBER_EXPORT2(Sub)
EMBER_EXPORT2(Mul)
EMBER_EXPORT2(Div)
EMBER_EXPORT2(Gt)
EMBER_EXPORT2(Ge)
EMBER_EXPORT2(Lt)
EMBER_EXPORT2(Le)
EMBER_EXPORT2(Eq)
EMBER_EXPORT2(Ne)
EMBER_EXPORT2(Where)
EMBER_EXPORT2(Sum)
EMBER_EXPORT2(Max)
EMBER_EXPORT2(Min)
#undef EMBER_EXPORT2

#define EMBER_INSTR(Name)                                                                         \
  [](const void* const* a, void* o, int64_t n, const Node&) { HWY_DYNAMIC_DISPATCH(Name)(a, o, n); }

void install_simd_math(const std::function<void(std::string_view, DType, InstrFn)>& install) {
#define EMBER_BOTH(op, Name)                          \
  install(op, DType::Float64, EMBER_INSTR(Name##64)); \
  install(op, DType::Float32, EMBER_INSTR(Name##32));
  EMBER_BOTH("sqrt", Sqrt)
  EMBER_BOTH("negative", Neg)
  EMBER_BOTH("abs", Abs)
  EMBER_BOTH("fabs", Abs)
  EMBER_BOTH("square", Square)
  EMBER_BOTH("floor", Floor)
  EMBER_BOTH("ceil", Ceil)
  EMBER_BOTH("trunc", Trunc)
  EMBER_BOTH("rint", Rint)
  EMBER_BOTH("round", Rint)
  EMBER_BOTH("add", Add)
  EMBER_BOTH("subtract", Sub)
  EMBER_BOTH("multiply", Mul)
  EMBER_BOTH("divide", Div)
  EMBER_BOTH("greater", Gt)
  EMBER_BOTH("greater_equal", Ge)
  EMBER_BOTH("less", Lt)
  EMBER_BOTH("less_equal", Le)
  EMBER_BOTH("equal", Eq)
  EMBER_BOTH("not_equal", Ne)
  EMBER_BOTH("where", Where)  // keyed by the value dtype
#undef EMBER_BOTH
  // Vector math: the row functions of simd/vector_math.h (operands are contiguous registers here).
#define EMBER_ROW1(op, fn)                                                                                  \
  install(op, DType::Float64, [](const void* const* a, void* o, int64_t n, const Node&) {                  \
    simd::fn(static_cast<const double*>(a[0]), static_cast<double*>(o), n);                                 \
  });                                                                                                       \
  install(op, DType::Float32, [](const void* const* a, void* o, int64_t n, const Node&) {                  \
    simd::fn(static_cast<const float*>(a[0]), static_cast<float*>(o), n);                                   \
  });
#define EMBER_ROW2_T(op, fn, T, dtype)                                                                      \
  install(op, dtype, [](const void* const* a, void* o, int64_t n, const Node&) {                           \
    simd::fn(static_cast<const T*>(a[0]), 1, static_cast<const T*>(a[1]), 1, static_cast<T*>(o), n);        \
  });
#define EMBER_ROW2(op, fn) EMBER_ROW2_T(op, fn, double, DType::Float64) EMBER_ROW2_T(op, fn, float, DType::Float32)
  EMBER_ROW1("exp", exp)
  EMBER_ROW1("expm1", expm1)
  EMBER_ROW1("log", log)
  EMBER_ROW1("log2", log2)
  EMBER_ROW1("log10", log10)
  EMBER_ROW1("log1p", log1p)
  EMBER_ROW1("sin", sin)
  EMBER_ROW1("cos", cos)
  EMBER_ROW1("tan", tan)
  EMBER_ROW1("tanh", tanh)
  EMBER_ROW1("atan", atan)
  EMBER_ROW1("sinh", sinh)
  EMBER_ROW1("asin", asin)
  EMBER_ROW1("acos", acos)
  EMBER_ROW1("asinh", asinh)
  EMBER_ROW1("acosh", acosh)
  EMBER_ROW1("atanh", atanh)
  EMBER_ROW2("atan2", atan2)
  EMBER_ROW2("maximum", maximum)
  EMBER_ROW2("minimum", minimum)
  EMBER_ROW2_T("pow", pow, float, DType::Float32)  // float64 pow stays on libm (docs/cpu_engine.md)
#undef EMBER_ROW1
#undef EMBER_ROW2
#undef EMBER_ROW2_T
}

FoldFn simd_fold(std::string_view op, DType t) {
  if (t != DType::Float64 && t != DType::Float32) return nullptr;
  bool f64 = t == DType::Float64;
  if (op == "sum") return f64 ? +[](const void* x, int64_t n, void* o) { HWY_DYNAMIC_DISPATCH(Sum64)(x, n, o); }
                              : +[](const void* x, int64_t n, void* o) { HWY_DYNAMIC_DISPATCH(Sum32)(x, n, o); };
  if (op == "max") return f64 ? +[](const void* x, int64_t n, void* o) { HWY_DYNAMIC_DISPATCH(Max64)(x, n, o); }
                              : +[](const void* x, int64_t n, void* o) { HWY_DYNAMIC_DISPATCH(Max32)(x, n, o); };
  if (op == "min") return f64 ? +[](const void* x, int64_t n, void* o) { HWY_DYNAMIC_DISPATCH(Min64)(x, n, o); }
                              : +[](const void* x, int64_t n, void* o) { HWY_DYNAMIC_DISPATCH(Min32)(x, n, o); };
  return nullptr;
}

}  // namespace ember::cpu
#endif  // HWY_ONCE
