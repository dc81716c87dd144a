// Element-wise float macros: dispatch, sign-bit ops, comparisons, min/max, sign.
#include "float_ops.h"

#include "float_common.h"
#include "int_arith.h"
#include "ops.h"

namespace ember::pim::mc {

void fless(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool or_equal) {
  const uint32_t n = f.width() - 1;
  const Bits mx = x.sub(0, n), my = y.sub(0, n), sx = x.top(), sy = y.top();
  // Ordered: neither operand is NaN.
  Tmp ord = b.tmp(1);
  {
    Tmp nx = b.tmp(1), ny = b.tmp(1);
    isnan_bit(b, f, nx(), x, false);
    isnan_bit(b, f, ny(), y, false);
    b.norc(ord(), nx(), ny());
  }
  // Both zero (+0 == -0).
  Tmp bz = b.tmp(1);
  {
    Tmp t = b.tmp(n), nt = b.tmp(n);
    b.norc(t(), mx, my);
    b.notc(nt(), t());
    and_reduce(b, bz(), t(), nt(), false);
  }
  // Magnitude comparison, reversed when both are negative.
  Tmp cmp = b.tmp(1), nsx = b.tmp(1), nsy = b.tmp(1);
  b.notc(nsx(), sx);
  b.notc(nsy(), sy);
  {
    Tmp neg = b.tmp(1);
    b.norc(neg(), nsx(), nsy());
    Tmp c = b.tmp(n), nc = b.tmp(n), kx = b.tmp(n), ky = b.tmp(n);
    b.bcast(c(), nc(), neg());
    xor_b(b, kx(), mx, c(), nc());
    xor_b(b, ky(), my, c(), nc());
    if (or_equal)
      less(b, cmp(), ky(), kx(), false, true);  // kx <= ky
    else
      less(b, cmp(), kx(), ky(), false, false);
  }
  // same sign: cmp; x negative, y positive: true unless (lt and both zero); x positive, y
  // negative: false unless (le and both zero).
  Tmp r = b.tmp(1);
  {
    Tmp same = b.tmp(1), d1 = b.tmp(1), t = b.tmp(1);
    b.xnorc(same(), sx, sy);
    b.andc(t(), same(), cmp());
    b.norc(d1(), nsx(), sy);  // sx & ~sy
    if (or_equal) {
      Tmp u = b.tmp(1);
      b.orc(u(), d1(), bz());
      b.orc(r(), u(), t());
    } else {
      b.g_not(d1(), bz());  // & ~bz
      b.orc(r(), d1(), t());
    }
  }
  b.andc(o, r(), ord());
}

void fequal(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool negate) {
  const uint32_t n = f.width() - 1;
  Tmp ord = b.tmp(1);
  {
    Tmp nx = b.tmp(1), ny = b.tmp(1);
    isnan_bit(b, f, nx(), x, false);
    isnan_bit(b, f, ny(), y, false);
    b.norc(ord(), nx(), ny());
  }
  Tmp bz = b.tmp(1), eq = b.tmp(1), r = b.tmp(1);
  {
    Tmp t = b.tmp(n), nt = b.tmp(n);
    b.norc(t(), x.sub(0, n), y.sub(0, n));
    b.notc(nt(), t());
    and_reduce(b, bz(), t(), nt(), false);
  }
  equal(b, eq(), x, y, false);
  b.orc(r(), bz(), eq());
  if (negate) {
    Tmp t = b.tmp(1);
    b.andc(t(), r(), ord());
    b.notc(o, t());
  } else {
    b.andc(o, r(), ord());
  }
}

namespace {

void fsign(Builder& b, FloatFormat f, const Bits& o, const Bits& x) {
  const uint32_t W = f.width();
  Tmp nan = b.tmp(1), nz = b.tmp(1);
  isnan_bit(b, f, nan(), x, false);
  is_zero(b, nz(), x.sub(0, W - 1), true);
  // value = nz ? (sign | 1.0) : +0
  Tmp v = b.tmp(W);
  b.set_const(v(0, W - 1), f.bias() << f.m);
  b.copy(v.bit(W - 1), x.top());
  Tmp c = b.tmp(W);
  b.bcast(c(), Bits{}, nz());
  Tmp nc = b.tmp(W);
  b.notc(nc(), c());
  b.g_not(v(), nc());  // v &= nz
  b.mux1(o, nan(), x, v());
}

}  // namespace

bool emit_float_macro(Builder& b, Macro m, DType t, DType out_t, const Val& out,
                      const std::vector<Val>& in) {
  const FloatFormat f = float_format(t);
  const Bits o = all(out);
  auto X = [&](int i) { return all(in[i]); };
  const uint32_t W = f.width();
  switch (m) {
    case Macro::Copy:
    case Macro::Where: return emit_int_macro(b, m, t, out_t, out, in);
    case Macro::Neg:
    case Macro::Abs: {
      Tmp t1 = b.tmp(W - 1);
      b.notc(t1(), X(0).sub(0, W - 1));
      b.init(o, true);
      b.g_not(o.sub(0, W - 1), t1());
      if (m == Macro::Neg) b.g_not(o.top(), X(0).top());
      else b.init(o.top(), false);
      return true;
    }
    case Macro::Sign: fsign(b, f, o, X(0)); return true;
    case Macro::Lt: fless(b, f, o, X(0), X(1), false); return true;
    case Macro::Le: fless(b, f, o, X(0), X(1), true); return true;
    case Macro::Gt: fless(b, f, o, X(1), X(0), false); return true;
    case Macro::Ge: fless(b, f, o, X(1), X(0), true); return true;
    case Macro::Eq: fequal(b, f, o, X(0), X(1), false); return true;
    case Macro::Ne: fequal(b, f, o, X(0), X(1), true); return true;
    case Macro::Min:
    case Macro::Max: {
      // NumPy: minimum = (x <= y || isnan(x)) ? x : y ; maximum = (x >= y || isnan(x)) ? x : y
      Tmp c = b.tmp(1), nan = b.tmp(1), k = b.tmp(1);
      if (m == Macro::Min) fless(b, f, c(), X(0), X(1), true);
      else fless(b, f, c(), X(1), X(0), true);
      isnan_bit(b, f, nan(), X(0), false);
      b.orc(k(), c(), nan());
      b.mux1(o, k(), X(0), X(1));
      return true;
    }
    case Macro::Add: fadd(b, f, o, X(0), X(1), false); return true;
    case Macro::Sub: fadd(b, f, o, X(0), X(1), true); return true;
    case Macro::Mul: fmul(b, f, o, X(0), X(1)); return true;
    case Macro::TrueDiv: fdiv(b, f, o, X(0), X(1)); return true;
    case Macro::Sqrt: fsqrt(b, f, o, X(0)); return true;
    default: return false;
  }
}

}  // namespace ember::pim::mc
