// Highway implementations of simd/vector_math.h. This file is compiled once per SIMD target
// (foreach_target.h re-includes it); HWY_DYNAMIC_DISPATCH picks the best target at run time.
//
// This is the cpu device's one vector-math library: the fused interpreter's instructions for these
// functions (cpu/simd_math.cpp installs them) call these rows. IEEE arithmetic, sqrt, comparisons,
// where and folds live in cpu/simd_math.cpp.
//
// Every op has Ok (the lanes its vector algorithm is validated for), Vec (the vector algorithm) and
// Scalar (the C library, used for the other lanes). Sources: Highway's hwy/contrib/math (exp, expm1,
// log, log2, log10, sin, cos, tanh, atan, sinh and the inverse functions); log1p is Highway's log kernel on an exactly
// corrected argument (one division); tan is Cephes' rational approximation (S. L. Moshier) with
// Cody-Waite reduction; atan2 is atan(y/x) with the quadrant fixed up; float32 tan, atan2 and pow
// are computed in float64 and rounded once.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ember/backend/cpu/simd/vector_math.cpp"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"

#ifndef EMBER_SIMD_VECTOR_MATH_ONCE
#define EMBER_SIMD_VECTOR_MATH_ONCE
namespace ember::cpu::simd::detail {
// Scalar fallbacks: the same C library calls the scalar functors make.
template <class T> T scalar_pow(T a, T b) { return std::pow(a, b); }
}  // namespace ember::cpu::simd::detail
#endif

HWY_BEFORE_NAMESPACE();
namespace ember::cpu::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class D> using V = hn::Vec<D>;
template <class D> using M = hn::Mask<D>;

// Converts between the memory lane type and the compute lane type (float32 rows computed in float64).
template <class DC, class VM> HWY_INLINE V<DC> Widen(DC dc, VM v) {
  if constexpr (std::is_same_v<hn::TFromD<DC>, hn::TFromV<VM>>) return v;
  else return hn::PromoteTo(dc, v);
}
template <class DM, class VC> HWY_INLINE V<DM> Narrow(DM dm, VC v) {
  if constexpr (std::is_same_v<hn::TFromD<DM>, hn::TFromV<VC>>) return v;
  else return hn::DemoteTo(dm, v);
}

template <class D> HWY_INLINE M<D> InRange(D d, V<D> x, double lo, double hi) {
  using T = hn::TFromD<D>;
  return hn::And(hn::Ge(x, hn::Set(d, static_cast<T>(lo))), hn::Le(x, hn::Set(d, static_cast<T>(hi))));
}
template <class D> HWY_INLINE M<D> AbsBelow(D d, V<D> x, double hi) {
  return hn::Le(hn::Abs(x), hn::Set(d, static_cast<hn::TFromD<D>>(hi)));
}
template <class T> constexpr bool kF32 = sizeof(T) == 4;
constexpr double kFloatMax = std::numeric_limits<float>::max(), kDoubleMax = std::numeric_limits<double>::max();
constexpr double kFloatMin = std::numeric_limits<float>::min(), kDoubleMin = std::numeric_limits<double>::min();

// Lanes pass through the vector algorithm; where Ok is false they are redone in scalar. The tail is
// padded to a whole vector so that it takes the same path as the body.
constexpr double kPad = 0.5;  // inside every op's valid range

template <class Op, class DC, class TM>
HWY_INLINE void UnaryBlock(DC dc, const TM* x, TM* out) {
  using TC = hn::TFromD<DC>;
  const hn::Rebind<TM, DC> dm;
  const V<DC> v = Widen(dc, hn::LoadU(dm, x));
  const M<DC> ok = Op::Ok(dc, v);
  const auto r = Narrow(dm, Op::Vec(dc, v));
  if (HWY_LIKELY(hn::AllTrue(dc, ok))) return hn::StoreU(r, dm, out);
  // Fix up in a local copy: out may alias x (the fused interpreter reuses registers in place).
  HWY_ALIGN TC flags[HWY_MAX_BYTES / sizeof(TC)];
  HWY_ALIGN TM res[HWY_MAX_BYTES / sizeof(TM)];
  hn::Store(hn::VecFromMask(dc, ok), dc, flags);
  hn::Store(r, dm, res);
  for (size_t j = 0; j < hn::Lanes(dc); ++j)
    if (flags[j] == TC(0)) res[j] = Op::Scalar(x[j]);
  std::memcpy(out, res, sizeof(TM) * hn::Lanes(dc));
}

