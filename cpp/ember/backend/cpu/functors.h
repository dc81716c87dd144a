// One functor per elementwise primitive, named after it (DESIGN.md §3), with NumPy's semantics for
// integer division, modulo, shifts, NaN propagation and signed zeros.
#pragma once
#include <cmath>
#include <complex>
#include <limits>

#include "ember/backend/cpu/type_traits.h"
#include "ember/errors.h"

namespace ember::cpu {

// Output-type policies.
struct SameOut { template <class T> using out = T; };
struct BoolOut { template <class T> using out = bool; };
struct RealOut { template <class T> using out = real_t<T>; };

struct AnyType { template <class T> static constexpr bool supports = true; };
struct NumericOnly { template <class T> static constexpr bool supports = is_numeric_v<T>; };
struct InexactOnly { template <class T> static constexpr bool supports = is_inexact_v<T>; };
struct FloatOnly { template <class T> static constexpr bool supports = is_float_v<T>; };
struct RealOnly { template <class T> static constexpr bool supports = is_real_v<T>; };
struct RealNumericOnly { template <class T> static constexpr bool supports = is_real_v<T> && is_numeric_v<T>; };
struct IntegerOnly { template <class T> static constexpr bool supports = is_int_v<T> || is_bool_v<T>; };

// Two's-complement wrapping arithmetic without undefined behaviour.
template <class T> T wrap_add(T a, T b) { using U = std::make_unsigned_t<T>; return static_cast<T>(static_cast<U>(a) + static_cast<U>(b)); }
template <class T> T wrap_sub(T a, T b) { using U = std::make_unsigned_t<T>; return static_cast<T>(static_cast<U>(a) - static_cast<U>(b)); }
template <class T> T wrap_mul(T a, T b) {
  using U = std::make_unsigned_t<std::conditional_t<(sizeof(T) < sizeof(int)), int, T>>;
  return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
}

// Lexicographic order on complex numbers, as NumPy.
template <class T> bool lt(const T& a, const T& b) {
  if constexpr (is_complex_v<T>) return a.real() < b.real() || (a.real() == b.real() && a.imag() < b.imag());
  else return a < b;
}

// The body goes last so that it may contain commas.
#define EMBER_BINARY(Name, Supports, OutPolicy, ...)                  \
  struct Name : Supports, OutPolicy {                                 \
    template <class C> auto operator()(C a, C b) const __VA_ARGS__    \
  };
#define EMBER_UNARY(Name, Supports, OutPolicy, ...)                   \
  struct Name : Supports, OutPolicy {                                 \
    template <class C> auto operator()(C x) const __VA_ARGS__         \
  };

EMBER_BINARY(Add, AnyType, SameOut, {
  if constexpr (std::is_same_v<C, bool>) return a || b;
  else if constexpr (is_int_v<C>) return wrap_add(a, b);
  else return a + b;
})
EMBER_BINARY(Subtract, NumericOnly, SameOut, {
  if constexpr (is_int_v<C>) return wrap_sub(a, b);
  else return a - b;
})
// Complex products and quotients use NumPy's formulas (naive product, Smith's quotient), not C99
// Annex G's infinity recovery, so that infinities and NaNs come out as in NumPy.
EMBER_BINARY(Multiply, AnyType, SameOut, {
  if constexpr (std::is_same_v<C, bool>) return a && b;
  else if constexpr (is_int_v<C>) return wrap_mul(a, b);
  else if constexpr (is_complex_v<C>)
    return C(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
  else return a * b;
})
EMBER_BINARY(Divide, InexactOnly, SameOut, {
  if constexpr (is_complex_v<C>) {
    using R = typename C::value_type;
    R ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
    R abr = std::fabs(br), abi = std::fabs(bi);
    if (abr >= abi) {
      if (abr == 0 && abi == 0) return C(ar / abr, ai / abr);
      R rat = bi / br, scl = R(1) / (br + bi * rat);
      return C((ar + ai * rat) * scl, (ai - ar * rat) * scl);
    }
    R rat = br / bi, scl = R(1) / (bi + br * rat);
    return C((ar * rat + ai) * scl, (ai * rat - ar) * scl);
  } else {
    return a / b;
  }
})

struct FloorDivide : RealNumericOnly, SameOut {
  template <class C> C operator()(C a, C b) const {
    if constexpr (is_int_v<C>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<C>) {
        if (b == -1) return wrap_sub(C(0), a);
        C q = a / b;
        if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
        return q;
      } else {
        return a / b;
      }
    } else {
      if (b == 0) return a / b;
      C mod = std::fmod(a, b);
      C div = (a - mod) / b;
      if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
      if (div == 0) return std::copysign(C(0), a / b);
      C fl = std::floor(div);
      if (div - fl > C(0.5)) fl += 1;
      return fl;
    }
  }
};

struct Remainder : RealNumericOnly, SameOut {
  template <class C> C operator()(C a, C b) const {
    if constexpr (is_int_v<C>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<C>) {
        if (b == -1) return 0;
        C r = a % b;
        if (r != 0 && ((r < 0) != (b < 0))) r += b;
        return r;
      } else {
        return a % b;
      }
    } else {
      if (b == 0) return std::fmod(a, b);
      C mod = std::fmod(a, b);
      if (mod != 0) {
        if ((b < 0) != (mod < 0)) mod += b;
      } else {
        mod = std::copysign(C(0), b);
      }
      return mod;
    }
  }
};

