// IEEE-754 multiplication (round to nearest even, subnormal inputs and results, inf, NaN,
// signed zero). Subnormal significands are normalized first, the (M+1)x(M+1) product comes from a
// sequential carry-save multiplier, then one normalization step, a sticky right shift for
// subnormal results, rounding and packing; specials are selected at the end.
#include <memory>

#include "float_common.h"
#include "int_arith.h"
#include "int_muldiv.h"

namespace ember::pim::mc {

namespace {

// PyPIM-semantics multiply: normal or zero inputs, results below the normal range flushed to
// zero, no inf / NaN handling.
void fmul_fast(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y) {
  const uint32_t E = f.e, M = f.m, W = f.width(), n = W - 1, L = M + 1, EW = E + 2;
  Tmp fl = b.tmp(8);
  const Bits top = fl.bit(0), guard = fl.bit(1), sticky = fl.bit(2), zero = fl.bit(3),
             z2 = fl.bit(4), sgn = fl.bit(5);
  b.xorc(sgn, x.top(), y.top());  // the output is written only at the end
  std::unique_ptr<Tmp> mag0p;
  {
    Tmp er = b.tmp(EW);
    {
      Tmp hi = b.tmp(L), lt = b.tmp(3);
      const Bits lo1 = lt.bit(0), lo0 = lt.bit(1), nst = lt.bit(2);
      {
        Tmp nsx = b.tmp(L + 2), sy = b.tmp(L);  // ~significand with two zero pad bits
        b.init(nsx(), true);
        b.g_not(nsx(0, M), x.sub(0, M));
        b.init(nsx.bit(M), false);  // hidden bit 1
        b.copy(sy(0, M), y.sub(0, M));
        b.init(sy.bit(M), true);
        umul_full(b, hi(), lt(0, 2), nst, nsx(), sy());
      }
      b.copy(top, hi.bit(L - 1));
      {
        Tmp ex = b.tmp(EW), ey = b.tmp(EW);
        b.init(ex(E, EW - E), false);
        b.copy(ex(0, E), x.sub(M, E));
        b.init(ey(E, EW - E), false);
        b.copy(ey(0, E), y.sub(M, E));
        add3_const(b, er(), ex(), ey(), uint64_t(-int64_t(f.bias())), top);
      }
      mag0p = std::make_unique<Tmp>(b.tmp(n));
      const Tmp& mag0 = *mag0p;
      Tmp c = b.tmp(M), nc = b.tmp(M);
      b.bcast(c(), nc(), top);
      b.mux(mag0(1, M - 1), c(0, M - 1), nc(0, M - 1), hi(1, M - 1), hi(0, M - 1));
      b.mux(mag0.bit(0), c.bit(0), nc.bit(0), hi.bit(0), lo0);
      b.mux(guard, c.bit(0), nc.bit(0), lo0, lo1);
      Tmp st = b.tmp(2);
      b.notc(st.bit(0), nst);
      b.orc(st.bit(1), st.bit(0), lo1);
      b.mux(sticky, c.bit(0), nc.bit(0), st.bit(1), st.bit(0));
    }
    b.copy((*mag0p)(M, E), er(0, E));
    // flush: a zero operand or er <= 0
    Tmp t = b.tmp(4);
    is_zero(b, t.bit(0), x.sub(M, E), false);
    is_zero(b, t.bit(1), y.sub(M, E), false);
    is_zero(b, t.bit(2), er(), false);
    b.orc(t.bit(3), t.bit(0), t.bit(1));
    b.orc(zero, t.bit(2), er.bit(EW - 1));
    b.orc(z2, zero, t.bit(3));
  }
  Tmp res = b.tmp(n);
  round_pack(b, f, res(), (*mag0p)(), guard, sticky);
  mag0p.reset();
  Tmp c = b.tmp(n);
  b.bcast(c(), Bits{}, z2);
  b.g_not(res(), c());
  b.copy(o.sub(0, n), res());
  b.copy(o.top(), sgn);
}

}  // namespace

void fmul(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y) {
  if (b.fast_float) {
    fmul_fast(b, f, o, x, y);
    return;
  }
  const uint32_t E = f.e, M = f.m, W = f.width(), n = W - 1, L = M + 1, EW = E + 3;
  Tmp fl = b.tmp(16);
  const Bits sgn = fl.bit(0), top = fl.bit(1);
  b.xorc(sgn, x.top(), y.top());
  // Exponent sum and compressed product [sticky, guard, fraction, leading]
  std::unique_ptr<Tmp> erp, Pcp;
  Tmp fl3 = b.tmp(3);
  const Bits subx = fl3.bit(0), bothsub = fl3.bit(1), suby = fl3.bit(2);
  is_zero(b, subx, x.sub(M, E), false);
  is_zero(b, suby, y.sub(M, E), false);
  b.andc(bothsub, subx, suby);
  {
    // P = hi:lo (2L bits); only lo's top two bits are kept, the rest is folded into a sticky
    Tmp ex = b.tmp(EW), ey = b.tmp(EW), lt = b.tmp(3);
    const Bits lo1 = lt.bit(0), lo0 = lt.bit(1), nst = lt.bit(2);  // lo[M-1], lo[M], ~OR(lo[0..M-1))
    std::unique_ptr<Tmp> hip;
    {
      // Only one significand can need normalizing: if both operands are subnormal the product
      // underflows to zero (handled with the specials). Normalize p = (x subnormal ? x : y); the
      // other one, q, is taken as is. Values are allocated late and released early: float64
      // multiply must leave room for the values of sin / cos.
      Tmp sy = b.tmp(L);
      std::unique_ptr<Tmp> nsxp;
      {
        Tmp p = b.tmp(n), qe = b.tmp(E);
        {
          Tmp c = b.tmp(n), nc = b.tmp(n);
          b.bcast(c(), nc(), subx);
          b.mux(p(), c(), nc(), x.sub(0, n), y.sub(0, n));
          // q = the other operand: fraction straight into sy, exponent into qe
          b.mux(sy(0, M), c(0, M), nc(0, M), y.sub(0, M), x.sub(0, M));
          b.mux(qe(), c(M, E), nc(M, E), y.sub(M, E), x.sub(M, E));
        }
        {
          Tmp sp = b.tmp(L);
          unpack_norm(b, f, sp(), ex(), p());
          nsxp = std::make_unique<Tmp>(b.tmp(L + 2));  // ~significand with two zero pad bits
          b.init((*nsxp)(), true);
          b.g_not((*nsxp)(0, L), sp());
        }
        Tmp qz = b.tmp(1);
        is_zero(b, qz(), qe(), false);
        b.notc(sy.bit(M), qz());
        b.init(ey(), false);
        b.copy(ey(0, E), qe());
        b.orc(ey.bit(0), qe.bit(0), qz());
      }
      hip = std::make_unique<Tmp>(b.tmp(L));
      umul_full(b, (*hip)(), lt(0, 2), nst, (*nsxp)(), sy());
    }
    const Tmp& hi = *hip;
    // er = ex + ey - bias (for a leading one at bit 2M, i.e. top == 0) + top
    erp = std::make_unique<Tmp>(b.tmp(EW));
    Pcp = std::make_unique<Tmp>(b.tmp(M + 3));
    const Tmp& er = *erp;
    const Tmp& Pc = *Pcp;
    b.copy(top, hi.bit(L - 1));
    add3_const(b, er(), ex(), ey(), uint64_t(-int64_t(f.bias())), top);
    // Pc = [sticky, guard, fraction, leading] from P[M .. 2M+1] (top) or P[M-1 .. 2M] (not top)
    Tmp c = b.tmp(M), nc = b.tmp(M);
    b.bcast(c(), nc(), top);
    b.mux(Pc(3, M), c(), nc(), hi(1, M), hi(0, M));
    b.mux(Pc.bit(2), c.bit(0), nc.bit(0), hi.bit(0), lo0);
    b.mux(Pc.bit(1), c.bit(0), nc.bit(0), lo0, lo1);
    Tmp st = b.tmp(2);
    b.notc(st.bit(0), nst);                  // OR(P[0..M-1))
    b.orc(st.bit(1), st.bit(0), lo1);        // OR(P[0..M))
    b.mux(Pc.bit(0), c.bit(0), nc.bit(0), st.bit(1), st.bit(0));
  }
  Tmp res = b.tmp(W);
  pack_er(b, f, res(0, n), (*erp)(), *Pcp);
  Pcp.reset();
  erp.reset();
  b.copy(res.bit(n), sgn);
  // Specials
  {
    Tmp g = b.tmp(12);
    const Bits ex1 = g.bit(0), ey1 = g.bit(1), zx = g.bit(2), zy = g.bit(3), nanx = g.bit(4),
               nany = g.bit(5), infx = g.bit(6), infy = g.bit(7), inv = g.bit(8),
               nan = g.bit(9), spec = g.bit(10), big = g.bit(11);
    // one pass over exponents and fractions: all-ones exponents, zero fractions; zero operands
    // are a zero exponent (subx / suby from the start) with a zero fraction
    {
      Tmp nex = b.tmp(E), ney = b.tmp(E);
      b.notc(nex(), x.sub(M, E));
      b.notc(ney(), y.sub(M, E));
      and_reduce2(b, ex1, ey1, nex(), ney(), false);
    }
    Tmp fz = b.tmp(2);
    and_reduce2(b, fz.bit(0), fz.bit(1), x.sub(0, M), y.sub(0, M), false);
    b.andc(zx, subx, fz.bit(0));
    b.andc(zy, suby, fz.bit(1));
    {
      Tmp t = b.tmp(2);
      b.notc(t.bit(0), fz.bit(0));
      b.andc(nanx, ex1, t.bit(0));
      b.andc(infx, ex1, fz.bit(0));
      b.notc(t.bit(1), fz.bit(1));
      b.andc(nany, ey1, t.bit(1));
      b.andc(infy, ey1, fz.bit(1));
    }
    b.orc(nan, nanx, nany);
    {
      Tmp t = b.tmp(4);
      b.andc(t.bit(0), infx, zy);
      b.andc(t.bit(1), infy, zx);
      b.orc(inv, t.bit(0), t.bit(1));
      b.orc(t.bit(2), ex1, ey1);
      b.orc(t.bit(3), zx, zy);
      b.orc(t.bit(3), t.bit(3), bothsub);  // both subnormal: the product underflows to zero
      b.orc(spec, t.bit(2), t.bit(3));
      b.orc(big, t.bit(2), inv);  // result exponent all ones (inf or NaN)
    }
    // v: inv -> default NaN; inf -> signed inf; zero -> signed zero
    Tmp v = b.tmp(W);
    b.init(v(0, M), false);
    b.copy(v.bit(M - 1), inv);
    b.bcast(v(M, E), Bits{}, big);
    b.orc(v.bit(n), inv, sgn);
    select_special(b, f, o, spec, nan, nanx, x, y, v(), res());
  }
}

}  // namespace ember::pim::mc
