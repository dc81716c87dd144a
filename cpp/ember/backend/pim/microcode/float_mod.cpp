// Float floor division and modulo with NumPy's semantics (npy_divmod / npy_floor_divide /
// npy_remainder on float32 / float64), bit-exact:
//   mod = fmod(a, b)                      exact, in microcode (below)
//   b == 0: remainder = mod (NaN), floor_divide = a / b
//   div = (a - mod) / b
//   if mod != 0 and (b < 0) != (mod < 0): mod += b, div -= 1
//   if mod == 0: mod = copysign(0, b)
//   if div != 0: floordiv = floor(div), +1 when div - floordiv > 0.5; else copysign(0, a / b)
// The arithmetic steps reuse the IEEE macros (so their rounding is NumPy's).
//
// Exact fmod: with normalized significands X, Y (leading one at bit M) and effective exponents
// ex, ey, fmod(|x|, |y|) = ((X * 2^D) mod Y) * 2^(ey - bias - M) for D = ex - ey >= 0, and |x|
// when D < 0. The remainder is computed by restoring long division, one quotient bit per step:
// R = X mod Y, then D times R = 2R mod Y (a subtraction of Y and a select). The step count must
// not depend on the data, so D is split as D = Dh * B + Dl: first 2^k steps enabled by bit k of
// Dl, then NB blocks of B unconditional steps run on a zero remainder into which R is injected
// before block NB - Dh (zero stays zero), so exactly Dh blocks act on it. D is at most
// 2^E - 3 + M (a huge x over the smallest subnormal y), which bounds NB: float32 runs
// 31 + 8 * 32 = 287 steps, float64 63 + 32 * 64 = 2,111 steps. The result is exactly representable, so the
// packing (normalization, subnormal shift) never rounds.
#include <memory>

#include "float_common.h"
#include "int_arith.h"

