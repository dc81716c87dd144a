// log, log2, log10, log1p (float32; Cephes logf / log2f / log10f, Moshier):
//   x = 2^e m with the significand normalized by integer microcode (subnormals included) and
//   m in [sqrt(1/2), sqrt(2)) (e + 1 when the fraction is at or above sqrt(2)'s), t = m - 1 exact;
//   log(1 + t) = t - t^2 / 2 + t^3 P(t), and e ln2 (log2e, log10 2) added in two parts (the large
//   part short, so e * it is exact) in the order of size. Specials by selection: NaN quieted,
//   x < 0 (including -inf) the default NaN, +-0 -inf, +inf +inf.
// log1p(x) = log(u) x / (u - 1) with u = 1 + x (u - 1 is exact; Goldberg's correction), x when
//   u == 1, +inf when u == +inf.
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "float_common.h"
#include "float_math.h"
#include "immediate.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {

constexpr double kLogP[] = {7.0376836292E-2,  -1.1514610310E-1, 1.1676998740E-1,
                            -1.2420140846E-1, 1.4249322787E-1,  -1.6668057665E-1,
                            2.0000714765E-1,  -2.4999993993E-1, 3.3333331174E-1};

}  // namespace

void flog(Builder& b, FloatFormat f, const Bits& o, const Bits& x, LogKind kind) {
  const uint32_t W = f.width(), M = f.m, E = f.e;
  if (E != 8) throw std::invalid_argument("pim: log microcode is float32 only");
  // The finite result goes straight to o (o never overlaps x); the specials replace it at the end.
  {
  Tmp t = b.tmp(W), ei = b.tmp(10);  // t = m - 1, ei = e (unbiased, signed)
  {
    Tmp sig = b.tmp(M + 1), e = b.tmp(10), g = b.tmp(1);
    unpack_norm(b, f, sig(), e(), x);  // x = 1.sig 2^(e - bias)
    {
      Tmp k = b.tmp(M);
      b.set_const(k(), 0x3504F3);  // the fraction of sqrt(2) in float32
      less(b, g(), sig(0, M), k(), false, true);
    }
    {
      Tmp m = b.tmp(W);
      b.copy(m(0, M), sig(0, M));
      b.set_const(m(M, E + 1), f.bias());  // exponent field bias - g, sign 0
      b.notc(m.bit(M), g());
      fop_const(b, f, t(), m(), 's', 1.0);
    }
    Tmp eu = b.tmp(10);
    add_const(b, eu(), e(), (1u << 10) - f.bias());
    increment(b, ei(), eu(), g());
  }
  Tmp y = b.tmp(W), z = b.tmp(W);
  fmul(b, f, z(), t(), t());
  auto p = std::make_unique<Tmp>(b.tmp(W));
  fhorner(b, f, (*p)(), t(), kLogP, 9);
  Tmp fe = b.tmp(W);
  emit_float_cast(b, DType::I16, DType::F32, fe(), ei());  // 10-bit signed -> float
  {
    Tmp u = b.tmp(W);
    if (kind == LogKind::Log) {  // y = P t z + C2 e - z / 2
      fmul(b, f, u(), (*p)(), t());
      fmul(b, f, y(), u(), z());
      fop_const(b, f, u(), fe(), 'm', -2.12194440e-4);
      fadd(b, f, (*p)(), y(), u(), false);
    } else {  // y = t (z P) - z / 2
      fmul(b, f, u(), z(), (*p)());
      fmul(b, f, (*p)(), t(), u());
    }
    fscale(b, f, u(), z(), -1, true);  // -z / 2
    fadd(b, f, y(), (*p)(), u(), false);
  }
  p.reset();
  const Bits r = o;
  {
    Tmp u = b.tmp(W), v = b.tmp(W);
    if (kind == LogKind::Log) {
      fadd(b, f, u(), t(), y(), false);
      fop_const(b, f, v(), fe(), 'm', 0.693359375);
      fadd(b, f, r, u(), v(), false);
    } else if (kind == LogKind::Log2) {
      constexpr double L = 0.44269504088896340736;  // log2(e) - 1
      fop_const(b, f, u(), y(), 'm', L);
      fop_const(b, f, v(), t(), 'm', L);
      fadd(b, f, z(), u(), v(), false);
      fadd(b, f, u(), z(), y(), false);
      fadd(b, f, v(), u(), t(), false);
      fadd(b, f, r, v(), fe(), false);
    } else {
      constexpr double L10EA = 4.3359375E-1, L10EB = 7.00731903251827651129E-4;
      constexpr double L102A = 3.0078125E-1, L102B = 2.48745663981195213739E-4;
      fadd(b, f, u(), t(), y(), false);
      fop_const(b, f, z(), u(), 'm', L10EB);
      fop_const(b, f, u(), y(), 'm', L10EA);
      fadd(b, f, v(), z(), u(), false);
      fop_const(b, f, u(), t(), 'm', L10EA);
      fadd(b, f, z(), v(), u(), false);
      fop_const(b, f, u(), fe(), 'm', L102B);
      fadd(b, f, v(), z(), u(), false);
      fop_const(b, f, u(), fe(), 'm', L102A);
      fadd(b, f, r, v(), u(), false);
    }
  }
  }
  // specials: spec = exponent all ones | sign | zero
  Tmp fl = b.tmp(4);
  const Bits nan = fl.bit(0), zero = fl.bit(1), spec = fl.bit(2), eon = fl.bit(3);
  isnan_bit(b, f, nan, x, false);
  is_zero(b, zero, x.sub(0, W - 1), false);
  all_ones(b, eon, x.sub(M, E), false);
  {
    Tmp s1 = b.tmp(1);
    b.orc(s1(), eon, zero);
    b.orc(spec, s1(), x.top());
  }
  Tmp sv = b.tmp(W);
  {
    Tmp a = b.tmp(W), c = b.tmp(W), d = b.tmp(W);
    b.set_const(a(), default_nan(f));
    b.set_const(c(), fbits(f, INFINITY));
    b.mux1(d(), x.top(), a(), c());
    b.set_const(a(), fbits(f, -INFINITY));
    b.mux1(sv(), zero, a(), d());
  }
  select_special(b, f, o, spec, nan, nan, x, x, sv(), o);
}

void flog1p(Builder& b, FloatFormat f, const Bits& o, const Bits& x) {
  const uint32_t W = f.width();
  Tmp u = b.tmp(W), q = b.tmp(W), fl = b.tmp(2);
  fop_const(b, f, u(), x, 'a', 1.0);
  {
    Tmp d = b.tmp(W);
    fop_const(b, f, d(), u(), 's', 1.0);
    fdiv(b, f, q(), x, d());
  }
  {
    Tmp k = b.tmp(W);
    b.set_const(k(), fbits(f, 1.0));
    equal(b, fl.bit(0), u(), k(), false);
    b.set_const(k(), fbits(f, INFINITY));
    equal(b, fl.bit(1), u(), k(), false);
  }
  Tmp l = b.tmp(W);
  flog(b, f, l(), u(), LogKind::Log);
  fmul(b, f, o, l(), q());
  b.mux1(l(), fl.bit(1), u(), o);
  b.mux1(o, fl.bit(0), x, l());
}

}  // namespace ember::pim::mc
