// Element-wise float macros: dispatch, sign-bit ops, comparisons, min/max, sign.
#include "float_ops.h"

#include "float_common.h"
#include "float_math.h"
#include "int_arith.h"
#include "ops.h"

namespace ember::pim::mc {

void fless(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool or_equal) {
  // Sign-magnitude comparison as a signed integer comparison whose magnitude order is reversed
  // when both operands are negative; +0 == -0 and NaN compares false.
  const uint32_t n = f.width() - 1;
  const Bits mx = x.sub(0, n), my = y.sub(0, n);
  Tmp fl = b.tmp(8);
  const Bits nanx = fl.bit(0), nany = fl.bit(1), bz = fl.bit(2), neg = fl.bit(3), u = fl.bit(4),
             w = fl.bit(5);
  isnan2(b, f, nanx, nany, x, y);
  {
    Tmp t = b.tmp(n);
    b.orc(t(), mx, my);
    and_reduce(b, bz, t(), false);  // both zero
  }
  b.andc(neg, x.top(), y.top());
  {
    Tmp c = b.tmp(n), nc = b.tmp(n);
    b.bcast(c(), nc(), neg);
    const Bits cb = c(), ncb = nc();
    if (or_equal)
      less_rev(b, u, y, x, true, true, &cb, &ncb);  // u = ~(y < x)
    else
      less_rev(b, u, x, y, true, true, &cb, &ncb);  // u = ~(x < y)
  }
  if (or_equal) {
    b.norc(w, u, bz);  // (y < x) & ~bz
    b.init(o, true);
    b.g_not(o, w);
  } else {
    b.init(o, true);
    b.g_nor(o, u, bz);  // (x < y) & ~bz
  }
  b.g_nor(o, nanx, nany);
}

void fequal(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool negate) {
  const uint32_t n = f.width() - 1;
  Tmp ord = b.tmp(1);
  {
    Tmp nx = b.tmp(1), ny = b.tmp(1);
    isnan2(b, f, nx(), ny(), x, y);
    b.norc(ord(), nx(), ny());
  }
  Tmp bz = b.tmp(1), eq = b.tmp(1), r = b.tmp(1);
  {
    Tmp t = b.tmp(n);
    b.orc(t(), x.sub(0, n), y.sub(0, n));
    and_reduce(b, bz(), t(), false);
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
      // NumPy: minimum = (x < y || isnan(x)) ? x : y ; maximum = (x > y || isnan(x)) ? x : y
      // (ties, +0 against -0 included, give the second operand, as NumPy's)
      Tmp c = b.tmp(1), nan = b.tmp(1), k = b.tmp(1);
      if (m == Macro::Min) fless(b, f, c(), X(0), X(1), false);
      else fless(b, f, c(), X(1), X(0), false);
      isnan_bit(b, f, nan(), X(0), false);
      b.orc(k(), c(), nan());
      b.mux1(o, k(), X(0), X(1));
      return true;
    }
    case Macro::Add: fadd(b, f, o, X(0), X(1), false); return true;
    case Macro::Sub: fadd(b, f, o, X(0), X(1), true); return true;
    case Macro::Mul: fmul(b, f, o, X(0), X(1)); return true;
    case Macro::TrueDiv: fdiv(b, f, o, X(0), X(1)); return true;
    case Macro::FloorDiv: fdivmod(b, f, o, X(0), X(1), false); return true;
    case Macro::Mod: fdivmod(b, f, o, X(0), X(1), true); return true;
    case Macro::Sqrt: fsqrt(b, f, o, X(0)); return true;
    case Macro::Sin: ftrig(b, f, o, X(0), false); return true;
    case Macro::Cos: ftrig(b, f, o, X(0), true); return true;
    case Macro::NextAfter: fnextafter(b, f, o, X(0), X(1)); return true;
    default: break;
  }
  if (t != DType::F32) return false;  // the composed functions have float32 polynomials only
  switch (m) {
    case Macro::Exp: fexp(b, f, o, X(0), ExpKind::Exp); return true;
    case Macro::Exp2: fexp(b, f, o, X(0), ExpKind::Exp2); return true;
    case Macro::Expm1: fexp(b, f, o, X(0), ExpKind::Expm1); return true;
    case Macro::Log: flog(b, f, o, X(0), LogKind::Log); return true;
    case Macro::Log2: flog(b, f, o, X(0), LogKind::Log2); return true;
    case Macro::Log10: flog(b, f, o, X(0), LogKind::Log10); return true;
    case Macro::Log1p: flog1p(b, f, o, X(0)); return true;
    case Macro::Tanh: fhyp(b, f, o, X(0), HypKind::Tanh); return true;
    case Macro::Sinh: fhyp(b, f, o, X(0), HypKind::Sinh); return true;
    case Macro::Cosh: fhyp(b, f, o, X(0), HypKind::Cosh); return true;
    case Macro::Tan: ftan(b, f, o, X(0)); return true;
    case Macro::Atan: fatan(b, f, o, X(0)); return true;
    case Macro::Asin: fasin_acos(b, f, o, X(0), false); return true;
    case Macro::Acos: fasin_acos(b, f, o, X(0), true); return true;
    case Macro::Atan2: fatan2(b, f, o, X(0), X(1)); return true;
    case Macro::Pow: fpow(b, f, out, in[0], in[1]); return true;
    case Macro::Asinh: fahyp(b, f, o, X(0), HypKind::Sinh); return true;
    case Macro::Acosh: fahyp(b, f, o, X(0), HypKind::Cosh); return true;
    case Macro::Atanh: fahyp(b, f, o, X(0), HypKind::Tanh); return true;
    case Macro::LogAddExp: flogaddexp(b, f, o, X(0), X(1), false); return true;
    case Macro::LogAddExp2: flogaddexp(b, f, o, X(0), X(1), true); return true;
    default: return false;
  }
}

}  // namespace ember::pim::mc
