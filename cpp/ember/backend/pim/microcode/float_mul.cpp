// IEEE-754 multiplication (round to nearest even, subnormal inputs and results, inf, NaN,
// signed zero). The subnormal significand (at most one matters) is normalized first and its shift
// folded into the exponent sum by a 3:2 compressor; the (M+1)x(M+1) product comes from a
// sequential carry-save multiplier; one right shifter with sticky does the normalization by the
// top bit and the shift of subnormal results; zero operands and inf / NaN operands are forced
// through the same packing (shift everything out / exponent all ones), so only NaN results are
// selected at the end. Shifter stages consume the broadcast condition as the mux terms (4 ops).
#include <algorithm>
#include <initializer_list>
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


// One stage of a shifter on true values: out = c ? (in shifted by s) : in for the one-bit
// condition c (right: out[i] = in[i + s], left: out[i] = in[i - s], vacated bits 0). The two
// broadcast copies of the condition are consumed as the mux terms, so a stage is the broadcast
// plus four ops: C = c, NC = ~c; C &= ~in (shifted); NC &= ~in; out = NOR(C, NC). A vacated bit
// leaves C = c, which gives 0 there for free. With sticky (right shifts), C[0] also ANDs in the
// complement of every bit shifted below bit 0 (one NOR per two bits), so out[0] becomes their OR.
// The result goes to dst pieces: dst[j] receives out[at[j] .. at[j] + dst[j].len).
struct Piece {
  Bits d;
  uint32_t at;
};
void shift_stage(Builder& b, std::initializer_list<Piece> dst, uint32_t n, const Bits& in,
                 const Bits& cond, uint32_t s, bool right, bool sticky) {
  const uint32_t ni = in.len;
  Tmp C = b.tmp(n), NC = b.tmp(n);
  b.bcast(C(), NC(), cond);
  if (right) {
    if (s < ni) b.g_not(C(0, std::min(n, ni - s)), in.sub(s, std::min(n, ni - s)));
    if (sticky)
      for (uint32_t j = 0; j < std::min(s, ni); j += 2) {
        if (j + 1 < std::min(s, ni)) b.g_nor(C.bit(0), in.bit(j), in.bit(j + 1));
        else b.g_not(C.bit(0), in.bit(j));
      }
  } else if (s < n) {
    b.g_not(C(s, n - s), in.sub(0, n - s));
  }
  b.g_not(NC(), in.sub(0, n));
  for (const Piece& pc : dst) {
    b.init(pc.d, true);
    b.g_nor(pc.d, C(pc.at, pc.d.len), NC(pc.at, pc.d.len));
  }
}

// Normalizes s (true value, n bits) left by its leading zeros into out; m.bit(k) = stage 2^k
// fired (so m = the shift, or all ones for s == 0).
void norm_left(Builder& b, const Bits& out, const Bits& s, const Bits& m) {
  // s is a work register (destroyed): it is the second ping-pong buffer.
  const uint32_t n = s.len;
  Tmp ba = b.tmp(n);
  Bits cur = s;
  bool use_a = true;
  for (int k = int(m.len) - 1; k >= 0; --k) {
    const uint32_t sh = 1u << k;
    if (sh >= n) {
      b.init(m.bit(uint32_t(k)), false);
      continue;
    }
    const Bits dst = k == 0 ? out : (use_a ? ba() : s);
    use_a = !use_a;
    is_zero(b, m.bit(uint32_t(k)), cur.sub(n - sh, sh), false);  // top sh bits all zero
    shift_stage(b, {Piece{dst, 0}}, n, cur, m.bit(uint32_t(k)), sh, false, false);
    cur = dst;
  }
}

