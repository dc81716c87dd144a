#include "collectives.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace ember::pim {

const char* reduce_name(Reduce r) {
  switch (r) {
    case Reduce::Sum: return "sum";
    case Reduce::Prod: return "prod";
    case Reduce::Min: return "min";
    case Reduce::Max: return "max";
    case Reduce::Any: return "any";
    case Reduce::All: return "all";
  }
  return "?";
}

uint64_t reduce_identity(Reduce r, DType t) {
  const uint32_t w = dtype_bits(t);
  const uint64_t mask = w == 64 ? ~uint64_t(0) : (uint64_t(1) << w) - 1;
  const bool f = is_float(t);
  const uint64_t one = t == DType::F32 ? 0x3F800000ull : t == DType::F64 ? 0x3FF0000000000000ull : 1;
  const uint64_t inf = t == DType::F32 ? 0x7F800000ull : 0x7FF0000000000000ull;
  const uint64_t sign = uint64_t(1) << (w - 1);
  switch (r) {
    case Reduce::Sum: return 0;
    case Reduce::Prod: return one;
    case Reduce::Any: return 0;
    case Reduce::All: return 1;
    case Reduce::Min:
      if (f) return inf;
      return is_signed_int(t) ? (mask >> 1) : mask;
    case Reduce::Max:
      if (f) return inf | sign;
      return is_signed_int(t) ? sign : 0;
  }
  return 0;
}

Macro reduce_macro(Reduce r) {
  switch (r) {
    case Reduce::Sum: return Macro::Add;
    case Reduce::Prod: return Macro::Mul;
    case Reduce::Min: return Macro::Min;
    case Reduce::Max: return Macro::Max;
    case Reduce::Any: return Macro::Or;
    case Reduce::All: return Macro::And;
  }
  return Macro::Add;
}

namespace {

// Writes a (possibly multi-register) constant to value v on the current masks.
void write_const(std::vector<MicroOp>& ops, const Val& v, uint64_t bits, uint32_t P) {
  const uint64_t wmask = P == 64 ? ~uint64_t(0) : (uint64_t(1) << P) - 1;
  for (uint32_t j = 0; j < v.nregs; ++j) {
    uint64_t w = (bits >> (j * P)) & wmask;
    if (v.width < (j + 1) * P && v.width > j * P) w &= (uint64_t(1) << (v.width - j * P)) - 1;
    ops.push_back(write_op(v.r[j], w));
  }
}

// Builder for macros on crossbars [xb0, xb0 + nxb): scratch = registers free there.
Builder make_builder(Machine& m, uint32_t xb0, uint32_t nxb) {
  Builder b(m.geometry().partitions, m.free_registers(xb0, nxb));
  b.fast_float = m.float_mode == FloatMode::Fast;
  return b;
}

void append(std::vector<MicroOp>& ops, Builder& b) {
  ops.insert(ops.end(), b.ops().begin(), b.ops().end());
}

}  // namespace

