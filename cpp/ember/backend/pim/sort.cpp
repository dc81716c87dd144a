// Bitonic sort in a work layout spread over as many crossbars as possible (one row per crossbar
// when the element count allows, Rw rows otherwise), so that a compare-exchange stage whose
// partner lies in another crossbar costs two whole-array MOVEs per work row, and one whose partner
// lies in another row costs two MOVEs per row pair, instead of PyPIM's move per element row.
// Work slot w = s * C + k (row s, crossbar k). The result rank i = q * Rp + r (q = crossbar,
// r = row of the tensor) lives in slot w = r * Xp + q: the scatter into the work area and the
// gather back need one MOVE per tensor row, and every rank bit is a slot bit, so each stage's
// partner is at a constant crossbar or row distance. Per-element stage conditions come from a
// slot-index register built by doubling moves.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "collectives.h"
#include "microcode/float_common.h"
#include "microcode/int_arith.h"
#include "microcode/int_muldiv.h"

namespace ember::pim {

namespace {

uint32_t log2_ceil(uint64_t v) {
  uint32_t l = 0;
  while ((uint64_t(1) << l) < v) ++l;
  return l;
}

void write_value(std::vector<MicroOp>& ops, const Val& v, uint64_t bits, uint32_t P) {
  const uint64_t wmask = P == 64 ? ~uint64_t(0) : (uint64_t(1) << P) - 1;
  for (uint32_t j = 0; j < v.nregs; ++j) ops.push_back(write_op(v.r[j], (bits >> (j * P)) & wmask));
}

}  // namespace

Metrics sort(Machine& m, const Tensor& t, bool descending, uint64_t group) {
  const Geometry& g = m.geometry();
  const uint32_t P = g.partitions;
  const DType dt = t.dtype;
  if (dt == DType::Bool) throw std::invalid_argument("pim: sort of bool is not supported");
  if (!t.dense()) throw std::invalid_argument("pim: sort of a strided view is not supported");
  // Floats are sorted by an unsigned key (negative: ~x, else x ^ sign; NaN just above +inf, so
  // NaNs go last as in NumPy) and carry their original bits along as a payload.
  const bool fl = is_float(dt);
  const uint64_t n = t.n;
  if (group == 0 || group >= n) group = 0;
  // Groups of a size that is not a power of two are sorted as one group by the composite key
  // (group index, value key): the group index (rank / group, from the slot index) sits above
  // the value bits, so groups stay apart and keep their places.
  const bool composite = group && (group & (group - 1));
  if (group && n % group)
    throw std::invalid_argument("pim: the element count must be a multiple of the group size");
  const uint32_t R = t.rows_used, X = t.nxb;
  const uint64_t Rp = uint64_t(1) << log2_ceil(R), Xp = uint64_t(1) << log2_ceil(X);
  if (X > 1 && Rp != R)
    throw std::invalid_argument("pim: sort needs a power-of-two number of rows per crossbar");
  const uint64_t N = Rp * Xp;
  const uint32_t L = log2_ceil(N), lR = log2_ceil(Rp), lX = log2_ceil(Xp);
  uint32_t lC = 0;  // work crossbars C = 2^lC: as many as fit, at least Xp
  while (lC < L && (uint64_t(2) << lC) <= g.crossbars) ++lC;
  const uint64_t C = uint64_t(1) << lC, Rw = N / C;
  const uint32_t lW = log2_ceil(Rw);
  if (C < Xp || Rw > g.rows)
    throw std::runtime_error("pim: sort of " + std::to_string(n) + " elements does not fit the machine");
  if (L + 2 > P) throw std::runtime_error("pim: sort needs log2(n) + 2 partitions");
  // rank bit b -> slot bit (slot bits < lC are crossbar bits, the others row bits)
  auto perm = [&](uint32_t b) { return b < lR ? lX + b : b - lR; };

  const uint32_t w = dtype_bits(dt);
  const uint64_t wmask = w == 64 ? ~uint64_t(0) : (uint64_t(1) << w) - 1;
  const uint64_t vmax = is_signed_int(dt) ? wmask >> 1 : wmask;
  const uint64_t vmin = is_signed_int(dt) ? (wmask >> 1) + 1 : 0;
  // Padding slots hold a value that sorts last: ints the extreme value; floats the all-ones
  // pattern (a NaN) whose key is forced to the maximum (an input with that pattern is
  // indistinguishable from padding, so it stays correct). Float keys are inverted for descending
  // order, so the network itself sorts floats ascending.
  const uint64_t pad = fl ? wmask : (descending ? vmin : vmax);
  const bool net_desc = fl || composite ? false : descending;
  const DType kt = fl ? (w == 32 ? DType::U32 : DType::U64) : dt;
  const bool carry = fl || composite;  // a key separate from the value (the payload)
  const uint32_t Lgid = composite ? std::max<uint32_t>(1, log2_ceil((N + group - 1) / group)) : 0;
  const uint32_t kw = w + Lgid;  // key width
  const bool key_signed = !composite && is_signed_int(kt);

  Tensor V = m.alloc(N, dt, uint32_t(Rw));
  std::vector<Tensor> parts;  // allocations behind the wide key tensors
  auto key_tensor = [&]() {   // a tensor of kw bits placed like V
    if (!composite) return m.alloc_like(V, kt);
    Tensor k = m.alloc_like(V, DType::U64);
    parts.push_back(k);
    Val v = k.regs;
    while (uint32_t(v.nregs) * P < kw) {
      Tensor e = m.alloc_like(V, DType::U32);
      parts.push_back(e);
      for (uint32_t j = 0; j < e.regs.nregs && uint32_t(v.nregs) * P < kw; ++j)
        v.r[v.nregs++] = e.regs.r[j];
    }
    v.width = uint16_t(kw);
    k.regs = v;
    return k;
  };
  Tensor K = carry ? key_tensor() : V;
  Tensor Pd = key_tensor(), Pu = key_tensor(), ID = m.alloc_like(V, DType::U32);
  const uint32_t w0 = V.xb0, wl = uint32_t(w0 + C - 1);
  std::vector<MicroOp> ops;
  // Padding: the tensor's own rows beyond n, then every work slot, then scatter over them.
  const uint64_t valid_last = n - uint64_t(X - 1) * R;
  if (valid_last < R) {
    ops.push_back(mask_crossbars(t.xb0 + X - 1, t.xb0 + X - 1));
    ops.push_back(mask_rows(uint32_t(valid_last), R - 1));
    write_value(ops, t.regs, pad, P);
  }
  ops.push_back(mask_crossbars(w0, wl));
  ops.push_back(mask_rows(0, uint32_t(Rw - 1)));
  write_value(ops, V.regs, pad, P);
  // Scatter: tensor row r of crossbar q -> slot r * Xp + q.
  ops.push_back(mask_crossbars(t.xb0, t.xb0 + X - 1));
  for (uint32_t r = 0; r < R; ++r) {
    const uint64_t wb = uint64_t(r) * Xp;
    for (uint32_t j = 0; j < V.regs.nregs; ++j)
      ops.push_back(move_op(r, t.regs.r[j], uint32_t(wb / C), V.regs.r[j], int64_t(w0 + wb % C)));
  }
  ops.push_back(mask_crossbars(w0, wl));
  auto build_keys = [&]() {
  if (fl) {  // keys of every work slot
    Builder b(P, m.free_registers(w0, uint32_t(C)));
    const mc::FloatFormat f = mc::float_format(dt);
    const Bits v = all(V.regs), k = all(K.regs).sub(0, w);
    {
      Tmp c = b.tmp(w - 1), nc = b.tmp(w - 1), nv = b.tmp(w - 1);
      b.bcast(c(), nc(), v.top());
      b.notc(nv(), v.sub(0, w - 1));
      b.mux(k.sub(0, w - 1), c(), nc(), nv(), v.sub(0, w - 1));  // negative: ~x
      b.notc(k.top(), v.top());                                 // non-negative: x ^ sign
    }
    Tmp nan = b.tmp(1), padf = b.tmp(1), nk = b.tmp(w);
    mc::isnan_bit(b, f, nan(), v, false);
    const uint64_t inf_key = (((uint64_t(1) << f.e) - 1) << f.m) | (uint64_t(1) << (w - 1));
    b.set_const(nk(), inf_key + 1);  // NaN: just above +inf
    b.mux1(k, nan(), nk(), k);
    if (descending) b.notc(nk(), k), b.copy(k, nk());
    mc::all_ones(b, padf(), v, false);
    b.init(nk(), true);
    b.mux1(k, padf(), nk(), k);  // padding: the maximum key
    ops.insert(ops.end(), b.ops().begin(), b.ops().end());
  } else if (composite) {  // integer value key in unsigned order (inverted for descending)
    Builder b(P, m.free_registers(w0, uint32_t(C)));
    const Bits v = all(V.regs), k = all(K.regs).sub(0, w);
    const bool flip_sign = is_signed_int(dt);
    if (descending) {
      b.notc(k, v);
      if (flip_sign) b.copy(k.top(), v.top());
    } else {
      b.copy(k, v);
      if (flip_sign) b.notc(k.top(), v.top());
    }
    ops.insert(ops.end(), b.ops().begin(), b.ops().end());
  }
  if (composite) {  // group index = rank / group above the value key
    Builder b(P, m.free_registers(w0, uint32_t(C)));
    const Bits id = all(ID.regs);
    Tmp rank = b.tmp(L + 1), gq = b.tmp(L + 1), gc = b.tmp(L + 1);
    b.init(rank(), false);
    for (uint32_t bit = 0; bit < L; ++bit) b.copy(rank.bit(bit), id.bit(perm(bit)));
    b.set_const(gc(), group);
    mc::udivmod(b, gq(), Bits{}, rank(), gc());
    b.copy(all(K.regs).sub(w, Lgid), gq(0, Lgid));
    ops.insert(ops.end(), b.ops().begin(), b.ops().end());
  }
  };
  if (!composite) build_keys();
  // Slot-index register: crossbar bits by doubling on row 0, copied to every row, then row bits
  // by doubling over rows.
  ops.push_back(logic_h(Gate::Init0, 0, 0, 0, 0, ID.regs.r[0], 0, uint16_t(P - 1)));
  ops.push_back(mask_rows(0, 0));
  for (uint32_t l = 0; l < lC; ++l) {
    const uint32_t h = 1u << l;
    ops.push_back(mask_crossbars(w0, w0 + h - 1));
    ops.push_back(move_op(0, ID.regs.r[0], 0, ID.regs.r[0], int64_t(w0) + h));
    ops.push_back(mask_crossbars(w0 + h, w0 + 2 * h - 1));
    ops.push_back(logic_h(Gate::Init1, 0, 0, 0, 0, ID.regs.r[0], uint16_t(l), uint16_t(l)));
  }
  ops.push_back(mask_crossbars(w0, wl));
  for (uint32_t l = 0; l < lW; ++l) {
    const uint32_t h = 1u << l;
    for (uint32_t s = 0; s < h; ++s) ops.push_back(move_op(s, ID.regs.r[0], s + h, ID.regs.r[0], w0));
    ops.push_back(mask_rows(h, 2 * h - 1));
    ops.push_back(logic_h(Gate::Init1, 0, 0, 0, 0, ID.regs.r[0], uint16_t(lC + l), uint16_t(lC + l)));
  }
  ops.push_back(mask_rows(0, uint32_t(Rw - 1)));
  if (composite) build_keys();  // they need the slot index
  // Bitonic network in rank space.
  const uint32_t Lg = group && !composite ? log2_ceil(group) : L;
  for (uint32_t kb = 1; kb <= Lg; ++kb) {      // block size 2^kb
    for (int jb = int(kb) - 1; jb >= 0; --jb) {  // partner distance 2^jb
      const uint32_t pb = perm(uint32_t(jb));
      auto shift_in = [&](const Tensor& src) {  // Pd[w] = src[w + D], Pu[w] = src[w - D]
        if (pb < lC) {
          const uint64_t D = uint64_t(1) << pb;
          ops.push_back(mask_crossbars(uint32_t(w0 + D), wl));
          for (uint32_t s = 0; s < Rw; ++s)
            for (uint32_t j = 0; j < src.regs.nregs; ++j)
              ops.push_back(move_op(s, src.regs.r[j], s, Pd.regs.r[j], w0));
          ops.push_back(mask_crossbars(w0, uint32_t(wl - D)));
          for (uint32_t s = 0; s < Rw; ++s)
            for (uint32_t j = 0; j < src.regs.nregs; ++j)
              ops.push_back(move_op(s, src.regs.r[j], s, Pu.regs.r[j], int64_t(w0 + D)));
          ops.push_back(mask_crossbars(w0, wl));
        } else {
          const uint32_t Dr = 1u << (pb - lC);
          for (uint32_t s = 0; s + Dr < Rw; ++s)
            for (uint32_t j = 0; j < src.regs.nregs; ++j) {
              ops.push_back(move_op(s + Dr, src.regs.r[j], s, Pd.regs.r[j], w0));
              ops.push_back(move_op(s, src.regs.r[j], s + Dr, Pu.regs.r[j], w0));
            }
        }
      };
      const Bits id = all(ID.regs);
      const Bits low = id.bit(P - 2), sel = id.bit(P - 1);  // kept between key and payload steps
      shift_in(K);
      {
        Builder b(P, m.free_registers(w0, uint32_t(C)));
        Tmp fl2 = b.tmp(2);
        const Bits asc = fl2.bit(0), wmin = fl2.bit(1);
        b.notc(low, id.bit(pb));
        // blocks of the final merge (or of the groups) are all in the requested order
        if (kb == Lg) {
          b.init(asc, !net_desc);
        } else if (net_desc) {
          b.copy(asc, id.bit(perm(kb)));
        } else {
          b.notc(asc, id.bit(perm(kb)));
        }
        b.xnorc(wmin, low, asc);
        // Composite keys are handled as (value key, group index) parts: fewer registers at once.
        auto mux1p = [&](const Bits& o, const Bits& cnd, const Bits& x, const Bits& y) {
          if (!composite) {
            b.mux1(o, cnd, x, y);
            return;
          }
          b.mux1(o.sub(0, w), cnd, x.sub(0, w), y.sub(0, w));
          b.mux1(o.sub(w, Lgid), cnd, x.sub(w, Lgid), y.sub(w, Lgid));
        };
        auto lessp = [&](const Bits& o, const Bits& x, const Bits& y) {
          if (!composite) {
            mc::less(b, o, x, y, key_signed, false);
            return;
          }
          Tmp t = b.tmp(3);  // x < y lexicographically on (group, value)
          mc::less(b, t.bit(0), x.sub(w, Lgid), y.sub(w, Lgid), false, false);
          mc::equal(b, t.bit(1), x.sub(w, Lgid), y.sub(w, Lgid), false);
          mc::less(b, t.bit(2), x.sub(0, w), y.sub(0, w), false, false);
          b.andc(t.bit(1), t.bit(1), t.bit(2));
          b.orc(o, t.bit(0), t.bit(1));
        };
        auto equalp = [&](const Bits& o, const Bits& x, const Bits& y) {
          if (!composite) {
            mc::equal(b, o, x, y, false);
            return;
          }
          Tmp t = b.tmp(2);
          mc::equal(b, t.bit(0), x.sub(w, Lgid), y.sub(w, Lgid), false);
          mc::equal(b, t.bit(1), x.sub(0, w), y.sub(0, w), false);
          b.andc(o, t.bit(0), t.bit(1));
        };
        Tmp Q = b.tmp(kw), c = b.tmp(1);
        mux1p(Q(), low, all(Pd.regs), all(Pu.regs));
        lessp(c(), Q(), all(K.regs));  // partner < self
        if (!fl) {
          b.xnorc(sel, c(), wmin);  // equal keys are equal values: ties need no care
        } else {
          // min side takes the partner iff partner < self, max side iff self < partner, so that
          // equal keys with different payloads (NaNs) are never duplicated
          Tmp eq = b.tmp(1), up = b.tmp(1);
          equalp(eq(), Q(), all(K.regs));
          b.norc(up(), c(), eq());
          b.mux1(sel, wmin, c(), up());
        }
        mux1p(all(K.regs), sel, Q(), all(K.regs));
        ops.insert(ops.end(), b.ops().begin(), b.ops().end());
      }
      if (carry) {  // the payload follows the same selection
        shift_in(V);
        Builder b(P, m.free_registers(w0, uint32_t(C)));
        Tmp Q = b.tmp(w);  // the payload lands in the low registers of the partner tensors
        b.mux1(Q(), low, all(Pd.regs).sub(0, w), all(Pu.regs).sub(0, w));
        b.mux1(all(V.regs), sel, Q(), all(V.regs));
        ops.insert(ops.end(), b.ops().begin(), b.ops().end());
      }
    }
  }
  // Gather: slots r * Xp + [0, X) -> tensor row r.
  for (uint32_t r = 0; r < R; ++r) {
    const uint64_t wb = uint64_t(r) * Xp;
    const uint32_t s0 = uint32_t(w0 + wb % C);
    ops.push_back(mask_crossbars(s0, s0 + X - 1));
    for (uint32_t j = 0; j < V.regs.nregs; ++j)
      ops.push_back(move_op(uint32_t(wb / C), V.regs.r[j], r, t.regs.r[j], int64_t(t.xb0)));
  }
  const Metrics cost = m.execute(ops);
  if (!composite) {
    if (fl) m.free(K);
    m.free(Pd);
    m.free(Pu);
  }
  for (const Tensor& p : parts) m.free(p);
  m.free(V);
  m.free(ID);
  return cost;
}

}  // namespace ember::pim
