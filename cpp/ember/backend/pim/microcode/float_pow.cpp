// x ** y (float32) = 2^(y log2 |x|), with the exponent product kept exact where float32 would lose
// it, and C99 / NumPy's special cases selected per element.
//   |x| = 2^E m, m in [sqrt(1/2), sqrt(2)) (integer microcode; subnormals normalized), l = log2 m
//   (the log2 macro on m, |l| <= 1/2). y = yh + yl with yh = y's top 12 significand bits, so
//   A = yh E and B = yl E are exact; C = y l is one rounding. N = rint(A + C) (clamped, magic-number
//   addition), F = ((A - N) + C) + B with A - N exact, and the result is exp2(F) 2^N, 2^N applied as
//   two multiplies by normal powers of two (only the last one rounds, also into the subnormals).
//   The error is then about |y l| 2^-24 ln 2 plus log2's and exp2's own ulp, instead of
//   |y log2 x| 2^-24 ln 2 for a plain exp2(y * log2 x) (which loses ~45 ulp at |y log2 x| ~ 90).
// Special cases (selected at the end, in this order of priority):
//   y = +-0, x = 1, or x = -1 and y = +-inf: 1 (even for NaN);
//   x or y NaN: NaN; x < 0 finite and y finite not an integer: NaN;
//   x = +-0 or +-inf, or y = +-inf: 0 or inf ((y > 0) != (|x| < 1) gives inf);
//   the sign is negative when x's sign bit is set and y is an odd integer.
#include <cmath>
#include <cstdint>

#include "float_common.h"
#include "float_math.h"
#include "float_round.h"
#include "immediate.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {

// o = 2^j as a float for an 8-bit signed j with 2^j normal.
void pow2_of(Builder& b, FloatFormat f, const Bits& o, const Bits& j) {
  b.init(o, false);
  add_const(b, o.sub(f.m, f.e), j, f.bias());
}

}  // namespace