ReduceResult reduce(Machine& m, Reduce op, const Tensor& t) {
  const Geometry& g = m.geometry();
  const uint32_t P = g.partitions, R = g.rows;
  DType dt = t.dtype;
  if ((op == Reduce::Any || op == Reduce::All) && dt != DType::Bool)
    throw std::invalid_argument(std::string("pim: ") + reduce_name(op) + " needs a bool tensor");
  if (!t.dense()) throw std::invalid_argument("pim: reduce of a strided view is not supported");
  const Macro mac = reduce_macro(op);
  const uint64_t idv = reduce_identity(op, dt);
  // Work registers (the input is not modified).
  Tensor A = m.alloc_like(t, dt), B = m.alloc_like(t, dt);
  std::vector<MicroOp> ops;
  const uint32_t last = t.xb0 + t.nxb - 1;
  ops.push_back(mask_crossbars(t.xb0, last));
  ops.push_back(mask_rows(0, t.rows_used - 1));
  {
    Builder b = make_builder(m, t.xb0, t.nxb);
    emit_macro(b, Macro::Copy, dt, dt, A.regs, {t.regs});
    append(ops, b);
  }
  // Padding rows of the last crossbar take the identity.
  const uint64_t valid_last = t.n - uint64_t(t.nxb - 1) * R;
  if (t.nxb > 1 && valid_last < R) {
    ops.push_back(mask_crossbars(last, last));
    ops.push_back(mask_rows(uint32_t(valid_last), R - 1));
    write_const(ops, A.regs, idv, P);
    ops.push_back(mask_crossbars(t.xb0, last));
  }
  // Row tree inside every crossbar (all crossbars in parallel).
  uint32_t r = t.rows_used;
  while (r > 1) {
    const uint32_t h = (r + 1) / 2;
    for (uint32_t i = 0; i < r - h; ++i)
      for (uint32_t j = 0; j < A.regs.nregs; ++j)
        ops.push_back(move_op(h + i, A.regs.r[j], i, B.regs.r[j], t.xb0));
    if (r % 2) {
      ops.push_back(mask_rows(h - 1, h - 1));
      write_const(ops, B.regs, idv, P);
    }
    ops.push_back(mask_rows(0, h - 1));
    Builder b = make_builder(m, t.xb0, t.nxb);
    emit_macro(b, mac, dt, dt, A.regs, {A.regs, B.regs}, /*in_place=*/true);
    append(ops, b);
    r = h;
  }
  // Crossbar tree (row 0).
  uint32_t x = t.nxb;
  if (x > 1) ops.push_back(mask_rows(0, 0));
  while (x > 1) {
    const uint32_t h = (x + 1) / 2;
    ops.push_back(mask_crossbars(t.xb0 + h, t.xb0 + x - 1));
    for (uint32_t j = 0; j < A.regs.nregs; ++j)
      ops.push_back(move_op(0, A.regs.r[j], 0, B.regs.r[j], t.xb0));
    if (x % 2) {
      ops.push_back(mask_crossbars(t.xb0 + h - 1, t.xb0 + h - 1));
      write_const(ops, B.regs, idv, P);
    }
    ops.push_back(mask_crossbars(t.xb0, t.xb0 + h - 1));
    Builder b = make_builder(m, t.xb0, t.nxb);
    emit_macro(b, mac, dt, dt, A.regs, {A.regs, B.regs}, /*in_place=*/true);
    append(ops, b);
    x = h;
  }
  ops.push_back(mask_crossbars(t.xb0, t.xb0));
  ops.push_back(mask_rows(0, 0));
  for (uint32_t j = 0; j < A.regs.nregs; ++j) ops.push_back(read_op(A.regs.r[j]));
  ReduceResult res;
  const Metrics before = m.metrics();
  auto reads = m.sim().run(ops);
  res.cost = m.metrics() - before;
  if (m.keep_stream) m.keep(ops);
  for (uint32_t j = 0; j < A.regs.nregs; ++j) res.value |= reads[j] << (j * P);
  if (dt != DType::F64 && dtype_bits(dt) < 64) res.value &= (uint64_t(1) << dtype_bits(dt)) - 1;
  m.free(A);
  m.free(B);
  return res;
}

Metrics cumsum(Machine& m, const Tensor& t, const Tensor& out) { return scan(m, Reduce::Sum, t, out); }