// Full 3:2 compressor of E-bit values a, bb, c (zero-extended): sum -> S[0, E) (S[E, ..) = 0),
// carries -> CY[1, E + 1) (CY[0] and CY[E + 1, ..) are left to the caller, which sets them 0).
void compress3(Builder& b, const Bits& S, const Bits& CY, const Bits& a, const Bits& bb,
               const Bits& c) {
  const uint32_t E = a.len;
  Tmp t = b.tmp(E), u = b.tmp(E), v = b.tmp(E), X = b.tmp(E);
  b.norc(t(), a, bb);    // ~a & ~b
  b.norc(u(), a, t());   // ~a & b
  b.norc(v(), bb, t());  // a & ~b
  b.norc(X(), u(), v()); // xnor(a, b)
  // carry = maj(a, b, c) = NOR(~a & ~b, ~a & ~c, ~b & ~c)
  {
    Tmp tac = b.tmp(E), tbc = b.tmp(E);
    b.norc(tac(), a, c);
    b.norc(tbc(), bb, c);
    b.init(CY.sub(1, E), true);
    b.g_nor(CY.sub(1, E), t(), tac());
    b.g_not(CY.sub(1, E), tbc());
  }
  // sum = xnor(X, c) = a ^ b ^ c
  const Bits t2 = u(), u2 = v();
  b.norc(t2, X(), c);      // (a ^ b) & ~c
  b.norc(u2, X(), t2);     // (a ^ b) & c
  b.norc(t(), c, t2);      // ~(a ^ b) & ~c
  b.init(S, false);
  b.norc(S.sub(0, E), u2, t());
}

}  // namespace

