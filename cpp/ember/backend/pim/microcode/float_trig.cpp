// sin / cos from the float macros: Cody-Waite reduction by pi/2 (the quadrant comes from the
// low bits of a round-to-integer done with the 1.5 * 2^M "magic number" addition), then minimax
// polynomials on [-pi/4, pi/4] (Cephes coefficients), quadrant selection and sign. Accurate to a
// few ulp for |x| up to about 2^15 (float32) or 2^28 (float64); NaN and inf give NaN.
#include <bit>
#include <cmath>
#include <cstdint>

#include "float_common.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {

uint64_t cbits(FloatFormat f, double v) {
  return f.e == 8 ? uint64_t(std::bit_cast<uint32_t>(float(v))) : std::bit_cast<uint64_t>(v);
}

}  // namespace

void ftrig(Builder& b, FloatFormat f, const Bits& o, const Bits& x, bool is_cos) {
  const uint32_t W = f.width(), M = f.m;
  const bool f32 = f.e == 8;
  auto konst = [&](const Bits& t, double v) { b.set_const(t, cbits(f, v)); };
  Tmp q = b.tmp(2);  // quadrant bits
  Tmp r = b.tmp(W);
  {
    // kf = round(x * 2/pi) via (x * 2/pi + 1.5 * 2^M) - 1.5 * 2^M; quadrant = low bits of the sum
    Tmp kf = b.tmp(W);
    {
      Tmp t = b.tmp(W), c = b.tmp(W), s = b.tmp(W);
      konst(c(), 0.63661977236758134308);
      fmul(b, f, t(), x, c());
      konst(c(), 1.5 * std::ldexp(1.0, int(M)));
      fadd(b, f, s(), t(), c(), false);
      b.copy(q(), s(0, 2));
      fadd(b, f, kf(), s(), c(), true);
    }
    // r = x - kf * C1 - kf * C2 - kf * C3 (C1 + C2 + C3 = pi/2, C1 and C2 short)
    const double C32[3] = {1.5703125, 4.837512969970703125e-4, 7.549789948768648e-8};
    const double C64[3] = {1.570796310901641845703125, 1.589325471229585673428e-8,
                           6.12323399573676588614e-17};
    const double* C = f32 ? C32 : C64;
    Tmp t = b.tmp(W), c = b.tmp(W), u = b.tmp(W);
    b.copy(r(), x);
    for (int ci_i = 0; ci_i < 3; ++ci_i) {
      const double ci = C[ci_i];
      konst(c(), ci);
      fmul(b, f, t(), kf(), c());
      fadd(b, f, u(), r(), t(), true);
      b.copy(r(), u());
    }
  }
  Tmp z = b.tmp(W);
  fmul(b, f, z(), r(), r());
  // polynomial p(z) = ((c0 z + c1) z + c2) ... by Horner
  auto horner = [&](const Bits& out, const double* cs, int n) {
    Tmp acc = b.tmp(W), t = b.tmp(W), c = b.tmp(W);
    konst(acc(), cs[0]);
    for (int i = 1; i < n; ++i) {
      fmul(b, f, t(), acc(), z());
      konst(c(), cs[i]);
      fadd(b, f, acc(), t(), c(), false);
    }
    b.copy(out, acc());
  };
  Tmp sn = b.tmp(W), cs = b.tmp(W);
  {
    // sin r = r + r * z * P(z)
    static const double sp32[] = {-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1};
    static const double sp64[] = {1.58962301576546568060e-10, -2.50507477628578072866e-8,
                                  2.75573136213857245213e-6,  -1.98412698295895385996e-4,
                                  8.33333333332211858878e-3,  -1.66666666666666307295e-1};
    Tmp p = b.tmp(W), t = b.tmp(W);
    horner(p(), f32 ? sp32 : sp64, f32 ? 3 : 6);
    fmul(b, f, t(), p(), z());
    fmul(b, f, p(), t(), r());
    fadd(b, f, sn(), r(), p(), false);
  }
  {
    // cos r = 1 - z / 2 + z * z * Q(z)
    static const double cp32[] = {2.443315711809948e-5, -1.388731625493765e-3,
                                  4.166664568298827e-2};
    static const double cp64[] = {-1.13585365213876817300e-11, 2.08757008419747316778e-9,
                                  -2.75573141792967388112e-7,  2.48015872888517045348e-5,
                                  -1.38888888888730564116e-3,  4.16666666666665929218e-2};
    Tmp p = b.tmp(W), t = b.tmp(W), h = b.tmp(W);
    horner(p(), f32 ? cp32 : cp64, f32 ? 3 : 6);
    fmul(b, f, t(), p(), z());
    fmul(b, f, p(), t(), z());  // z^2 Q
    konst(h(), 0.5);
    fmul(b, f, t(), z(), h());  // z / 2
    konst(h(), 1.0);
    fadd(b, f, cs(), h(), t(), true);  // 1 - z/2
    b.copy(t(), cs());
    fadd(b, f, cs(), t(), p(), false);
  }
  // sin x = [s, c, -s, -c][q], cos x = [c, -s, -c, s][q]
  Tmp fl = b.tmp(2);
  const Bits swap = is_cos ? fl.bit(0) : q.bit(0);
  if (is_cos) b.notc(fl.bit(0), q.bit(0));
  b.mux1(o, swap, cs(), sn());
  // sign flip: sin: q1; cos: q1 ^ q0
  if (is_cos) b.xorc(fl.bit(1), q.bit(1), q.bit(0));
  else b.copy(fl.bit(1), q.bit(1));
  Tmp s = b.tmp(1);
  b.xorc(s(), o.top(), fl.bit(1));
  b.copy(o.top(), s());
}

}  // namespace ember::pim::mc
