// exp, exp2, expm1 (float32; Cephes expf / exp2f reduction and polynomials, Moshier):
//   x is clamped to the range where the result is neither 0 nor inf for sure, k = rint(x log2 e)
//   (exp2: rint(x)) by the 1.5 * 2^M "magic number" addition, whose low significand bits are k;
//   r = x - k ln2 by Cody-Waite (ln2 = C1 + C2, k C1 exact) or r = x - k (exp2, exact);
//   exp(r) = 1 + r + r^2 Q(r) on |r| <= ln2 / 2; exp2(r) = 1 + r P(r) on |r| <= 1/2;
//   the result is scaled by 2^k as two multiplies by normal powers of two 2^k1 2^k2 (k1 = k >> 1),
//   built on the exponent field by integer microcode: the last multiply rounds once, also into the
//   subnormal range, and overflows to inf. NaN passes through the macros (quieted).
// expm1 keeps em = r + r^2 Q(r) apart: k <= 0: em 2^k + (2^k - 1); k >= 1: (em + (1 - 2^-k)) 2^k,
// one formula ((em + A) 2^k1) 2^k2 + B with A or B = -0, so it is accurate near 0 (k = 0 gives em
// itself) and does not overflow early (k = 128).
#include <cstdint>
#include <memory>
#include <stdexcept>

#include "float_common.h"
#include "float_math.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {

constexpr double kLog2e = 1.44269504088896341;
constexpr double kC1 = 0.693359375, kC2 = -2.12194440e-4;  // C1 + C2 = ln 2, C1 has 9 bits
constexpr double kExpQ[] = {1.9875691500E-4, 1.3981999507E-3, 8.3334519073E-3,
                            4.1665795894E-2, 1.6666665459E-1, 5.0000001201E-1};
constexpr double kExp2P[] = {1.535336188319500E-4, 1.339887440266574E-3, 9.618437357674640E-3,
                             5.550332471162809E-2, 2.402264791363012E-1, 6.931472028550421E-1};

// o = 2^j (or 2^-j) as a float, for an 8-bit signed j with 2^j normal.
void pow2(Builder& b, FloatFormat f, const Bits& o, const Bits& j, bool negate) {
  b.init(o, false);
  if (!negate) {
    add_const(b, o.sub(f.m, f.e), j, f.bias());
  } else {
    Tmp n = b.tmp(f.e);
    neg(b, n(), j);
    add_const(b, o.sub(f.m, f.e), n(), f.bias());
  }
}

}  // namespace