template <class Op, class DC, class TM>
HWY_INLINE void Unary(const TM* x, TM* out, int64_t n) {
  const DC dc;
  const int64_t N = static_cast<int64_t>(hn::Lanes(dc));
  int64_t i = 0;
  for (; i + N <= n; i += N) UnaryBlock<Op>(dc, x + i, out + i);
  if (i < n) {
    HWY_ALIGN TM bx[HWY_MAX_BYTES / sizeof(TM) * 2], bo[HWY_MAX_BYTES / sizeof(TM) * 2];
    for (int64_t j = 0; j < N; ++j) bx[j] = i + j < n ? x[i + j] : TM(kPad);
    UnaryBlock<Op>(dc, bx, bo);
    std::memcpy(out + i, bo, sizeof(TM) * static_cast<size_t>(n - i));
  }
}

template <class Op, class DC, class TM>
HWY_INLINE void BinaryBlock(DC dc, const TM* a, const TM* b, TM* out, V<DC> va, V<DC> vb) {
  using TC = hn::TFromD<DC>;
  const M<DC> ok = Op::Ok(dc, va, vb);
  const hn::Rebind<TM, DC> dm;
  const auto r = Narrow(dm, Op::Vec(dc, va, vb));
  if (HWY_LIKELY(hn::AllTrue(dc, ok))) return hn::StoreU(r, dm, out);
  // Fix up in a local copy: out may alias a or b.
  HWY_ALIGN TC flags[HWY_MAX_BYTES / sizeof(TC)];
  HWY_ALIGN TM res[HWY_MAX_BYTES / sizeof(TM)];
  hn::Store(hn::VecFromMask(dc, ok), dc, flags);
  hn::Store(r, dm, res);
  for (size_t j = 0; j < hn::Lanes(dc); ++j)
    if (flags[j] == TC(0)) res[j] = Op::Scalar(a[j], b[j]);
  std::memcpy(out, res, sizeof(TM) * hn::Lanes(dc));
}

template <class Op, class DC, class TM>
HWY_INLINE void Binary(const TM* a, int64_t sa, const TM* b, int64_t sb, TM* out, int64_t n) {
  const DC dc;
  const hn::Rebind<TM, DC> dm;
  const int64_t N = static_cast<int64_t>(hn::Lanes(dc));
  // A broadcast operand is expanded into a whole vector once so that the fixups can index it.
  HWY_ALIGN TM ra[HWY_MAX_BYTES / sizeof(TM) * 2], rb[HWY_MAX_BYTES / sizeof(TM) * 2];
  for (int64_t j = 0; j < N; ++j) ra[j] = a[0], rb[j] = b[0];
  const V<DC> ca = Widen(dc, hn::LoadU(dm, ra)), cb = Widen(dc, hn::LoadU(dm, rb));
  int64_t i = 0;
  for (; i + N <= n; i += N) {
    const TM* pa = sa ? a + i : ra;
    const TM* pb = sb ? b + i : rb;
    BinaryBlock<Op>(dc, pa, pb, out + i, sa ? Widen(dc, hn::LoadU(dm, pa)) : ca,
                    sb ? Widen(dc, hn::LoadU(dm, pb)) : cb);
  }
  if (i < n) {
    HWY_ALIGN TM ba[HWY_MAX_BYTES / sizeof(TM) * 2], bb[HWY_MAX_BYTES / sizeof(TM) * 2],
        bo[HWY_MAX_BYTES / sizeof(TM) * 2];
    for (int64_t j = 0; j < N; ++j) {
      ba[j] = i + j < n ? a[sa * (i + j)] : TM(kPad);
      bb[j] = i + j < n ? b[sb * (i + j)] : TM(kPad);
    }
    BinaryBlock<Op>(dc, ba, bb, bo, Widen(dc, hn::LoadU(dm, ba)), Widen(dc, hn::LoadU(dm, bb)));
    std::memcpy(out + i, bo, sizeof(TM) * static_cast<size_t>(n - i));
  }
}

// ---- unary ops ----
// Odd functions keep the sign of a zero argument (f(-0) = -0), which the polynomials lose.
template <class D> HWY_INLINE V<D> KeepZero(D d, V<D> x, V<D> r) { return hn::IfThenElse(hn::Eq(x, hn::Zero(d)), x, r); }
template <class D> HWY_INLINE M<D> All(D d) { return hn::Eq(hn::Zero(d), hn::Zero(d)); }

