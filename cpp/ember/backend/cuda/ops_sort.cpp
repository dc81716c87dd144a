// sort and argsort on cuda: lanes along any axis are packed, keyed (ops_sort_keys.h) and sorted
// by CUB's radix sort (libember_cub) in the passes of ops_sort_plan.h, many lanes at once by
// tagging keys with their row; one kernel writes the result with the output's strides.
#include <algorithm>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/ops.h"
#include "ember/backend/cuda/ops_sort_cub.h"
#include "ember/backend/cuda/ops_sort_sources.h"
#include "ember/backend/cuda/ops_sort_util.h"
#include "ember/errors.h"

namespace ember::cuda {

SkDt sk_dt(DType t) {
  const SortKeyType k = sort_key_type(t);
  return {k.kind, k.nbits, k.mant, k.cpx};
}

Strides node_strides(const Node& n) {
  return n.data.strides.empty() && !n.shape.empty() ? contiguous_strides(n.shape) : n.data.strides;
}

CUdeviceptr scratch(const Context& c, size_t bytes, std::shared_ptr<Buffer>& keep) {
  keep = device_buffer(c.index, bytes == 0 ? 1 : bytes);
  return static_cast<const DeviceMemory*>(keep->device.get())->ptr;
}

CUfunction sort_function(int device, const char* base, int item) {
  const OpSource s = item ? sort_item_source(item) : sort_common_source();
  return load_function(device, s.source, item ? sort_kernel_name(base, item) : "ember_" + std::string(base));
}

void read_back(const Context& c, void* dst, CUdeviceptr src, size_t bytes) {
  c.make_current();
  EMBER_CU(cuMemcpyDtoHAsync, dst, src, bytes, c.stream);
  EMBER_CU(cuStreamSynchronize, c.stream);
}

CUdeviceptr LaneSort::keys() const { return static_cast<const DeviceMemory*>(kbuf[cur]->device.get())->ptr; }
CUdeviceptr LaneSort::perm() const {
  return vbuf[cur] ? static_cast<const DeviceMemory*>(vbuf[cur]->device.get())->ptr : 0;
}

LaneSort sort_lanes(const Context& c, const Node& x, CUdeviceptr xp, int axis, bool descending, bool need_indices) {
  LaneSort s;
  const int item = itemsize(x.dtype);
  const Strides xs = node_strides(x);
  // The lanes as rows: the other axes in order, then `axis`.
  Shape shape;
  Strides src;
  for (int d = 0; d < x.ndim(); ++d)
    if (d != axis) shape.push_back(x.shape[d]), src.push_back(xs[d]);
  shape.push_back(x.shape[axis]);
  src.push_back(xs[axis]);
  s.L = x.shape[axis];
  s.n = shape_size(shape);
  s.rows = s.L ? s.n / s.L : 0;
  s.plan = sort_plan(x.dtype, s.rows, descending, need_indices);
  if (s.n == 0) return s;
  const Strides dst = contiguous_strides(shape);
  if (src == dst) {
    s.packed = xp;
  } else {
    s.packed = scratch(c, size_t(s.n) * item, s.packed_keep);
    strided_copy(c, shape, item, s.packed, dst, xp, src);
  }
  int width = 1;
  for (const SortPass& p : s.plan.passes) width = std::max(width, p.width);
  CUdeviceptr k[2], v[2] = {0, 0};
  for (int b = 0; b < 2; ++b) {
    k[b] = scratch(c, size_t(s.n) * width, s.kbuf[b]);
    if (!s.plan.keys_only) v[b] = scratch(c, size_t(s.n) * 8, s.vbuf[b]);
  }
  const CUfunction keys_fn = sort_function(c.index, "sort_keys", item);
  const LaunchDims dims = elementwise_dims(c.index, s.n);
  bool first = true;
  for (const SortPass& p : s.plan.passes) {
    KeysArgs a{};
    a.x = s.packed, a.keys = k[s.cur], a.n = s.n, a.L = s.L;
    a.perm = first ? 0 : v[s.cur];
    a.iota = first ? v[s.cur] : 0;
    a.width = p.width, a.word = p.word, a.wbits = p.word_bits, a.row_shift = p.row_shift;
    a.invert = s.plan.invert, a.t = sk_dt(x.dtype);
    launch_args(c, keys_fn, dims, a);
    const CUdeviceptr kk[2] = {k[s.cur], k[1 - s.cur]}, vv[2] = {v[s.cur], v[1 - s.cur]};
    if (cub_radix_sort(c, p.width, kk, vv, s.n, p.end_bit)) s.cur = 1 - s.cur;
    first = false;
  }
  return s;
}

namespace {

// sort (params.flag: descending) and argsort along params.axes[0].
void sort_kernel(Node& n) {
  const Node& x = *n.inputs.at(0);
  const int dev = operand_device({&x});
  Context& c = context(dev);
  Operands ops(c);
  const CUdeviceptr xp = ops.address(x);
  allocate_output(n, dev);
  const int axis = static_cast<int>(n.params.axes.at(0));
  const bool arg = n.op == "argsort";
  EmitArgs a{};
  const Strides os = node_strides(n);
  for (int d = 0; d < x.ndim(); ++d) {
    if (d == axis || x.shape[d] == 1) continue;
    if (a.nk == kMaxDims) throw NotImplementedError(std::string(n.op) + " on cuda: rank above " + std::to_string(kMaxDims));
    a.kdims[a.nk] = x.shape[d], a.kost[a.nk] = os[d], ++a.nk;
  }
  if (n.size() == 0) return;
  if (!cub_available()) throw NotImplementedError(std::string(n.op) + " on cuda needs libember_cub: " + cub_why_unavailable());
  const LaneSort s = sort_lanes(c, x, xp, axis, n.params.flag, arg);
  const SortPass& last = s.plan.passes.back();
  a.x = s.packed, a.perm = s.perm(), a.keys = s.keys(), a.out = device_ptr(n);
  a.n = s.n, a.L = s.L, a.ost = os[axis];
  a.mode = arg ? 0 : s.plan.keys_only ? 2 : 1;
  a.width = last.width, a.wbits = last.word_bits, a.invert = s.plan.invert, a.t = sk_dt(x.dtype);
  const int item = itemsize(x.dtype);
  launch_args(c, sort_function(dev, "sort_emit", item), elementwise_dims(dev, s.n), a);
}

}  // namespace

void register_search_ops();  // ops_sort_search.cpp
void register_select_ops();  // ops_sort_select.cpp
void register_unique_ops();  // ops_sort_unique.cpp

void register_sort_ops() {
  register_kernel(DeviceType::CUDA, "sort", sort_kernel);
  register_kernel(DeviceType::CUDA, "argsort", sort_kernel);
  register_search_ops();
  register_select_ops();
  register_unique_ops();
}

}  // namespace ember::cuda