struct Power : NumericOnly, SameOut {
  template <class C> C operator()(C a, C b) const {
    if constexpr (is_int_v<C>) {
      if constexpr (std::is_signed_v<C>)
        if (b < 0) throw ValueError("Integers to negative integer powers are not allowed.");
      C result = 1;
      while (b) {
        if (b & 1) result = wrap_mul(result, a);
        a = wrap_mul(a, a);
        b = static_cast<C>(b >> 1);
      }
      return result;
    } else if constexpr (is_complex_v<C>) {
      if (b == C(0)) return C(1);
      if (a == C(0)) return b.real() > 0 ? C(0) : C(NAN, NAN);
      return std::pow(a, b);
    } else {
      return std::pow(a, b);
    }
  }
};

EMBER_BINARY(Maximum, AnyType, SameOut, {
  if constexpr (is_float_v<C>) { if (std::isnan(a) || std::isnan(b)) return a + b; }
  if constexpr (is_complex_v<C>) { if (std::isnan(a.real()) || std::isnan(a.imag())) return a; if (std::isnan(b.real()) || std::isnan(b.imag())) return b; }
  return lt(a, b) ? b : a;
})
EMBER_BINARY(Minimum, AnyType, SameOut, {
  if constexpr (is_float_v<C>) { if (std::isnan(a) || std::isnan(b)) return a + b; }
  if constexpr (is_complex_v<C>) { if (std::isnan(a.real()) || std::isnan(a.imag())) return a; if (std::isnan(b.real()) || std::isnan(b.imag())) return b; }
  return lt(b, a) ? b : a;
})

EMBER_BINARY(Equal, AnyType, BoolOut, { return a == b; })
EMBER_BINARY(NotEqual, AnyType, BoolOut, { return a != b; })
EMBER_BINARY(Less, AnyType, BoolOut, { return lt(a, b); })
EMBER_BINARY(LessEqual, AnyType, BoolOut, { return lt(a, b) || a == b; })
EMBER_BINARY(Greater, AnyType, BoolOut, { return lt(b, a); })
EMBER_BINARY(GreaterEqual, AnyType, BoolOut, { return lt(b, a) || a == b; })

EMBER_BINARY(LogicalAnd, AnyType, BoolOut, { return (a != C(0)) && (b != C(0)); })
EMBER_BINARY(LogicalOr, AnyType, BoolOut, { return (a != C(0)) || (b != C(0)); })
EMBER_BINARY(LogicalXor, AnyType, BoolOut, { return (a != C(0)) != (b != C(0)); })

EMBER_BINARY(BitwiseAnd, IntegerOnly, SameOut, { return static_cast<C>(a & b); })
EMBER_BINARY(BitwiseOr, IntegerOnly, SameOut, { return static_cast<C>(a | b); })
EMBER_BINARY(BitwiseXor, IntegerOnly, SameOut, { return static_cast<C>(a ^ b); })