struct ExpOp {
  // Results stay normal and finite (Highway flushes to zero below its lower bound).
  template <class D> static M<D> Ok(D d, V<D> x) {
    return kF32<hn::TFromD<D>> ? InRange(d, x, -87.0, 88.0) : InRange(d, x, -708.0, 706.0);
  }
  template <class D> static V<D> Vec(D d, V<D> x) { return hn::Exp(d, x); }
  template <class T> static T Scalar(T x) { return std::exp(x); }
};
struct Expm1Op {
  template <class D> static M<D> Ok(D d, V<D> x) {
    return kF32<hn::TFromD<D>> ? InRange(d, x, -87.0, 88.0) : InRange(d, x, -708.0, 706.0);
  }
  template <class D> static V<D> Vec(D d, V<D> x) { return KeepZero(d, x, hn::Expm1(d, x)); }
  template <class T> static T Scalar(T x) { return std::expm1(x); }
};
struct LogOp {  // positive, normal, finite
  template <class D> static M<D> Ok(D d, V<D> x) {
    return kF32<hn::TFromD<D>> ? InRange(d, x, kFloatMin, kFloatMax) : InRange(d, x, kDoubleMin, kDoubleMax);
  }
  template <class D> static V<D> Vec(D d, V<D> x) { return hn::Log(d, x); }
  template <class T> static T Scalar(T x) { return std::log(x); }
};
// log1p (our derivation; Highway's Log1p is log(1+x)·x/((1+x)-1), 2.2 ulp). u = 1 + x rounds, and
// c = x - (u - 1) is its rounding error, exactly. With u = 2^k·m, m in [√2/2, √2) (musl's biased
// split), f = m - 1 (exact) and t = c·2^-k: log1p(x) = k·ln2 + log(1 + f + t). f + t = fh + fl
// exactly (Fast2Sum: f is 0 or a multiple of 2^-53 >= |t|); log(1 + fh) is Highway's log kernel
// (z = fh/(2 + fh) and its LogPoly), and the rest, fl/(1 + fh), is taken as fl·(1 - fh): |fl| <=
// ulp(fh)/2 is far below the result's ulp, so 12% of it is negligible. When k = 0, fh = x exactly and
// tiny arguments keep full relative accuracy. < 0.9 ulp, and fewer operations than Highway's.
struct Log1pOp {  // (-1, 1e308]; above that 2^-k would underflow to a non-number below
  template <class D> static M<D> Ok(D d, V<D> x) {
    using T = hn::TFromD<D>;
    return hn::And(hn::Gt(x, hn::Set(d, T(-1))), hn::Le(x, hn::Set(d, kF32<T> ? T(2e38f) : T(1e308))));
  }
  template <class D> static V<D> Vec(D d, V<D> x) {
    using T = hn::TFromD<D>;
    using TI = hwy::MakeSigned<T>;
    constexpr bool f32 = kF32<T>;
    constexpr int kMant = f32 ? 23 : 52;
    const hn::Rebind<TI, D> di;
    const V<D> one = hn::Set(d, T(1));
    const V<D> u = hn::Add(x, one);
    const V<D> c = hn::Sub(x, hn::Sub(u, one));
    // bits: u's exponent raised by one where its mantissa is >= √2; m keeps the mantissa bits.
    const TI magic = f32 ? TI(0x3F3504F3) : TI(0x3FE6A09E00000000LL), exp_one = f32 ? TI(0x3F800000) : TI(0x3FF0000000000000LL);
    const auto bits = hn::Add(hn::BitCast(di, u), hn::Set(di, TI(exp_one - magic)));
    const auto k = hn::Sub(hn::ShiftRight<kMant>(bits), hn::Set(di, f32 ? TI(0x7F) : TI(0x3FF)));
    const TI man_mask = (TI(1) << kMant) - 1, exp_mask = f32 ? TI(0x7F800000) : TI(0x7FF0000000000000LL);
    const V<D> m = hn::BitCast(d, hn::Add(hn::And(bits, hn::Set(di, man_mask)), hn::Set(di, magic)));
    const V<D> f = hn::Sub(m, one);
    // 2^-k: exponent field 2·bias - (k + bias).
    const V<D> scale = hn::BitCast(d, hn::Sub(hn::Set(di, TI(2 * (exp_one >> kMant)) << kMant),
                                             hn::And(bits, hn::Set(di, exp_mask))));
    const V<D> t = hn::Mul(c, scale);
    const V<D> fh = hn::Add(f, t);
    // float32 drops fl (the rounding of fh, up to half its ulp): measured 1.x ulp, and faster.
    const V<D> fl = f32 ? hn::Zero(d) : hn::Sub(t, hn::Sub(fh, f));
    const V<D> z = hn::Div(fh, hn::Add(fh, hn::Set(d, T(2))));
    const V<D> kf = hn::ConvertTo(d, k);
    const V<D> ln2hi = hn::Set(d, f32 ? T(0.69313812256f) : T(0.693147180369123816490));
    const V<D> ln2lo = hn::Set(d, f32 ? T(9.0580006145e-6f) : T(1.90821492927058770002e-10));
    const V<D> p = hn::impl::LogImpl<T>().LogPoly(d, z);
    // k·ln2 + fh - z·(fh - P(z)) + fl·(1 - fh), small terms first.
    const V<D> low = hn::MulAdd(kf, ln2lo, hn::NegMulAdd(fl, fh, fl));
    return KeepZero(d, x, hn::MulSub(kf, ln2hi, hn::Sub(hn::MulSub(z, hn::Sub(fh, p), low), fh)));
  }
  template <class T> static T Scalar(T x) { return std::log1p(x); }
};
struct SinOp {  // Highway's stated range; larger arguments need libm's exact reduction
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, 39000.0); }
  template <class D> static V<D> Vec(D d, V<D> x) { return KeepZero(d, x, hn::Sin(d, x)); }
  template <class T> static T Scalar(T x) { return std::sin(x); }
};
struct CosOp {
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, 39000.0); }
  template <class D> static V<D> Vec(D d, V<D> x) { return hn::Cos(d, x); }
  template <class T> static T Scalar(T x) { return std::cos(x); }
};
struct TanhOp {  // every lane: ±inf give ±1 (|x| above Highway's limit) and NaN stays NaN
  template <class D> static M<D> Ok(D d, V<D>) { return All(d); }
  // hn::Tanh keeps the sign of zero itself (expm1(0) = 0, then 0/2 with the sign put back).
  template <class D> static V<D> Vec(D d, V<D> x) { return hn::Tanh(d, x); }
  template <class T> static T Scalar(T x) { return std::tanh(x); }
};
struct AtanOp {
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, std::numeric_limits<hn::TFromD<D>>::max()); }
  template <class D> static V<D> Vec(D d, V<D> x) { return KeepZero(d, x, hn::Atan(d, x)); }
  template <class T> static T Scalar(T x) { return std::atan(x); }
};
// Further hwy/contrib/math functions, each inside the range Highway states it accurate for.
struct Log2Op {
  template <class D> static M<D> Ok(D d, V<D> x) { return LogOp::Ok(d, x); }
  template <class D> static V<D> Vec(D d, V<D> x) { return hn::Log2(d, x); }
  template <class T> static T Scalar(T x) { return std::log2(x); }
};
struct Log10Op {
  template <class D> static M<D> Ok(D d, V<D> x) { return LogOp::Ok(d, x); }
  template <class D> static V<D> Vec(D d, V<D> x) { return hn::Log10(d, x); }
  template <class T> static T Scalar(T x) { return std::log10(x); }
};
struct SinhOp {
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, kF32<hn::TFromD<D>> ? 88.0 : 709.0); }
  template <class D> static V<D> Vec(D d, V<D> x) { return KeepZero(d, x, hn::Sinh(d, x)); }
  template <class T> static T Scalar(T x) { return std::sinh(x); }
};
struct AsinOp {
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, 1.0); }
  template <class D> static V<D> Vec(D d, V<D> x) { return KeepZero(d, x, hn::Asin(d, x)); }
  template <class T> static T Scalar(T x) { return std::asin(x); }
};
struct AcosOp {
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, 1.0); }
  template <class D> static V<D> Vec(D d, V<D> x) { return hn::Acos(d, x); }
  template <class T> static T Scalar(T x) { return std::acos(x); }
};
struct AsinhOp {
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, std::numeric_limits<hn::TFromD<D>>::max()); }
  template <class D> static V<D> Vec(D d, V<D> x) { return KeepZero(d, x, hn::Asinh(d, x)); }
  template <class T> static T Scalar(T x) { return std::asinh(x); }
};
struct AcoshOp {
  template <class D> static M<D> Ok(D d, V<D> x) {
    return InRange(d, x, 1.0, kF32<hn::TFromD<D>> ? kFloatMax : kDoubleMax);
  }
  template <class D> static V<D> Vec(D d, V<D> x) { return hn::Acosh(d, x); }
  template <class T> static T Scalar(T x) { return std::acosh(x); }
};
struct AtanhOp {  // away from the poles at ±1, where Highway loses accuracy
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, kF32<hn::TFromD<D>> ? 0.99999 : 0.9999999999); }
  template <class D> static V<D> Vec(D d, V<D> x) { return KeepZero(d, x, hn::Atanh(d, x)); }
  template <class T> static T Scalar(T x) { return std::atanh(x); }
};

