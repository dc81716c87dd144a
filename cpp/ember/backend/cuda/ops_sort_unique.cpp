// unique_info and unique_gather on cuda: a stable argsort of the flattened input (ops_sort.cpp's
// lane sort), flags where a new value starts (NaNs equal only with equal_nan, as the cpu), CUB's
// inclusive sum for the group numbers, then first indices, counts and the inverse in two kernels.
#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/ops_sort_cub.h"
#include "ember/backend/cuda/ops_sort_util.h"
#include "ember/backend/device.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {


// [k, first index (n), counts (n), inverse (n)] of a 1-d input.
void unique_info_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  const int dev = operand_device({&x});
  Context& c = context(dev);
  Operands ops(c);
  allocate_output(n, dev);
  const int64_t len = x.shape.at(0);
  const CUdeviceptr info = device_ptr(n);
  if (len == 0) {
    EMBER_CU(cuMemsetD8Async, info, 0, sizeof(int64_t), c.stream);
    return;
  }
  if (!cub_available()) throw NotImplementedError("unique on cuda needs libember_cub: " + cub_why_unavailable());
  const LaneSort s = sort_lanes(c, x, ops.address(x), 0, false, true);
  const int item = itemsize(x.dtype);
  std::shared_ptr<Buffer> flags_keep, starts_keep;
  const CUdeviceptr flags = scratch(c, size_t(len) * 8, flags_keep), starts = scratch(c, size_t(len) * 8, starts_keep);
  const LaunchDims d = elementwise_dims(dev, len);
  launch_args(c, sort_function(dev, "uniq_bounds", item), d,
              BoundsArgs{s.packed, s.perm(), flags, len, n.params.flag ? 1 : 0, sk_dt(x.dtype)});
  cub_inclusive_sum(c, flags, flags, len);
  launch_args(c, sort_function(dev, "uniq_fill", 0), d, FillArgs{flags, s.perm(), info, starts, len});
  launch_args(c, sort_function(dev, "uniq_counts", 0), d, CountsArgs{info, starts, len});
}


// The unique values: x at the first indices held in unique_info's result (after its k).
void unique_gather_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  const Node& info = *n.inputs.at(1);
  const int dev = operand_device({&x, &info});
  Context& c = context(dev);
  Operands ops(c);
  allocate_output(n, dev);
  if (n.size() == 0) return;
  GatherArgs a{ops.address(x), ops.address(info) + sizeof(int64_t), device_ptr(n), n.size(), node_strides(x).at(0)};
  launch_args(c, sort_function(dev, "gather", itemsize(x.dtype)), elementwise_dims(dev, a.n), a);
}

}  // namespace

void register_unique_ops() {
  register_kernel(DeviceType::CUDA, "unique_info", unique_info_kernel);
  register_kernel(DeviceType::CUDA, "unique_gather", unique_gather_kernel);
}

}  // namespace ember::cuda
