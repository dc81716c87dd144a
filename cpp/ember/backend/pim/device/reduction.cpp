// Reductions on pim: a whole-array reduction is the machine's tree reduce (any size); a reduction
// over some axes combines the reduced slabs pairwise in memory with element-wise macros.
#include <algorithm>
#include <bit>
#include <cstring>

#include "ember/backend/device.h"
#include "ember/backend/pim/collectives.h"
#include "kernels.h"

namespace ember::pim {
namespace {

Reduce reduce_of(std::string_view op) {
  if (op == "sum") return Reduce::Sum;
  if (op == "prod") return Reduce::Prod;
  if (op == "min") return Reduce::Min;
  if (op == "max") return Reduce::Max;
  if (op == "any") return Reduce::Any;
  return Reduce::All;
}

// The machine's tree reduction; what it cannot do (dtype, registers) becomes Unsupported.
ReduceResult collective(Reduce r, const Tensor& t) {
  try {
    return reduce(machine(), r, t);
  } catch (const std::invalid_argument& e) {
    throw Unsupported(e.what());
  } catch (const std::runtime_error& e) {
    if (out_of_registers(e)) throw Unsupported(e.what());
    throw;
  }
}

void reduce_plain(Node& n) {
  const Node& in = *n.inputs[0];
  const Reduce r = reduce_of(n.op);
  const DType t = to_pim(in.dtype), out_t = to_pim(n.dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(out_t));
  std::vector<int64_t> axes = n.params.axes;
  const int nd = in.ndim();
  if (in.size() == 0) {  // every output is the identity
    Tensor out = alloc(uint64_t(n.size()), out_t);
    fill(out, reduce_identity(r, out_t));
    return set_tensor(n, out);
  }
  Tensor src = tensor_of(in);
  struct Owned {  // a bool copy for any / all of a non-bool array
    Tensor t;
    ~Owned() {
      if (t.n) machine().free(t);
    }
  } truth;
  if ((r == Reduce::Any || r == Reduce::All) && t != DType::Bool) {
    Tensor zero = alloc_like(src, t);
    fill(zero, 0);
    truth.t = alloc_like(src, DType::Bool);
    try {
      run(Macro::Ne, truth.t, {src, zero});
    } catch (...) {
      machine().free(zero);
      throw;
    }
    machine().free(zero);
    src = truth.t;
  }
  int64_t L = 1;
  for (int64_t a : axes) L *= in.shape[a];
  const int64_t M = in.size() / L;
  if (M == 1) {  // whole-array reduction: the collective's row and crossbar trees
    ReduceResult res;
    try {
      res = collective(r, src);
    } catch (const Unsupported& e) {
      if (!out_of_registers(e)) throw;
      // The crossbars are too full for the tree's work registers: reduce a copy in an emptier range.
      std::vector<uint64_t> idx(src.n);
      for (uint64_t i = 0; i < src.n; ++i) idx[i] = i;
      Tensor g = gather(src, idx, placement_for(src.n, 28));
      try {
        res = collective(r, g);
      } catch (...) {
        machine().free(g);
        throw;
      }
      machine().free(g);
    }
    Tensor out = alloc(uint64_t(n.size()), out_t);
    fill(out, res.value);
    return set_tensor(n, out);
  }
  // Kept axes first, reduced axes last: element (m, l) of the input at idx[l * M + m].
  Shape perm_shape;
  Strides perm_strides;
  const Strides c = contiguous_strides(in.shape);
  for (int pass = 0; pass < 2; ++pass)
    for (int k = 0; k < nd; ++k) {
      bool red = std::find(axes.begin(), axes.end(), k) != axes.end();
      if (red == (pass == 1)) perm_shape.push_back(in.shape[k]), perm_strides.push_back(c[k]);
    }
  set_tensor(n, reduce_lines(src, strided_index(perm_shape, perm_strides, 0), M, L, r));
}

// initial=: the reduction's results combined with the initial value (a WRITE-filled tensor) by
// the reduction's own macro, in memory (max(-inf, initial) = initial for empty inputs).
void reduce_kernel(Node& n) {
  reduce_plain(n);
  if (n.params.scalars.empty() || n.size() == 0) return;
  const DType t = to_pim(n.dtype);
  uint64_t bits = 0;
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_arithmetic_v<T>) {
      T v = n.params.scalars.at(0).as<T>();
      std::memcpy(&bits, &v, sizeof(T));
    }
  });
  if (t == DType::Bool) bits = bits != 0;
  const Tensor& acc0 = tensor_of(n);
  // where the results are, else (their crossbars too full for the macro) a copy in an empty range
  for (int reserve : {-1, 31}) {
    Temps tmp;
    Tensor acc = acc0;
    if (reserve > 0) {
      std::vector<uint64_t> idx(acc0.n);
      for (uint64_t i = 0; i < acc0.n; ++i) idx[i] = i;
      acc = tmp.keep(gather(acc0, idx, placement_for(acc0.n, reserve)));
    }
    const Tensor init = tmp.keep(alloc_like(acc, t));
    fill(init, bits);
    Tensor out = tmp.keep(alloc_like(acc, t));
    try {
      run(reduce_macro(reduce_of(n.op)), out, {acc, init});
    } catch (const Unsupported& e) {
      if (reserve < 0 && out_of_registers(e)) continue;
      throw;
    }
    tmp.ts.pop_back();  // out (kept last) becomes the result
    set_tensor(n, out);
    return;
  }
}

