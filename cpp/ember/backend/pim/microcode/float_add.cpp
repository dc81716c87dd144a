// IEEE-754 addition / subtraction (round to nearest even, subnormals, inf, NaN, signed zero).
// Algorithm (AritPIM-style, bit-parallel across partitions): order the operands by magnitude,
// align the smaller significand with a sticky right shift, add or subtract, normalize left with a
// subnormal barrier, round and pack; specials are selected at the end.
#include <memory>

#include "float_common.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {
uint32_t stages_for(uint32_t n) {  // smallest s with 2^s >= n
  uint32_t s = 0;
  while ((1u << s) < n) ++s;
  return s;
}
}  // namespace

void fadd(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool subtract) {
  const uint32_t E = f.e, M = f.m, W = f.width(), n = W - 1, K = M + 4;
  const Bits mx = x.sub(0, n), my = y.sub(0, n);
  // one-bit flags in one register
  Tmp fl = b.tmp(16);
  const Bits syp = subtract ? fl.bit(0) : y.top(), swap = fl.bit(1), sA = fl.bit(2), esub = fl.bit(3), zA = fl.bit(4),
             zB = fl.bit(5), big = fl.bit(6), sz = fl.bit(7), guard = fl.bit(8),
             sticky = fl.bit(9), zs = fl.bit(10);
  if (subtract) b.notc(syp, y.top());
  less(b, swap, mx, my, false, false);
  b.mux1(sA, swap, syp, x.top());
  b.xorc(esub, x.top(), syp);

  Tmp eAp = b.tmp(E);
  std::unique_ptr<Tmp> Sp_;
  auto sigA = std::make_unique<Tmp>(b.tmp(K + 1));
  auto sigB = std::make_unique<Tmp>(b.tmp(K + 1));
  {
    Tmp d = b.tmp(E), bs = b.tmp(K);
    {
      Tmp A = b.tmp(n), B = b.tmp(n);
      {
        Tmp c = b.tmp(n), nc = b.tmp(n);
        b.bcast(c(), nc(), swap);
        b.mux(A(), c(), nc(), my, mx);
        b.mux(B(), c(), nc(), mx, my);
      }
      is_zero(b, zA, A(M, E), false);
      is_zero(b, zB, B(M, E), false);
      // effective exponents max(e, 1)
      Tmp eBp = b.tmp(E);
      b.copy(eAp(), A(M, E));
      b.orc(eAp.bit(0), A.bit(M), zA);
      b.copy(eBp(), B(M, E));
      b.orc(eBp.bit(0), B.bit(M), zB);
      sub(b, d(), eAp(), eBp());
      // significands: [0,3) guard/round/sticky, [3, M+3) fraction, M+3 hidden, M+4 carry
      b.init((*sigA)(), false);
      b.copy((*sigA)(3, M), A(0, M));
      b.notc(sigA->bit(M + 3), zA);
      b.init(bs(), false);
      b.copy(bs(3, M), B(0, M));
      b.notc(bs.bit(M + 3), zB);
    }
    // align: shift right by min(d, 2^s - 1) with sticky
    const uint32_t s = stages_for(K + 1);
    Tmp dc = b.tmp(s);
    if (s < E) {
      is_zero(b, big, d(s, E - s), true);
      Tmp bb = b.tmp(s);
      b.bcast(bb(), Bits{}, big);
      b.orc(dc(), d(0, s), bb());
    } else {
      b.copy(dc(), d(0, s));
    }
    b.init(sigB->bit(K), false);
    shift_right_sticky(b, (*sigB)(0, K), bs(), dc());
  }
  // add or subtract magnitudes: S = esub ? A - B : A + B (never negative), computed as
  // S = esub ^ ((esub ^ A) + B) with the conditional complements done by muxes.
  const bool lean = K + 1 > b.partitions();  // multi-register values: keep fewer live
  Sp_ = std::make_unique<Tmp>(b.tmp(K + 1));
  const Bits S_ = (*Sp_)();
  {
    auto c = std::make_unique<Tmp>(b.tmp(K + 1));
    auto nc = std::make_unique<Tmp>(b.tmp(K + 1));
    b.bcast((*c)(), (*nc)(), esub);
    Tmp Ap = b.tmp(K + 1), nAp = b.tmp(K + 1);
    {
      Tmp nA = b.tmp(K + 1);
      b.notc(nA(), (*sigA)());
      b.mux(Ap(), (*c)(), (*nc)(), nA(), (*sigA)());
      b.mux(nAp(), (*c)(), (*nc)(), (*sigA)(), nA());
    }
    sigA.reset();
    if (lean) c.reset(), nc.reset();
    {
      Tmp nB = b.tmp(K + 1);
      b.notc(nB(), (*sigB)());
      if (lean) add_core_lean(b, S_, Ap(), nAp(), (*sigB)(), nB());
      else add_core(b, S_, Ap(), nAp(), (*sigB)(), nB(), false);
    }
    sigB.reset();
    if (lean) {
      c = std::make_unique<Tmp>(b.tmp(K + 1));
      nc = std::make_unique<Tmp>(b.tmp(K + 1));
      b.bcast((*c)(), (*nc)(), esub);
    }
    Tmp nS = b.tmp(K + 1);
    b.notc(nS(), S_);
    b.g_nor(S_, (*c)(), (*c)());  // keep S where esub = 0, clear where 1 ...
    b.g_not(nS(), (*nc)());         // ... and take ~S where esub = 1
    Tmp t = b.tmp(K + 1);
    b.norc(t(), S_, nS());
    b.notc(S_, t());
  }
  is_zero(b, sz, S_, false);
  std::unique_ptr<Tmp> mag0u;
  {
    const uint32_t ms = stages_for(K + 1);
    Tmp m = b.tmp(E + 1);
    std::unique_ptr<Tmp> U;
    if (!b.fast_float) {
      U = std::make_unique<Tmp>(b.tmp(K + 1));
      {
        const uint32_t s = stages_for(K + 1);
        Tmp T = b.tmp(K + 1);
        // T = ones >> eAp (in place, one stage per bit: few registers)
        b.init(T(), true);
        for (uint32_t k = 0; k < s; ++k) {
          const uint32_t sh = 1u << k;
          Tmp c = b.tmp(K + 1), nc = b.tmp(K + 1);
          b.bcast(c(), nc(), eAp.bit(k));
          if (sh >= K + 1) {
            b.g_not(T(), c());
          } else {
            const uint32_t m = K + 1 - sh;
            b.mux(T(0, m), c(0, m), nc(0, m), T(sh, m), T(0, m));
            b.g_not(T(m, sh), c(0, sh));
          }
        }
        if (s < E) {
          Tmp bg = b.tmp(1);
          is_zero(b, bg(), eAp(s, E - s), true);
          Tmp bb = b.tmp(K + 1);
          b.bcast(bb(), Bits{}, bg());
          b.g_not(T(), bb());
        }
        b.orc((*U)(), S_, T());
      }
    }
    // Normalize: leading one to bit K, at most eAp positions (S and U are consumed).
    Tmp Sn = b.tmp(K + 1);
    b.init(m(), false);
    normalize_left(b, Sn(), S_, U ? (*U)() : Bits{}, m(0, ms));
    Sp_.reset();
    U.reset();
    mag0u = std::make_unique<Tmp>(b.tmp(n));
    const Bits mag0 = (*mag0u)();
    // exponent field = eAp - m + hidden
    if (!b.fast_float) {
      Tmp Xe = b.tmp(E);
      sub(b, Xe(), eAp(), m(0, E));
      increment(b, mag0.sub(M, E), Xe(), Sn.bit(K));
    } else {
      // no subnormal barrier: the field may underflow; flush it to zero
      Tmp e1 = b.tmp(E + 1), Xe = b.tmp(E + 1), F = b.tmp(E + 1);
      b.init(e1.bit(E), false);
      b.copy(e1(0, E), eAp());
      sub(b, Xe(), e1(), m());
      increment(b, F(), Xe(), Sn.bit(K));
      b.copy(mag0.sub(M, E), F(0, E));
      Tmp z = b.tmp(1);
      is_zero(b, z(), F(), false);
      b.orc(big, z(), F.bit(E));  // underflow flag (reuses the flag bit)
      b.orc(zs, sz, big);
      b.copy(sz, zs);
    }
    b.copy(mag0.sub(0, M), Sn(4, M));
    b.copy(guard, Sn.bit(3));
    is_zero(b, sticky, Sn(0, 3), true);
  }
  Tmp res = b.tmp(W);
  round_pack(b, f, res(0, n), (*mag0u)(), guard, sticky);
  mag0u.reset();
  // zero result: +0, or -0 when both operands are negative zeros (x + y with equal signs)
  {
    Tmp c = b.tmp(n);
    b.bcast(c(), Bits{}, sz);
    b.g_not(res(0, n), c());
    b.andc(zs, x.top(), syp);
    b.mux1(res.bit(n), sz, zs, sA);
  }
  if (b.fast_float) {
    b.copy(o, res());
    return;
  }
  // Specials: an operand with an all-ones exponent (inf or NaN).
  {
    Tmp g = b.tmp(8);
    const Bits ex = g.bit(0), ey = g.bit(1), spec = g.bit(2), nanx = g.bit(3), nany = g.bit(4),
               inv = g.bit(5), nan = g.bit(6);
    all_ones(b, ex, x.sub(M, E), false);
    all_ones(b, ey, y.sub(M, E), false);
    b.orc(spec, ex, ey);
    {
      Tmp fz = b.tmp(2);
      is_zero(b, fz.bit(0), x.sub(0, M), true);
      is_zero(b, fz.bit(1), y.sub(0, M), true);
      b.andc(nanx, ex, fz.bit(0));
      b.andc(nany, ey, fz.bit(1));
    }
    b.orc(nan, nanx, nany);
    // invalid: inf - inf (both exponents all ones, no NaN, effective subtraction)
    {
      Tmp t = b.tmp(2);
      b.andc(t.bit(0), ex, ey);
      b.andc(t.bit(1), t.bit(0), esub);
      b.notc(t.bit(0), nan);
      b.andc(inv, t.bit(1), t.bit(0));
    }
    // v = inv ? default NaN : inf with sign sA
    Tmp v = b.tmp(W);
    b.set_const(v(0, n), ((uint64_t(1) << E) - 1) << M);
    b.copy(v.bit(M - 1), inv);
    b.orc(v.bit(n), inv, sA);
    // q = quiet(nanx ? x : y)
    Tmp q = b.tmp(W);
    b.mux1(q(), nanx, x, y);
    b.init(q.bit(M - 1), true);
    Tmp sp = b.tmp(W);
    b.mux1(sp(), nan, q(), v());
    b.mux1(o, spec, sp(), res());
  }
}

}  // namespace ember::pim::mc
