#include "int_muldiv.h"

#include <algorithm>
#include <memory>

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
               const Bits& nA, const Bits& y) {
  const uint32_t na = nA.len, nb = y.len, keep = lo_top.len;
  const uint32_t P = b.partitions();
  Tmp S = b.tmp(na), C = b.tmp(na);
  // The product bits below lo_top go to a register (one NOR each) and are reduced to the sticky
  // at the end, when they fit in one register; otherwise each is folded into the sticky as it
  // comes (one register fewer).
  const uint32_t nlow = nb > keep ? nb - keep : 0;
  const bool low_reg = nlow > 1 && nlow <= P;
  std::unique_ptr<Tmp> low;
  if (low_reg) low = std::make_unique<Tmp>(b.tmp(nlow));
  b.init(nsticky, true);
  // product bit k goes to lo_top or to the sticky
  auto out_bit = [&](uint32_t k, const Bits& t2, const Bits& t3) {
    if (k + keep >= nb) {
      b.norc(lo_top.bit(k + keep - nb), t2, t3);
    } else if (low_reg) {
      b.norc(low->bit(k), t2, t3);
    } else {
      Tmp bit = b.tmp(1);
      b.norc(bit(), t2, t3);
      b.g_not(nsticky, bit());
    }
  };
  // pp = a & y[k]. When the value leaves at least a quarter of a register free, y[k] is
  // broadcast inside one register: its copies grow in partitions [0, na) from complement copies
  // kept in the free partitions [na, P) (one INIT for both), then ANDed with a in place.
  const uint32_t room = na < P ? P - na : 0;
  const bool packed_bcast = na >= 8 && room >= 8 && room * 2 >= (na + 1) / 2;
  auto partial = [&](const Bits& pp, uint32_t k) {
    if (!packed_bcast) {
      b.bcast(pp, Bits{}, y.bit(k));
      b.g_not(pp, nA);
      return;
    }
    // pp.v is a whole register of which pp covers [0, na)
    const Bits Q = bits(pp.v, 0, P);
    b.init(Q, true);
    b.g_not(Q.bit(na), y.bit(k));
    b.g_not(Q.bit(na + 1), y.bit(k));
    uint32_t have = 0, uc = 2;  // copies of y[k] in [0, have), of ~y[k] in [na, na + uc)
    while (have < na) {
      const uint32_t add = std::min(uc, na - have);
      b.g_not(Q.sub(have, add), Q.sub(na, add));
      have += add;
      if (have >= na) break;
      const uint32_t ua = std::min(std::min(have, room - uc), na - have > uc ? have : 0u);
      if (ua) {
        b.g_not(Q.sub(na + uc, ua), Q.sub(0, ua));
        uc += ua;
      }
    }
    b.g_not(pp, nA);  // a & y[k]
  };
  for (uint32_t k = 0; k < nb; ++k) {
    Tmp pp = b.tmp(packed_bcast ? P : na);
    partial(pp(0, na), k);
    if (k == 0) {  // S + C = pp: S = pp >> 1, product bit 0 = pp[0]
      Tmp npp = b.tmp(1);
      b.notc(npp(), pp.bit(0));
      out_bit(0, npp(), npp());
      b.init(S.bit(na - 1), false);
      if (na > 1) b.copy(S(0, na - 1), pp(1, na - 1));
      b.init(C(), false);
      continue;
    }
    // full adder of S, C, pp; the sum is written shifted right by one (its bit 0 is product bit
    // k), the carry in place (its weight halves with the shift). Wide values run one register
    // at a time (fewer scratch registers): chunk j writes sum bits [lo-1, hi-1), which chunk j
    // and earlier have finished reading.
    for (uint32_t lo = 0; lo < na; lo += P) {
      const uint32_t len = std::min(P, na - lo);
      Tmp t1 = b.tmp(len), ta = b.tmp(len), tb = b.tmp(len), tc = b.tmp(len);
      const Bits Sc = S(lo, len), Cc = C(lo, len), pc = pp(lo, len);
      b.norc(t1(), Sc, Cc);
      b.norc(ta(), Sc, t1());
      b.norc(tb(), Cc, t1());
      b.norc(tc(), ta(), tb());  // xnor(S, C)
      b.norc(ta(), tc(), pc);    // t4
      b.norc(tb(), tc(), ta());
      b.norc(tc(), pc, ta());
      b.norc(Cc, t1(), ta());  // majority
      if (lo == 0) {
        out_bit(k, tb.bit(0), tc.bit(0));
        if (len > 1) {
          b.init(S(0, len - 1), true);
          b.g_nor(S(0, len - 1), tb(1, len - 1), tc(1, len - 1));
        }
      } else {
        b.init(S(lo - 1, len), true);
        b.g_nor(S(lo - 1, len), tb(), tc());
      }
    }
    b.init(S.bit(na - 1), false);
  }
  if (low_reg) and_reduce(b, nsticky, (*low)(), false);  // NOR of the low product bits
  add_lean(b, hi, S(), C());
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
