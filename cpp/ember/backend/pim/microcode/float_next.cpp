// nextafter (float32 and float64, bit arithmetic on the magnitude) and logaddexp / logaddexp2
// (float32, from the exp / log1p microcode), with C99 / NumPy semantics:
//   nextafter(x, y): NaN in gives the quieted NaN operand (y's when both are NaN, as NumPy); x == y
//     gives y (so nextafter(0, -0) = -0); x = +-0 gives the smallest subnormal with y's sign;
//     otherwise the magnitude steps by one unit away from zero when x moves away from zero
//     ((x < y) != sign(x)), else toward it: the largest finite steps to inf, the smallest
//     subnormal to +-0, inf back to the largest finite - all by the integer carry.
//   logaddexp(x, y) as npy_logaddexp: x == y gives x + ln 2 (also +-inf); else with d = x - y,
//     max(x, y) + log1p(exp(-|d|)); d NaN (a NaN operand) gives d. logaddexp2 the same in base 2
//     (x + 1; log1p(exp2(-|d|)) log2(e)).
#include <cmath>

#include "float_common.h"
#include "float_math.h"
#include "int_arith.h"

namespace ember::pim::mc {

void fnextafter(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y) {
  const uint32_t W = f.width(), n = W - 1;
  Tmp fl = b.tmp(6);
  const Bits up = fl.bit(0), eq = fl.bit(1), nx = fl.bit(2), ny = fl.bit(3), away = fl.bit(4),
             zx = fl.bit(5);
  fless(b, f, up, x, y, false);
  fequal(b, f, eq, x, y, false);
  isnan2(b, f, nx, ny, x, y);
  b.xorc(away, up, x.top());  // x > 0 moving up, or x < 0 moving down
  is_zero(b, zx, x.sub(0, n), false);
  {
    Tmp m1 = b.tmp(n), m2 = b.tmp(n);
    {
      Tmp one = b.tmp(1);
      b.init(one(), true);
      increment(b, m1(), x.sub(0, n), one());
    }
    add_const(b, m2(), x.sub(0, n), (uint64_t(1) << n) - 1);  // - 1 mod 2^n
    b.mux1(o.sub(0, n), away, m1(), m2());
  }
  b.copy(o.top(), x.top());
  {
    Tmp t = b.tmp(W);  // x == 0: the smallest subnormal, signed like y
    b.init(t(), false);
    b.init(t.bit(0), true);
    b.copy(t.top(), y.top());
    Tmp u = b.tmp(W);
    b.mux1(u(), zx, t(), o);
    b.mux1(t(), eq, y, u());
    Tmp nan = b.tmp(2);
    b.orc(nan.bit(0), nx, ny);
    b.notc(nan.bit(1), ny);  // both NaN: y's (NumPy on glibc, measured)
    select_special(b, f, o, nan.bit(0), nan.bit(0), nan.bit(1), x, y, t(), t());
  }
}

void flogaddexp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool base2) {
  // Register economy (exp and log1p need most of a row): o holds -|d|, then log1p(exp(-|d|));
  // d itself is not kept (its sign and NaN-ness are flags; a NaN result is the quieted NaN
  // operand, as x - y gives, since inf - inf happens only when x == y).
  const uint32_t W = f.width();
  constexpr double kLog2e = 1.44269504088896340736;
  Tmp fl = b.tmp(4);
  const Bits eq = fl.bit(0), nx = fl.bit(1), ny = fl.bit(2), dneg = fl.bit(3);
  fequal(b, f, eq, x, y, false);
  isnan2(b, f, nx, ny, x, y);
  fadd(b, f, o, x, y, true);
  b.copy(dneg, o.top());
  b.init(o.top(), true);  // -|d|
  {
    Tmp e = b.tmp(W);
    fexp(b, f, e(), o, base2 ? ExpKind::Exp2 : ExpKind::Exp);
    flog1p(b, f, o, e());
  }
  Tmp m = b.tmp(W), t = b.tmp(W);
  if (base2) {
    fop_const(b, f, t(), o, 'm', kLog2e);
    b.copy(o, t());
  }
  b.mux1(m(), dneg, y, x);  // d > 0: x, else y (d = 0 only when x == y)
  fadd(b, f, t(), m(), o, false);
  fop_const(b, f, m(), x, 'a', base2 ? 1.0 : 0.693147180559945309417);
  b.mux1(o, eq, m(), t());  // x == y first: inf + inf gives inf, not inf - inf
  Tmp nan = b.tmp(1);
  b.orc(nan(), nx, ny);
  b.copy(t(), o);
  select_special(b, f, o, nan(), nan(), nx, x, y, t(), t());
}

}  // namespace ember::pim::mc
