// argmax / argmin on pim along one axis: a tournament in memory. Each round pairs neighbours
// (2j, 2j+1) of every line, and the machine's compare and where macros keep the winner's value and
// index: log2(L) rounds of element-wise work, the operands moved into place with MOVEs. Neighbours
// keep the lower index on the left, so a tie keeps it (NumPy's first occurrence), and a NaN beats
// any number (NumPy returns the first NaN).
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "ember/backend/device.h"
#include "kernels.h"

namespace ember::pim {
namespace {

// A tensor of `n` int32 line positions (element m * L + l holds l), uploaded in one bulk write.
Tensor line_positions(int64_t M, int64_t L) {
  Data d;
  d.buffer = allocate_buffer(size_t(M * L) * sizeof(int32_t));
  d.strides = contiguous_strides({M * L});
  auto* p = reinterpret_cast<int32_t*>(d.buffer->data());
  for (int64_t m = 0; m < M; ++m)
    for (int64_t l = 0; l < L; ++l) p[m * L + l] = int32_t(l);
  return upload(d, ember::DType::Int32, {M * L});
}

// The tournament's int64 result, computed in a placement that keeps `reserve` registers free.
Tensor tournament(const Node& in, int ax, bool is_max, int reserve) {
  const DType t = to_pim(in.dtype);
  const int64_t L = in.shape[ax], M = in.size() / L;
  const bool floating = t == DType::F32 || t == DType::F64;
  // Lines laid out one after another: element (m, l) at m * w + l, w the current line width.
  Temps carried;  // this round's values and positions
  Tensor vals = carried.keep(gather(tensor_of(in), lines_along(in.shape, ax), placement_for(uint64_t(M * L), reserve)));
  Tensor pos = carried.keep(line_positions(M, L));
  for (int64_t w = L; w > 1;) {
    const int64_t h = (w + 1) / 2;
    std::vector<uint64_t> left(size_t(M * h)), right(size_t(M * h));
    for (int64_t m = 0; m < M; ++m)
      for (int64_t j = 0; j < h; ++j) {
        left[m * h + j] = uint64_t(m * w + 2 * j);
        right[m * h + j] = uint64_t(m * w + std::min(2 * j + 1, w - 1));  // odd width: the last meets itself
      }
    const Tensor place = placement_for(uint64_t(M * h), reserve);
    Temps next;
    Tensor vl = next.keep(gather(vals, left, place)), vr = next.keep(gather(vals, right, place));
    Tensor il = next.keep(gather(pos, left, place)), ir = next.keep(gather(pos, right, place));
    carried.release();  // the last round's tensors have been read: free their registers now
    Temps flags;  // freed as soon as the winner is chosen
    Tensor better = flags.keep(alloc_like(vl, DType::Bool));
    run(is_max ? Macro::Gt : Macro::Lt, better, {vr, vl});
    if (floating) {  // or: the right is NaN and the left is not
      Tensor nan_r = flags.keep(alloc_like(vl, DType::Bool));
      run(Macro::IsNan, nan_r, {vr});
      Tensor num_l = flags.keep(alloc_like(vl, DType::Bool));
      run(Macro::IsNan, num_l, {vl});
      Tensor t1 = flags.keep(alloc_like(vl, DType::Bool));
      run(Macro::Not, t1, {num_l});
      Tensor t2 = flags.keep(alloc_like(vl, DType::Bool));
      run(Macro::And, t2, {nan_r, t1});
      Tensor t3 = flags.keep(alloc_like(vl, DType::Bool));
      run(Macro::Or, t3, {better, t2});
      better = t3;
    }
    vals = carried.keep(alloc_like(vl, t));
    run(Macro::Where, vals, {better, vr, vl});
    pos = carried.keep(alloc_like(vl, DType::I32));
    run(Macro::Where, pos, {better, ir, il});
    w = h;
  }
  Tensor out = alloc_like(pos, DType::I64);
  try {
    run(Macro::Cast, out, {pos});
  } catch (...) {
    machine().free(out);
    throw;
  }
  return out;
}

void arg_kernel(Node& n) {
  const Node& in = *n.inputs[0];
  const DType t = to_pim(in.dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(DType::I64));
  const int ax = int(n.params.axes.at(0));
  if (in.shape[ax] > int64_t(INT32_MAX)) throw Unsupported("lines longer than 2^31 elements");
  // A round keeps five tensors (two values, two positions, a flag) in its placement while the
  // compare runs (float32 less: 13 scratch registers, float64: 23), so the placement must leave
  // that much free: the default reserve (14, for one macro on one tensor) ran out of registers
  // in crossbars crowded by live arrays. A range that still runs short (other arrays allocated
  // meanwhile) is retried in the emptiest range; every tensor of the failed try is freed.
  const int wide = dtype_bits(t) > 32 ? 2 : 1;
  const int need = std::min(31, 2 * wide + 3 + (wide == 2 ? 23 : 13));
  for (int reserve : {need, 31}) {
    try {
      return set_tensor(n, tournament(in, ax, n.op == "argmax", reserve));
    } catch (const std::runtime_error& e) {
      if (reserve == 31 || !out_of_registers(e)) throw;
    }
  }
}

}  // namespace

void register_arg_reductions() {
  register_kernel(DeviceType::PIM, "argmax", profiled<arg_kernel>);
  register_kernel(DeviceType::PIM, "argmin", profiled<arg_kernel>);
}

}  // namespace ember::pim