Metrics scan(Machine& m, Reduce op, const Tensor& t, const Tensor& out) {
  if (op != Reduce::Sum && op != Reduce::Prod) throw std::invalid_argument("pim: scans are sums or products");
  const Macro combine = op == Reduce::Sum ? Macro::Add : Macro::Mul;
  const uint64_t identity = reduce_identity(op, t.dtype);  // the padding rows and the first offset
  const Geometry& g = m.geometry();
  const uint32_t P = g.partitions;
  const DType dt = t.dtype;
  if (!out.same_place(t) || out.dtype != dt)
    throw std::invalid_argument("pim: a scan's output must be placed like the input (alloc_like)");
  if (dt == DType::Bool) throw std::invalid_argument("pim: scans of bool are not supported");
  if (!t.dense()) throw std::invalid_argument("pim: scans of strided views are not supported");
  const uint32_t R = t.rows_used, X = t.nxb;
  uint32_t Rp = 1;
  while (Rp < R) Rp *= 2;
  if (Rp > g.rows)
    throw std::invalid_argument("pim: scans need a power-of-two number of rows per crossbar");
  Tensor B = m.alloc_like(t, dt), S = m.alloc_like(t, dt);
  const Val A = out.regs;
  const uint32_t x0 = t.xb0, xl = t.xb0 + X - 1;
  std::vector<MicroOp> ops;
  auto add_rows = [&](const Val& acc, const Val& rhs) {  // acc (+ or *)= rhs on the current masks
    Builder b = make_builder(m, t.xb0, t.nxb);
    emit_macro(b, combine, dt, dt, acc, {acc, rhs});
    append(ops, b);
  };
  auto moves = [&](uint32_t src_row, const Val& src, uint32_t dst_row, const Val& dst, int64_t dxb) {
    for (uint32_t j = 0; j < src.nregs; ++j)
      ops.push_back(move_op(src_row, src.r[j], dst_row, dst.r[j], dxb));
  };
  ops.push_back(mask_crossbars(x0, xl));
  ops.push_back(mask_rows(0, R - 1));
  {
    Builder b = make_builder(m, t.xb0, t.nxb);
    emit_macro(b, Macro::Copy, dt, dt, A, {t.regs});
    append(ops, b);
  }
  // zero padding: rows [R, Rp) everywhere, invalid rows of the last crossbar
  if (Rp > R) {
    ops.push_back(mask_rows(R, Rp - 1));
    write_const(ops, A, identity, P);
  }
  const uint64_t valid_last = t.n - uint64_t(X - 1) * R;
  if (valid_last < R) {
    ops.push_back(mask_crossbars(xl, xl));
    ops.push_back(mask_rows(uint32_t(valid_last), Rp - 1));
    write_const(ops, A, identity, P);
    ops.push_back(mask_crossbars(x0, xl));
  }
  // up sweep: row k*2d + 2d - 1 += row k*2d + d - 1
  for (uint32_t d = 1; d < Rp; d *= 2) {
    for (uint32_t k = 0; k + 2 * d <= Rp; k += 2 * d) moves(k + d - 1, A, k + 2 * d - 1, B.regs, x0);
    ops.push_back(mask_rows(2 * d - 1, Rp - 1, 2 * d));
    add_rows(A, B.regs);
  }
  // crossbar offsets: exclusive scan of the totals (row Rp - 1) across crossbars
  const uint32_t top = Rp - 1;
  ops.push_back(mask_rows(top, top));
  if (X > 1) {
    {
      Builder b = make_builder(m, t.xb0, t.nxb);
      emit_macro(b, Macro::Copy, dt, dt, S.regs, {A});
      append(ops, b);
    }
    for (uint32_t h = 1; h < X; h *= 2) {
      ops.push_back(mask_crossbars(x0, xl - h));
      moves(top, S.regs, top, B.regs, int64_t(x0) + h);
      ops.push_back(mask_crossbars(x0 + h, xl));
      add_rows(S.regs, B.regs);
    }
    ops.push_back(mask_crossbars(x0, xl - 1));
    moves(top, S.regs, top, A, int64_t(x0) + 1);
  }
  ops.push_back(mask_crossbars(x0, x0));
  write_const(ops, A, identity, P);
  ops.push_back(mask_crossbars(x0, xl));
  // down sweep (exclusive): t = left; left = right; right += t
  for (uint32_t d = Rp / 2; d >= 1; d /= 2) {
    for (uint32_t k = 0; k + 2 * d <= Rp; k += 2 * d) {
      moves(k + d - 1, A, k + 2 * d - 1, B.regs, x0);
      moves(k + 2 * d - 1, A, k + d - 1, A, x0);
    }
    ops.push_back(mask_rows(2 * d - 1, Rp - 1, 2 * d));
    add_rows(A, B.regs);
    if (d == 1) break;
  }
  // inclusive = exclusive + element
  ops.push_back(mask_rows(0, R - 1));
  add_rows(A, t.regs);
  const Metrics cost = m.execute(ops);
  m.free(B);
  m.free(S);
  return cost;
}

}  // namespace ember::pim