// sort / argsort along any axis: the lines are gathered one after the other into a layout with
// a power-of-two number of rows per crossbar (what the sorting network wants), sorted there as
// groups of one line each, and moved back into place when the axis is not the last.
void sort_lines(Node& n, bool arg) {
  const Node& in = *n.inputs[0];
  const DType t = to_pim(in.dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(to_pim(n.dtype)));
  const int ax = int(n.params.axes.at(0));
  const bool last = ax == in.ndim() - 1;
  const uint64_t len = uint64_t(in.shape[ax]), groups = uint64_t(in.size()) / len;
  const Tensor& src = tensor_of(in);
  const uint32_t rows = machine().geometry().rows;
  Tensor like = alloc(src.n, t, std::bit_floor(uint32_t(std::min<uint64_t>(src.n, rows))), 28);
  machine().free(like);
  std::vector<uint64_t> iota(src.n);
  for (uint64_t i = 0; i < src.n; ++i) iota[i] = i;
  const std::vector<uint64_t> order = last ? iota : lines_along(in.shape, ax);
  Tensor work = gather(src, order, like), res;
  try {
    if (arg) {
      res = alloc_like(work, DType::I64);
      argsort(machine(), work, res, n.params.flag, groups > 1 ? len : 0);
      machine().free(work);
    } else {
      sort(machine(), work, n.params.flag, groups > 1 ? len : 0);
      res = work;
    }
    work = Tensor{};
    if (!last) {  // back into place: element order[k] of the result is sorted slot k
      Tensor out = alloc(src.n, res.dtype);
      try {
        move_elements(res, iota, out, order);
      } catch (...) {
        machine().free(out);
        throw;
      }
      machine().free(res);
      res = out;
    }
  } catch (const std::exception& e) {
    if (work.n) machine().free(work);
    if (res.n) machine().free(res);
    if (dynamic_cast<const std::invalid_argument*>(&e) || out_of_registers(e)) throw Unsupported(e.what());
    throw;
  }
  set_tensor(n, res);
}

void sort_kernel(Node& n) { sort_lines(n, false); }
void argsort_kernel(Node& n) { sort_lines(n, true); }

