// Native (x86 SSE / NumPy) results of the float macros, on bit patterns, and test values.
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <type_traits>
#include <vector>

#include "ember/backend/pim/macro.h"

namespace pimtest {

using ember::pim::DType;
using ember::pim::Macro;

// NumPy's npy_divmod / npy_floor_divide / npy_remainder (numpy/_core/src/npymath), run at run
// time with SSE semantics.
template <class F>
F np_divmod(F a, F b, F* modulus) {
  volatile F va = a, vb = b;
  F mod = std::fmod(F(va), F(vb));
  if (!b) {
    *modulus = mod;
    return va / vb;
  }
  volatile F vm = mod;
  F div = (va - vm) / vb;
  if (mod) {
    if (std::isless(b, F(0)) != std::isless(mod, F(0))) {
      vm = mod;
      mod = vm + vb;
      volatile F vd = div;
      div = vd - F(1);
    }
  } else {
    mod = std::copysign(F(0), b);
  }
  F floordiv;
  if (div) {
    floordiv = std::floor(div);
    volatile F vd = div, vf = floordiv;
    if (std::isgreater(F(vd - vf), F(0.5))) floordiv = vf + F(1);
  } else {
    floordiv = std::copysign(F(0), F(va / vb));
  }
  *modulus = mod;
  return floordiv;
}
template <class F>
F np_floor_divide(F a, F b) {
  volatile F va = a, vb = b;
  if (!b) return va / vb;
  F mod;
  return np_divmod(a, b, &mod);
}
// NumPy 2.4's float remainder returns, when both operands are NaN, the quieted NaN with the
// larger payload (ties: the positive one); measured on its wheels (its fmod then differs from
// np.fmod's first-operand rule). Applied here on top of the C algorithm.
template <class F>
F np_remainder(F a, F b) {
  volatile F va = a, vb = b;
  if (std::isnan(a) && std::isnan(b)) {
    using U = std::conditional_t<sizeof(F) == 4, uint32_t, uint64_t>;
    const U sign = U(1) << (sizeof(F) * 8 - 1), quiet = U(1) << (sizeof(F) == 4 ? 22 : 51);
    const U qa = std::bit_cast<U>(a) | quiet, qb = std::bit_cast<U>(b) | quiet;
    const U ma = qa & ~sign, mb = qb & ~sign;
    if (ma != mb) return std::bit_cast<F>(ma > mb ? qa : qb);
    return std::bit_cast<F>((qa & sign) ? qb : qa);
  }
  if (!b) return std::fmod(F(va), F(vb));
  F mod;
  np_divmod(a, b, &mod);
  return mod;
}

template <class F, class U>
uint64_t ref_float_t(Macro m, uint64_t a_, uint64_t b_, uint64_t c_) {
  const F a = std::bit_cast<F>(U(a_)), b = std::bit_cast<F>(U(b_));
  auto bits = [](F v) { return uint64_t(std::bit_cast<U>(v)); };
  volatile F va = a, vb = b;  // keep the arithmetic at run time (SSE semantics)
  switch (m) {
    case Macro::Copy: return a_;
    case Macro::Add: return bits(va + vb);
    case Macro::Sub: return bits(va - vb);
    case Macro::Mul: return bits(va * vb);
    case Macro::TrueDiv: return bits(va / vb);
    case Macro::FloorDiv: return bits(np_floor_divide(a, b));
    case Macro::Mod: return bits(np_remainder(a, b));
    case Macro::Sqrt: return bits(std::sqrt(F(va)));
    case Macro::Neg: return bits(-a);
    case Macro::Abs: return bits(std::fabs(a));
    case Macro::Sign: return bits(a > 0 ? F(1) : (a < 0 ? F(-1) : (a == 0 ? F(0) : a)));
    case Macro::Lt: return a < b;
    case Macro::Le: return a <= b;
    case Macro::Gt: return a > b;
    case Macro::Ge: return a >= b;
    case Macro::Eq: return a == b;
    case Macro::Ne: return a != b;
    case Macro::Min: return bits((a < b || std::isnan(a)) ? a : b);  // NumPy: ties (+-0) give b
    case Macro::Max: return bits((a > b || std::isnan(a)) ? a : b);
    case Macro::Where: return (a_ & 1) ? b_ : c_;
    default: return 0;
  }
}

inline uint64_t ref_float(Macro m, DType t, uint64_t a, uint64_t b, uint64_t c = 0) {
  if (t == DType::F32) return ref_float_t<float, uint32_t>(m, a, b, c);
  return ref_float_t<double, uint64_t>(m, a, b, c);
}

inline std::vector<uint64_t> float_specials(DType t) {
  if (t == DType::F32)
    return {0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF, 0x00800000,
            0x80800000, 0x3F800000, 0xBF800000, 0x3FC00000, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000,
            0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FA12345, 0x00400000, 0x3F800001,
            0x4B800000, 0x33800000, 0x7F000000};
  return {0x0000000000000000, 0x8000000000000000, 0x0000000000000001, 0x8000000000000001,
          0x000FFFFFFFFFFFFF, 0x800FFFFFFFFFFFFF, 0x0010000000000000, 0x8010000000000000,
          0x3FF0000000000000, 0xBFF0000000000000, 0x3FF8000000000000, 0x7FEFFFFFFFFFFFFF,
          0xFFEFFFFFFFFFFFFF, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FF8000000000000,
          0xFFF8000000000000, 0x7FF0000000000001, 0x7FF4000012345678, 0x0008000000000000,
          0x3FF0000000000001, 0x4340000000000000, 0x3CA0000000000000, 0x7FE0000000000000};
}

// Random float bit patterns: full-range bits, ordinary magnitudes, subnormals and near values.
inline uint64_t rand_float(std::mt19937_64& rng, DType t, uint64_t near) {
  const bool f32 = t == DType::F32;
  const uint64_t mask = f32 ? 0xFFFFFFFFull : ~0ull;
  switch (rng() % 5) {
    case 0: return rng() & mask;
    case 1: {  // |x| in [2^-20, 2^20]
      const int e = int(rng() % 41) - 20;
      if (f32) return std::bit_cast<uint32_t>(std::ldexp(float(rng() % 1000000) / 1e6f + 1.f, e) * ((rng() & 1) ? -1.f : 1.f));
      return std::bit_cast<uint64_t>(std::ldexp(double(rng() % 1000000007) / 1e9 + 1., e) * ((rng() & 1) ? -1. : 1.));
    }
    case 2: {  // subnormal or tiny
      const uint64_t r = rng();
      return f32 ? (r & 0x80FFFFFF) : (r & 0x801FFFFFFFFFFFFFull);
    }
    case 3: return (near + (rng() % 9) - 4) & mask;  // close to the other operand
    default: return (near ^ (f32 ? 0x80000000ull : 0x8000000000000000ull)) + (rng() % 3);
  }
}

// Distance in units in the last place between two floats (their order as integers); NaN == NaN.
inline int64_t ulps(float a, float b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : 1 << 30;
  auto key = [](float v) {
    const int32_t i = std::bit_cast<int32_t>(v);
    return i < 0 ? int64_t(INT32_MIN) - i : int64_t(i);
  };
  return std::llabs(key(a) - key(b));
}

}  // namespace pimtest