// tan (float64 lanes): Cephes tan.c. x = y·π/4 + z with y even and |z| <= π/4, tan z = z + z·z²·P(z²)/Q(z²);
// odd octant pairs give -1/tan z. π/4 is split in four parts (three of 25 bits, so that y·part is exact
// for |x| <= 1e5) rather than Cephes' three: near multiples of π/2 the result is tiny or huge and
// three parts lose hundreds of ulps there.
struct TanOp {
  template <class D> static M<D> Ok(D d, V<D> x) { return AbsBelow(d, x, 1e5); }
  template <class D> static V<D> Vec(D d, V<D> x) {
    static_assert(sizeof(hn::TFromD<D>) == 8, "tan is computed in float64");
    const V<D> sign = hn::And(hn::SignBit(d), x);
    const V<D> ax = hn::Xor(x, sign);
    const V<D> one = hn::Set(d, 1.0), half = hn::Set(d, 0.5), two = hn::Set(d, 2.0);
    V<D> y = hn::Floor(hn::Mul(ax, hn::Set(d, 1.27323954473516268615)));  // 4/π
    const V<D> odd = hn::Sub(y, hn::Mul(two, hn::Floor(hn::Mul(y, half))));
    y = hn::Add(y, odd);
    const V<D> y2 = hn::Mul(y, half);
    const M<D> flip = hn::Eq(hn::Sub(y2, hn::Mul(two, hn::Floor(hn::Mul(y2, half)))), one);
    V<D> z = hn::NegMulAdd(y, hn::Set(d, 0x1.921fb5p-1), ax);
    z = hn::NegMulAdd(y, hn::Set(d, 0x1.110b46p-27), z);
    z = hn::NegMulAdd(y, hn::Set(d, 0x1.1a6263p-55), z);
    z = hn::NegMulAdd(y, hn::Set(d, 0x1.8a2e03707344ap-82), z);
    const V<D> zz = hn::Mul(z, z);
    V<D> p = hn::Set(d, -1.30936939181383777646E4);
    p = hn::MulAdd(p, zz, hn::Set(d, 1.15351664838587416140E6));
    p = hn::MulAdd(p, zz, hn::Set(d, -1.79565251976484877988E7));
    V<D> q = hn::Add(zz, hn::Set(d, 1.36812963470692954678E4));
    q = hn::MulAdd(q, zz, hn::Set(d, -1.32089234440210967447E6));
    q = hn::MulAdd(q, zz, hn::Set(d, 2.50083801823357915839E7));
    q = hn::MulAdd(q, zz, hn::Set(d, -5.38695755929454629881E7));
    V<D> t = hn::MulAdd(hn::Mul(z, zz), hn::Div(p, q), z);
    t = hn::IfThenElse(flip, hn::Neg(hn::Div(one, t)), t);
    return hn::Xor(t, sign);
  }
  template <class T> static T Scalar(T x) { return std::tan(x); }
};

