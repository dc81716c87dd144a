// Classification and rounding of IEEE floats in microcode.
//
// Predicates read the fields: isnan = exponent all ones and fraction nonzero, isinf = exponent all
// ones and fraction zero, isfinite = exponent not all ones, signbit = the sign bit.
//
// Rounding works on the magnitude bits (sign kept; results are exact, no float arithmetic):
//   e >= bias + M   already integral, inf or NaN: x (NaN quieted, as libm's floor / rint do)
//   e <  bias       |x| < 1: +-0 or +-1.0 (floor: negative nonzero -> -1; ceil: positive nonzero
//                   -> +1; rint: |x| > 0.5 -> +-1, ties (0.5) to even 0; trunc: +-0)
//   otherwise       s = bias + M - e fraction bits lie below the unit (1 <= s <= M). With the
//                   mask lo of those bits, T = mag & ~lo truncates; rounding away from T adds one
//                   unit, done as (T | lo) + 1 so the carry may run into the exponent (2^k).
//                   floor: away iff negative and mag & lo != 0; ceil: positive and nonzero;
//                   rint: half & (sticky | lsb), where half is bit s - 1, sticky the bits below,
//                   lsb bit s (for s = M the exponent's low bit, which is 1 for e = bias: the
//                   hidden one, so the same bit test holds).
// The mask ~lo = ones << s comes from log2(M + 1) shift stages on the low bits of s.
#include "float_round.h"

#include "float_common.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {

enum class Mode { Floor, Ceil, Trunc, Rint };

uint32_t ceil_log2(uint32_t v) {
  uint32_t k = 0;
  while ((1u << k) < v) ++k;
  return k;
}

// o = (x is inf) (exponent all ones, fraction zero).
void isinf_bit(Builder& b, FloatFormat f, const Bits& o, const Bits& x) {
  Tmp t = b.tmp(2);
  all_ones(b, t.bit(0), x.sub(f.m, f.e), true);  // exponent not all ones
  is_zero(b, t.bit(1), x.sub(0, f.m), true);     // fraction nonzero
  b.norc(o, t.bit(0), t.bit(1));
}

