// IEEE-754 square root, correctly rounded (round to nearest even): normalized significand,
// digit-by-digit (restoring) square root giving M+3 root bits plus a remainder sticky, then the
// shared packing. sqrt(-0) = -0, sqrt(+inf) = +inf, negative -> default NaN, NaN -> quiet NaN.
#include <memory>

#include "float_common.h"
#include "int_arith.h"

namespace ember::pim::mc {

void fsqrt(Builder& b, FloatFormat f, const Bits& o, const Bits& x) {
  const uint32_t E = f.e, M = f.m, W = f.width(), n = W - 1, L = M + 1, EW = E + 3;
  const uint32_t WR = M + 6, QB = M + 3;
  Tmp fl = b.tmp(4);
  const Bits odd = fl.bit(0), rnz = fl.bit(1);
  auto erp = std::make_unique<Tmp>(b.tmp(EW));
  auto Q = std::make_unique<Tmp>(b.tmp(QB));
  {
    Tmp A = b.tmp(L + 1), e = b.tmp(EW);
    {
      Tmp sig = b.tmp(L);
      unpack_norm(b, f, sig(), e(), x);
      // t = e - bias is odd when e is even: radicand doubled
      b.notc(odd, e.bit(0));
      Tmp c = b.tmp(L + 1), nc = b.tmp(L + 1), s1 = b.tmp(L + 1);
      b.init(s1.bit(0), false);
      b.copy(s1(1, L), sig());
      b.init(A.top(), false);
      b.copy(A(0, L), sig());
      b.bcast(c(), nc(), odd);
      b.mux(A(), c(), nc(), s1(), A());
      // er = (e + bias) >> 1
      Tmp t = b.tmp(EW);
      add_const(b, t(), e(), f.bias());
      b.copy((*erp)(0, EW - 1), t(1, EW - 1));
      b.copy(erp->bit(EW - 1), t.bit(EW - 1));
    }
    // digit pairs of S = A << (M + 4), from the top: pair i = A[M - 2i .. M + 2 - 2i)
    auto pair_bit = [&](uint32_t i, uint32_t k) -> int {  // bit k (0 low, 1 high) of pair i
      const int pos = int(M) - 2 * int(i) + int(k);
      return pos >= 0 && pos <= int(L) ? pos : -1;
    };
    Tmp Ra = b.tmp(WR), Rb = b.tmp(WR), QTa = b.tmp(WR), QTb = b.tmp(WR);
    Bits R[2] = {Ra(), Rb()}, QT[2] = {QTa(), QTb()};
    b.init(R[0], false);
    for (uint32_t k = 0; k < 2; ++k) {
      const int p = pair_bit(0, k);
      if (p >= 0) b.copy(R[0].bit(k), A.bit(uint32_t(p)));
    }
    b.init(QT[0], false);
    b.init(QT[0].bit(0), true);  // T = 4q + 1 with q = 0
    int cur = 0;
    for (uint32_t i = 0; i < QB; ++i) {
      const Bits D = R[1 - cur];
      Tmp borrow = b.tmp(1), nT = b.tmp(WR);
      const Bits bw = borrow();
      b.notc(nT(), QT[cur]);
      b.notc(D, R[cur]);
      add_core(b, D, D, R[cur], QT[cur], nT(), true, &bw);  // D = R - T
      // q bit = ~borrow
      b.notc(Q->bit(QB - 1 - i), bw);
      Tmp c = b.tmp(WR), nc = b.tmp(WR);
      b.bcast(nc(), c(), bw);  // c = ge
      if (i + 1 < QB) {
        // next R = (ge ? D : R) << 2 | next pair
        b.mux(D.sub(2, WR - 2), c(0, WR - 2), nc(0, WR - 2), D.sub(0, WR - 2),
              R[cur].sub(0, WR - 2));
        for (uint32_t k = 0; k < 2; ++k) {
          const int p = pair_bit(i + 1, k);
          if (p >= 0) b.copy(D.bit(k), A.bit(uint32_t(p)));
          else b.init(D.bit(k), false);
        }
        // next T = 4 (2q + ge) + 1
        const Bits Tn = QT[1 - cur];
        b.init(Tn, false);
        b.init(Tn.bit(0), true);
        b.copy(Tn.sub(3, WR - 3), QT[cur].sub(2, WR - 3));
        b.notc(Tn.bit(2), bw);
      } else {
        b.mux(D, c(), nc(), D, R[cur]);
        is_zero(b, rnz, D, true);
      }
      cur = 1 - cur;
    }
  }
  auto Pc = std::make_unique<Tmp>(b.tmp(M + 3));
  b.copy((*Pc)(1, M + 2), (*Q)(1, M + 2));
  b.orc(Pc->bit(0), Q->bit(0), rnz);
  Q.reset();
  Tmp res = b.tmp(W);
  pack_er(b, f, res(0, n), (*erp)(), *Pc);
  Pc.reset();
  erp.reset();
  b.init(res.bit(n), false);
  // Specials: NaN -> quiet; +-0 -> itself; +inf -> +inf; negative -> default NaN
  Tmp g = b.tmp(8);
  const Bits nan = g.bit(0), z = g.bit(1), e1 = g.bit(2), neg = g.bit(3), inv = g.bit(4),
             keep = g.bit(5), spec = g.bit(6);
  isnan_bit(b, f, nan, x, false);
  is_zero(b, z, x.sub(0, n), false);
  all_ones(b, e1, x.sub(M, E), false);
  {
    Tmp t = b.tmp(2);
    b.notc(t.bit(0), z);
    b.andc(neg, x.top(), t.bit(0));  // negative and nonzero
    b.notc(t.bit(1), nan);
    b.andc(inv, neg, t.bit(1));      // negative, not NaN
    b.orc(keep, z, e1);              // zero or inf/NaN: x itself (quieted)
    b.orc(spec, keep, inv);
  }
  Tmp v = b.tmp(W), q = b.tmp(W);
  b.copy(q(), x);
  {
    Tmp t = b.tmp(1);
    b.orc(t(), q.bit(M - 1), nan);
    b.copy(q.bit(M - 1), t());
  }
  b.set_const(v(), default_nan(f));
  Tmp sp = b.tmp(W);
  b.mux1(sp(), inv, v(), q());
  b.mux1(o, spec, sp(), res());
}

}  // namespace ember::pim::mc
