// Conversions involving floats: int/bool <-> float32/float64 and float32 <-> float64, with
// IEEE rounding to nearest even. Float -> int truncates toward zero like a C cast on x86:
// int8/16/32 and uint8/16 go through a 32-bit conversion, uint32 and int64 through a 64-bit
// one; NaN and out-of-range values give the "integer indefinite" pattern of that conversion
// (uint64: 0 for NaN and values >= 2^64).
#include <memory>

#include "float_common.h"
#include "int_arith.h"
#include "ops.h"

namespace ember::pim::mc {

namespace {

uint32_t stages_for(uint32_t n) {
  uint32_t s = 0;
  while ((1u << s) < n) ++s;
  return s;
}

void int_to_float(Builder& b, FloatFormat f, bool sgn, const Bits& o, const Bits& x) {
  const uint32_t W = x.len, M = f.m, E = f.e, n = f.width() - 1, EW = E + 2;
  Tmp fl = b.tmp(2);
  const Bits s = fl.bit(0), z = fl.bit(1);
  auto mn = std::make_unique<Tmp>(b.tmp(W));
  Tmp er = b.tmp(EW);
  {
    Tmp mag = b.tmp(W);
    if (sgn) {
      b.copy(s, x.top());
      Tmp t = b.tmp(W);
      neg(b, t(), x);
      b.mux1(mag(), s, t(), x);
    } else {
      b.init(s, false);
      b.copy(mag(), x);
    }
    is_zero(b, z, mag(), false);
    Tmp m = b.tmp(EW);
    b.init(m(), false);
    normalize_left(b, (*mn)(), mag(), Bits{}, m(0, stages_for(W)));
    // er = bias + W - 1 - m = ~m + bias + W
    Tmp nm = b.tmp(EW);
    b.notc(nm(), m());
    add_const(b, er(), nm(), f.bias() + W);
  }
  // Pc = [sticky, guard, fraction, leading] from mn (leading one at W - 1)
  Tmp Pc = b.tmp(M + 3);
  {
    const Tmp& mnr = *mn;
    b.copy(Pc.bit(M + 2), mnr.bit(W - 1));
    const int fr = int(W) - 1 - int(M);  // bit of mn at fraction position 0
    if (fr >= 0) {
      b.copy(Pc(2, M), mnr(uint32_t(fr), M));
      if (fr >= 1) b.copy(Pc.bit(1), mnr.bit(uint32_t(fr - 1)));
      else b.init(Pc.bit(1), false);
      if (fr >= 2) is_zero(b, Pc.bit(0), mnr(0, uint32_t(fr - 1)), true);
      else b.init(Pc.bit(0), false);
    } else {
      const uint32_t k = uint32_t(-fr);  // low fraction bits that are zero
      b.init(Pc(0, 2 + k), false);
      if (W > 1) b.copy(Pc(2 + k, W - 1), mnr(0, W - 1));
    }
  }
  mn.reset();
  pack_er(b, f, o.sub(0, n), er(), Pc);
  Tmp c = b.tmp(n);
  b.bcast(c(), Bits{}, z);
  b.g_not(o.sub(0, n), c());
  b.copy(o.top(), s);
}

// Float -> K-bit integer, truncating; signed: overflow / NaN give 1 << (K-1); unsigned (K = 64
// only): overflow / NaN give 0.
void float_to_int(Builder& b, FloatFormat f, uint32_t K, bool sgn, const Bits& o, const Bits& x) {
  const uint32_t M = f.m, E = f.e, L = M + 1, EW = E + 2;
  Tmp fl = b.tmp(4);
  const Bits ovf = fl.bit(0), big = fl.bit(1), hz = fl.bit(2);
  // V: significand aligned to the top of K bits
  Tmp V = b.tmp(K);
  is_zero(b, hz, x.sub(M, E), false);
  if (L <= K) {
    if (K > L) b.init(V(0, K - L), false);
    b.copy(V(K - L, M), x.sub(0, M));
    b.notc(V.bit(K - 1), hz);
  } else {
    b.copy(V(0, K - 1), x.sub(L - K, K - 1));
    b.notc(V.bit(K - 1), hz);
  }
  // r = K - 1 + bias - exp (signed)
  Tmp r = b.tmp(EW);
  {
    Tmp e = b.tmp(EW), ne = b.tmp(EW);
    b.init(e(), false);
    b.copy(e(0, E), x.sub(M, E));
    b.notc(ne(), e());
    add_const(b, r(), ne(), K + f.bias());  // K - 1 + bias - e = ~e + K + bias
  }
  const uint32_t s = stages_for(K);
  Tmp mag = b.tmp(K);
  {
    Tmp z = b.tmp(K);
    b.init(z(), false);
    shift_stages(b, mag(), V(), r(0, s), false, z());
  }
  // shifts of 2^s or more give 0 (|x| < 1)
  {
    Tmp t = b.tmp(2);
    is_zero(b, t.bit(0), r(s, EW - 1 - s), true);
    Tmp nneg = b.tmp(1);
    b.notc(nneg(), r.top());
    b.andc(big, t.bit(0), nneg());
    Tmp c = b.tmp(K);
    b.bcast(c(), Bits{}, big);
    b.g_not(mag(), c());
  }
  // overflow: r < 0, or r == 0 for signed conversions
  if (sgn) {
    Tmp z = b.tmp(1);
    is_zero(b, z(), r(), false);
    b.orc(ovf, z(), r.top());
  } else {
    b.copy(ovf, r.top());
  }
  Tmp v = b.tmp(K);
  {
    Tmp t = b.tmp(K);
    neg(b, t(), mag());
    b.mux1(v(), x.top(), t(), mag());
  }
  Tmp ind = b.tmp(K);
  b.init(ind(), false);
  if (sgn) b.init(ind.bit(K - 1), true);
  b.mux1(o, ovf, ind(0, o.len), v(0, o.len));
}

// float32 <-> float64
void float_to_float(Builder& b, FloatFormat fi, FloatFormat fo, const Bits& o, const Bits& x) {
  const uint32_t Mi = fi.m, Ei = fi.e, Mo = fo.m, Eo = fo.e, no = fo.width() - 1;
  const uint32_t EW = (Ei > Eo ? Ei : Eo) + 2;
  Tmp fl = b.tmp(4);
  const Bits ez = fl.bit(0), spec = fl.bit(1), nan = fl.bit(2), zero = fl.bit(3);
  is_zero(b, ez, x.sub(Mi, Ei), false);
  all_ones(b, spec, x.sub(Mi, Ei), false);
  isnan_bit(b, fi, nan, x, false);
  is_zero(b, zero, x.sub(0, fi.width() - 1), false);
  // Normalized significand and exponent of its leading bit, in the output's bias.
  Tmp Pc = b.tmp(Mo + 3), er = b.tmp(EW);
  {
    const uint32_t L = Mi + 1;
    Tmp sig = b.tmp(L), sn = b.tmp(L), m = b.tmp(EW);
    b.copy(sig(0, Mi), x.sub(0, Mi));
    b.notc(sig.bit(Mi), ez);
    b.init(m(), false);
    normalize_left(b, sn(), sig(), Bits{}, m(0, stages_for(L)));
    // er = max(e, 1) - m + (bias_o - bias_i)
    Tmp e = b.tmp(EW), t = b.tmp(EW);
    b.init(e(), false);
    b.copy(e(0, Ei), x.sub(Mi, Ei));
    b.orc(e.bit(0), x.bit(Mi), ez);
    sub(b, t(), e(), m());
    add_const(b, er(), t(), uint64_t(int64_t(fo.bias()) - int64_t(fi.bias())));
    // Pc = [sticky, guard, fraction, leading]
    b.copy(Pc.bit(Mo + 2), sn.bit(Mi));
    if (Mo >= Mi) {  // widening: exact
      b.init(Pc(0, 2 + Mo - Mi), false);
      b.copy(Pc(2 + Mo - Mi, Mi), sn(0, Mi));
    } else {
      const uint32_t k = Mi - Mo;  // dropped low bits: guard = bit k-1, sticky = OR below
      b.copy(Pc(2, Mo), sn(k, Mo));
      b.copy(Pc.bit(1), sn.bit(k - 1));
      is_zero(b, Pc.bit(0), sn(0, k - 1), true);
    }
  }
  Tmp res = b.tmp(no + 1);
  pack_er(b, fo, res(0, no), er(), Pc);
  // zero -> 0; inf / NaN -> all-ones exponent with the top fraction bits, NaN quieted
  Tmp sp = b.tmp(no + 1);
  b.init(sp(), false);
  b.init(sp(Mo, Eo), true);
  if (Mo >= Mi)
    b.copy(sp(Mo - Mi, Mi), x.sub(0, Mi));
  else
    b.copy(sp(0, Mo), x.sub(Mi - Mo, Mo));
  b.orc(sp.bit(Mo - 1), sp.bit(Mo - 1), nan);
  {
    Tmp c = b.tmp(no);
    b.bcast(c(), Bits{}, zero);
    b.g_not(res(0, no), c());
  }
  b.mux1(o.sub(0, no), spec, sp(0, no), res(0, no));
  b.copy(o.top(), x.top());
}

}  // namespace

bool emit_float_cast(Builder& b, DType in_t, DType out_t, const Bits& o, const Bits& x) {
  if (is_float(in_t) && is_float(out_t)) {
    if (in_t == out_t) {
      b.copy(o, x);
      return true;
    }
    float_to_float(b, float_format(in_t), float_format(out_t), o, x);
    return true;
  }
  if (is_float(out_t)) {
    const FloatFormat f = float_format(out_t);
    if (in_t == DType::Bool) {  // 0 -> +0, 1 -> 1.0
      b.init(o, false);
      b.bcast(o.sub(f.m, f.e - 1), Bits{}, x.bit(0));
      return true;
    }
    int_to_float(b, f, is_signed_int(in_t), o, x);
    return true;
  }
  const FloatFormat f = float_format(in_t);
  if (out_t == DType::Bool) {
    is_zero(b, o, x.sub(0, f.width() - 1), true);
    return true;
  }
  const uint32_t w = dtype_bits(out_t);
  const bool wide = out_t == DType::U32 || out_t == DType::I64 || out_t == DType::U64;
  const uint32_t K = wide ? 64 : 32;
  if (K == w || out_t == DType::U32) {
    Tmp t = b.tmp(K);
    float_to_int(b, f, K, out_t != DType::U64, t(), x);
    b.copy(o, t(0, w));
  } else {
    Tmp t = b.tmp(K);
    float_to_int(b, f, K, true, t(), x);
    b.copy(o, t(0, w));
  }
  return true;
}

}  // namespace ember::pim::mc
