// tan, arctan, arcsin, arccos, arctan2 (float32; Cephes tanf / atanf / asinf / acosf / atan2f
// reductions and minimax polynomials, Moshier), composed from the IEEE float macros. Every branch
// of the scalar code is computed for every element and the result selected per element.
//   tan: k = rint(x 2/pi) by the 1.5 * 2^M magic-number addition, r = x - k pi/2 in three parts
//     (as sin / cos), tan r = r + r z P(z), z = r^2 on |r| <= pi/4; odd k: -1 / tan r.
//   atan a (a = |x|): a > tan 3pi/8: pi/2 + atan(-1/a); a > tan pi/8: pi/4 + atan((a-1)/(a+1));
//     else atan a; one division num / den (den = 1 in the last case: exact), t + t z P(z).
//   asin / acos on a = |x|: a > 1/2: w = sqrt((1 - a) / 2), asin a = pi/2 - 2 asin w; else
//     asin a by the polynomial; acos x = 2 asin w (x > 1/2), pi - 2 asin w (x < -1/2),
//     pi/2 - asin x otherwise. |x| > 1 gives NaN through the square root of a negative number.
//   atan2(y, x) = atan(y / x), plus copysign(pi, y) when x's sign bit is set; y / x is replaced
//     by y when both are zero and by +-1 when both are infinite, so C99's special cases (signed
//     zeros, +-pi/4, +-3pi/4) come out of the same formula.
#include <cmath>
#include <cstdint>
#include <memory>

#include "float_common.h"
#include "float_math.h"
#include "immediate.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kTanP[] = {9.38540185543E-3, 3.11992232697E-3, 2.44301354525E-2,
                            5.34112807005E-2, 1.33387994085E-1, 3.33331568548E-1};
constexpr double kAtanP[] = {8.05374449538E-2, -1.38776856032E-1, 1.99777106478E-1, -3.33329491539E-1};
constexpr double kAsinP[] = {4.2163199048E-2, 2.4181311049E-2, 4.5470025998E-2, 7.4953002686E-2,
                             1.6666752422E-1};

// o = |x|
void fabs_to(Builder& b, FloatFormat f, const Bits& o, const Bits& x) {
  b.copy(o.sub(0, f.width() - 1), x.sub(0, f.width() - 1));
  b.init(o.top(), false);
}

// o = t + t z P(z) with z = t^2 (the odd polynomials of tan / atan / asin use their own z).
void odd_poly(Builder& b, FloatFormat f, const Bits& o, const Bits& t, const Bits& z, const double* c, int n) {
  Tmp p = b.tmp(f.width()), u = b.tmp(f.width());
  fhorner(b, f, p(), z, c, n);
  fmul(b, f, u(), p(), z);
  fmul(b, f, p(), u(), t);
  fadd(b, f, o, p(), t, false);
}

// o = atan(a) for a >= 0 (or NaN).
void fatan_pos(Builder& b, FloatFormat f, const Bits& o, const Bits& a) {
  const uint32_t W = f.width();
  Tmp c = b.tmp(2);  // bit 0: a > tan 3pi/8, bit 1: a > tan pi/8
  auto xr = std::make_unique<Tmp>(b.tmp(W));
  {
    Tmp k = b.tmp(W), num = b.tmp(W), den = b.tmp(W);
    fconst(b, f, k(), 2.414213562373095);
    fless(b, f, c.bit(0), k(), a, false);
    fconst(b, f, k(), 0.4142135623730950);
    fless(b, f, c.bit(1), k(), a, false);
    fop_const(b, f, k(), a, 's', 1.0);
    b.mux1(num(), c.bit(1), k(), a);
    fconst(b, f, k(), -1.0);
    b.mux1(num(), c.bit(0), k(), num());
    fop_const(b, f, k(), a, 'a', 1.0);
    fconst(b, f, den(), 1.0);
    b.mux1(den(), c.bit(1), k(), den());
    b.mux1(den(), c.bit(0), a, den());
    fdiv(b, f, (*xr)(), num(), den());
  }
  Tmp y = b.tmp(W);
  {
    Tmp z = b.tmp(W);
    fmul(b, f, z(), (*xr)(), (*xr)());
    odd_poly(b, f, y(), (*xr)(), z(), kAtanP, 4);
  }
  xr.reset();
  Tmp y0 = b.tmp(W), k = b.tmp(W);
  fconst(b, f, y0(), 0.0);
  fconst(b, f, k(), kPi / 4);
  b.mux1(y0(), c.bit(1), k(), y0());
  fconst(b, f, k(), kPi / 2);
  b.mux1(y0(), c.bit(0), k(), y0());
  fadd(b, f, o, y0(), y(), false);
}

}  // namespace

