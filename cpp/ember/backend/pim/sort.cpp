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

// idx null: sort t in place. Else argsort: t is left unchanged and idx (int64, placed like t)
// receives each sorted position's index within its group. The key then carries the element's
// rank in its low bits, so keys are unique: the network's order is the stable order.
Metrics sort_impl(Machine& m, const Tensor& t, bool descending, uint64_t group, const Tensor* idx) {
  const Geometry& g = m.geometry();
  const uint32_t P = g.partitions;
  const DType dt = t.dtype;
  const bool arg = idx != nullptr;
  if (!t.dense()) throw std::invalid_argument("pim: sort of a strided view is not supported");
  if (arg && (idx->dtype != DType::I64 || !idx->same_place(t)))
    throw std::invalid_argument("pim: argsort needs an int64 index tensor placed like its input");
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
  uint32_t lCmax = 0;  // work crossbars C = 2^lC: as many as fit, at least Xp
  while (lCmax < L && (uint64_t(2) << lCmax) <= g.crossbars) ++lCmax;
  if ((uint64_t(1) << lCmax) < Xp || (N >> lCmax) > g.rows)
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
  const bool net_desc = fl || composite || arg ? false : descending;
  const DType kt = fl ? (w == 32 ? DType::U32 : DType::U64) : dt;
  const bool wide = composite || arg;          // a multi-part key built after the slot index
  const bool carry = (fl || composite) && !arg;  // a key separate from the value (the payload)
  const uint32_t Lgid = composite ? std::max<uint32_t>(1, log2_ceil((N + group - 1) / group)) : 0;
  const uint32_t Lr = arg ? L : 0;  // argsort: the rank below the value key
  const uint32_t kw = Lr + w + Lgid;  // key width: [rank | value key | group index]
  const bool key_signed = !wide && is_signed_int(kt);
  // The key's parts, compared lexicographically from the top one (fewer registers at once).
  std::vector<std::pair<uint32_t, uint32_t>> kparts;  // (lo, len)
  if (Lr) kparts.push_back({0, Lr});
  if (wide)  // one register per value part: 64-bit keys need fewer scratch registers at once
    for (uint32_t lo = 0; lo < w; lo += P) kparts.push_back({Lr + lo, std::min(P, w - lo)});
  else
    kparts.push_back({Lr, w});
  if (Lgid) kparts.push_back({Lr + w, Lgid});

  // One attempt with the work area at crossbars [c0, c0 + 2^lC); every allocation is freed on
  // any path (an attempt that runs out of scratch registers leaves the machine as it was).
  auto attempt = [&](uint32_t lC, uint32_t c0) -> Metrics {
  const uint64_t C = uint64_t(1) << lC, Rw = N / C;
  const uint32_t lW = log2_ceil(Rw);
  struct Owned {
    Machine& m;
    std::vector<Tensor> ts;
    Tensor keep(const Tensor& x) { ts.push_back(x); return x; }
    ~Owned() { for (const Tensor& x : ts) m.free(x); }
  } own{m, {}};
  Tensor area;
  area.n = N, area.xb0 = c0, area.nxb = uint32_t(C), area.rows_used = uint32_t(Rw);
  Tensor V = own.keep(m.alloc_like(area, dt));
  auto key_tensor = [&]() {   // a tensor of kw bits placed like V
    if (!wide) return own.keep(m.alloc_like(V, kt));
    Tensor k = own.keep(m.alloc_like(V, arg ? DType::U32 : DType::U64));
    Val v = k.regs;
    while (uint32_t(v.nregs) * P < kw) {
      Tensor e = own.keep(m.alloc_like(V, DType::U32));
      for (uint32_t j = 0; j < e.regs.nregs && uint32_t(v.nregs) * P < kw; ++j)
        v.r[v.nregs++] = e.regs.r[j];
    }
    v.width = uint16_t(kw);
    k.regs = v;
    return k;
  };
  Tensor K = carry || arg ? key_tensor() : V;
  Tensor Pd = key_tensor(), Pu = key_tensor(), ID = own.keep(m.alloc_like(V, DType::U32));
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
    const Bits v = all(V.regs), k = all(K.regs).sub(Lr, w);
    {
      Tmp c = b.tmp(w - 1), nc = b.tmp(w - 1), nv = b.tmp(w - 1);
      if (arg) {  // -0 takes the key of +0: equal values keep their index order
        Tmp z = b.tmp(2);
        mc::is_zero(b, z.bit(0), v.sub(0, w - 1), true);
        b.andc(z.bit(1), z.bit(0), v.top());
        b.bcast(c(), nc(), z.bit(1));
        b.notc(nv(), v.sub(0, w - 1));
        b.mux(k.sub(0, w - 1), c(), nc(), nv(), v.sub(0, w - 1));
        b.notc(k.top(), z.bit(1));
      } else {
      b.bcast(c(), nc(), v.top());
      b.notc(nv(), v.sub(0, w - 1));
      b.mux(k.sub(0, w - 1), c(), nc(), nv(), v.sub(0, w - 1));  // negative: ~x
      b.notc(k.top(), v.top());                                 // non-negative: x ^ sign
      }
    }
    Tmp nan = b.tmp(1), padf = b.tmp(1), nk = b.tmp(w);
    mc::isnan_bit(b, f, nan(), v, false);
    const uint64_t inf_key = (((uint64_t(1) << f.e) - 1) << f.m) | (uint64_t(1) << (w - 1));
    b.set_const(nk(), inf_key + 1);  // NaN: just above +inf
    b.mux1(k, nan(), nk(), k);
    if (descending) b.notc(nk(), k), b.copy(k, nk());
    if (!arg) {  // argsort marks padding by its rank (below)
      mc::all_ones(b, padf(), v, false);
      b.init(nk(), true);
      b.mux1(k, padf(), nk(), k);  // padding: the maximum key
    }
    ops.insert(ops.end(), b.ops().begin(), b.ops().end());
  } else if (wide) {  // integer value key in unsigned order (inverted for descending)
    Builder b(P, m.free_registers(w0, uint32_t(C)));
    const Bits v = all(V.regs), k = all(K.regs).sub(Lr, w);
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
  if (arg && Lr) {  // the rank in the low key bits; padding slots (rank >= n) get the top value key
    Builder b(P, m.free_registers(w0, uint32_t(C)));
    const Bits id = all(ID.regs), k = all(K.regs);
    for (uint32_t bit = 0; bit < L; ++bit) b.copy(k.bit(bit), id.bit(perm(bit)));
    if (n < N) {
      Tmp c = b.tmp(L + 1), pad_bit = b.tmp(1);
      b.init(c.bit(L), false);
      b.set_const(c(0, L), n);
      b.init(pad_bit(), false);
      Tmp r = b.tmp(L + 1);
      b.init(r.bit(L), false);
      b.copy(r(0, L), k.sub(0, L));
      mc::less(b, pad_bit(), r(), c(), false, true);  // rank >= n
      Tmp pc = b.tmp(w);
      b.bcast(pc(), Bits{}, pad_bit());
      b.orc(k.sub(Lr, w), k.sub(Lr, w), pc());
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
    b.copy(all(K.regs).sub(Lr + w, Lgid), gq(0, Lgid));
    ops.insert(ops.end(), b.ops().begin(), b.ops().end());
  }
  };
  if (!wide) build_keys();
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
  if (wide) build_keys();  // they need the slot index
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
        // Wide keys are handled part by part: fewer registers at once.
        auto part = [&](const Bits& x, size_t i) { return x.sub(kparts[i].first, kparts[i].second); };
        auto mux1p = [&](const Bits& o, const Bits& cnd, const Bits& x, const Bits& y) {
          if (!wide) {
            b.mux1(o, cnd, x, y);
            return;
          }
          for (size_t i = 0; i < kparts.size(); ++i) b.mux1(part(o, i), cnd, part(x, i), part(y, i));
        };
        auto lessp = [&](const Bits& o, const Bits& x, const Bits& y) {
          if (!wide) {
            mc::less(b, o, x, y, key_signed, false);
            return;
          }
          // x < y lexicographically, from the lowest part up: r = less(p) | (equal(p) & r)
          Tmp acc = b.tmp(1);
          mc::less(b, kparts.size() == 1 ? o : acc(), part(x, 0), part(y, 0), false, false);
          for (size_t i = 1; i < kparts.size(); ++i) {
            Tmp t = b.tmp(2);
            mc::less(b, t.bit(0), part(x, i), part(y, i), false, false);
            mc::equal(b, t.bit(1), part(x, i), part(y, i), false);
            b.andc(t.bit(1), t.bit(1), acc());
            b.orc(i + 1 == kparts.size() ? o : acc(), t.bit(0), t.bit(1));
          }
        };
        auto equalp = [&](const Bits& o, const Bits& x, const Bits& y) {
          if (!wide) {
            mc::equal(b, o, x, y, false);
            return;
          }
          Tmp t = b.tmp(2);
          mc::equal(b, o, part(x, 0), part(y, 0), false);
          for (size_t i = 1; i < kparts.size(); ++i) {
            mc::equal(b, t.bit(0), part(x, i), part(y, i), false);
            b.andc(t.bit(1), t.bit(0), o);
            b.copy(o, t.bit(1));
          }
        };
        Tmp Q = b.tmp(kw), c = b.tmp(1);
        mux1p(Q(), low, all(Pd.regs), all(Pu.regs));
        lessp(c(), Q(), all(K.regs));  // partner < self
        if (!fl || arg) {
          b.xnorc(sel, c(), wmin);  // (argsort keys are unique)  // equal keys are equal values: ties need no care
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
  // argsort: the index within the group from the rank bits of the sorted keys.
  Tensor IX;
  if (arg) {
    IX = own.keep(m.alloc_like(V, DType::I64));
    Builder b(P, m.free_registers(w0, uint32_t(C)));
    const Bits ix = all(IX.regs), k = all(K.regs);
    b.init(ix, false);
    if (composite) {
      Tmp r = b.tmp(L), gc = b.tmp(L);
      b.set_const(gc(), group);
      mc::udivmod(b, Bits{}, r(), k.sub(0, L), gc());
      b.copy(ix.sub(0, L), r());
    } else {
      const uint32_t lg = group ? log2_ceil(group) : L;
      if (lg) b.copy(ix.sub(0, lg), k.sub(0, lg));
    }
    ops.insert(ops.end(), b.ops().begin(), b.ops().end());
  }
  // Gather: slots r * Xp + [0, X) -> tensor row r.
  const Tensor& src = arg ? IX : V;
  const Tensor& dst = arg ? *idx : t;
  for (uint32_t r = 0; r < R; ++r) {
    const uint64_t wb = uint64_t(r) * Xp;
    const uint32_t s0 = uint32_t(w0 + wb % C);
    ops.push_back(mask_crossbars(s0, s0 + X - 1));
    for (uint32_t j = 0; j < src.regs.nregs; ++j)
      ops.push_back(move_op(uint32_t(wb / C), src.regs.r[j], r, dst.regs.r[j], int64_t(dst.xb0)));
  }
  return m.execute(ops);
  };
  // The widest work area first, in the first crossbar range whose registers leave room for the
  // network's scratch; a range as full as one that ran out is not tried again.
  int failed_free = -1;
  std::string last_error = "pim: out of registers: no work area for the sort";
  for (uint32_t lC = lCmax; (uint64_t(1) << lC) >= Xp && (N >> lC) <= g.rows; --lC) {
    const uint64_t C = uint64_t(1) << lC;
    for (uint64_t c0 = 0; c0 + C <= g.crossbars; c0 += C) {
      const int free = int(m.free_registers(uint32_t(c0), uint32_t(C)).size());
      if (free <= failed_free) continue;
      try {
        return attempt(lC, uint32_t(c0));
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("out of registers") == std::string::npos) throw;
        failed_free = free, last_error = e.what();
      }
    }
    if (lC == 0) break;
  }
  throw std::runtime_error(last_error);
}

}  // namespace

Metrics sort(Machine& m, const Tensor& t, bool descending, uint64_t group) {
  return sort_impl(m, t, descending, group, nullptr);
}

Metrics argsort(Machine& m, const Tensor& t, const Tensor& idx, bool descending, uint64_t group) {
  return sort_impl(m, t, descending, group, &idx);
}

}  // namespace ember::pim
