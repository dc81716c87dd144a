#include "int_muldiv.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "int_arith.h"

namespace ember::pim::mc {

namespace {
// (s, c) = full adder of a, b, c over a range; writes sum into s and carry into cy.
void full_add(Builder& b, const Bits& s, const Bits& cy, const Bits& x, const Bits& y,
              const Bits& z) {
  // s = x ^ y ^ z; cy = majority, shifted: cy[i] = maj(bit i) for i < cy.len. s may alias x and
  // cy may alias y at an offset: the inputs are fully consumed before either is written.
  const uint32_t n = s.len;
  Tmp t1 = b.tmp(n), t2 = b.tmp(n), t3 = b.tmp(n), t4 = b.tmp(n);
  b.norc(t1(), x, y);
  b.norc(t2(), x, t1());
  b.norc(t3(), y, t1());
  Tmp xn = b.tmp(n);
  b.norc(xn(), t2(), t3());  // xnor(x, y)
  b.norc(t4(), xn(), z);
  b.norc(t2(), xn(), t4());
  b.norc(t3(), z, t4());
  if (cy.len) b.norc(cy, t1(0, cy.len), t4(0, cy.len));  // majority
  b.norc(s, t2(), t3());  // x ^ y ^ z
}
}  // namespace

void mul_low(Builder& b, const Bits& o, const Bits& x, const Bits& y) {
  // Carry-save shift-and-add: S + C holds the running sum; step k adds (x << k) & y[k] to the
  // columns k .. n-1 with a full adder written in place (C[i] = carry into column i).
  const uint32_t n = o.len;
  Tmp nx = b.tmp(n), ny = b.tmp(n);
  b.notc(nx(), x);
  b.notc(ny(), y);
  Tmp S = b.tmp(n), C = b.tmp(n);
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t m = n - k;  // partial product bits k .. n-1
    Tmp nyk = b.tmp(m);
    b.bcast(nyk(), Bits{}, ny.bit(k));
    if (k == 0) {
      b.norc(S(), nx(), nyk());  // x & y[0]
      b.init(C(), false);
      continue;
    }
    Tmp pp = b.tmp(m);
    b.norc(pp(), nx(0, m), nyk());  // x[i-k] & y[k] at bit i
    full_add(b, S(k, m), m > 1 ? C(k + 1, m - 1) : Bits{}, S(k, m), C(k, m), pp());
    b.init(C.bit(k), false);
  }
  add(b, o, S(), C());
}

