#include "float_common.h"

#include "int_arith.h"

namespace ember::pim::mc {

void isnan_bit(Builder& b, FloatFormat f, const Bits& o, const Bits& x, bool negate) {
  Tmp t = b.tmp(2);
  const Bits neo = t.bit(0), fz = t.bit(1);
  all_ones(b, neo, x.sub(f.m, f.e), true);  // exponent not all ones
  is_zero(b, fz, x.sub(0, f.m), false);     // fraction zero
  if (negate)
    b.orc(o, neo, fz);
  else
    b.norc(o, neo, fz);
}

void isnan2(Builder& b, FloatFormat f, const Bits& nx, const Bits& ny, const Bits& x,
            const Bits& y) {
  Tmp t = b.tmp(4);
  const Bits ex = t.bit(0), ey = t.bit(1), fzx = t.bit(2), fzy = t.bit(3);
  {
    Tmp nex = b.tmp(f.e), ney = b.tmp(f.e);
    b.notc(nex(), x.sub(f.m, f.e));
    b.notc(ney(), y.sub(f.m, f.e));
    and_reduce2(b, ex, ey, nex(), ney(), true);  // exponent not all ones
  }
  and_reduce2(b, fzx, fzy, x.sub(0, f.m), y.sub(0, f.m), false);  // fraction zero
  b.norc(nx, ex, fzx);
  b.norc(ny, ey, fzy);
}

void xor_b(Builder& b, const Bits& o, const Bits& a, const Bits& c, const Bits& nc) {
  Tmp na = b.tmp(a.len);
  b.notc(na(), a);
  b.mux(o, c, nc, na(), a);
}

void shift_right_sticky(Builder& b, const Bits& o, const Bits& x, const Bits& a) {
  // Stages ping-pong between one scratch value and o itself (the last stage writes o), and the
  // vacated top bits are cleared with a NOR instead of a mux against a zero register: few
  // scratch registers (float64 add and multiply are register-bound).
  const uint32_t n = x.len;
  if (a.len == 0) {
    b.copy(o, x);
    return;
  }
  Tmp c0 = b.tmp(n);
  const uint32_t st = a.len;
  auto buf = [&](uint32_t k) { return ((st - 1 - k) % 2 == 0) ? o : c0(); };  // written by stage k
  for (uint32_t k = 0; k < st; ++k) {
    const uint32_t s = 1u << k;
    const Bits in = k == 0 ? x : buf(k - 1);
    const Bits out = buf(k);
    Tmp c = b.tmp(n), nc = b.tmp(n), stk = b.tmp(1);
    b.bcast(c(), nc(), a.bit(k));
    // out = c ? 0 : in, for the bits that receive zeros
    auto clear_hi = [&](const Bits& ob, const Bits& ib, const Bits& cb) {
      Tmp t = b.tmp(ib.len);
      b.notc(t(), ib);
      b.norc(ob, t(), cb);
    };
    if (s + 1 >= n) {
      is_zero(b, stk(), in, true);
      clear_hi(out.sub(1, n - 1), in.sub(1, n - 1), c(0, n - 1));
    } else {
      is_zero(b, stk(), in.sub(0, s + 1), true);
      b.mux(out.sub(1, n - s - 1), c(0, n - s - 1), nc(0, n - s - 1), in.sub(s + 1, n - s - 1),
            in.sub(1, n - s - 1));
      clear_hi(out.sub(n - s, s), in.sub(n - s, s), c(0, s));
    }
    b.mux(out.bit(0), c.bit(0), nc.bit(0), stk(), in.bit(0));
  }
}

void normalize_left(Builder& b, const Bits& s_out, const Bits& s, const Bits& u, const Bits& m) {
  const uint32_t n = s.len;
  // s and u are work registers (destroyed): they serve as the second ping-pong buffer.
  Tmp sa = b.tmp(n), ua = b.tmp(u.len ? n : 1);
  // o = i & ~c (the vacated low bits of a left shift)
  auto clear_if = [&](const Bits& o, const Bits& i, const Bits& c) {
    Tmp t = b.tmp(i.len);
    b.notc(t(), i);
    b.norc(o, t(), c);
  };
  const Bits S[2] = {sa(), s}, U[2] = {u.len ? ua() : sa(), u.len ? u : s};
  int src = -1;  // -1: the inputs
  for (int k = int(m.len) - 1; k >= 0; --k) {
    const uint32_t sh = 1u << k;
    const bool bar = u.len != 0;  // without a barrier, normalize s alone
    const Bits si = src < 0 ? s : S[src], ui = !bar ? si : (src < 0 ? u : U[src]);
    const int dst = src < 0 ? 0 : 1 - src;
    const Bits so = k == 0 ? s_out : S[dst], uo = U[dst];
    if (sh >= n) {  // cannot shift this far: the stage never fires
      b.init(m.bit(uint32_t(k)), false);
      continue;
    }
    is_zero(b, m.bit(uint32_t(k)), ui.sub(n - sh, sh), false);  // top sh bits all zero
    Tmp c = b.tmp(n), nc = b.tmp(n);
    b.bcast(c(), nc(), m.bit(uint32_t(k)));
    b.mux(so.sub(sh, n - sh), c(0, n - sh), nc(0, n - sh), si.sub(0, n - sh), si.sub(sh, n - sh));
    clear_if(so.sub(0, sh), si.sub(0, sh), c(0, sh));
    if (k > 0 && bar) {
      b.mux(uo.sub(sh, n - sh), c(0, n - sh), nc(0, n - sh), ui.sub(0, n - sh),
            ui.sub(sh, n - sh));
      clear_if(uo.sub(0, sh), ui.sub(0, sh), c(0, sh));
    }
    src = dst;
  }
  if (m.len == 0) b.copy(s_out, s);
}

void pack_er(Builder& b, FloatFormat f, const Bits& out_mag, const Bits& er, Tmp& Pc) {
  const uint32_t E = f.e, M = f.m, n = f.width() - 1, EW = er.len;
  uint32_t s2 = 0;
  while ((1u << s2) < M + 4) ++s2;
  Tmp fl = b.tmp(6);
  const Bits neg = er.top(), le0 = fl.bit(1), ovf = fl.bit(2);
  {
    Tmp z = b.tmp(1);
    is_zero(b, z(), er, false);
    b.orc(le0, z(), neg);  // er <= 0
  }
  Tmp amt = b.tmp(s2);
  {
    Tmp rs = b.tmp(EW);
    {
      Tmp ner = b.tmp(EW);
      b.notc(ner(), er);
      add_const(b, rs(), ner(), 2);  // 1 - er = ~er + 2
    }
    Tmp big = b.tmp(1), bb = b.tmp(s2), t = b.tmp(s2), c = b.tmp(s2);
    if (EW > s2) is_zero(b, big(), rs(s2, EW - s2), true);
    else b.init(big(), false);
    b.bcast(bb(), Bits{}, big());
    b.orc(t(), rs(0, s2), bb());
    b.bcast(c(), Bits{}, le0);
    b.andc(amt(), t(), c());
  }
  Tmp Ps = b.tmp(M + 3);
  shift_right_sticky(b, Ps(), Pc(), amt());
  // Exponent field: 0 when er <= 0, all ones when er >= 2^E - 1, else er.
  Tmp mag0 = b.tmp(n);
  {
    Tmp hiz = b.tmp(2);
    is_zero(b, hiz.bit(0), er.sub(E, EW - E), true);  // er >= 2^E (or negative)
    all_ones(b, hiz.bit(1), er.sub(0, E), false);
    Tmp t = b.tmp(1), nn = b.tmp(1);
    b.orc(t(), hiz.bit(0), hiz.bit(1));
    b.notc(nn(), neg);
    b.andc(ovf, t(), nn());
    // Overflow gives exactly inf before rounding (exponent all ones, fraction and guard 0), so
    // rounding cannot change it and round_pack needs no overflow pass of its own.
    Tmp c = b.tmp(M);
    b.bcast(c(), Bits{}, ovf);
    b.orc(mag0(M, E), er.sub(0, E), c(0, E));
    Tmp z = b.tmp(E);
    b.bcast(z(), Bits{}, le0);
    b.g_not(mag0(M, E), z());
    Tmp nf = b.tmp(M);
    b.notc(nf(), Ps(2, M));
    b.norc(mag0(0, M), nf(), c());
  }
  b.g_not(Ps.bit(1), ovf);
  round_pack(b, f, out_mag, mag0(), Ps.bit(1), Ps.bit(0), false);
}

// sig = normalized significand of x (leading one at bit M when x != 0), e = effective exponent
// minus the normalization shift, as a signed value of e.len bits.
void unpack_norm(Builder& b, FloatFormat f, const Bits& sig, const Bits& e, const Bits& x) {
  const uint32_t E = f.e, M = f.m, L = M + 1;
  Tmp z = b.tmp(1);
  is_zero(b, z(), x.sub(M, E), false);
  Tmp s0 = b.tmp(L);
  b.copy(s0(0, M), x.sub(0, M));
  b.notc(s0.bit(M), z());
  uint32_t st = 0;
  while ((1u << st) < L) ++st;
  Tmp m = b.tmp(e.len);
  b.init(m(), false);
  normalize_left(b, sig, s0(), Bits{}, m(0, st));
  // e = max(exp, 1) - m
  Tmp ep = b.tmp(e.len);
  b.init(ep(), false);
  b.copy(ep(0, E), x.sub(M, E));
  b.orc(ep.bit(0), x.bit(M), z());
  sub(b, e, ep(), m());
}

uint64_t default_nan(FloatFormat f) {
  return (uint64_t(1) << (f.width() - 1)) | (((uint64_t(1) << f.e) - 1) << f.m) |
         (uint64_t(1) << (f.m - 1));
}

void quiet(Builder& b, FloatFormat f, const Bits& o, const Bits& x) {
  b.copy(o, x);
  b.init(o.bit(f.m - 1), true);
}

void select_special(Builder& b, FloatFormat f, const Bits& o, const Bits& spec, const Bits& nan, const Bits& nanx,
                    const Bits& x, const Bits& y, const Bits& special, const Bits& normal) {
  Tmp q = b.tmp(f.width());
  b.mux1(q(), nanx, x, y);
  b.init(q.bit(f.m - 1), true);
  Tmp sp = b.tmp(f.width());
  b.mux1(sp(), nan, q(), special);
  b.mux1(o, spec, sp(), normal);
}

void round_pack(Builder& b, FloatFormat f, const Bits& out_mag, const Bits& mag0,
                const Bits& guard, const Bits& sticky, bool check_ovf) {
  // round up = guard & (sticky | lsb); out_mag = mag0 + up
  {
    Tmp t = b.tmp(2);
    b.orc(t.bit(0), sticky, mag0.bit(0));
    b.andc(t.bit(1), t.bit(0), guard);
    increment(b, out_mag, mag0, t.bit(1));
  }
  if (!check_ovf) return;
  // Overflow: the exponent field before rounding is all ones -> inf (after rounding a carry into
  // an all-ones exponent already gives inf with a zero fraction). Fixed in place: exponent |=
  // ovf, fraction &= ~ovf.
  Tmp ovf = b.tmp(1);
  all_ones(b, ovf(), mag0.sub(f.m, f.e), false);
  {
    Tmp c = b.tmp(f.e);
    b.bcast(c(), Bits{}, ovf());
    b.orc(out_mag.sub(f.m, f.e), out_mag.sub(f.m, f.e), c());
  }
  Tmp c = b.tmp(f.m);
  b.bcast(c(), Bits{}, ovf());
  b.g_not(out_mag.sub(0, f.m), c());
}

}  // namespace ember::pim::mc