struct BitwiseLeftShift : IntegerOnly, SameOut {
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_same_v<C, bool>) return a;
    else {
      using U = std::make_unsigned_t<C>;
      if (static_cast<U>(b) >= sizeof(C) * 8) return 0;
      return static_cast<C>(static_cast<U>(a) << static_cast<U>(b));
    }
  }
};
struct BitwiseRightShift : IntegerOnly, SameOut {
  template <class C> C operator()(C a, C b) const {
    if constexpr (std::is_same_v<C, bool>) return a;
    else {
      using U = std::make_unsigned_t<C>;
      if (static_cast<U>(b) >= sizeof(C) * 8) return (std::is_signed_v<C> && a < 0) ? C(-1) : C(0);
      return static_cast<C>(a >> static_cast<U>(b));
    }
  }
};

EMBER_BINARY(Atan2, FloatOnly, SameOut, { return std::atan2(a, b); })
EMBER_BINARY(Hypot, FloatOnly, SameOut, { return std::hypot(a, b); })
EMBER_BINARY(Copysign, FloatOnly, SameOut, { return std::copysign(a, b); })
// The next representable value of the storage type: 16-bit floats step their own bits (NumPy's
// npy_nextafter_half, which returns x when x == y), so this functor takes raw storage values.
struct Nextafter : FloatOnly, SameOut {
  static constexpr bool raw_inputs = true;
  template <class C> C operator()(C a, C b) const {
    if constexpr (is_half_v<C>) {
      float x = a, y = b;
      if (std::isnan(x) || std::isnan(y)) return C(NAN);
      if (x == y) return a;
      C r = a;
      if (x == 0) r.bits = static_cast<uint16_t>(1u | (std::signbit(y) ? 0x8000u : 0u));
      else r.bits = static_cast<uint16_t>(((x < y) == (x > 0)) ? a.bits + 1 : a.bits - 1);
      return r;
    } else {
      return std::nextafter(a, b);
    }
  }
};
// NumPy's npy_logaddexp / npy_logaddexp2: equal infinities stay, NaNs propagate.
EMBER_BINARY(Logaddexp, FloatOnly, SameOut, {
  if (a == b) return a + std::log(C(2));
  C d = a - b;
  if (d > 0) return a + std::log1p(std::exp(-d));
  if (d <= 0) return b + std::log1p(std::exp(d));
  return d;
})
EMBER_BINARY(Logaddexp2, FloatOnly, SameOut, {
  const C log2e = C(1.4426950408889634);
  if (a == b) return a + C(1);
  C d = a - b;
  if (d > 0) return a + log2e * std::log1p(std::exp2(-d));
  if (d <= 0) return b + log2e * std::log1p(std::exp2(d));
  return d;
})
EMBER_BINARY(Heaviside, FloatOnly, SameOut, {
  if (std::isnan(a)) return a;
  if (a == 0) return b;
  return a < 0 ? C(0) : C(1);
})
// C's fmod: the remainder takes the sign of the dividend; integer division by zero gives 0 (NumPy).
struct Fmod : RealNumericOnly, SameOut {
  template <class C> C operator()(C a, C b) const {
    if constexpr (is_int_v<C>) {
      if (b == 0) return 0;
      if constexpr (std::is_signed_v<C>) if (b == -1) return 0;
      return static_cast<C>(a % b);
    } else {
      return std::fmod(a, b);
    }
  }
};
// fmax/fmin ignore a NaN when the other operand is a number (NumPy's formulas, signed zeros included).
template <class C> bool has_nan(const C& x) {
  if constexpr (is_complex_v<C>) return std::isnan(x.real()) || std::isnan(x.imag());
  else if constexpr (is_float_v<C>) return std::isnan(x);
  else return false;
}
template <class C> bool ge(const C& a, const C& b) {
  if constexpr (is_complex_v<C>) return a.real() > b.real() || (a.real() == b.real() && a.imag() >= b.imag());
  else return a >= b;
}
EMBER_BINARY(Fmax, AnyType, SameOut, { return (ge(a, b) || has_nan(b)) ? a : b; })
EMBER_BINARY(Fmin, AnyType, SameOut, { return (ge(b, a) || has_nan(b)) ? a : b; })