void fround(Builder& b, FloatFormat f, const Bits& o, const Bits& x, Mode mode) {
  const uint32_t E = f.e, M = f.m, n = f.width() - 1, sb = ceil_log2(M + 1);
  const Bits mag = x.sub(0, n), ex = x.sub(M, E), sign = x.top(), om = o.sub(0, n);
  Tmp fl = b.tmp(8);
  const Bits big = fl.bit(0), small = fl.bit(1), up = fl.bit(2), ups = fl.bit(3), nan = fl.bit(4);
  {
    Tmp k = b.tmp(E);
    b.set_const(k(), f.bias() + M);
    less(b, big, ex, k(), false, true);  // e >= bias + M
    b.set_const(k(), f.bias());
    less(b, small, ex, k(), false, false);  // e < bias
  }
  // |x| < 1: the flag for a result of magnitude 1.0
  switch (mode) {
    case Mode::Trunc: b.init(ups, false); break;
    case Mode::Floor:
    case Mode::Ceil: {
      Tmp t = b.tmp(2);
      is_zero(b, t.bit(0), mag, true);
      if (mode == Mode::Floor) b.andc(ups, t.bit(0), sign);
      else {
        b.notc(t.bit(1), sign);
        b.andc(ups, t.bit(0), t.bit(1));
      }
      break;
    }
    case Mode::Rint: {  // (0.5, 1): e == bias - 1 with a nonzero fraction
      Tmp t = b.tmp(2), k = b.tmp(E);
      b.set_const(k(), f.bias() - 1);
      equal(b, t.bit(0), ex, k(), false);
      is_zero(b, t.bit(1), mag.sub(0, M), true);
      b.andc(ups, t.bit(0), t.bit(1));
      break;
    }
  }
  {
    // The general case into o's magnitude.
    Tmp hi = b.tmp(M);  // ones << s
    {
      Tmp s = b.tmp(sb), k = b.tmp(sb);
      b.set_const(k(), (f.bias() + M) & ((1u << sb) - 1));
      sub(b, s(), k(), ex.sub(0, sb));  // s mod 2^sb (exact in the general case)
      b.init(hi(), true);
      for (uint32_t j = 0; j < sb; ++j) {
        const uint32_t sh = 1u << j;
        Tmp c = b.tmp(M), nc = b.tmp(M);
        b.bcast(c(), nc(), s.bit(j));
        if (sh >= M) {
          b.g_not(hi(), c());
        } else {
          b.mux(hi(sh, M - sh), c(0, M - sh), nc(0, M - sh), hi(0, M - sh), hi(sh, M - sh));
          b.g_not(hi(0, sh), c(0, sh));
        }
      }
    }
    Tmp lo = b.tmp(M);
    b.notc(lo(), hi());
    switch (mode) {
      case Mode::Trunc: b.init(up, false); break;
      case Mode::Floor:
      case Mode::Ceil: {
        Tmp t = b.tmp(M), nz = b.tmp(2);
        b.andc(t(), mag.sub(0, M), lo());
        is_zero(b, nz.bit(0), t(), true);
        if (mode == Mode::Floor) b.andc(up, nz.bit(0), sign);
        else {
          b.notc(nz.bit(1), sign);
          b.andc(up, nz.bit(0), nz.bit(1));
        }
        break;
      }
      case Mode::Rint: {
        Tmp h = b.tmp(M), t = b.tmp(M), r = b.tmp(3);  // r: half, sticky, lsb
        // h = one-hot at s - 1: lo[i] & ~lo[i + 1] (lo[M] = 0)
        b.norc(h(0, M - 1), hi(0, M - 1), lo(1, M - 1));
        b.notc(h.bit(M - 1), hi.bit(M - 1));
        b.andc(t(), mag.sub(0, M), h());
        is_zero(b, r.bit(0), t(), true);
        b.andc(t(0, M - 1), mag.sub(0, M - 1), lo(1, M - 1));  // bits below s - 1
        is_zero(b, r.bit(1), t(0, M - 1), true);
        b.andc(t(), mag.sub(1, M), h());  // bit s (one-hot h shifted up)
        is_zero(b, r.bit(2), t(), true);
        Tmp u = b.tmp(1);
        b.orc(u(), r.bit(1), r.bit(2));
        b.andc(up, r.bit(0), u());
        break;
      }
    }
    // X = T | (lo if up): rounding away is X + 1, truncation is X + 0.
    Tmp X = b.tmp(n);
    b.andc(X(0, M), mag.sub(0, M), hi());
    b.copy(X(M, E), ex);
    if (mode == Mode::Trunc) {
      b.copy(om, X());
    } else {
      {
        Tmp c = b.tmp(M);
        b.bcast(c(), Bits{}, up);
        Tmp a = b.tmp(M);
        b.andc(a(), c(), lo());
        b.orc(X(0, M), X(0, M), a());
      }
      increment(b, om, X(), up);
    }
  }
  {
    Tmp S = b.tmp(n);  // |x| < 1: ups ? 1.0 : 0
    b.set_const(S(), f.bias() << M);
    Tmp c = b.tmp(n), nc = b.tmp(n);
    b.bcast(c(), nc(), ups);
    b.g_not(S(), nc());
    b.mux1(om, small, S(), om);
  }
  b.mux1(om, big, mag, om);
  isnan_bit(b, f, nan, x, false);
  b.orc(o.bit(M - 1), o.bit(M - 1), nan);  // NaN is big: quiet it
  b.copy(o.top(), sign);
}

}  // namespace

bool is_round_macro(Macro m) {
  switch (m) {
    case Macro::IsNan: case Macro::IsInf: case Macro::IsFinite: case Macro::Signbit:
    case Macro::Floor: case Macro::Ceil: case Macro::Trunc: case Macro::Rint:
      return true;
    default:
      return false;
  }
}

bool emit_round_macro(Builder& b, Macro m, DType t, const Val& out, const Val& in) {
  const Bits o = all(out), x = all(in);
  if (!is_float(t)) {  // integers and bool: NumPy's constants and copies
    switch (m) {
      case Macro::IsNan: case Macro::IsInf: b.init(o, false); return true;
      case Macro::IsFinite: b.init(o, true); return true;
      case Macro::Signbit:
        if (is_signed_int(t)) b.copy(o, x.top());
        else b.init(o, false);
        return true;
      default: b.copy(o, x); return true;
    }
  }
  const FloatFormat f = float_format(t);
  switch (m) {
    case Macro::IsNan: isnan_bit(b, f, o, x, false); return true;
    case Macro::IsInf: isinf_bit(b, f, o, x); return true;
    case Macro::IsFinite: all_ones(b, o, x.sub(f.m, f.e), true); return true;
    case Macro::Signbit: b.copy(o, x.top()); return true;
    case Macro::Floor: fround(b, f, o, x, Mode::Floor); return true;
    case Macro::Ceil: fround(b, f, o, x, Mode::Ceil); return true;
    case Macro::Trunc: fround(b, f, o, x, Mode::Trunc); return true;
    case Macro::Rint: fround(b, f, o, x, Mode::Rint); return true;
    default: return false;
  }
}

}  // namespace ember::pim::mc
