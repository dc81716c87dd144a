// IEEE-754 division (round to nearest even, subnormals, inf, NaN, signed zero): normalized
// significands, restoring division producing M+3 quotient bits plus a remainder sticky, then the
// shared packing (subnormal shift, rounding, overflow); specials selected at the end.
#include <memory>

#include "float_common.h"
#include "int_arith.h"

namespace ember::pim::mc {

void fdiv(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y) {
  const uint32_t E = f.e, M = f.m, W = f.width(), n = W - 1, L = M + 1, EW = E + 3, QB = M + 3;
  Tmp fl = b.tmp(4);
  const Bits sgn = fl.bit(0), q0 = fl.bit(1), rnz = fl.bit(2);
  b.xorc(sgn, x.top(), y.top());
  auto erp = std::make_unique<Tmp>(b.tmp(EW));
  std::unique_ptr<Tmp> Q;
  {
    Tmp ex = b.tmp(EW), ey = b.tmp(EW), Y = b.tmp(L + 1), Ra = b.tmp(L + 1), T = b.tmp(2);
    unpack_norm(b, f, Ra(0, L), ex(), x);
    b.init(Ra.top(), false);
    unpack_norm(b, f, Y(0, L), ey(), y);
    b.init(Y.top(), false);
    Tmp nY = b.tmp(L + 1), Rb = b.tmp(L + 1);
    Q = std::make_unique<Tmp>(b.tmp(QB));  // quotient bits, Q[QB-1] first
    Bits R[2] = {Ra(), Rb()}, Tt[2] = {T.bit(0), T.bit(1)};
    b.notc(nY(), Y());
    b.init(Tt[0], false);
    int cur = 0;
    for (uint32_t i = 0; i < QB; ++i) {
      const Bits D = R[1 - cur];
      {
        Tmp borrow = b.tmp(1);
        b.notc(D, R[cur]);
        const Bits bw = borrow();
        add_core(b, D, D, R[cur], Y(), nY(), true, &bw);  // D = R - Y
        b.g_not(bw, Tt[cur]);                             // ~ge = borrow & ~T
        b.notc(Q->bit(QB - 1 - i), bw);
        Tmp c = b.tmp(L + 1), nc = b.tmp(L + 1);
        b.bcast(nc(), c(), bw);  // c = ge
        if (i + 1 < QB) {
          // next R = (ge ? D : R) << 1, next T = its bit L
          b.mux(Tt[1 - cur], c.bit(0), nc.bit(0), D.top(), R[cur].top());
          b.mux(D.sub(1, L), c(0, L), nc(0, L), D.sub(0, L), R[cur].sub(0, L));
          b.init(D.bit(0), false);
        } else {
          b.mux(D, c(), nc(), D, R[cur]);
          is_zero(b, rnz, D, true);  // remainder != 0
        }
      }
      cur = 1 - cur;
    }
    // er = ex - ey + bias - 1 + q0 (leading quotient bit at QB-1 when q0, else at QB-2)
    b.copy(q0, Q->bit(QB - 1));
    Tmp t = b.tmp(EW), u = b.tmp(EW);
    sub(b, t(), ex(), ey());
    add_const(b, u(), t(), f.bias() - 1);
    increment(b, (*erp)(), u(), q0);
  }
  auto Pc = std::make_unique<Tmp>(b.tmp(M + 3));
  {
    // q0: lead Q[M+2], frac Q[2..M+2), guard Q[1], sticky Q[0] | rnz
    // else: lead Q[M+1], frac Q[1..M+1), guard Q[0], sticky rnz
    Tmp c = b.tmp(M + 2), nc = b.tmp(M + 2);
    b.bcast(c(), nc(), q0);
    b.mux((*Pc)(1, M + 2), c(), nc(), (*Q)(1, M + 2), (*Q)(0, M + 2));
    Tmp st = b.tmp(1);
    b.orc(st(), Q->bit(0), rnz);
    b.mux(Pc->bit(0), c.bit(0), nc.bit(0), st(), rnz);
  }
  Q.reset();
  Tmp res = b.tmp(W);
  pack_er(b, f, res(0, n), (*erp)(), *Pc);
  Pc.reset();
  erp.reset();
  b.copy(res.bit(n), sgn);
  // Specials
  {
    Tmp g = b.tmp(12);
    const Bits ex1 = g.bit(0), ey1 = g.bit(1), zx = g.bit(2), zy = g.bit(3), nanx = g.bit(4),
               nany = g.bit(5), infx = g.bit(6), infy = g.bit(7), inv = g.bit(8),
               nan = g.bit(9), spec = g.bit(10), big = g.bit(11);
    all_ones(b, ex1, x.sub(M, E), false);
    all_ones(b, ey1, y.sub(M, E), false);
    is_zero(b, zx, x.sub(0, n), false);
    is_zero(b, zy, y.sub(0, n), false);
    isnan2(b, f, nanx, nany, x, y);
    {
      Tmp t = b.tmp(2);
      b.notc(t.bit(0), nanx);
      b.andc(infx, ex1, t.bit(0));
      b.notc(t.bit(1), nany);
      b.andc(infy, ey1, t.bit(1));
    }
    b.orc(nan, nanx, nany);
    {
      Tmp t = b.tmp(4);
      b.andc(t.bit(0), infx, infy);
      b.andc(t.bit(1), zx, zy);
      b.orc(inv, t.bit(0), t.bit(1));
      // inf result: inf / finite or finite nonzero / 0
      b.orc(t.bit(2), infx, zy);
      b.orc(big, t.bit(2), inv);
      // zero result: 0 / y or x / inf
      b.orc(t.bit(3), zx, infy);
      b.orc(spec, t.bit(3), big);
      b.orc(spec, spec, ex1);
      b.orc(spec, spec, ey1);
    }
    Tmp v = b.tmp(W);
    b.init(v(0, M), false);
    b.copy(v.bit(M - 1), inv);
    b.bcast(v(M, E), Bits{}, big);
    b.orc(v.bit(n), inv, sgn);
    select_special(b, f, o, spec, nan, nanx, x, y, v(), res());
  }
}

}  // namespace ember::pim::mc