void umul_full(Builder& b, const Bits& hi, const Bits& lo_top, const Bits& nsticky,
               const Bits& nAp, const Bits& y) {
  // Columns: the accumulator (S, ~C) in frame k holds columns k .. k+na of the running sum, one
  // zero pad column on top (its sum bit is the 0 that enters S's top when S shifts down, so no
  // per-step INIT is needed). nAp = ~a with two 1 (zero) pad bits above a.
  const uint32_t na = nAp.len - 2, nb = y.len, keep = lo_top.len, w = na + 1;
  const uint32_t P = b.partitions();
  // The product bits below lo_top go to a register (one NOR each into a register initialised
  // once) and are reduced to the sticky at the end when they fit in one register; otherwise each
  // is folded into the sticky as it comes (one register fewer).
  const uint32_t nlow = nb > keep ? nb - keep : 0;
  const bool low_reg = nlow > 1 && nlow <= P;
  std::unique_ptr<Tmp> low;
  if (low_reg) {
    low = std::make_unique<Tmp>(b.tmp(nlow));
    b.init((*low)(), true);
  }
  b.init(nsticky, true);
  // product bit k = NOR(a, c)
  auto out_bit = [&](uint32_t k, const Bits& a, const Bits& c) {
    if (k + keep >= nb) {
      b.norc(lo_top.bit(k + keep - nb), a, c);
    } else if (low_reg) {
      b.g_nor(low->bit(k), a, c);
    } else {
      Tmp bit = b.tmp(1);
      b.norc(bit(), a, c);
      b.g_not(nsticky, bit());
    }
  };
  // Q[0, w) = y[k]. When the accumulator leaves room in its register, y[k] is broadcast inside
  // one register: its copies grow in partitions [0, w) from complement copies kept in the free
  // partitions [w, P) (one INIT for both). The first four complement copies come from a seed
  // register in one op: seed j holds y[k] at partitions [k, k+4) for every k = j mod 4 (built
  // once with strided ops), so a broadcast costs 7 ops instead of 10.
  const uint32_t room = w < P ? P - w : 0;
  const bool packed = w >= 8 && room >= 4;
  const uint32_t py = y.v.off + y.lo;  // partition of y[0] when y lies in one register
  std::vector<Tmp> seeds;
  const bool seeded = packed && !y.v.packed && py + nb + 3 <= P;
  if (seeded) {
    Tmp ny = b.tmp(P);
    b.init(ny(), true);
    b.g_not(ny(py, nb), y);
    for (uint32_t j = 0; j < 4 && j < nb; ++j) {
      seeds.push_back(b.tmp(P));
      const uint16_t rs = seeds.back().val().r[0];
      b.init(seeds.back()(), true);
      const uint32_t last = j + 4 * ((nb - 1 - j) / 4);  // last k = j mod 4
      for (uint32_t t = 0; t < 4; ++t)
        b.ops().push_back(logic_h(Gate::Not, ny.val().r[0], uint16_t(py + j), 0, 0, rs,
                                  uint16_t(py + j + t), uint16_t(py + last + t), 4));
    }
  }
  auto bcast_k = [&](const Val& qv, uint32_t k) {
    if (!packed) {
      b.bcast(bits(qv, 0, w), Bits{}, y.bit(k));
      return;
    }
    const Bits Q = bits(qv, 0, P);
    b.init(Q, true);
    uint32_t have = 0, uc = 2;  // copies of y[k] in [0, have), of ~y[k] in [w, w + uc)
    if (seeded) {
      b.g_not(Q.sub(w, 4), seeds[k % 4](py + k, 4));
      uc = 4;
    } else {
      b.g_not(Q.bit(w), y.bit(k));
      b.g_not(Q.bit(w + 1), y.bit(k));
    }
    while (have < w) {
      const uint32_t add = std::min(uc, w - have);
      b.g_not(Q.sub(have, add), Q.sub(w, add));
      have += add;
      if (have >= w) break;
      const uint32_t ua = std::min(std::min(have, room - uc), w - have > uc ? have : 0u);
      if (ua) {
        b.g_not(Q.sub(w + uc, ua), Q.sub(0, ua));
        uc += ua;
      }
    }
  };
  const uint32_t qw = packed ? P : w;
  // Step 0: S = (a & y[0]) >> 1 computed in place in the broadcast register, C = 0.
  std::unique_ptr<Tmp> S = std::make_unique<Tmp>(b.tmp(qw));
  {
    bcast_k(S->val(), 0);
    if (packed) {
      out_bit(0, nAp.bit(0), (*S).bit(w));  // a[0] & y[0] from a complement copy of y[0]
    } else {
      Tmp ny0 = b.tmp(1);
      b.notc(ny0(), (*S).bit(0));
      out_bit(0, nAp.bit(0), ny0());
    }
    b.g_not((*S)(0, w), nAp.sub(1, w));
  }
  Tmp nC = b.tmp(w);
  b.init(nC(), true);
  // Steps 1 .. nb-1: a full adder of S, C and pp = a & y[k] in 15 NOR / INIT ops, keeping S true
  // and C complemented (the polarity that makes the adder cheapest):
  //   u1 = ~S & C, g = S & C, t = ~S & ~C, h = S ^ C, v = ~h & ~pp, ph = pp & h,
  //   sum = NOR(v, ph) (written shifted down by one: its bit 0 is product bit k),
  //   ~carry = NOR(g, ph) (written in place: its weight halves with the shift).
  // Wide values run one register at a time (fewer scratch registers): chunk j writes sum bits
  // [lo-1, hi-1), which chunk j and earlier have finished reading.
  for (uint32_t k = 1; k < nb; ++k) {
    Tmp Q = b.tmp(qw);
    bcast_k(Q.val(), k);
    b.g_not(Q(0, w), nAp.sub(0, w));  // pp = a & y[k] (0 in the pad column)
    for (uint32_t lo = 0; lo < w; lo += P) {
      const uint32_t len = std::min(P, w - lo);
      Tmp u1 = b.tmp(len), g = b.tmp(len), t = b.tmp(len), h = b.tmp(len);
      const Bits Sc = (*S)(lo, len), nCc = nC(lo, len), pc = Q(lo, len);
      b.norc(u1(), Sc, nCc);
      b.norc(g(), nCc, u1());
      b.norc(t(), Sc, u1());
      b.norc(h(), g(), t());
      const Bits v = u1();
      b.norc(v, h(), pc);
      b.g_nor(pc, g(), t());  // ph
      b.init(nCc, true);
      b.g_nor(nCc, g(), pc);
      if (lo == 0) {
        out_bit(k, v.bit(0), pc.bit(0));
        b.init((*S)(0, len - 1), true);
        b.g_nor((*S)(0, len - 1), v.sub(1, len - 1), pc.sub(1, len - 1));
      } else {
        b.init((*S)(lo - 1, len), true);
        b.g_nor((*S)(lo - 1, len), v, pc);
      }
    }
  }
  seeds.clear();
  if (low_reg) and_reduce(b, nsticky, (*low)(), false);  // NOR of the low product bits
  // hi = S + C
  Tmp nS = b.tmp(na), C = b.tmp(na);
  b.notc(nS(), (*S)(0, na));
  b.notc(C(), nC(0, na));
  add_core_lean(b, hi, (*S)(0, na), nS(), C(), nC(0, na));
}