// ---- unary ----
EMBER_UNARY(Copy, AnyType, SameOut, { return x; })
EMBER_UNARY(Negative, NumericOnly, SameOut, {
  if constexpr (is_int_v<C>) return wrap_sub(C(0), x);
  else return -x;
})
EMBER_UNARY(Positive, NumericOnly, SameOut, { return x; })
EMBER_UNARY(Absolute, AnyType, RealOut, {
  if constexpr (is_complex_v<C>) return std::abs(x);
  else if constexpr (std::is_same_v<C, bool>) return x;
  else if constexpr (is_int_v<C> && std::is_signed_v<C>) return x < 0 ? wrap_sub(C(0), x) : x;
  else if constexpr (is_int_v<C>) return x;
  else return std::fabs(x);
})
EMBER_UNARY(Square, NumericOnly, SameOut, {
  if constexpr (is_int_v<C>) return wrap_mul(x, x);
  else return x * x;
})
// NumPy 2: sign(z) = z / |z| for complex z, with NumPy's rules for infinite and NaN parts.
EMBER_UNARY(Sign, NumericOnly, SameOut, {
  if constexpr (is_complex_v<C>) {
    using R = typename C::value_type;
    R re = x.real(), im = x.imag(), m = std::hypot(re, im);
    if (std::isnan(m)) return C(NAN, NAN);
    if (std::isinf(m)) {
      if (std::isinf(re)) return std::isinf(im) ? C(NAN, NAN) : C(re > 0 ? 1 : -1, 0);
      return C(0, im > 0 ? 1 : -1);
    }
    if (m == 0) return C(0);
    return C(re / m, im / m);
  } else if constexpr (is_float_v<C>) {
    if (std::isnan(x)) return x;
    return C((x > 0) - (x < 0));
  } else {
    return C((x > 0) - (x < C(0)));
  }
})
EMBER_UNARY(Sqrt, InexactOnly, SameOut, { return std::sqrt(x); })
EMBER_UNARY(Exp, InexactOnly, SameOut, { return std::exp(x); })
EMBER_UNARY(Log, InexactOnly, SameOut, { return std::log(x); })
// Complex log2/log10 scale log(z) part by part by log2(e)/log10(e), as NumPy's nc_log2/nc_log10.
EMBER_UNARY(Log2, InexactOnly, SameOut, {
  if constexpr (is_complex_v<C>) { using R = typename C::value_type; C l = std::log(x); const R k = R(1.4426950408889634); return C(l.real() * k, l.imag() * k); }
  else return std::log2(x);
})
EMBER_UNARY(Log10, InexactOnly, SameOut, {
  if constexpr (is_complex_v<C>) { using R = typename C::value_type; C l = std::log(x); const R k = R(0.4342944819032518); return C(l.real() * k, l.imag() * k); }
  else return std::log10(x);
})
EMBER_UNARY(Sin, InexactOnly, SameOut, { return std::sin(x); })
EMBER_UNARY(Cos, InexactOnly, SameOut, { return std::cos(x); })
EMBER_UNARY(Tan, InexactOnly, SameOut, { return std::tan(x); })
EMBER_UNARY(Tanh, InexactOnly, SameOut, { return std::tanh(x); })
EMBER_UNARY(IsNan, AnyType, BoolOut, {
  if constexpr (is_complex_v<C>) return std::isnan(x.real()) || std::isnan(x.imag());
  else if constexpr (is_float_v<C>) return std::isnan(x);
  else return false;
})
EMBER_UNARY(IsInf, AnyType, BoolOut, {
  if constexpr (is_complex_v<C>) return std::isinf(x.real()) || std::isinf(x.imag());
  else if constexpr (is_float_v<C>) return std::isinf(x);
  else return false;
})
EMBER_UNARY(IsFinite, AnyType, BoolOut, {
  if constexpr (is_complex_v<C>) return std::isfinite(x.real()) && std::isfinite(x.imag());
  else if constexpr (is_float_v<C>) return std::isfinite(x);
  else return true;
})
EMBER_UNARY(LogicalNot, AnyType, BoolOut, { return x == C(0); })
EMBER_UNARY(BitwiseInvert, IntegerOnly, SameOut, {
  if constexpr (std::is_same_v<C, bool>) return !x;
  else return static_cast<C>(~x);
})
EMBER_UNARY(Floor, RealOnly, SameOut, {
  if constexpr (is_float_v<C>) return std::floor(x);
  else return x;
})
EMBER_UNARY(Ceil, RealOnly, SameOut, {
  if constexpr (is_float_v<C>) return std::ceil(x);
  else return x;
})
EMBER_UNARY(Trunc, RealOnly, SameOut, {
  if constexpr (is_float_v<C>) return std::trunc(x);
  else return x;
})