// atan2 (float64 lanes) = atan(y/x), plus ±π (as π_hi + π_lo) when x < 0. Zeros, infinities, NaNs
// and quotients that overflow or lose bits to underflow go to libm.
struct Atan2Op {
  template <class D> static M<D> Ok(D d, V<D> y, V<D> x) {
    const V<D> t = hn::Abs(hn::Div(y, x));
    const M<D> finite = hn::And(AbsBelow(d, y, kDoubleMax), AbsBelow(d, x, kDoubleMax));
    return hn::And(finite, InRange(d, t, 0x1p-1000, 0x1p1000));
  }
  template <class D> static V<D> Vec(D d, V<D> y, V<D> x) {
    static_assert(sizeof(hn::TFromD<D>) == 8, "atan2 is computed in float64");
    const V<D> a = hn::Atan(d, hn::Div(y, x));
    const V<D> sy = hn::And(hn::SignBit(d), y);
    const V<D> pi_hi = hn::Xor(hn::Set(d, 3.141592653589793116), sy);
    const V<D> pi_lo = hn::Xor(hn::Set(d, 1.2246467991473532072e-16), sy);
    return hn::IfThenElse(hn::Lt(x, hn::Zero(d)), hn::Add(hn::Add(a, pi_lo), pi_hi), a);
  }
  template <class T> static T Scalar(T y, T x) { return std::atan2(y, x); }
};