namespace ember::pim::mc {

namespace {

uint32_t ceil_log2(uint32_t v) {
  uint32_t k = 0;
  while ((1u << k) < v) ++k;
  return k;
}

}  // namespace

void ffmod(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y) {
  const uint32_t E = f.e, M = f.m, W = f.width(), n = W - 1, L = M + 1, EW = E + 3;
  const uint32_t lb = f.e == 8 ? 5 : 6, B = 1u << lb;
  const uint32_t Dmax = (1u << E) - 3 + M, NB = Dmax >> lb;
  Tmp fl = b.tmp(4);
  const Bits dneg = fl.bit(0), rz = fl.bit(1);
  std::unique_ptr<Tmp> resp;
  Tmp ey = b.tmp(EW);
  std::unique_ptr<Tmp> Rfp;
  {
  Tmp D = b.tmp(EW);
  Tmp Y = b.tmp(L), nY = b.tmp(L), Ra = b.tmp(L + 1), Rb = b.tmp(L + 1);
  {
    Tmp ex = b.tmp(EW);
    unpack_norm(b, f, Ra(1, L), ex(), x.sub(0, n));
    unpack_norm(b, f, Y(), ey(), y.sub(0, n));
    sub(b, D(), ex(), ey());
  }
  b.copy(dneg, D.top());
  b.notc(nY(), Y());
  b.init(Ra.bit(0), false);
  b.init(Rb.bit(0), false);
  Bits R[2] = {Ra(), Rb()};
  int cur = 0;
  // One step: R = (dbl ? 2R : R) reduced by Y once; when act (broadcast c / nc) is given the
  // step only happens where it is set. R holds its value in bits 1..L (bit 0 is zero), so 2R
  // is bits 0..L.
  auto step = [&](bool dbl, const Bits* ac, const Bits* anc) {
    const Bits in = R[cur], out = R[1 - cur];
    const Bits lowv = dbl ? in.sub(0, L) : in.sub(1, L);  // low L bits of the candidate
    const Bits Dd = out.sub(1, L);
    Tmp borrow = b.tmp(1);
    const Bits bw = borrow();
    b.notc(Dd, lowv);
    add_core(b, Dd, Dd, lowv, Y(), nY(), true, &bw);  // Dd = candidate - Y (low L bits)
    if (dbl) b.g_not(bw, in.bit(L));                    // ~ge = borrow & ~top
    {
      Tmp c = b.tmp(L), nc = b.tmp(L);
      b.bcast(nc(), c(), bw);  // c = ge
      b.mux(Dd, c(), nc(), Dd, lowv);
    }
    if (ac) b.mux(Dd, *ac, *anc, Dd, in.sub(1, L));
    cur = 1 - cur;
  };
  step(false, nullptr, nullptr);  // R = X mod Y (X < 2Y)
  // R = R * 2^Dl mod Y: 2^k steps enabled by bit k of D.
  for (int k = int(lb) - 1; k >= 0; --k) {
    Tmp c = b.tmp(L), nc = b.tmp(L);
    b.bcast(c(), nc(), D.bit(uint32_t(k)));
    const Bits cb = c(), ncb = nc();
    for (uint32_t s = 0; s < (1u << k); ++s) step(true, &cb, &ncb);
  }
  // R = R * 2^(Dh * B) mod Y: NB blocks of B unconditional steps on a remainder that is zero
  // (and stays zero) until R is injected before block NB - Dh (or after the last block when
  // Dh == 0), so that exactly Dh blocks act on it.
  {
    const Bits X = R[cur];
    Tmp Rc = b.tmp(L + 1);
    b.init(Rc(), false);
    b.init(R[1 - cur], false);
    R[0] = Rc(), R[1] = R[1 - cur];
    cur = 0;
    for (uint32_t j = 0; j <= NB; ++j) {
      {
        Tmp k = b.tmp(EW - lb), inj = b.tmp(1);
        b.set_const(k(), NB - j);
        equal(b, inj(), k(), D(lb, EW - lb), false);
        Tmp c = b.tmp(L), nc = b.tmp(L);
        b.bcast(c(), nc(), inj());
        b.mux(R[cur].sub(1, L), c(), nc(), X.sub(1, L), R[cur].sub(1, L));
      }
      if (j < NB)
        for (uint32_t s = 0; s < B; ++s) step(true, nullptr, nullptr);
    }
    Rfp = std::make_unique<Tmp>(b.tmp(L));
    b.copy((*Rfp)(), R[cur].sub(1, L));
  }
  }
  const Tmp& Rf = *Rfp;
  {
    // Pack R * 2^(ey - bias - M) (exact).
    is_zero(b, rz, Rf(), false);
    const uint32_t st = ceil_log2(L);
    Tmp m = b.tmp(EW), er = b.tmp(EW);
    b.init(m(), false);
    auto Pc = std::make_unique<Tmp>(b.tmp(M + 3));
    b.init((*Pc)(0, 2), false);
    normalize_left(b, (*Pc)(2, L), Rf(), Bits{}, m(0, st));
    sub(b, er(), ey(), m());
    resp = std::make_unique<Tmp>(b.tmp(W));
    pack_er(b, f, (*resp)(0, n), er(), *Pc);
  }
  const Tmp& res = *resp;
  {
    Tmp c = b.tmp(n);
    b.bcast(c(), Bits{}, rz);
    b.g_not(res(0, n), c());  // exact zero remainder
  }
  b.copy(res.bit(n), x.top());
  // Specials: NaN operand -> quiet NaN (x86 order); x inf or y zero -> default NaN; D < 0
  // (|x| < |y|, x zero, y inf) -> x.
  Tmp g = b.tmp(8);
  const Bits nanx = g.bit(0), nany = g.bit(1), nan = g.bit(2), inv = g.bit(3), ex1 = g.bit(4),
             zy = g.bit(5);
  isnan2(b, f, nanx, nany, x, y);
  b.orc(nan, nanx, nany);
  all_ones(b, ex1, x.sub(M, E), false);
  is_zero(b, zy, y.sub(0, n), false);
  b.orc(inv, ex1, zy);
  Tmp v = b.tmp(W), q = b.tmp(W);
  b.mux1(v(), dneg, x, res());
  b.set_const(q(), default_nan(f));
  b.mux1(res(), inv, q(), v());
  b.mux1(q(), nanx, x, y);
  b.init(q.bit(M - 1), true);
  b.mux1(o, nan, q(), res());
}

namespace {

// o = isless(v, 0): sign set, not zero, not NaN.
void is_negative(Builder& b, FloatFormat f, const Bits& o, const Bits& v) {
  const uint32_t n = f.width() - 1;
  Tmp t = b.tmp(3);
  is_zero(b, t.bit(0), v.sub(0, n), false);
  isnan_bit(b, f, t.bit(1), v, false);
  b.norc(t.bit(2), t.bit(0), t.bit(1));
  b.andc(o, t.bit(2), v.top());
}

// o = floor(v) (v is the result of an IEEE macro: any NaN is already quiet). o serves as work
// space until the end, so that floor needs few registers.
void ffloor(Builder& b, FloatFormat f, const Bits& o, const Bits& v) {
  const uint32_t E = f.e, M = f.m, n = f.width() - 1, EW = E + 2;
  const uint32_t sb = ceil_log2(M + 1);
  Tmp fl = b.tmp(8);
  const Bits big = fl.bit(0), small = fl.bit(1), nz = fl.bit(2), up = fl.bit(3),
             vz = fl.bit(4), negnz = fl.bit(5);
  Tmp s = b.tmp(EW);
  {
    Tmp e = b.tmp(EW), k = b.tmp(EW);
    b.init(e(), false);
    b.copy(e(0, E), v.sub(M, E));
    b.set_const(k(), f.bias() + M - 1);
    less(b, big, k(), e(), false, false);  // e >= bias + M: integral, inf or NaN
    b.set_const(k(), f.bias());
    less(b, small, e(), k(), false, false);  // |v| < 1
    b.set_const(k(), f.bias() + M);
    sub(b, s(), k(), e());  // fraction bits below the unit (1..M when neither)
  }
  // hi = ones << s in o (in place, one stage per bit of s)
  const Bits hi = o.sub(0, M);
  b.init(hi, true);
  for (uint32_t k = 0; k < sb; ++k) {
    const uint32_t sh = 1u << k;
    Tmp c = b.tmp(M), nc = b.tmp(M);
    b.bcast(c(), nc(), s.bit(k));
    if (sh >= M) {
      b.g_not(hi, c());
    } else {
      b.mux(hi.sub(sh, M - sh), c(0, M - sh), nc(0, M - sh), hi.sub(0, M - sh), hi.sub(sh, M - sh));
      b.g_not(hi.sub(0, sh), c(0, sh));
    }
  }
  Tmp A = b.tmp(n);  // truncated magnitude, then the result magnitude
  b.andc(A(0, M), v.sub(0, M), hi);
  b.copy(A(M, E), v.sub(M, E));
  {
    Tmp B = b.tmp(n);
    b.notc(B(0, M), hi);  // mask of the fraction bits below the unit
    {
      Tmp C = b.tmp(M);
      b.andc(C(), v.sub(0, M), B(0, M));
      is_zero(b, nz, C(), true);
    }
    b.orc(B(0, M), v.sub(0, M), B(0, M));  // v | mask: + 1 gives trunc + unit
    b.copy(B(M, E), v.sub(M, E));
    b.andc(up, nz, v.top());
    Tmp C = b.tmp(n);
    {
      Tmp one = b.tmp(1);
      b.init(one(), true);
      increment(b, C(), B(), one());  // carries into the exponent
    }
    b.mux1(A(), up, C(), A());
    // |v| < 1: +-0 stays, negative -> -1.0, positive -> +0
    is_zero(b, vz, v.sub(0, n), false);
    {
      Tmp t = b.tmp(1);
      b.notc(t(), vz);
      b.andc(negnz, t(), v.top());  // negative, nonzero
    }
    b.set_const(B(), f.bias() << M);
    {
      Tmp c = b.tmp(n);
      b.bcast(c(), Bits{}, negnz);
      Tmp nc = b.tmp(n);
      b.notc(nc(), c());
      b.g_not(B(), nc());
    }
    b.mux1(A(), small, B(), A());
  }
  b.mux1(o.sub(0, n), big, v.sub(0, n), A());
  b.copy(o.top(), v.top());
}

}  // namespace

void fdivmod(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y,
             bool want_mod) {
  const uint32_t W = f.width(), n = W - 1, M = f.m;
  auto modp = std::make_unique<Tmp>(b.tmp(W));
  const Bits mod = (*modp)();
  ffmod(b, f, mod, x, y);
  Tmp fl = b.tmp(8);
  const Bits yz = fl.bit(0), mnz = fl.bit(1), adj = fl.bit(2);
  is_zero(b, yz, y.sub(0, n), false);
  is_zero(b, mnz, mod.sub(0, n), true);
  {
    Tmp t = b.tmp(3);
    is_negative(b, f, t.bit(0), y);
    is_negative(b, f, t.bit(1), mod);
    b.xorc(t.bit(2), t.bit(0), t.bit(1));
    b.andc(adj, t.bit(2), mnz);  // mod is NaN when y == 0 and never negative then
  }
  if (want_mod) {
    Tmp madj = b.tmp(W);
    fadd(b, f, madj(), mod, y, false);
    {
      Tmp z = b.tmp(W), t = b.tmp(W);
      b.init(z(0, n), false);
      b.copy(z.bit(n), y.top());  // copysign(0, b)
      b.mux1(t(), mnz, mod, z());
      b.mux1(madj(), adj, madj(), t());
      b.mux1(madj(), yz, mod, madj());
    }
    modp.reset();
    // Both operands NaN: NumPy's remainder returns the quieted NaN with the larger payload
    // (ties: the positive one). Keys [payload, ~sign] compared unsigned.
    Tmp nn = b.tmp(4);
    isnan2(b, f, nn.bit(0), nn.bit(1), x, y);
    b.andc(nn.bit(2), nn.bit(0), nn.bit(1));
    {
      Tmp kx = b.tmp(M), ky = b.tmp(M);
      b.copy(kx(1, M - 1), x.sub(0, M - 1));
      b.notc(kx.bit(0), x.top());
      b.copy(ky(1, M - 1), y.sub(0, M - 1));
      b.notc(ky.bit(0), y.top());
      less(b, nn.bit(3), kx(), ky(), false, false);
    }
    Tmp t = b.tmp(W);
    b.mux1(t(), nn.bit(3), y, x);
    b.init(t.bit(M - 1), true);
    b.mux1(o, nn.bit(2), t(), madj());
    return;
  }
  // b == 0 needs no special case below: a / 0 is inf or NaN, which floor and the snap keep.
  // The output register o holds one value between the steps (float64 add needs most of a row,
  // so at most two other values may be live around it).
  std::unique_ptr<Tmp> divp;
  {
    Tmp d = b.tmp(W);
    fadd(b, f, d(), x, mod, true);
    modp.reset();
    b.mux1(d(), yz, x, d());  // b == 0: a / b
    divp = std::make_unique<Tmp>(b.tmp(W));
    fdiv(b, f, (*divp)(), d(), y);
  }
  {
    // div -= adj ? 1 : +0 (v - +0 == v for every v, -0 and NaN payloads included)
    {
      Tmp one = b.tmp(W), zero = b.tmp(W);
      b.set_const(one(), f.bias() << M);
      b.init(zero(), false);
      b.mux1(o, adj, one(), zero());
    }
    auto d1 = std::make_unique<Tmp>(b.tmp(W));
    fadd(b, f, (*d1)(), (*divp)(), o, true);
    divp = std::move(d1);
  }
  Tmp dz = b.tmp(2);
  const Bits gt = dz.bit(1), div = (*divp)();
  is_zero(b, dz.bit(0), div.sub(0, n), false);
  ffloor(b, f, o, div);
  {
    auto fr = std::make_unique<Tmp>(b.tmp(W));
    fadd(b, f, (*fr)(), div, o, true);  // div - floor(div)
    divp.reset();
    {
      // fr is +0 <= fr < 1 or NaN: fr > 0.5 is an unsigned comparison of the magnitude bits
      Tmp h = b.tmp(n), t = b.tmp(2);
      b.set_const(h(), (f.bias() - 1) << M);  // 0.5
      less(b, t.bit(0), h(), (*fr)(0, n), false, false);
      all_ones(b, t.bit(1), (*fr)(M, f.e), true);  // not NaN
      b.andc(gt, t.bit(0), t.bit(1));
    }
    fr.reset();
    Tmp one = b.tmp(W), h = b.tmp(W);
    b.set_const(one(), f.bias() << M);
    fadd(b, f, h(), o, one(), false);
    b.mux1(o, gt, h(), o);
  }
  // div == 0: copysign(0, a / b) = sign(a) ^ sign(b) (a / b is not NaN then)
  Tmp z = b.tmp(W);
  b.init(z(0, n), false);
  b.xorc(z.bit(n), x.top(), y.top());
  b.mux1(o, dz.bit(0), z(), o);
}

}  // namespace ember::pim::mc