void udivmod(Builder& b, const Bits& q, const Bits& r, const Bits& x, const Bits& y) {
  // Restoring division. R' = (R << 1) | x[i] is kept as n bits plus its top bit T.
  const uint32_t n = x.len;
  Tmp ny = b.tmp(n);
  b.notc(ny(), y);
  Tmp Ra = b.tmp(n), Rb = b.tmp(n), T0 = b.tmp(1), T1 = b.tmp(1);
  Bits R[2] = {Ra(), Rb()}, T[2] = {T0(), T1()};
  b.init(R[0], false);
  b.copy(R[0].bit(0), x.bit(n - 1));
  b.init(T[0], false);
  int cur = 0;
  for (int i = int(n) - 1; i >= 0; --i) {
    const Bits D = R[1 - cur];  // the free register holds ~R', then D = R' - y
    Tmp borrow = b.tmp(1);
    b.notc(D, R[cur]);
    const Bits bw = borrow();
    add_core(b, D, D, R[cur], y, ny(), true, &bw);  // D = ~(~R' + y) = R' - y
    b.g_not(bw, T[cur]);  // borrow & ~T = "R' < y" = ~ge
    if (q.len) b.notc(q.bit(uint32_t(i)), bw);
    if (i == 0 && !r.len) break;
    Tmp c = b.tmp(n), nc = b.tmp(n);
    b.bcast(nc(), c(), bw);  // c = ge, nc = ~ge
    if (i > 0) {
      // next R' = (ge ? D : R') << 1 | x[i-1], next T = bit n-1 of the selection
      b.mux(T[1 - cur], c(0, 1), nc(0, 1), D.top(), R[cur].top());
      b.mux(D.sub(1, n - 1), c(0, n - 1), nc(0, n - 1), D.sub(0, n - 1), R[cur].sub(0, n - 1));
      b.copy(D.bit(0), x.bit(uint32_t(i - 1)));
    } else {
      b.mux(r, c(), nc(), D, R[cur]);
    }
    cur = 1 - cur;
  }
}

void divmod(Builder& b, const Bits& q, const Bits& r, const Bits& x, const Bits& y,
            bool is_signed) {
  const uint32_t n = x.len;
  if (!is_signed) {
    udivmod(b, q, r, x, y);
  } else {
    Tmp r0 = b.tmp(n);
    {
      Tmp ax = b.tmp(n), ay = b.tmp(n);
      {
        Tmp t = b.tmp(n);
        neg(b, t(), x);
        b.mux1(ax(), x.top(), t(), x);
        neg(b, t(), y);
        b.mux1(ay(), y.top(), t(), y);
      }
      udivmod(b, q, r0(), ax(), ay());  // q holds |x| / |y|
    }
    // Truncated results: q = sx^sy ? -q0 : q0 ; r = sx ? -r0 : r0. Floor correction when the
    // remainder is nonzero and the signs differ: q -= 1, r += y.
    Tmp fix = b.tmp(1);
    {
      Tmp sd = b.tmp(1), rnz = b.tmp(1);
      b.xorc(sd(), x.top(), y.top());
      is_zero(b, rnz(), r0(), true);
      b.andc(fix(), sd(), rnz());
      if (q.len) {
        Tmp t = b.tmp(n), qt = b.tmp(n);
        neg(b, t(), q);
        b.mux1(qt(), sd(), t(), q);
        add_const(b, t(), qt(), ~uint64_t(0));
        b.mux1(q, fix(), t(), qt());
      }
    }
    if (r.len) {
      Tmp t = b.tmp(n), rt = b.tmp(n);
      neg(b, t(), r0());
      b.mux1(rt(), x.top(), t(), r0());
      add(b, t(), rt(), y);
      b.mux1(r, fix(), t(), rt());
    }
  }
  // Division by zero gives 0: clear the results in place where y == 0.
  Tmp yz = b.tmp(1);
  is_zero(b, yz(), y, false);
  Tmp c = b.tmp(n);
  b.bcast(c(), Bits{}, yz());
  if (q.len) b.g_not(q, c());
  if (r.len) b.g_not(r, c());
}

}  // namespace ember::pim::mc