void fpow(Builder& b, FloatFormat f, const Val& out, const Val& xv, const Val& yv) {
  const uint32_t W = f.width(), M = f.m, E = f.e;
  const Bits o = all(out), x = all(xv), y = all(yv);
  // Flags, kept to the end (packed): result is 1, NaN, 0-or-inf, inf (else 0), negative.
  Tmp fl = b.tmp(5);
  const Bits one_case = fl.bit(0), nan_case = fl.bit(1), special = fl.bit(2), big = fl.bit(3), neg = fl.bit(4);
  {
    Tmp c = b.tmp(8);
    const Bits yint = c.bit(0), yodd = c.bit(1), yinf = c.bit(2), xinf = c.bit(3), xz = c.bit(4),
               xnan = c.bit(5), t1 = c.bit(6), t2 = c.bit(7);
    {
      Tmp ty = b.tmp(W), h = b.tmp(W), th = b.tmp(W);
      emit_round_macro(b, Macro::Trunc, DType::F32, ty.val(), yv);
      fequal(b, f, yint, ty(), y, false);  // inf counts as an (even) integer, NaN does not
      fscale(b, f, h(), y, -1, false);     // y / 2, exact
      emit_round_macro(b, Macro::Trunc, DType::F32, th.val(), h.val());
      fequal(b, f, t1, th(), h(), true);   // y / 2 not an integer
      b.andc(yodd, yint, t1);
    }
    {
      Tmp k = b.tmp(W - 1);
      b.set_const(k(), uint64_t(0xFF) << M);  // the magnitude of inf
      equal(b, yinf, y.sub(0, W - 1), k(), false);
      equal(b, xinf, x.sub(0, W - 1), k(), false);
      is_zero(b, xz, x.sub(0, W - 1), false);
      isnan_bit(b, f, xnan, x, false);
      isnan_bit(b, f, t1, y, false);
      b.orc(nan_case, xnan, t1);  // NaN in: NaN out (unless one_case)
      // |x| < 1 and y > 0, for the 0-or-inf cases
      Tmp one = b.tmp(W);
      b.set_const(one(), fbits(f, 1.0));
      less(b, t1, x.sub(0, W - 1), one(0, W - 1), false, false);  // |x| < 1 (magnitudes)
      b.xnorc(big, t1, y.top());  // (y > 0) != (|x| < 1); y = +-0 is one_case anyway
      b.orc(t1, xinf, xz);
      b.orc(special, t1, yinf);
    }
    // negative finite non-zero x with a finite non-integer y: NaN
    b.norc(t1, xinf, xz);
    b.andc(t1, t1, x.top());
    b.norc(t2, yinf, yint);
    b.andc(t1, t1, t2);
    b.orc(nan_case, nan_case, t1);
    // the sign: x's sign bit set (x not NaN) and y odd
    b.andc(t1, x.top(), yodd);
    b.norc(t2, xnan, xnan);
    b.andc(neg, t1, t2);
    // one_case = y == +-0 | x == 1 | (x == -1 & y == +-inf)
    Tmp k = b.tmp(W);
    is_zero(b, one_case, y.sub(0, W - 1), false);
    b.set_const(k(), fbits(f, 1.0));
    equal(b, t1, x, k(), false);
    b.orc(one_case, one_case, t1);
    b.set_const(k(), fbits(f, -1.0));
    equal(b, t1, x, k(), false);
    b.andc(t1, t1, yinf);
    b.orc(one_case, one_case, t1);
  }
  Tmp Ef = b.tmp(W);  // E as a float
  {
    Tmp m = b.tmp(W);
    {
      Tmp sig = b.tmp(M + 1), e = b.tmp(10), g = b.tmp(1);
      unpack_norm(b, f, sig(), e(), x);  // |x| = 1.sig 2^(e - bias)
      {
        Tmp k = b.tmp(M);
        b.set_const(k(), 0x3504F3);  // the fraction of sqrt(2)
        less(b, g(), sig(0, M), k(), false, true);
      }
      b.copy(m(0, M), sig(0, M));
      b.set_const(m(M, E + 1), f.bias());  // exponent field bias - g, sign 0
      b.notc(m.bit(M), g());
      Tmp eu = b.tmp(10), ei = b.tmp(10);
      add_const(b, eu(), e(), (1u << 10) - f.bias());
      increment(b, ei(), eu(), g());
      emit_float_cast(b, DType::I16, DType::F32, Ef(), ei());  // 10-bit signed -> float
    }
    flog(b, f, o, m(), LogKind::Log2);  // o = l = log2 m
  }
  Tmp F = b.tmp(W), N = b.tmp(10);
  {
    Tmp A = b.tmp(W), C = b.tmp(W), t = b.tmp(W);
    {
      Tmp yh = b.tmp(W);
      b.copy(yh(), y);
      b.init(yh(0, 12), false);  // yh: y's top 12 significand bits
      fmul(b, f, A(), yh(), Ef());  // exact
      fmul(b, f, C(), y, o);
      fadd(b, f, t(), y, yh(), true);  // yl, exact
      fmul(b, f, F(), t(), Ef());      // B = yl E, exact
    }
    Tmp s = b.tmp(W), mg = b.tmp(W);
    fadd(b, f, t(), A(), C(), false);
    fclamp(b, f, s(), t(), -400.0, 400.0);
    b.set_const(mg(), fbits(f, 1.5 * std::ldexp(1.0, int(M))));
    fadd(b, f, t(), s(), mg(), false);
    b.copy(N(), t(0, 10));             // N mod 2^10, |N| <= 400
    fadd(b, f, s(), t(), mg(), true);  // N as a float
    fadd(b, f, t(), A(), s(), true);   // A - N, exact
    fadd(b, f, s(), t(), C(), false);
    fadd(b, f, t(), s(), F(), false);
    b.copy(F(), t());
  }
  // N clamped to [-152, 130]: exp2(F) in [0.35, 2.9] then overflows or rounds to 0 exactly there.
  {
    Tmp k = b.tmp(10), c = b.tmp(1);
    b.set_const(k(), uint64_t(-152) & 0x3FF);
    less(b, c(), N(), k(), true, false);
    b.mux1(N(), c(), k(), N());
    b.set_const(k(), 130);
    less(b, c(), k(), N(), true, false);
    b.mux1(N(), c(), k(), N());
  }
  fexp(b, f, o, F(), ExpKind::Exp2);
  {
    Tmp k1 = b.tmp(8), k2 = b.tmp(8), p = b.tmp(W), u = b.tmp(W);
    b.copy(k1(), N(1, 8));  // N >> 1 (the sign bit 9 is not needed: |N >> 1| < 128)
    sub(b, k2(), N(0, 8), k1());
    pow2_of(b, f, p(), k1());
    fmul(b, f, u(), o, p());
    pow2_of(b, f, p(), k2());
    fmul(b, f, o, u(), p());
  }
  // the special cases, then the sign
  Tmp c = b.tmp(W);
  b.set_const(c(), fbits(f, INFINITY));
  b.init(F(), false);
  b.mux1(F(), big, c(), F());
  b.mux1(o, special, F(), o);
  b.copy(o.top(), neg);
  b.set_const(c(), default_nan(f));
  b.mux1(o, nan_case, c(), o);
  b.set_const(c(), fbits(f, 1.0));
  b.mux1(o, one_case, c(), o);
}

}  // namespace ember::pim::mc
