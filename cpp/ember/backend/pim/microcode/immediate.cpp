#include "immediate.h"

#include <algorithm>

#include "float_common.h"
#include "int_arith.h"

namespace ember::pim::mc {

Scratch scratch_value(Builder& b, DType t) {
  const uint32_t w = dtype_bits(t), P = b.partitions();
  // Whole registers: a narrow request would be packed at an offset inside a shared register.
  Tmp tmp = b.tmp(((w + P - 1) / P) * P);
  Val v = tmp.val();
  v.width = uint16_t(w);
  return Scratch{std::move(tmp), v};
}

Scratch immediate(Builder& b, DType t, uint64_t value) {
  Scratch s = scratch_value(b, t);
  const uint32_t w = dtype_bits(t);
  if (w < 64) value &= (uint64_t(1) << w) - 1;
  // Per register: one INIT when the word is uniform, else one WRITE of the word (in every row
  // the stream's masks select); either way fold_known knows the bits.
  const uint32_t P = b.partitions();
  for (uint32_t j = 0; j * P < w; ++j) {
    const uint32_t n = std::min(P, w - j * P);
    const uint64_t word = (value >> (j * P)) & (n == 64 ? ~uint64_t(0) : (uint64_t(1) << n) - 1);
    const Bits seg = bits(s.val, j * P, n);
    if (word == 0 || word == (n == 64 ? ~uint64_t(0) : (uint64_t(1) << n) - 1)) b.init(seg, word != 0);
    else b.ops().push_back(write_op(s.val.r[j], word));
  }
  return s;
}

void fscale(Builder& b, FloatFormat f, const Bits& o, const Bits& x, int k, bool negate) {
  const uint32_t E = f.e, M = f.m, n = f.width() - 1, EW = E + 2;
  if (k > int(f.bias()) + 1 || -k > int(f.bias()) + 1) throw std::logic_error("pim fscale: |k| too large");
  // er = (normalized exponent of x) + k fits EW signed bits: from 1 - M - bias - 1 up to
  // 2^E - 2 + bias + 1.
  Tmp res = b.tmp(f.width());
  {
    Tmp Pc = b.tmp(M + 3);  // [sticky, guard, fraction, leading one]
    Tmp er = b.tmp(EW);
    {
      Tmp e = b.tmp(EW);
      unpack_norm(b, f, Pc(2, M + 1), e(), x);
      add_const(b, er(), e(), uint64_t(int64_t(k)) & ((uint64_t(1) << EW) - 1));
    }
    b.init(Pc(0, 2), false);  // exact: no guard or sticky bits
    pack_er(b, f, res(0, n), er(), Pc);
  }
  if (negate) b.notc(res.bit(n), x.bit(n));
  else b.copy(res.bit(n), x.bit(n));
  // inf, NaN and zeros: x itself (NaN quieted; the sign flipped by negate except for NaN).
  Tmp fl = b.tmp(4);
  all_ones(b, fl.bit(0), x.sub(M, E), false);
  is_zero(b, fl.bit(1), x.sub(0, n), false);
  b.orc(fl.bit(2), fl.bit(0), fl.bit(1));
  isnan_bit(b, f, fl.bit(3), x, false);
  Tmp sp = b.tmp(f.width());
  b.copy(sp(0, n), x.sub(0, n));
  if (negate) b.notc(sp.bit(n), x.bit(n));
  else b.copy(sp.bit(n), x.bit(n));
  select_special(b, f, o, fl.bit(2), fl.bit(3), fl.bit(3), x, x, sp(), res());
}

namespace {
// k when bits are +-2^k with a normal exponent (fraction zero).
std::optional<int> power_of_two(FloatFormat f, uint64_t bits) {
  const uint64_t e = (bits >> f.m) & ((uint64_t(1) << f.e) - 1), frac = bits & ((uint64_t(1) << f.m) - 1);
  if (frac != 0 || e == 0 || e == (uint64_t(1) << f.e) - 1) return std::nullopt;
  return int(int64_t(e) - int64_t(f.bias()));
}
}  // namespace

void emit_macro_imm(Builder& b, Macro m, DType in_t, DType out_t, const Val& out, const std::vector<Val>& in,
                    const std::vector<std::optional<uint64_t>>& imm) {
  if (is_float(in_t) && !b.fast_float && in.size() == 2 && (m == Macro::Mul || m == Macro::TrueDiv)) {
    const FloatFormat f = float_format(in_t);
    for (int c : {1, 0}) {
      if (c == 0 && m == Macro::TrueDiv) break;  // 2^j / x is no scaling
      if (!imm[c]) continue;
      auto k = power_of_two(f, *imm[c]);
      if (!k) continue;
      const bool neg = (*imm[c] >> (f.width() - 1)) & 1;
      fscale(b, f, all(out), all(in[1 - c]), m == Macro::TrueDiv ? -*k : *k, neg);
      return;
    }
  }
  emit_macro(b, m, in_t, out_t, out, in);
}

}  // namespace ember::pim::mc
