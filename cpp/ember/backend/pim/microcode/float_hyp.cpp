// tanh, sinh, cosh (float32) from expm1, so that they are accurate near 0, on a = |x|:
//   tanh a = em / (em + 2) with em = expm1(2 min(a, 10)) (tanh 10 rounds to 1);
//   with E = expm1(a / 2), F = E + E / (E + 1) = 2 sinh(a / 2), G = E + 1 + 1 / (E + 1) = 2 cosh(a / 2):
//   sinh a = (F / 2) G, cosh a = 1 + (F / 2) F, for a <= 90 (above, both overflow anyway).
// The sign of x is put back on tanh and sinh; |x| < 2^-12 gives x itself (tanh, sinh), so signed
// zeros and subnormals come back exactly. NaN passes through the macros.
#include <cmath>
#include <cstdint>
#include <memory>

#include "float_common.h"
#include "float_math.h"
#include "immediate.h"
#include "int_arith.h"

namespace ember::pim::mc {

void fhyp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, HypKind kind) {
  // The result is built in o (o never overlaps x); values are released as soon as they are dead
  // (register economy: expm1 inside needs most of the scratch).
  const uint32_t W = f.width();
  Tmp small = b.tmp(1);
  auto c = std::make_unique<Tmp>(b.tmp(W));
  {
    Tmp a = b.tmp(W), k = b.tmp(W);
    b.copy(a(0, W - 1), x.sub(0, W - 1));
    b.init(a.top(), false);
    b.set_const(k(), fbits(f, std::ldexp(1.0, -12)));
    less(b, small(), a(), k(), false, false);  // |x| < 2^-12 (false for NaN)
    fclamp(b, f, (*c)(), a(), 0.0, kind == HypKind::Tanh ? 10.0 : 90.0);
  }
  if (kind == HypKind::Tanh) {
    Tmp d = b.tmp(W);
    fscale(b, f, d(), (*c)(), 1, false);
    c.reset();
    Tmp em = b.tmp(W);
    fexp(b, f, em(), d(), ExpKind::Expm1);
    fop_const(b, f, d(), em(), 'a', 2.0);
    fdiv(b, f, o, em(), d());
  } else {
    Tmp e = b.tmp(W);
    {
      Tmp h = b.tmp(W);
      fscale(b, f, h(), (*c)(), -1, false);
      c.reset();
      fexp(b, f, e(), h(), ExpKind::Expm1);
    }
    Tmp F = b.tmp(W);
    auto e1 = std::make_unique<Tmp>(b.tmp(W));
    fop_const(b, f, (*e1)(), e(), 'a', 1.0);
    {
      Tmp q = b.tmp(W);
      fdiv(b, f, q(), e(), (*e1)());
      fadd(b, f, F(), e(), q(), false);  // 2 sinh(a / 2)
    }
    std::unique_ptr<Tmp> G;
    if (kind == HypKind::Sinh) {
      G = std::make_unique<Tmp>(b.tmp(W));
      Tmp q = b.tmp(W), one = b.tmp(W);
      fconst(b, f, one(), 1.0);
      fdiv(b, f, q(), one(), (*e1)());
      fadd(b, f, (*G)(), (*e1)(), q(), false);  // 2 cosh(a / 2)
    }
    e1.reset();
    fscale(b, f, e(), F(), -1, false);  // F / 2
    if (kind == HypKind::Cosh) {
      Tmp t = b.tmp(W);
      fmul(b, f, t(), e(), F());
      fop_const(b, f, o, t(), 'a', 1.0);
      return;
    }
    fmul(b, f, o, e(), (*G)());
  }
  // the sign of x; tiny |x| gives x
  b.copy(o.top(), x.top());
  b.mux1(o, small(), x, o);
}

}  // namespace ember::pim::mc
