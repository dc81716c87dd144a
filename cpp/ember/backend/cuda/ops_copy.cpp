// Element moves on cuda: writes into views (set_view) and concatenation, through one strided-copy
// kernel per element size.
#include <cstring>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/ops.h"
#include "ember/backend/cuda/ops_sources.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

struct CopyArgs {
  uint64_t dst, src;
  int64_t n, nd;
  int64_t dims[kMaxDims], dst_st[kMaxDims], src_st[kMaxDims];
};

Strides own_strides(const Node& n) {
  return n.data.strides.empty() && !n.shape.empty() ? contiguous_strides(n.shape) : n.data.strides;
}

void set_view_kernel(Node& n) {
  NodePtr& old = n.inputs[0];
  const Node& value = *n.inputs[1];
  const int item = itemsize(n.dtype);
  const int dev = operand_device({old.get(), &value});
  Context& c = context(dev);
  // Nobody else can see the old version: write into its memory instead of copying it (as the cpu).
  const bool exclusive = old->device == DeviceType::CUDA && old.use_count() == 1 &&
                         old->data.buffer.use_count() == 1 && old->data.offset == 0;
  if (exclusive) {
    n.data = old->data;
  } else {
    allocate_output(n, dev);
    strided_copy(c, n.shape, item, device_ptr(n), n.data.strides, device_ptr(*old), own_strides(*old));
  }
  Operands operands(c);
  const CUdeviceptr src = operands.address(value);
  const Strides vst = value.device == DeviceType::CUDA ? own_strides(value) : Strides(value.shape.size(), 0);
  strided_copy(c, value.shape, item, device_ptr(n) + CUdeviceptr(n.params.offset * item), n.params.strides, src, vst);
}

void concat_kernel(Node& n) {
  std::vector<const Node*> ins;
  for (auto& in : n.inputs) ins.push_back(in.get());
  const int dev = operand_device(ins);
  Context& c = context(dev);
  allocate_output(n, dev);
  const int item = itemsize(n.dtype);
  const int ax = static_cast<int>(n.params.axes.at(0));
  Operands operands(c);
  int64_t at = 0;
  for (const NodePtr& in : n.inputs) {
    if (in->size() > 0)
      strided_copy(c, in->shape, item, device_ptr(n) + CUdeviceptr(at * n.data.strides[ax] * item), n.data.strides,
                   operands.address(*in), own_strides(*in));
    at += in->shape[ax];
  }
}

}  // namespace

void strided_copy(const Context& c, const Shape& shape, int item, CUdeviceptr dst, const Strides& dst_st,
                  CUdeviceptr src, const Strides& src_st) {
  const int64_t n = shape_size(shape);
  if (n == 0) return;
  CopyArgs a{};
  a.dst = dst, a.src = src, a.n = n;
  int nd = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (nd > 0 && a.dst_st[nd - 1] == dst_st[d] * shape[d] && a.src_st[nd - 1] == src_st[d] * shape[d]) {
      a.dims[nd - 1] *= shape[d];
      a.dst_st[nd - 1] = dst_st[d], a.src_st[nd - 1] = src_st[d];
      continue;
    }
    if (nd == kMaxDims)
      throw NotImplementedError("cuda copy: more than " + std::to_string(kMaxDims) + " non-mergeable dimensions");
    a.dims[nd] = shape[d], a.dst_st[nd] = dst_st[d], a.src_st[nd] = src_st[d];
    ++nd;
  }
  a.nd = nd;
  if (nd == 1 && a.dst_st[0] == 1 && a.src_st[0] == 1) {  // one contiguous run: the copy engine
    EMBER_CU(cuMemcpyDtoDAsync, dst, src, size_t(n) * item, c.stream);
    return;
  }
  const OpSource s = copy_source(item);
  void* params[] = {&a};
  launch(c, load_function(c.index, s.source, s.name), elementwise_dims(c.index, n), params);
}

void register_copy_ops() {
  register_kernel(DeviceType::CUDA, "set_view", set_view_kernel);
  register_kernel(DeviceType::CUDA, "concat", concat_kernel);
}

}  // namespace ember::cuda
