#include "int_arith.h"

#include <memory>

namespace ember::pim::mc {

namespace {

// Kogge-Stone prefix over generate/propagate, in place: ng holds ~G, P holds P, nP0 its
// complement. After the call ng[i] = ~(carry out of bit i). If top_only, P is not kept exact for
// the low partitions (only bit n-1 of ng is needed).
void prefix(Builder& b, const Bits& ng, const Bits& P, const Bits& nP0) {
  const uint32_t n = ng.len;
  std::unique_ptr<Tmp> cur;
  Bits nP = nP0;
  for (uint32_t d = 1; d < n; d *= 2) {
    const bool last = 2 * d >= n;
    const uint32_t m = n - d;
    {
      Tmp t = b.tmp(m);
      b.norc(t(), nP.sub(d, m), ng.sub(0, m));  // P[i] & G[i-d]
      b.g_not(ng.sub(d, m), t());               // ~G[i] &= ~(P[i] & G[i-d])
    }
    if (!last) {
      b.g_not(P.sub(d, m), nP.sub(0, m));  // P[i] &= P[i-d]
      Tmp nn = b.tmp(n);
      b.notc(nn(), P);
      cur = std::make_unique<Tmp>(std::move(nn));
      nP = (*cur)();
    }
  }
}

}  // namespace

void add_core(Builder& b, const Bits& s, const Bits& A, const Bits& nA, const Bits& B,
              const Bits& nB, bool xnor_out, const Bits* carry_out) {
  const uint32_t n = s.len;
  Tmp np0 = b.tmp(n), ng = b.tmp(n), P = b.tmp(n);
  {
    Tmp x = b.tmp(n), g = b.tmp(n);
    b.norc(x(), A, B);      // ~a & ~b
    b.norc(g(), nA, nB);    // a & b
    b.norc(P(), x(), g());  // a ^ b
    b.notc(np0(), P());
    b.notc(ng(), g());
  }
  prefix(b, ng(), P(), np0());
  if (carry_out) b.notc(*carry_out, ng.bit(n - 1));
  // s = p0 ^ C (or its complement), C[i] = G[i-1], C[0] = 0
  const Bits p0 = P();  // P is dead after the prefix: reuse it for p0
  b.notc(p0, np0());
  const Bits pa = xnor_out ? np0() : p0;
  const Bits pb = xnor_out ? p0 : np0();
  if (n == 1) {
    b.init(s, true);
    b.g_not(s, pb);
    return;
  }
  const uint32_t m = n - 1;
  Tmp v = b.tmp(m);
  b.norc(v(), pb.sub(1, m), ng(0, m));  // pa & C
  b.g_not(ng(0, m), pa.sub(1, m));       // u = ~pa & ~C, in place
  b.init(s, true);
  b.g_not(s.bit(0), pb.bit(0));
  b.g_nor(s.sub(1, m), ng(0, m), v());
}

void add(Builder& b, const Bits& s, const Bits& x, const Bits& y) {
  Tmp nx = b.tmp(s.len), ny = b.tmp(s.len);
  b.notc(nx(), x);
  b.notc(ny(), y);
  add_core(b, s, x, nx(), y, ny(), false);
}

void add3_const(Builder& b, const Bits& s, const Bits& x, const Bits& y, uint64_t K,
                const Bits& cin) {
  // 3:2 compressor against the constant: sum = x ^ y ^ K, carry = maj(x, y, K) shifted left
  // by one with cin in its free bit 0; then one adder.
  const uint32_t n = s.len;
  Tmp t = b.tmp(n), xn = b.tmp(n);
  {
    Tmp s1 = b.tmp(n), s2 = b.tmp(n);
    b.norc(t(), x, y);          // ~x & ~y
    b.norc(s1(), x, t());
    b.norc(s2(), y, t());
    b.norc(xn(), s1(), s2());   // xnor(x, y)
  }
  Tmp sum = b.tmp(n), cy = b.tmp(n);
  auto bitk = [&](uint32_t i) { return i < 64 && ((K >> i) & 1); };
  // runs of equal K bits
  for (uint32_t i = 0; i < n;) {
    uint32_t j = i;
    while (j < n && bitk(j) == bitk(i)) ++j;
    const uint32_t len = j - i;
    if (bitk(i)) {
      b.copy(sum(i, len), xn(i, len));  // ~(x ^ y)
      if (i + 1 < n) {                  // carry = x | y
        const uint32_t cl = std::min(len, n - 1 - i);
        b.notc(cy(i + 1, cl), t(i, cl));
      }
    } else {
      b.notc(sum(i, len), xn(i, len));  // x ^ y
      if (i + 1 < n) {                  // carry = x & y = ~(~x & ~y) & ~(x ^ y)
        const uint32_t cl = std::min(len, n - 1 - i);
        b.init(cy(i + 1, cl), true);
        b.g_nor(cy(i + 1, cl), t(i, cl), sum(i, cl));
      }
    }
    i = j;
  }
  b.copy(cy.bit(0), cin);
  add(b, s, sum(), cy());
}

void add_core_lean(Builder& b, const Bits& s, const Bits& A, const Bits& nA, const Bits& B,
                   const Bits& nB) {
  const uint32_t P = b.partitions();
  if (s.len <= P) {
    add_core(b, s, A, nA, B, nB, false);
    return;
  }
  Tmp cy = b.tmp(1);
  const Bits c = cy();
  add_core(b, s.sub(0, P), A.sub(0, P), nA.sub(0, P), B.sub(0, P), nB.sub(0, P), false, &c);
  const uint32_t h = s.len - P;
  Tmp t = b.tmp(h);
  add_core_lean(b, t(), A.sub(P, h), nA.sub(P, h), B.sub(P, h), nB.sub(P, h));
  increment(b, s.sub(P, h), t(), c);
}

void add_lean(Builder& b, const Bits& s, const Bits& x, const Bits& y) {
  const uint32_t P = b.partitions();
  if (s.len <= P) {
    add(b, s, x, y);
    return;
  }
  // low register with its carry, then the rest plus the carry: about half the scratch of add
  Tmp cy = b.tmp(1);
  {
    Tmp nx = b.tmp(P), ny = b.tmp(P);
    b.notc(nx(), x.sub(0, P));
    b.notc(ny(), y.sub(0, P));
    const Bits c = cy();
    add_core(b, s.sub(0, P), x.sub(0, P), nx(), y.sub(0, P), ny(), false, &c);
  }
  const uint32_t h = s.len - P;
  Tmp t = b.tmp(h);
  add_lean(b, t(), x.sub(P, h), y.sub(P, h));
  increment(b, s.sub(P, h), t(), cy());
}

void sub(Builder& b, const Bits& s, const Bits& x, const Bits& y) {
  // x - y = ~(~x + y)
  Tmp nx = b.tmp(s.len), ny = b.tmp(s.len);
  b.notc(nx(), x);
  b.notc(ny(), y);
  add_core(b, s, nx(), x, y, ny(), true);
}

void increment(Builder& b, const Bits& s, const Bits& x, const Bits& c) {
  // carry into bit i+1 = c & x[0] & ... & x[i]: a Kogge-Stone prefix AND with c folded into bit 0
  const uint32_t n = s.len;
  Tmp nx = b.tmp(n), P = b.tmp(n), nc = b.tmp(1);
  b.notc(nx(), x);
  b.notc(P(), nx());
  b.notc(nc(), c);
  b.g_not(P.bit(0), nc());
  std::unique_ptr<Tmp> nPt = std::make_unique<Tmp>(b.tmp(n));
  b.notc((*nPt)(), P());
  for (uint32_t d = 1; d + 1 < n; d *= 2) {
    const uint32_t m = n - 1 - d;  // only bits 0 .. n-2 are needed as carries
    b.g_not(P(d, m), (*nPt)(0, m));
    b.notc((*nPt)(0, n - 1), P(0, n - 1));
  }
  const Bits nP = (*nPt)();
  b.init(s, true);
  {  // s[0] = x0 ^ c
    Tmp t = b.tmp(2);
    b.norc(t.bit(0), x.bit(0), c);
    b.norc(t.bit(1), nx.bit(0), nc());
    b.g_nor(s.bit(0), t.bit(0), t.bit(1));
  }
  if (n == 1) return;
  Tmp u = b.tmp(n - 1), v = b.tmp(n - 1);
  b.norc(u(), x.sub(1, n - 1), P(0, n - 1));
  b.norc(v(), nx(1, n - 1), nP.sub(0, n - 1));
  b.g_nor(s.sub(1, n - 1), u(), v());
}

void neg(Builder& b, const Bits& s, const Bits& x) {
  // -x = ~(x + ~0) = ~(x - 1)
  Tmp nx = b.tmp(s.len), ones = b.tmp(s.len), zeros = b.tmp(s.len);
  b.notc(nx(), x);
  b.init(ones(), true);
  b.init(zeros(), false);
  add_core(b, s, x, nx(), ones(), zeros(), true);
}

void add_const(Builder& b, const Bits& s, const Bits& x, uint64_t c) {
  Tmp nx = b.tmp(s.len), k = b.tmp(s.len), nk = b.tmp(s.len);
  b.notc(nx(), x);
  b.set_const(k(), c);
  b.set_const(nk(), ~c);
  add_core(b, s, x, nx(), k(), nk(), false);
}

void less(Builder& b, const Bits& o, const Bits& x, const Bits& y, bool is_signed, bool negate) {
  less_rev(b, o, x, y, is_signed, negate, nullptr, nullptr);
}

void less_rev(Builder& b, const Bits& o, const Bits& x, const Bits& y, bool is_signed, bool negate,
              const Bits* rc, const Bits* rnc) {
  // x < y  <=>  carry out of y + ~x. Signed: compare with the sign bits flipped.
  const uint32_t n = x.len;
  Tmp nx = b.tmp(n), ny = b.tmp(n);
  b.notc(nx(), x);
  b.notc(ny(), y);
  // A = y, nA = ny, B = nx, nB = x; for signed the top bits of A and B are inverted.
  Tmp P = b.tmp(n), ng = b.tmp(n), nP = b.tmp(n);
  {
    Tmp X = b.tmp(n), g = b.tmp(n);
    const uint32_t lo = is_signed ? n - 1 : n;
    b.init(X(), true);
    b.init(g(), true);
    if (lo) {
      b.g_nor(X(0, lo), y.sub(0, lo), nx(0, lo));
      b.g_nor(g(0, lo), ny(0, lo), x.sub(0, lo));
    }
    if (is_signed) {
      b.g_nor(X.bit(n - 1), ny.bit(n - 1), x.top());
      b.g_nor(g.bit(n - 1), y.top(), nx.bit(n - 1));
    }
    b.norc(P(), X(), g());
    b.notc(nP(), P());
    if (rc && lo) {
      // reversed order on the low bits: the generate of x > y is X
      Tmp gs = b.tmp(lo);
      b.mux(gs(), rc->sub(0, lo), rnc->sub(0, lo), X(0, lo), g(0, lo));
      b.notc(ng(0, lo), gs());
      if (lo < n) b.notc(ng.bit(n - 1), g.bit(n - 1));
    } else {
      b.notc(ng(), g());
    }
  }
  prefix(b, ng(), P(), nP());
  if (negate) {
    b.copy(o, ng.bit(n - 1));
  } else {
    b.notc(o, ng.bit(n - 1));
  }
}

// o = AND of ~ne (or its complement when negate); ne is only read. Halving tree: each level
// ANDs the upper half into the lower half in place, then refreshes the complement.
void and_reduce(Builder& b, const Bits& o, const Bits& ne0, bool negate) {
  uint32_t m = ne0.len;
  if (m == 1) {
    if (negate) b.copy(o, ne0);
    else b.notc(o, ne0);
    return;
  }
  auto final2 = [&](const Bits& ne) {
    if (negate) {
      Tmp t = b.tmp(1);
      b.norc(t(), ne.bit(0), ne.bit(1));
      b.notc(o, t());
    } else {
      b.norc(o, ne.bit(0), ne.bit(1));
    }
  };
  if (m == 2) {
    final2(ne0);
    return;
  }
  const uint32_t k0 = m / 2, m1 = m - k0;
  Tmp e = b.tmp(m1), ne = b.tmp(m1);
  b.init(e(), true);
  b.g_nor(e(0, k0), ne0.sub(0, k0), ne0.sub(m - k0, k0));
  if (m1 > k0) b.g_not(e.bit(k0), ne0.bit(k0));
  b.notc(ne(), e());
  m = m1;
  while (m > 2) {
    const uint32_t k = m / 2;
    const uint32_t nm = m - k;
    b.g_not(e(0, k), ne(m - k, k));
    b.notc(ne(0, nm), e(0, nm));
    m = nm;
  }
  final2(ne());
}

void equal(Builder& b, const Bits& o, const Bits& x, const Bits& y, bool negate) {
  const uint32_t n = x.len;
  Tmp ne = b.tmp(n);
  {
    Tmp e = b.tmp(n);
    b.xnorc(e(), x, y);
    b.notc(ne(), e());
  }
  and_reduce(b, o, ne(), negate);
}

void is_zero(Builder& b, const Bits& o, const Bits& x, bool negate) { and_reduce(b, o, x, negate); }

void and_reduce2(Builder& b, const Bits& ox, const Bits& oy, const Bits& nex, const Bits& ney,
                 bool negate) {
  const uint32_t m0 = nex.len, F = b.partitions() / 2;
  if (m0 < 4 || m0 > 2 * F) {
    and_reduce(b, ox, nex, negate);
    and_reduce(b, oy, ney, negate);
    return;
  }
  // first level from the inputs into two fields of one register at offsets 0 and F; the
  // complement refresh is shared by both fields
  const uint32_t k0 = m0 / 2;
  uint32_t m = m0 - k0;
  Tmp e = b.tmp(F + m), ne = b.tmp(F + m);
  b.init(e(), true);
  b.g_nor(e(0, k0), nex.sub(0, k0), nex.sub(m0 - k0, k0));
  b.g_nor(e(F, k0), ney.sub(0, k0), ney.sub(m0 - k0, k0));
  if (m > k0) {
    b.g_not(e.bit(k0), nex.bit(k0));
    b.g_not(e.bit(F + k0), ney.bit(k0));
  }
  b.notc(ne(), e());
  while (m > 2) {
    const uint32_t k = m / 2, nm = m - k;
    b.g_not(e(0, k), ne(m - k, k));
    b.g_not(e(F, k), ne(F + m - k, k));
    b.notc(ne(0, F + nm), e(0, F + nm));
    m = nm;
  }
  for (int i = 0; i < 2; ++i) {
    const Bits o = i ? oy : ox;
    const uint32_t base = i ? F : 0;
    if (negate) {
      Tmp t = b.tmp(1);
      b.norc(t(), ne.bit(base), ne.bit(base + 1));
      b.notc(o, t());
    } else {
      b.norc(o, ne.bit(base), ne.bit(base + 1));
    }
  }
}

void all_ones(Builder& b, const Bits& o, const Bits& x, bool negate) {
  Tmp ne = b.tmp(x.len);
  b.notc(ne(), x);
  and_reduce(b, o, ne(), negate);
}

void shift_stages(Builder& b, const Bits& o, const Bits& x, const Bits& a, bool left,
                  const Bits& fill) {
  const uint32_t n = o.len;
  Tmp c0 = b.tmp(n), c1 = b.tmp(n);
  const Bits cur[2] = {c0(), c1()};
  int src = 0;
  const uint32_t stages = a.len;
  if (stages == 0) {
    b.copy(o, x);
    return;
  }
  for (uint32_t k = 0; k < stages; ++k) {
    const uint32_t s = 1u << k;
    const Bits in = k == 0 ? x : cur[src];
    const Bits outb = k + 1 == stages ? o : cur[1 - src];
    Tmp c = b.tmp(n), nc = b.tmp(n);
    b.bcast(c(), nc(), a.bit(k));
    if (s >= n) {
      b.mux(outb, c(), nc(), fill.sub(0, n), in);
    } else if (left) {
      b.mux(outb.sub(s, n - s), c(0, n - s), nc(0, n - s), in.sub(0, n - s), in.sub(s, n - s));
      b.mux(outb.sub(0, s), c(0, s), nc(0, s), fill.sub(0, s), in.sub(0, s));
    } else {
      b.mux(outb.sub(0, n - s), c(0, n - s), nc(0, n - s), in.sub(s, n - s), in.sub(0, n - s));
      b.mux(outb.sub(n - s, s), c(0, s), nc(0, s), fill.sub(0, s), in.sub(n - s, s));
    }
    src = 1 - src;
  }
}

void shift_const(Builder& b, const Bits& o, const Bits& x, int k, bool arith) {
  const int n = o.len;
  Tmp t = b.tmp(n);
  b.notc(t(), x);
  b.init(o, true);
  if (k >= 0) {  // left
    if (k < n) {
      b.g_not(o.sub(k, n - k), t(0, n - k));
      if (k) b.init(o.sub(0, k), false);
    } else {
      b.init(o, false);
    }
  } else {
    const int r = -k;
    if (r < n) {
      b.g_not(o.sub(0, n - r), t(r, n - r));
      if (arith) {
        Tmp s = b.tmp(r);
        b.bcast(s(), Bits{}, t.bit(n - 1));  // ~sign
        b.g_not(o.sub(n - r, r), s());
      } else {
        b.init(o.sub(n - r, r), false);
      }
    } else if (arith) {
      Tmp s = b.tmp(n);
      b.bcast(s(), Bits{}, t.bit(n - 1));
      b.g_not(o, s());
    } else {
      b.init(o, false);
    }
  }
}

}  // namespace ember::pim::mc
