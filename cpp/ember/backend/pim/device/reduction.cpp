// Reductions on pim: a whole-array reduction is the machine's tree reduce (any size); a reduction
// over some axes combines the reduced slabs pairwise in memory with element-wise macros.
#include <algorithm>

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

Macro combine_of(Reduce r) {
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

uint64_t identity_bits(Reduce r, DType t) {
  if (r == Reduce::Sum || r == Reduce::Any) return 0;
  if (r == Reduce::All) return 1;
  if (t == DType::F32) return 0x3F800000ull;
  if (t == DType::F64) return 0x3FF0000000000000ull;
  return 1;  // prod of ints (min / max of nothing is an error in the ops layer)
}

void reduce_kernel(Node& n) {
  const Node& in = *n.inputs[0];
  const Reduce r = reduce_of(n.op);
  const DType t = to_pim(in.dtype), out_t = to_pim(n.dtype);
  if (!n.params.scalars.empty()) throw Unsupported("initial= is not lowered");
  if (n.size() == 0) return set_tensor(n, empty_tensor(out_t));
  std::vector<int64_t> axes = n.params.axes;
  const int nd = in.ndim();
  if (in.size() == 0) {  // every output is the identity
    Tensor out = alloc(uint64_t(n.size()), out_t);
    fill(out, identity_bits(r, out_t));
    return set_tensor(n, out);
  }
  const Tensor& src = tensor_of(in);
  int64_t L = 1;
  for (int64_t a : axes) L *= in.shape[a];
  const int64_t M = in.size() / L;
  if (M == 1) {  // whole-array reduction: the collective's row and crossbar trees
    ReduceResult res;
    try {
      res = reduce(machine(), r, src);
    } catch (const std::invalid_argument& e) {
      throw Unsupported(e.what());
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
  // Slab l (all M outputs' l-th element), as the flat input indices in output order.
  auto all = strided_index(perm_shape, perm_strides, 0);  // (m, l) at m * L + l
  auto slab = [&](int64_t l) {
    std::vector<uint64_t> idx(static_cast<size_t>(M));
    for (int64_t m = 0; m < M; ++m) idx[m] = all[size_t(m * L + l)];
    return idx;
  };
  Tensor place = alloc(uint64_t(M), t);
  machine().free(place);
  Tensor acc = gather(src, slab(0), place);
  const Macro mac = combine_of(r);
  try {
    for (int64_t l = 1; l < L; ++l) {
      Tensor x = gather(src, slab(l), place);
      Tensor next = alloc_like(place, t);
      try {
        run(mac, next, {acc, x});
      } catch (...) {
        machine().free(x), machine().free(next);
        throw;
      }
      machine().free(x);
      machine().free(acc);
      acc = next;
    }
  } catch (...) {
    machine().free(acc);
    throw;
  }
  set_tensor(n, acc);
}

}  // namespace

void register_reductions() {
  for (const char* op : {"sum", "prod", "min", "max", "any", "all"})
    register_kernel(DeviceType::PIM, op, profiled<reduce_kernel>);
}

}  // namespace ember::pim