void ftan(Builder& b, FloatFormat f, const Bits& o, const Bits& x) {
  const uint32_t W = f.width(), M = f.m;
  Tmp odd = b.tmp(1);
  auto kf = std::make_unique<Tmp>(b.tmp(W));
  {
    Tmp t = b.tmp(W), m = b.tmp(W), s = b.tmp(W);
    fop_const(b, f, t(), x, 'm', 2 / kPi);
    fconst(b, f, m(), 1.5 * std::ldexp(1.0, int(M)));
    fadd(b, f, s(), t(), m(), false);
    b.copy(odd(), s.bit(0));
    fadd(b, f, (*kf)(), s(), m(), true);
  }
  // r = x - kf C1 - kf C2 - kf C3, C1 + C2 + C3 = pi/2 (C1, C2 short: kf C1, kf C2 exact)
  const double C[3] = {1.5703125, 4.837512969970703125e-4, 7.549789948768648e-8};
  auto r = std::make_unique<Tmp>(b.tmp(W));
  for (int i = 0; i < 3; ++i) {
    Tmp t = b.tmp(W), u = b.tmp(W);
    fop_const(b, f, t(), (*kf)(), 'm', C[i]);
    fadd(b, f, u(), i == 0 ? x : (*r)(), t(), true);
    b.copy((*r)(), u());
  }
  kf.reset();
  Tmp tr = b.tmp(W);
  {
    Tmp z = b.tmp(W);
    fmul(b, f, z(), (*r)(), (*r)());
    odd_poly(b, f, tr(), (*r)(), z(), kTanP, 6);
  }
  r.reset();
  Tmp one = b.tmp(W), q = b.tmp(W);
  fconst(b, f, one(), -1.0);
  fdiv(b, f, q(), one(), tr());
  b.mux1(o, odd(), q(), tr());
}

void fatan(Builder& b, FloatFormat f, const Bits& o, const Bits& x) {
  Tmp a = b.tmp(f.width());
  fabs_to(b, f, a(), x);
  fatan_pos(b, f, o, a());
  b.copy(o.top(), x.top());  // atan is odd; NaN keeps some sign
}

void fasin_acos(Builder& b, FloatFormat f, const Bits& o, const Bits& x, bool acos) {
  const uint32_t W = f.width();
  Tmp big = b.tmp(1);
  Tmp p = b.tmp(W);  // asin of w (w = a or sqrt((1 - a) / 2)), >= 0
  {
    Tmp a = b.tmp(W), z = b.tmp(W), w = b.tmp(W);
    fabs_to(b, f, a(), x);
    {
      Tmp h = b.tmp(W);
      fconst(b, f, h(), 0.5);
      fless(b, f, big(), h(), a(), false);
      Tmp one = b.tmp(W), d = b.tmp(W);
      fconst(b, f, one(), 1.0);
      fadd(b, f, d(), one(), a(), true);
      fscale(b, f, h(), d(), -1, false);  // (1 - a) / 2, exact
      fmul(b, f, z(), a(), a());
      b.mux1(z(), big(), h(), z());
      fsqrt(b, f, w(), z());
      b.mux1(w(), big(), w(), a());
    }
    odd_poly(b, f, p(), w(), z(), kAsinP, 5);
  }
  Tmp p2 = b.tmp(W), k = b.tmp(W), t = b.tmp(W);
  fscale(b, f, p2(), p(), 1, false);  // 2 asin w, exact
  if (!acos) {
    fconst(b, f, k(), kPi / 2);
    fadd(b, f, t(), k(), p2(), true);
    b.mux1(o, big(), t(), p());
    b.copy(o.top(), x.top());
    return;
  }
  // small |x|: pi/2 - copysign(p, x)
  Tmp sp = b.tmp(W), small = b.tmp(W);
  b.copy(sp(), p());
  b.copy(sp.top(), x.top());
  fconst(b, f, k(), kPi / 2);
  fadd(b, f, small(), k(), sp(), true);
  fconst(b, f, k(), kPi);
  fadd(b, f, t(), k(), p2(), true);  // pi - 2 asin w
  b.mux1(t(), x.top(), t(), p2());   // x < -1/2 : x > 1/2
  b.mux1(o, big(), t(), small());
}

void fatan2(Builder& b, FloatFormat f, const Bits& o, const Bits& y, const Bits& x) {
  const uint32_t W = f.width();
  Tmp t = b.tmp(W);
  {
    Tmp c = b.tmp(3);  // both zero, both infinite, scratch
    {
      Tmp m = b.tmp(W - 1), k = b.tmp(W - 1);
      b.orc(m(), y.sub(0, W - 1), x.sub(0, W - 1));
      is_zero(b, c.bit(0), m(), false);
      b.set_const(k(), uint64_t(0xFF) << f.m);  // +inf's magnitude
      equal(b, c.bit(1), y.sub(0, W - 1), k(), false);
      equal(b, c.bit(2), x.sub(0, W - 1), k(), false);
      b.andc(c.bit(1), c.bit(1), c.bit(2));
    }
    fdiv(b, f, t(), y, x);
    b.mux1(t(), c.bit(0), y, t());
    Tmp one = b.tmp(W);
    fconst(b, f, one(), 1.0);
    b.xorc(one.top(), y.top(), x.top());
    b.mux1(t(), c.bit(1), one(), t());
  }
  fatan(b, f, o, t());  // o never overlaps x or y
  Tmp pi = b.tmp(W);
  fconst(b, f, pi(), kPi);
  b.copy(pi.top(), y.top());
  fadd(b, f, t(), o, pi(), false);
  b.mux1(o, x.top(), t(), o);
}

}  // namespace ember::pim::mc