// pow (float32 rows in float64 lanes) = exp(b·log a) for finite a > 0 and finite b; the float64
// error (a few 1e-16 relative, times |b·log a| <= 706) is far below half a float32 ulp.
struct PowF32Op {
  template <class D> static M<D> Ok(D d, V<D> a, V<D> b) {
    const V<D> t = hn::Mul(b, hn::Log(d, a));
    return hn::And(hn::And(InRange(d, a, 0x1p-149, kFloatMax), AbsBelow(d, b, kFloatMax)),
                   InRange(d, t, -708.0, 706.0));
  }
  template <class D> static V<D> Vec(D d, V<D> a, V<D> b) { return hn::Exp(d, hn::Mul(b, hn::Log(d, a))); }
  static float Scalar(float a, float b) { return detail::scalar_pow(a, b); }
};

// ---- maximum / minimum ----
// NumPy's maximum/minimum: a NaN in either operand propagates (as a + b); ties keep a, so
// maximum(-0., 0.) is -0. as in the scalar functor.
struct MaxOp {
  template <class D> static M<D> Ok(D d, V<D>, V<D>) { return All(d); }
  template <class D> static V<D> Vec(D, V<D> a, V<D> b) {
    const V<D> r = hn::IfThenElse(hn::Lt(a, b), b, a);
    return hn::IfThenElse(hn::Or(hn::IsNaN(a), hn::IsNaN(b)), hn::Add(a, b), r);
  }
  template <class T> static T Scalar(T a, T b) { return (std::isnan(a) || std::isnan(b)) ? a + b : (a < b ? b : a); }
};
struct MinOp {
  template <class D> static M<D> Ok(D d, V<D>, V<D>) { return All(d); }
  template <class D> static V<D> Vec(D, V<D> a, V<D> b) {
    const V<D> r = hn::IfThenElse(hn::Lt(b, a), b, a);
    return hn::IfThenElse(hn::Or(hn::IsNaN(a), hn::IsNaN(b)), hn::Add(a, b), r);
  }
  template <class T> static T Scalar(T a, T b) { return (std::isnan(a) || std::isnan(b)) ? a + b : (b < a ? b : a); }
};

using DF = hn::ScalableTag<float>;
using DD = hn::ScalableTag<double>;

#define EMBER_NATIVE_UNARY(Name, Op)                                                    \
  void Name##F32(const float* x, float* o, int64_t n) { Unary<Op, DF>(x, o, n); }     \
  void Name##F64(const double* x, double* o, int64_t n) { Unary<Op, DD>(x, o, n); }
#define EMBER_NATIVE_BINARY(Name, Op)                                                                      \
  void Name##F32(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n) {          \
    Binary<Op, DF>(a, sa, b, sb, o, n);                                                                   \
  }                                                                                                       \
  void Name##F64(const double* a, int64_t sa, const double* b, int64_t sb, double* o, int64_t n) {       \
    Binary<Op, DD>(a, sa, b, sb, o, n);                                                                   \
  }