// cumsum / cumprod along one axis: the machine's parallel prefix scan on each line (gathered
// dense), moved back into place.
void scan_kernel(Node& n) {
  const Node& in = *n.inputs[0];
  const DType t = to_pim(n.dtype);
  const bool initial = n.params.flag;  // include_initial: each line starts with the identity
  const Reduce op = n.op == "cumprod" ? Reduce::Prod : Reduce::Sum;
  if (n.size() == 0) return set_tensor(n, empty_tensor(t));
  const int ax = int(n.params.axes.at(0));
  Tensor out = alloc(uint64_t(n.size()), t);
  if (initial) {
    try {
      fill(out, reduce_identity(op, t));  // one WRITE: the identities stay, the scans move over them
    } catch (...) {
      machine().free(out);
      throw;
    }
    if (in.size() == 0) return set_tensor(n, out);
  }
  const int64_t L = in.shape[ax], M = in.size() / L;
  const auto all = lines_along(in.shape, ax);  // line m = all[m * L .. (m + 1) * L)
  const auto dst_all = initial ? lines_along(n.shape, ax) : all;  // line m: L (+ 1) places
  const int64_t Lo = L + (initial ? 1 : 0);
  const Tensor& src = tensor_of(in);
  std::vector<uint64_t> iota(static_cast<size_t>(L));
  for (int64_t i = 0; i < L; ++i) iota[i] = uint64_t(i);
  try {
    for (int64_t m = 0; m < M; ++m) {
      std::vector<uint64_t> idx(all.begin() + m * L, all.begin() + (m + 1) * L);
      Tensor g, r;
      // a range keeping 28 registers free, then an empty one (64-bit products need most of a row)
      for (int reserve : {28, 31}) {
        g = gather(src, idx, placement_for(uint64_t(L), reserve));
        try {
          r = alloc_like(g, t);
          scan(machine(), op, g, r);
          break;
        } catch (const std::exception& e) {
          machine().free(g);
          if (r.n) machine().free(r);
          g = r = Tensor{};
          if (out_of_registers(e) && reserve == 28) continue;
          if (dynamic_cast<const std::invalid_argument*>(&e) || out_of_registers(e)) throw Unsupported(e.what());
          throw;
        }
      }
      std::vector<uint64_t> dst(dst_all.begin() + m * Lo + (Lo - L), dst_all.begin() + (m + 1) * Lo);
      move_elements(r, iota, out, dst);
      machine().free(g), machine().free(r);
    }
  } catch (...) {
    machine().free(out);
    throw;
  }
  set_tensor(n, out);
}

// matmul as multiply-and-reduce in memory, with leading batch dimensions (broadcast as NumPy):
// the nb * m * n * k products are formed by one multiply macro (bool: and) over both operands
// gathered into one placement, then each output's k products are summed (bool: any).
void matmul_kernel(Node& n) {
  const Node& A = *n.inputs[0];
  const Node& B = *n.inputs[1];
  const DType t = to_pim(n.dtype);
  if (n.params.flag) throw Unsupported("conjugating matmul is not lowered");
  if (n.size() == 0) return set_tensor(n, empty_tensor(t));
  const int nd = n.ndim();
  const int64_t m = A.shape[A.ndim() - 2], k = A.shape[A.ndim() - 1], nn = B.shape[B.ndim() - 1];
  const bool logical = t == DType::Bool;
  if (k == 0) {
    Tensor out = alloc(uint64_t(n.size()), t);
    fill(out, 0);
    return set_tensor(n, out);
  }
  // Each output matrix's first element in A and B (batch dimensions broadcast).
  const Shape batch(n.shape.begin(), n.shape.begin() + (nd - 2));
  auto matrix_offsets = [&](const Node& X, int64_t size) {
    const Shape lead(X.shape.begin(), X.shape.end() - 2);
    auto off = strided_index(batch, broadcast_strides(lead, contiguous_strides(lead), batch), 0);
    for (auto& o : off) o *= uint64_t(size);
    return off;
  };
  const auto offa = matrix_offsets(A, m * k), offb = matrix_offsets(B, k * nn);
  const int64_t nb = shape_size(batch), P = nb * m * nn * k;
  std::vector<uint64_t> ia(size_t(P), 0), ib(size_t(P), 0), all(size_t(P), 0);
  for (int64_t q = 0; q < nb; ++q)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < nn; ++j)
        for (int64_t l = 0; l < k; ++l) {
          // products slab by slab (l major), as reduce_lines' levels lay them out: its first
          // level then moves whole blocks
          const int64_t o = (q * m + i) * nn + j;
          const size_t p = size_t(l * nb * m * nn + o);
          ia[p] = offa[q] + uint64_t(i * k + l), ib[p] = offb[q] + uint64_t(l * nn + j);
          all[size_t(o * k + l)] = p;
        }
  Temps tmp;
  const Tensor place = placement_for(uint64_t(P), dtype_bits(t) > 32 ? 28 : 20);  // ga, gb, prod + multiply
  const Tensor ga = tmp.keep(gather(tensor_of(A), ia, place));
  const Tensor gb = tmp.keep(gather(tensor_of(B), ib, place));
  const Tensor prod = tmp.keep(alloc_like(place, t));
  run(logical ? Macro::And : Macro::Mul, prod, {ga, gb});
  set_tensor(n, reduce_lines(prod, all, nb * m * nn, k, logical ? Reduce::Any : Reduce::Sum));
}

}  // namespace

