// View nodes on pim: as_strided materialises the view with MOVEs; set_view writes into one.
#include "ember/backend/device.h"
#include "kernels.h"

namespace ember::pim {
namespace {

// A placement for a gather of idx from src: rows per crossbar chosen so a constant-step slice
// keeps its elements' crossbar distance constant (z[::2] of 1024-row crossbars: 512 rows each).
Tensor gather_placement(const Tensor& src, const std::vector<uint64_t>& idx) {
  uint32_t epc = 0;
  if (idx.size() > 1 && idx[1] > idx[0]) {
    const uint64_t step = idx[1] - idx[0];
    if (src.rows_used % step == 0 && idx[0] % src.rows_used == 0) epc = uint32_t(src.rows_used / step);
  }
  Tensor t = alloc(idx.size(), src.dtype, epc);
  machine().free(t);
  return t;
}

void as_strided_kernel(Node& n) {
  const Node& in = *n.inputs[0];
  const DType t = to_pim_storage(n.dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(t));
  const Tensor& src = tensor_of(in);
  auto idx = strided_index(n.shape, n.params.strides, n.params.offset);
  if (int64_t(idx.size()) == in.size()) {  // the whole input in order: share it
    bool same = true;
    for (size_t i = 0; i < idx.size() && same; ++i) same = idx[i] == i;
    if (same) return void(n.data = in.data);
  }
  set_tensor(n, gather(src, idx, gather_placement(src, idx)));
}

void set_view_kernel(Node& n) {
  const Node& base = *n.inputs[0];
  const Node& value = *n.inputs[1];
  const DType t = to_pim_storage(n.dtype);
  if (n.size() == 0) return set_tensor(n, empty_tensor(t));
  if (value.device != DeviceType::PIM) throw Unsupported("value on the host");
  const Tensor& b = tensor_of(base);
  Tensor out = alloc_like(b, t);
  try {
    run(Macro::Copy, out, {b});  // the old version stays intact for lazy readers
  } catch (...) {
    machine().free(out);
    throw;
  }
  auto dst = strided_index(value.shape, n.params.strides, n.params.offset);
  if (!dst.empty()) {
    std::vector<uint64_t> src(dst.size());
    for (size_t i = 0; i < src.size(); ++i) src[i] = i;
    move_elements(tensor_of(value), src, out, dst);
  }
  set_tensor(n, out);
}

}  // namespace

void register_views() {
  register_kernel(DeviceType::PIM, "as_strided", profiled<as_strided_kernel>);
  register_kernel(DeviceType::PIM, "set_view", profiled<set_view_kernel>);
}

}  // namespace ember::pim