void fexp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, ExpKind kind) {
  // Register economy: values are allocated late and released early (unique_ptr), so the peak
  // is a few values plus one float macro's scratch.
  const uint32_t W = f.width(), M = f.m;
  if (f.e != 8) throw std::invalid_argument("pim: exp microcode is float32 only");
  Tmp k = b.tmp(9);
  auto r = std::make_unique<Tmp>(b.tmp(W));
  {
    auto xc = std::make_unique<Tmp>(b.tmp(W));
    if (kind == ExpKind::Exp2) fclamp(b, f, (*xc)(), x, -150.0, 128.0);
    else fclamp(b, f, (*xc)(), x, -104.0, 89.0);  // k in [-150, 128]
    Tmp kf = b.tmp(W);
    {
      Tmp t = b.tmp(W), s = b.tmp(W);
      if (kind == ExpKind::Exp2) b.copy(t(), (*xc)());
      else fop_const(b, f, t(), (*xc)(), 'm', kLog2e);
      const double magic = 1.5 * double(uint64_t(1) << M);
      fop_const(b, f, s(), t(), 'a', magic);
      b.copy(k(), s(0, 9));  // k mod 2^9, |k| <= 150
      fop_const(b, f, kf(), s(), 's', magic);
    }
    if (kind == ExpKind::Exp2) {
      fadd(b, f, (*r)(), (*xc)(), kf(), true);
    } else {
      Tmp t = b.tmp(W), u = b.tmp(W);
      fop_const(b, f, t(), kf(), 'm', kC1);
      fadd(b, f, u(), (*xc)(), t(), true);  // exact (Sterbenz)
      xc.reset();
      fop_const(b, f, t(), kf(), 'm', kC2);
      fadd(b, f, (*r)(), u(), t(), true);
    }
  }
  // em = exp(r) - 1
  Tmp em = b.tmp(W);
  {
    Tmp q = b.tmp(W);
    if (kind == ExpKind::Exp2) {
      fhorner(b, f, q(), (*r)(), kExp2P, 6);
      fmul(b, f, em(), q(), (*r)());
    } else {
      fhorner(b, f, q(), (*r)(), kExpQ, 6);
      Tmp t = b.tmp(W), u = b.tmp(W);
      fmul(b, f, t(), (*r)(), (*r)());
      fmul(b, f, u(), q(), t());
      fadd(b, f, em(), u(), (*r)(), false);
    }
  }
  r.reset();
  // 2^k = 2^k1 2^k2, k1 = k >> 1, k2 = k - k1, both in [-75, 64]
  Tmp k1 = b.tmp(8), k2 = b.tmp(8), p1 = b.tmp(W), p2 = b.tmp(W);
  b.copy(k1(), k(1, 8));
  {
    Tmp d = b.tmp(8);
    sub(b, d(), k(0, 8), k1());
    b.copy(k2(), d());
  }
  pow2(b, f, p1(), k1(), false);
  pow2(b, f, p2(), k2(), false);
  auto em_a = std::make_unique<Tmp>(b.tmp(W));  // em + A, A = exp: 1; expm1: k >= 1: 1 - 2^-k, else -0
  std::unique_ptr<Tmp> c;                        // expm1: B = k >= 1: -0, else 2^k - 1
  if (kind != ExpKind::Expm1) {
    fop_const(b, f, (*em_a)(), em(), 'a', 1.0);
  } else {
    // 2^j as a float from the 9-bit field j (2^-k: j = bias - k, 2^k: j = bias + k), or 0 when
    // j < 0: the only cases it matters for are exact that way (k >= 127: 1 - 2^-k rounds to 1;
    // k <= -127: 2^k - 1 rounds to -1).
    auto pw = [&](const Bits& out, bool minus_k) {
      Tmp j = b.tmp(9), t = b.tmp(9);
      if (minus_k) {
        neg(b, t(), k());
        add_const(b, j(), t(), f.bias());
      } else {
        add_const(b, j(), k(), f.bias());
      }
      b.init(out, false);
      Tmp nb = b.tmp(8);
      b.bcast(nb(), Bits{}, j.top());
      b.notc(t(0, 8), j(0, 8));
      b.init(out.sub(M, 8), true);
      b.g_nor(out.sub(M, 8), t(0, 8), nb());  // j & ~sign = ~(~j | sign)
    };
    Tmp pos = b.tmp(1), mz = b.tmp(W);
    {
      Tmp nz = b.tmp(1), nn = b.tmp(1);
      is_zero(b, nz(), k(), true);
      b.notc(nn(), k.top());
      b.andc(pos(), nz(), nn());  // k >= 1
    }
    fconst(b, f, mz(), -0.0);
    c = std::make_unique<Tmp>(b.tmp(W));
    {
      Tmp t = b.tmp(W), u = b.tmp(W);
      pw(t(), false);
      fop_const(b, f, u(), t(), 's', 1.0);  // 2^k - 1
      b.mux1((*c)(), pos(), mz(), u());
      pw(t(), true);
      Tmp one = b.tmp(W);
      fconst(b, f, one(), 1.0);
      fadd(b, f, u(), one(), t(), true);  // 1 - 2^-k
      b.mux1(t(), pos(), u(), mz());
      fadd(b, f, (*em_a)(), em(), t(), false);
    }
  }
  {
    Tmp u = b.tmp(W);
    fmul(b, f, u(), (*em_a)(), p1());
    if (kind != ExpKind::Expm1) {
      fmul(b, f, o, u(), p2());
      return;
    }
    fmul(b, f, (*em_a)(), u(), p2());
    fadd(b, f, o, (*em_a)(), (*c)(), false);
  }
  // expm1(+-0) = +-0 (the sums above give +0 for -0)
  Tmp z = b.tmp(1);
  is_zero(b, z(), x.sub(0, W - 1), false);
  b.mux1(o, z(), x, o);
}

}  // namespace ember::pim::mc