Tensor reduce_lines(const Tensor& src, const std::vector<uint64_t>& all, int64_t M, int64_t L, Reduce r) {
  // Pairwise (a balanced tree over the L slabs, as NumPy's pairwise sum: error O(log L) ulp, not
  // O(L)): each level lays the first ceil(len/2) slabs and the last floor(len/2) slabs of the
  // current level one after another in two tensors of one placement and combines them with one
  // macro, so a level is one macro over all its pairs at once and only four tensors are live at
  // any time, whatever L (a binary counter of partial slabs needed log2(L) live tensors and ran
  // out of registers). Slab l (all M outputs' l-th element) is [l * M, (l + 1) * M) of a level.
  const DType t = src.dtype;
  // A level keeps three tensors (a, b, s) in its placement while the macro runs (float32
  // multiply: 17 scratch registers, 64-bit multiply: 22), so the placement leaves that much
  // free; the default reserve (14) ran out of registers in crossbars crowded by live arrays.
  // A level that still runs short is redone in the emptiest range.
  const int reserve = dtype_bits(t) > 32 ? 28 : 20;
  const Macro mac = reduce_macro(r);
  // An odd level's last slab is paired with the identity (as the machine's tree pads its rows).
  const uint64_t pad = reduce_identity(r, t);
  Temps level;  // the current level's tensor (src itself at level 0, not owned)
  Tensor cur = src;
  bool first = true;
  auto at = [&](int64_t l, int64_t m) { return first ? all[size_t(m * L + l)] : uint64_t(l * M + m); };
  for (int64_t len = L;;) {
    const int64_t pairs = len / 2, keep = len - pairs;  // slab j < pairs: j + (j + keep)
    std::vector<uint64_t> ia(size_t(keep * M)), ib(size_t(pairs * M));
    for (int64_t j = 0; j < keep; ++j)
      for (int64_t m = 0; m < M; ++m) ia[size_t(j * M + m)] = at(j, m);
    for (int64_t j = 0; j < pairs; ++j)
      for (int64_t m = 0; m < M; ++m) ib[size_t(j * M + m)] = at(j + keep, m);
    Tensor s;
    for (int rsv : {reserve, 31}) {
      Temps tmp;
      const Tensor a = tmp.keep(gather(cur, ia, placement_for(uint64_t(keep * M), rsv)));
      if (pairs == 0) {  // L == 1: the slab itself
        tmp.ts.clear();
        return a;
      }
      const Tensor b = tmp.keep(alloc_like(a, t));
      if (pairs < keep) fill(b, pad);
      move_elements(cur, ib, b, {});
      s = tmp.keep(alloc_like(a, t));
      try {
        run(mac, s, {a, b});
      } catch (const std::runtime_error& e) {
        if (rsv == 31 || !out_of_registers(e)) throw;
        continue;  // tmp frees a, b, s
      }
      tmp.ts.pop_back();  // s (kept last) is the next level
      break;
    }
    level.release();
    level.keep(s);
    cur = s, first = false, len = keep;
    if (len == 1) {
      level.ts.clear();
      return cur;
    }
  }
}

std::vector<uint64_t> lines_along(const Shape& in_shape, int ax) {
  Shape shape;
  Strides strides;
  const Strides c = contiguous_strides(in_shape);
  for (int k = 0; k < int(in_shape.size()); ++k)
    if (k != ax) shape.push_back(in_shape[k]), strides.push_back(c[k]);
  shape.push_back(in_shape[ax]), strides.push_back(c[ax]);
  return strided_index(shape, strides, 0);
}

void register_reductions() {
  register_kernel(DeviceType::PIM, "matmul", profiled<matmul_kernel>);
  register_kernel(DeviceType::PIM, "cumsum", profiled<scan_kernel>);
  register_kernel(DeviceType::PIM, "cumprod", profiled<scan_kernel>);
  register_kernel(DeviceType::PIM, "sort", profiled<sort_kernel>);
  register_kernel(DeviceType::PIM, "argsort", profiled<argsort_kernel>);
  for (const char* op : {"sum", "prod", "min", "max", "any", "all"})
    register_kernel(DeviceType::PIM, op, profiled<reduce_kernel>);
}

}  // namespace ember::pim
