// sin / cos from the float macros: Cody-Waite reduction by pi/2 (the quadrant comes from the
// low bits of a round-to-integer done with the 1.5 * 2^M "magic number" addition), then minimax
// polynomials on [-pi/4, pi/4] (Cephes coefficients), quadrant selection and sign. Accurate to a
// few ulp for |x| up to about 2^15 (float32) or 2^28 (float64); NaN and inf give NaN.
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>

#include "float_common.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {

uint64_t cbits(FloatFormat f, double v) {
  return f.e == 8 ? uint64_t(std::bit_cast<uint32_t>(float(v))) : std::bit_cast<uint64_t>(v);
}

}  // namespace

void ftrig(Builder& b, FloatFormat f, const Bits& o, const Bits& x, bool is_cos) {
  // Register economy (float64 on PyPIM's 32 registers): besides x and o at most three or four
  // values are live around a float macro; o holds kf during the reduction and r afterwards.
  // sin and cos of r share one polynomial evaluation: the quadrant selects per element
  //   V = A + (R(z) * z) * B,  sin: A = B = r, R = P;  cos: A = 1 - z/2, B = z, R = Q,
  // with the coefficients of R chosen per element (a mux of two constants).
  const uint32_t W = f.width(), M = f.m;
  const bool f32 = f.e == 8;
  auto konst = [&](const Bits& t, double v) { b.set_const(t, cbits(f, v)); };
  Tmp q = b.tmp(4);  // quadrant bits, swap, sign flip
  const Bits swap = q.bit(2), flip = q.bit(3);
  {
    // kf = round(x * 2/pi) via (x * 2/pi + 1.5 * 2^M) - 1.5 * 2^M; quadrant = low bits of the sum
    auto t = std::make_unique<Tmp>(b.tmp(W));
    {
      Tmp c = b.tmp(W);
      konst(c(), 0.63661977236758134308);
      fmul(b, f, (*t)(), x, c());
    }
    Tmp m = b.tmp(W);
    konst(m(), 1.5 * std::ldexp(1.0, int(M)));
    Tmp s = b.tmp(W);
    fadd(b, f, s(), (*t)(), m(), false);
    t.reset();
    b.copy(q(0, 2), s(0, 2));
    fadd(b, f, o, s(), m(), true);  // kf, kept in o
  }
  // sin x = [s, c, -s, -c][q], cos x = [c, -s, -c, s][q]
  if (is_cos) {
    b.notc(swap, q.bit(0));
    b.xorc(flip, q.bit(1), q.bit(0));
  } else {
    b.copy(swap, q.bit(0));
    b.copy(flip, q.bit(1));
  }
  // r = x - kf * C1 - kf * C2 - kf * C3 (C1 + C2 + C3 = pi/2, C1 and C2 short)
  const double C32[3] = {1.5703125, 4.837512969970703125e-4, 7.549789948768648e-8};
  const double C64[3] = {1.570796310901641845703125, 1.589325471229585673428e-8,
                         6.12323399573676588614e-17};
  const double* C = f32 ? C32 : C64;
  auto r = std::make_unique<Tmp>(b.tmp(W));
  for (int i = 0; i < 3; ++i) {
    auto t = std::make_unique<Tmp>(b.tmp(W));
    {
      Tmp c = b.tmp(W);
      konst(c(), C[i]);
      fmul(b, f, (*t)(), o, c());
    }
    if (i == 0) {
      fadd(b, f, (*r)(), x, (*t)(), true);
    } else {
      auto u = std::make_unique<Tmp>(b.tmp(W));
      fadd(b, f, (*u)(), (*r)(), (*t)(), true);
      t.reset();
      r = std::move(u);
    }
  }
  auto z = std::make_unique<Tmp>(b.tmp(W));
  fmul(b, f, (*z)(), (*r)(), (*r)());
  b.copy(o, (*r)());  // o = r from here on
  r.reset();
  // coefficients: R = swap ? Q : P (Cephes minimax on [-pi/4, pi/4])
  static const double sp32[] = {-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1};
  static const double sp64[] = {1.58962301576546568060e-10, -2.50507477628578072866e-8,
                                2.75573136213857245213e-6,  -1.98412698295895385996e-4,
                                8.33333333332211858878e-3,  -1.66666666666666307295e-1};
  static const double cp32[] = {2.443315711809948e-5, -1.388731625493765e-3,
                                4.166664568298827e-2};
  static const double cp64[] = {-1.13585365213876817300e-11, 2.08757008419747316778e-9,
                                -2.75573141792967388112e-7,  2.48015872888517045348e-5,
                                -1.38888888888730564116e-3,  4.16666666666665929218e-2};
  const double* sp = f32 ? sp32 : sp64;
  const double* cp = f32 ? cp32 : cp64;
  const int nc = f32 ? 3 : 6;
  auto ksel = [&](const Bits& t, int i) {  // t = swap ? cp[i] : sp[i]
    Tmp ka = b.tmp(W), kb = b.tmp(W), c = b.tmp(W), ncb = b.tmp(W);
    konst(ka(), cp[i]);
    konst(kb(), sp[i]);
    b.bcast(c(), ncb(), swap);
    b.mux(t, c(), ncb(), ka(), kb());
  };
  auto acc = std::make_unique<Tmp>(b.tmp(W));
  ksel((*acc)(), 0);
  for (int i = 1; i < nc; ++i) {
    auto t = std::make_unique<Tmp>(b.tmp(W));
    fmul(b, f, (*t)(), (*acc)(), (*z)());
    acc.reset();
    Tmp c = b.tmp(W);
    ksel(c(), i);
    acc = std::make_unique<Tmp>(b.tmp(W));
    fadd(b, f, (*acc)(), (*t)(), c(), false);
  }
  auto t = std::make_unique<Tmp>(b.tmp(W));
  fmul(b, f, (*t)(), (*acc)(), (*z)());  // R * z
  acc.reset();
  // B = swap ? z : r, in o (for sin B is r, which A needs too)
  b.mux1(o, swap, (*z)(), o);
  // z / 2 in place by an exponent decrement (exact for z >= 2^-1021 (float64) / 2^-125; below,
  // z / 2 is 0 here, and 1 - z / 2 rounds to 1 either way, as with a multiply by 0.5)
  {
    const uint32_t E = f.e;
    Tmp e = b.tmp(E), small = b.tmp(2);
    add_const(b, e(), (*z)(M, E), (uint64_t(1) << E) - 1);  // exponent - 1
    {
      Tmp k = b.tmp(E);
      b.set_const(k(), 2);
      less(b, small.bit(0), (*z)(M, E), k(), false, false);  // field < 2
    }
    b.copy((*z)(M, E), e());
    Tmp c = b.tmp(W);
    b.bcast(c(), Bits{}, small.bit(0));
    b.g_not((*z)(), c());
  }
  // A = swap ? 1 - z / 2 : r (= B)
  auto A = std::make_unique<Tmp>(b.tmp(W));
  {
    Tmp one = b.tmp(W);
    konst(one(), 1.0);
    fadd(b, f, (*A)(), one(), (*z)(), true);
  }
  z.reset();
  b.mux1((*A)(), swap, (*A)(), o);
  {
    auto u = std::make_unique<Tmp>(b.tmp(W));
    fmul(b, f, (*u)(), (*t)(), o);  // (R * z) * B
    t.reset();
    fadd(b, f, o, (*A)(), (*u)(), false);
  }
  Tmp s = b.tmp(1);
  b.xorc(s(), o.top(), flip);
  b.copy(o.top(), s());
}

}  // namespace ember::pim::mc