EMBER_UNARY(Acos, InexactOnly, SameOut, { return std::acos(x); })
EMBER_UNARY(Asin, InexactOnly, SameOut, { return std::asin(x); })
EMBER_UNARY(Atan, InexactOnly, SameOut, { return std::atan(x); })
EMBER_UNARY(Acosh, InexactOnly, SameOut, { return std::acosh(x); })
EMBER_UNARY(Asinh, InexactOnly, SameOut, { return std::asinh(x); })
EMBER_UNARY(Atanh, InexactOnly, SameOut, { return std::atanh(x); })
EMBER_UNARY(Sinh, InexactOnly, SameOut, { return std::sinh(x); })
EMBER_UNARY(Cosh, InexactOnly, SameOut, { return std::cosh(x); })
// Complex expm1/log1p/exp2 as NumPy's nc_expm1, nc_log1p, nc_exp2.
EMBER_UNARY(Expm1, InexactOnly, SameOut, {
  if constexpr (is_complex_v<C>) {
    using R = typename C::value_type;
    R re = x.real(), im = x.imag(), h = std::sin(im / 2);
    return C(std::expm1(re) * std::cos(im) - 2 * h * h, std::exp(re) * std::sin(im));
  } else {
    return std::expm1(x);
  }
})
EMBER_UNARY(Log1p, InexactOnly, SameOut, {
  if constexpr (is_complex_v<C>) {
    using R = typename C::value_type;
    R re = x.real() + 1, im = x.imag();
    return C(std::log(std::hypot(re, im)), std::atan2(im, re));
  } else {
    return std::log1p(x);
  }
})
EMBER_UNARY(Exp2, InexactOnly, SameOut, {
  if constexpr (is_complex_v<C>) return std::exp(x * typename C::value_type(0.6931471805599453));
  else return std::exp2(x);
})
EMBER_UNARY(Cbrt, FloatOnly, SameOut, { return std::cbrt(x); })
EMBER_UNARY(Deg2rad, FloatOnly, SameOut, { return x * C(0.017453292519943295); })
EMBER_UNARY(Rad2deg, FloatOnly, SameOut, { return x * C(57.29577951308232); })
// Round half to even (rint; also round with decimals=0): integers unchanged, complex part by part.
EMBER_UNARY(Rint, NumericOnly, SameOut, {
  if constexpr (is_complex_v<C>) return C(std::nearbyint(x.real()), std::nearbyint(x.imag()));
  else if constexpr (is_float_v<C>) return std::nearbyint(x);
  else return x;
})
EMBER_UNARY(Conj, NumericOnly, SameOut, {
  if constexpr (is_complex_v<C>) return std::conj(x);
  else return x;
})
EMBER_UNARY(Real, AnyType, RealOut, {
  if constexpr (is_complex_v<C>) return x.real();
  else return x;
})
EMBER_UNARY(Imag, AnyType, RealOut, {
  if constexpr (is_complex_v<C>) return x.imag();
  else return C(0);
})
EMBER_UNARY(Signbit, RealOnly, BoolOut, {
  if constexpr (is_float_v<C>) return std::signbit(x);
  else if constexpr (is_int_v<C> && std::is_signed_v<C>) return x < 0;
  else return false;
})
// Integer reciprocal is NumPy's 1.0 / x converted back; 1 / 0 converts as x86 does (min int from 32 bits up).
EMBER_UNARY(Reciprocal, NumericOnly, SameOut, {
  if constexpr (is_int_v<C>) {
    if (x == 0) return (std::is_signed_v<C> && sizeof(C) >= 4) ? std::numeric_limits<C>::min() : C(0);
    if (x == 1) return C(1);
    if constexpr (std::is_signed_v<C>) if (x == -1) return C(-1);
    return C(0);
  } else {
    return C(1) / x;
  }
})

#undef EMBER_BINARY
#undef EMBER_UNARY

}  // namespace ember::cpu