void fmul(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y) {
  if (b.fast_float) {
    fmul_fast(b, f, o, x, y);
    return;
  }
  const uint32_t E = f.e, M = f.m, W = f.width(), n = W - 1, L = M + 1, EW = E + 3;
  uint32_t st = 0;  // normalization stages
  while ((1u << st) < L) ++st;
  uint32_t sa = 0;  // amount bits of the subnormal right shift (up to M + 3 positions matter)
  while ((1u << sa) < M + 3) ++sa;
  // Operand classes, x and y side by side: exponent zero / all ones, fraction zero.
  Tmp ez = b.tmp(2), eo = b.tmp(2), fz = b.tmp(2);
  and_reduce2(b, ez.bit(0), ez.bit(1), x.sub(M, E), y.sub(M, E), false);
  {
    Tmp nex = b.tmp(E), ney = b.tmp(E);
    b.notc(nex(), x.sub(M, E));
    b.notc(ney(), y.sub(M, E));
    and_reduce2(b, eo.bit(0), eo.bit(1), nex(), ney(), false);
  }
  and_reduce2(b, fz.bit(0), fz.bit(1), x.sub(0, M), y.sub(0, M), false);
  // flush: a zero operand or two subnormals (the product underflows to zero); inff: an inf or
  // NaN operand (forces the exponent to all ones); nan / nselx / nnansel pick the NaN result.
  Tmp g = b.tmp(12);
  const Bits flush = g.bit(0), nflush = g.bit(1), inff = g.bit(2), ninff = g.bit(3),
             hid = g.bit(4), nan = g.bit(5), nselx = g.bit(6), inv = g.bit(7), nnansel = g.bit(8);
  {
    Tmp nez = b.tmp(2), nfz = b.tmp(2), z = b.tmp(2), neo = b.tmp(2), na = b.tmp(2);
    b.notc(nez(), ez());
    b.notc(nfz(), fz());
    b.norc(z(), nez(), nfz());  // zx, zy
    b.norc(hid, ez.bit(0), ez.bit(1));  // hidden bit of the normalized operand p
    b.init(nflush, true);
    b.g_nor(nflush, z.bit(0), z.bit(1));
    {
      Tmp bs = b.tmp(1);
      b.norc(bs(), nez.bit(0), nez.bit(1));  // both subnormal (or zero)
      b.g_not(nflush, bs());
    }
    b.notc(flush, nflush);
    b.norc(ninff, eo.bit(0), eo.bit(1));
    b.notc(inff, ninff);
    b.notc(neo(), eo());
    b.norc(na(), neo(), fz());  // nanx, nany
    b.orc(nan, na.bit(0), na.bit(1));
    b.norc(nselx, na.bit(0), neo.bit(1));  // x is chosen when x is NaN or y is not inf / NaN
    Tmp t = b.tmp(2);
    b.norc(t.bit(0), ninff, nflush);  // inf x 0 (or NaN x 0)
    b.norc(nnansel, nan, t.bit(0));
    b.notc(t.bit(1), t.bit(0));
    b.norc(inv, t.bit(1), nan);       // inf x 0 without a NaN: default NaN (sign set)
  }
  // p = the operand to normalize (x when x is subnormal), q = the other one; if both are
  // subnormal the result is flushed anyway, so q's hidden bit is 1. Values are allocated late and
  // released early: float64 multiply must leave room for the values of sin / cos.
  std::unique_ptr<Tmp> S = std::make_unique<Tmp>(b.tmp(EW)), CY = std::make_unique<Tmp>(b.tmp(EW));
  std::unique_ptr<Tmp> nAp, sy = std::make_unique<Tmp>(b.tmp(L));
  {
    Tmp A = b.tmp(E), B = b.tmp(E), m = b.tmp(E);
    {
      Tmp s0 = b.tmp(L);
      {
        Tmp c = b.tmp(n), nc = b.tmp(n);
        b.bcast(c(), nc(), ez.bit(0));
        b.mux(s0(0, M), c(0, M), nc(0, M), x.sub(0, M), y.sub(0, M));
        b.mux((*sy)(0, M), c(0, M), nc(0, M), y.sub(0, M), x.sub(0, M));
        b.mux(A(), c(M, E), nc(M, E), x.sub(M, E), y.sub(M, E));
        b.mux(B(), c(M, E), nc(M, E), y.sub(M, E), x.sub(M, E));
      }
      b.norc(s0.bit(M), ez.bit(0), ez.bit(1));  // hidden bit of p
      b.init(sy->bit(M), true);
      Tmp sig = b.tmp(L);
      b.init(m(), false);
      norm_left(b, sig(), s0(), m(0, st));
      nAp = std::make_unique<Tmp>(b.tmp(L + 2));  // ~significand with two zero pad bits
      b.init((*nAp)(), true);
      b.g_not((*nAp)(0, L), sig());
    }
    // er = ep' + eq + (2^st - 1 - lz) - bias - (2^st - 1) + top with ep' = max(ep, 1) = ep + ezp:
    // one 3:2 compressor (ezp in its free carry bit 0), then the constant compressor and adder.
    Tmp nlz = b.tmp(E);
    b.init(nlz(), false);
    b.notc(nlz(0, st), m(0, st));
    b.init((*CY)(), false);
    compress3(b, (*S)(), (*CY)(), A(), B(), nlz());
    b.init(CY->bit(0), true);
    b.g_not(CY->bit(0), hid);
  }
  // V = [sticky, P[M-1], P[M], P[M+1 .. 2M+1]] (M + 4 bits; top = P[2M+1])
  const uint32_t nr = M + 3;
  std::unique_ptr<Tmp> V = std::make_unique<Tmp>(b.tmp(M + 4));
  {
    Tmp nst = b.tmp(1);
    umul_full(b, (*V)(3, L), (*V)(1, 2), nst(), (*nAp)(), (*sy)());
    b.notc(V->bit(0), nst());
  }
  nAp.reset();
  sy.reset();
  Tmp er = b.tmp(EW);
  add3_const(b, er(), (*S)(), (*CY)(), uint64_t(-int64_t(f.bias() + (1u << st) - 1)), V->bit(M + 3));
  S.reset();
  CY.reset();
  Tmp ner = b.tmp(EW);
  b.notc(ner(), er());
  Tmp h = b.tmp(4);
  const Bits nneg = ner.top(), le0 = h.bit(0), big = h.bit(1), ovf = h.bit(2), negf = h.bit(3);
  {
    Tmp z = b.tmp(2);
    is_zero(b, z.bit(0), er(), false);
    b.orc(le0, z.bit(0), er.top());
    b.orc(le0, le0, flush);
    // big: ~er >= 2^sa (er < -2^sa): more than enough to shift everything out
    all_ones(b, z.bit(1), er(sa, EW - sa), false);
    b.norc(big, nneg, z.bit(1));
    b.orc(big, big, flush);
    b.orc(negf, er.top(), flush);
  }
  {
    // ovf: er >= 2^E - 1 (exponent all ones), or an inf / NaN operand
    Tmp t = b.tmp(3);
    is_zero(b, t.bit(0), er(E, EW - E - 1), true);
    all_ones(b, t.bit(1), er(0, E), false);
    b.norc(t.bit(2), t.bit(0), t.bit(1));
    b.norc(ovf, t.bit(2), er.top());
    b.orc(ovf, ovf, inff);
  }
  // Right shift of V: by top, then, when er <= 0, by 1 - er = 1 + 1 + ~er: a stage of 1 (le0),
  // a stage of 1 (er < 0), then ~er (gated by er < 0, all ones when big).
  Tmp cond = b.tmp(sa);
  {
    Tmp w = b.tmp(sa), nnegf = b.tmp(1);
    b.notc(nnegf(), negf);
    for (uint32_t k = 0; k < sa; ++k) {
      b.norc(w.bit(k), ner.bit(k), big);        // er_k & ~big
      b.norc(cond.bit(k), nnegf(), w.bit(k));   // negf & (~er_k | big)
    }
  }
  Tmp mag0 = b.tmp(n), gs = b.tmp(2);  // gs = [sticky, guard]
  {
    Tmp R = b.tmp(nr);
    shift_stage(b, {Piece{R(), 0}}, nr, (*V)(), V->bit(M + 3), 1, true, true);
    shift_stage(b, {Piece{(*V)(0, nr), 0}}, nr, R(), le0, 1, true, true);
    shift_stage(b, {Piece{R(), 0}}, nr, (*V)(0, nr), negf, 1, true, true);
    bool inR = true;
    for (uint32_t k = 0; k < sa; ++k) {
      const Bits cur = inR ? R() : (*V)(0, nr), dst = inR ? (*V)(0, nr) : R();
      if (k + 1 == sa)
        shift_stage(b, {Piece{gs(), 0}, Piece{mag0(0, M), 2}}, nr, cur, cond.bit(k), 1u << k,
                    true, true);
      else
        shift_stage(b, {Piece{dst, 0}}, nr, cur, cond.bit(k), 1u << k, true, true);
      inR = !inR;
    }
  }
  V.reset();
  std::unique_ptr<Tmp> res;
  // exponent field: all ones on overflow, 0 when er <= 0, else er; fraction and guard 0 on
  // overflow (exactly inf before rounding)
  {
    Tmp co = b.tmp(M), cz = b.tmp(E);
    b.bcast(co(), Bits{}, ovf);
    b.bcast(cz(), Bits{}, le0);
    b.g_not(mag0(0, M), co());
    b.g_not(gs.bit(1), co.bit(0));
    Tmp u = b.tmp(E);
    b.norc(u(), er(0, E), co(0, E));
    b.norc(mag0(M, E), u(), cz());
  }
  {
    Tmp t = b.tmp(3);
    b.norc(t.bit(0), gs.bit(0), mag0.bit(0));
    b.notc(t.bit(1), gs.bit(1));
    b.norc(t.bit(2), t.bit(1), t.bit(0));  // round up = guard & (sticky | lsb)
    res = std::make_unique<Tmp>(b.tmp(W));
    increment(b, (*res)(0, n), mag0(), t.bit(2));
  }
  b.xorc(res->bit(n), x.top(), y.top());
  // NaN results: the quieted NaN operand (x first), inf x 0 -> default NaN (sign set)
  Tmp qv = b.tmp(W);
  b.mux1(qv(), nselx, y, x);
  b.init(qv.bit(M - 1), true);
  {
    Tmp t = b.tmp(1);
    b.norc(t(), qv.top(), inv);
    b.notc(qv.top(), t());
  }
  b.mux1(o, nnansel, (*res)(), qv());
}

}  // namespace ember::pim::mc
