// nonzero_count, nonzero and repeat_indices on cuda: flags of the selected positions, CUB's
// inclusive sum (libember_cub) for their output slots, and one kernel that writes each.
#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/ops.h"
#include "ember/backend/cuda/ops_sort_cub.h"
#include "ember/backend/cuda/ops_sort_util.h"
#include "ember/backend/device.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {


NzArgs nz_args(const Node& x, CUdeviceptr xp, CUdeviceptr out, const char* op) {
  NzArgs a{};
  a.x = xp, a.out = out, a.n = x.size(), a.t = sk_dt(x.dtype);
  const Strides xs = node_strides(x);
  for (int d = 0; d < x.ndim(); ++d) {
    if (a.nd == kMaxDims) throw NotImplementedError(std::string(op) + " on cuda: rank above " + std::to_string(kMaxDims));
    a.dims[a.nd] = x.shape[d], a.st[a.nd] = xs[d], ++a.nd;
  }
  return a;
}

void check_cub(const std::string& op) {
  if (!cub_available()) throw NotImplementedError(op + " on cuda needs libember_cub: " + cub_why_unavailable());
}

void nonzero_count_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  const int dev = operand_device({&x});
  Context& c = context(dev);
  Operands ops(c);
  allocate_output(n, dev);
  EMBER_CU(cuMemsetD8Async, device_ptr(n), 0, sizeof(int64_t), c.stream);
  if (x.size() == 0) return;
  const NzArgs a = nz_args(x, ops.address(x), device_ptr(n), "nonzero_count");
  LaunchDims d = elementwise_dims(dev, a.n);
  d.block = 256;  // the kernel's shared-memory tree is 256 wide
  launch_args(c, sort_function(dev, "nz_count", itemsize(x.dtype)), d, a);
}


// Output (ndim, count): row k holds the axis-k coordinates of the nonzero elements, row-major order.
void nonzero_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  const int dev = operand_device({&x});
  Context& c = context(dev);
  Operands ops(c);
  allocate_output(n, dev);
  if (n.size() == 0 || x.size() == 0) return;
  check_cub("nonzero");
  std::shared_ptr<Buffer> keep;
  const CUdeviceptr flags = scratch(c, size_t(x.size()) * 8, keep);
  const NzArgs a = nz_args(x, ops.address(x), flags, "nonzero");
  launch_args(c, sort_function(dev, "nz_flags", itemsize(x.dtype)), elementwise_dims(dev, a.n), a);
  cub_inclusive_sum(c, flags, flags, a.n);
  ScatterArgs s{};
  s.incl = flags, s.out = device_ptr(n), s.n = a.n, s.count = n.shape.at(1), s.nd = a.nd;
  for (int d = 0; d < a.nd; ++d) s.dims[d] = a.dims[d];
  launch_args(c, sort_function(dev, "nz_scatter", 0), elementwise_dims(dev, a.n), s);
}


// out[j] = i for the repeats[i] slots of element i (the ops layer checked the counts).
void repeat_indices_kernel(Node& n) {
  const Node& reps = *n.inputs.at(0);
  const int dev = operand_device({&reps});
  Context& c = context(dev);
  Operands ops(c);
  allocate_output(n, dev);
  if (n.size() == 0) return;
  check_cub("repeat_indices");
  const int64_t len = reps.shape.at(0);
  std::shared_ptr<Buffer> keep;
  const CUdeviceptr incl = scratch(c, size_t(len) * 8, keep);
  strided_copy(c, {len}, 8, incl, {1}, ops.address(reps), {node_strides(reps).at(0)});
  cub_inclusive_sum(c, incl, incl, len);
  RepeatArgs a{incl, device_ptr(n), len, n.size()};
  launch_args(c, sort_function(dev, "repeat", 0), elementwise_dims(dev, a.total), a);
}

}  // namespace

void register_select_ops() {
  register_kernel(DeviceType::CUDA, "nonzero_count", nonzero_count_kernel);
  register_kernel(DeviceType::CUDA, "nonzero", nonzero_kernel);
  register_kernel(DeviceType::CUDA, "repeat_indices", repeat_indices_kernel);
}

}  // namespace ember::cuda