EMBER_NATIVE_UNARY(Exp, ExpOp)
EMBER_NATIVE_UNARY(Expm1, Expm1Op)
EMBER_NATIVE_UNARY(Log, LogOp)
EMBER_NATIVE_UNARY(Log1p, Log1pOp)
EMBER_NATIVE_UNARY(Sin, SinOp)
EMBER_NATIVE_UNARY(Cos, CosOp)
EMBER_NATIVE_UNARY(Tanh, TanhOp)
EMBER_NATIVE_UNARY(Atan, AtanOp)
EMBER_NATIVE_UNARY(Log2, Log2Op)
EMBER_NATIVE_UNARY(Log10, Log10Op)
EMBER_NATIVE_UNARY(Sinh, SinhOp)
EMBER_NATIVE_UNARY(Asin, AsinOp)
EMBER_NATIVE_UNARY(Acos, AcosOp)
EMBER_NATIVE_UNARY(Asinh, AsinhOp)
EMBER_NATIVE_UNARY(Acosh, AcoshOp)
EMBER_NATIVE_UNARY(Atanh, AtanhOp)
EMBER_NATIVE_BINARY(Max, MaxOp)
EMBER_NATIVE_BINARY(Min, MinOp)

// float32 rows computed in float64 lanes.
void TanF32(const float* x, float* o, int64_t n) { Unary<TanOp, DD>(x, o, n); }
void TanF64(const double* x, double* o, int64_t n) { Unary<TanOp, DD>(x, o, n); }
void Atan2F32(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n) {
  Binary<Atan2Op, DD>(a, sa, b, sb, o, n);
}
void Atan2F64(const double* a, int64_t sa, const double* b, int64_t sb, double* o, int64_t n) {
  Binary<Atan2Op, DD>(a, sa, b, sb, o, n);
}
void PowF32(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n) {
  Binary<PowF32Op, DD>(a, sa, b, sb, o, n);
}
int64_t Target() { return HWY_TARGET; }

#undef EMBER_NATIVE_UNARY
#undef EMBER_NATIVE_BINARY
}  // namespace ember::cpu::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include "ember/backend/cpu/simd/vector_math.h"

namespace ember::cpu::simd {

#define EMBER_EXPORT_UNARY(name, Name)                                                              \
  HWY_EXPORT(Name##F32);                                                                            \
  HWY_EXPORT(Name##F64);                                                                            \
  void name(const float* x, float* out, int64_t n) { HWY_DYNAMIC_DISPATCH(Name##F32)(x, out, n); } \
  void name(const double* x, double* out, int64_t n) { HWY_DYNAMIC_DISPATCH(Name##F64)(x, out, n); }
#define EMBER_EXPORT_BINARY(name, Name)                                                         \
  HWY_EXPORT(Name##F32);                                                                        \
  HWY_EXPORT(Name##F64);                                                                        \
  void name(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {   \
    HWY_DYNAMIC_DISPATCH(Name##F32)(a, sa, b, sb, out, n);                                      \
  }                                                                                             \
  void name(const double* a, int64_t sa, const double* b, int64_t sb, double* out, int64_t n) { \
    HWY_DYNAMIC_DISPATCH(Name##F64)(a, sa, b, sb, out, n);                                      \
  }

EMBER_EXPORT_UNARY(exp, Exp)
EMBER_EXPORT_UNARY(expm1, Expm1)
EMBER_EXPORT_UNARY(log, Log)
EMBER_EXPORT_UNARY(log1p, Log1p)
EMBER_EXPORT_UNARY(sin, Sin)
EMBER_EXPORT_UNARY(cos, Cos)
EMBER_EXPORT_UNARY(tan, Tan)
EMBER_EXPORT_UNARY(tanh, Tanh)
EMBER_EXPORT_UNARY(atan, Atan)
EMBER_EXPORT_UNARY(log2, Log2)
EMBER_EXPORT_UNARY(log10, Log10)
EMBER_EXPORT_UNARY(sinh, Sinh)
EMBER_EXPORT_UNARY(asin, Asin)
EMBER_EXPORT_UNARY(acos, Acos)
EMBER_EXPORT_UNARY(asinh, Asinh)
EMBER_EXPORT_UNARY(acosh, Acosh)
EMBER_EXPORT_UNARY(atanh, Atanh)
EMBER_EXPORT_BINARY(maximum, Max)
EMBER_EXPORT_BINARY(minimum, Min)
EMBER_EXPORT_BINARY(atan2, Atan2)

HWY_EXPORT(PowF32);
void pow(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  HWY_DYNAMIC_DISPATCH(PowF32)(a, sa, b, sb, out, n);
}

HWY_EXPORT(Target);
const char* target_name() { return hwy::TargetName(HWY_DYNAMIC_DISPATCH(Target)()); }

}  // namespace ember::cpu::simd
#endif  // HWY_ONCE
