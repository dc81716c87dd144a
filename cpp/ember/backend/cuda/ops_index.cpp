// gather and scatter on the cuda device (ops_index.h): the walk and argument building on the host,
// the launches, and the out-of-bounds IndexError of gather (scatter's indices are checked by the
// ops layer before the node exists, as on the cpu).
#include "ember/backend/cuda/ops_index.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/operands.h"
#include "ember/backend/cuda/transfer.h"
#include "ember/backend/device.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

void check_rank(size_t n, const char* what) {
  if (n > size_t(kMaxDims))
    throw NotImplementedError(std::string("gather/scatter on cuda: more than ") + std::to_string(kMaxDims) + " " + what);
}

template <class T>
void put(T* dst, const std::vector<int64_t>& v) {
  std::copy(v.begin(), v.end(), dst);
}

CUdeviceptr ptr_of(const std::shared_ptr<Buffer>& b) { return static_cast<const DeviceMemory*>(b->device.get())->ptr; }

// A device buffer of `bytes`, kept alive by `keep` until the launches that use it are queued (the
// pool orders its reuse on the stream).
CUdeviceptr scratch(int dev, size_t bytes, std::vector<std::shared_ptr<Buffer>>& keep) {
  keep.push_back(device_buffer(dev, std::max<size_t>(bytes, 1)));
  return ptr_of(keep.back());
}

// The index arrays on the device (host ones, e.g. from NumPy, uploaded) and their strides over b_dims.
struct Indices {
  std::vector<CUdeviceptr> ptrs;
  std::vector<Strides> strides;
  std::vector<Data> uploaded;
};

Indices device_indices(const Node& n, size_t first, const Shape& b_dims, int dev) {
  Indices out;
  for (size_t j = first; j < n.inputs.size(); ++j) {
    const Node& idx = *n.inputs[j];
    if (idx.dtype != DType::Int64) throw std::logic_error("cuda gather/scatter: index arrays are int64");
    if (idx.shape != b_dims) throw std::logic_error("cuda gather/scatter: index arrays are broadcast by the ops layer");
    Strides st = idx.data.strides.empty() && !idx.shape.empty() ? contiguous_strides(idx.shape) : idx.data.strides;
    for (size_t d = 0; d < st.size(); ++d)
      if (b_dims[d] == 1) st[d] = 0;
    if (idx.device == DeviceType::CUDA) {
      out.ptrs.push_back(device_ptr(idx));
    } else {
      out.uploaded.push_back(upload(idx.data, idx.dtype, idx.shape, dev));
      const Data& u = out.uploaded.back();
      out.ptrs.push_back(static_cast<const DeviceMemory*>(u.buffer->device.get())->ptr +
                         CUdeviceptr(u.offset) * sizeof(int64_t));
      st = u.strides.empty() && !idx.shape.empty() ? contiguous_strides(idx.shape) : u.strides;
    }
    out.strides.push_back(st);
  }
  return out;
}

// Runs the plan kernel into a fresh adv buffer; for gather (check) raises IndexError for the
// first index out of bounds, reading it back (this waits for the stream).
CUdeviceptr run_plan(const Context& c, const Node& n, const IndexWalk& w, const Indices& ix, bool check,
                     std::vector<std::shared_ptr<Buffer>>& keep) {
  IndexPlanArgs a = plan_args(w, ix.strides);
  for (size_t j = 0; j < ix.ptrs.size(); ++j) a.idx[j] = ix.ptrs[j];
  a.adv = scratch(c.index, size_t(w.B) * sizeof(int64_t), keep);
  a.err = scratch(c.index, sizeof(uint64_t), keep);
  c.make_current();
  EMBER_CU(cuMemsetD8Async, a.err, 0xFF, sizeof(uint64_t), c.stream);
  const OpSource s = index_plan_source();
  void* params[] = {&a};
  launch(c, load_function(c.index, s.source, s.name), elementwise_dims(c.index, w.B), params);
  if (!check) return a.adv;
  uint64_t key = 0;
  EMBER_CU(cuMemcpyDtoHAsync, &key, a.err, sizeof key, c.stream);
  EMBER_CU(cuStreamSynchronize, c.stream);
  if (key == ~uint64_t(0)) return a.adv;
  const int64_t j = int64_t(key / uint64_t(w.B)), b = int64_t(key % uint64_t(w.B));
  int64_t q = b, o = 0;
  for (int d = int(w.b_dims.size()) - 1; d >= 0; --d) {
    o += (q % w.b_dims[d]) * ix.strides[j][d];
    q /= w.b_dims[d];
  }
  int64_t v = 0;
  EMBER_CU(cuMemcpyDtoHAsync, &v, ix.ptrs[j] + CUdeviceptr(o * int64_t(sizeof(int64_t))), sizeof v, c.stream);
  EMBER_CU(cuStreamSynchronize, c.stream);
  throw IndexError("index " + std::to_string(v) + " is out of bounds for axis " + std::to_string(n.params.ints.at(j)) +
                   " with size " + std::to_string(w.axis_size[j]));
}

void gather_kernel(Node& n) {
  const Node& src = *n.inputs.at(0);
  std::vector<const Node*> ops;
  for (const NodePtr& in : n.inputs) ops.push_back(in.get());
  const int dev = operand_device(ops);
  Context& c = context(dev);
  const Strides sst = src.data.strides.empty() && !src.shape.empty() ? contiguous_strides(src.shape) : src.data.strides;
  const IndexWalk w = index_walk(n, src.shape, sst, 1);
  allocate_output(n, dev);
  if (w.B == 0) return;
  std::vector<std::shared_ptr<Buffer>> keep;
  const Indices ix = device_indices(n, 1, w.b_dims, dev);
  const CUdeviceptr adv = run_plan(c, n, w, ix, /*check=*/true, keep);  // NumPy raises even when nothing is read
  if (n.size() == 0) return;
  GatherArgs a = gather_args(w);
  a.src = device_ptr(src), a.out = device_ptr(n), a.adv = adv;
  const OpSource s = gather_source(itemsize(n.dtype));
  void* params[] = {&a};
  launch(c, load_function(dev, s.source, s.name), elementwise_dims(dev, a.n), params);
}

// inputs: the old storage version, the value (the gather's result shape), the index arrays.
void scatter_kernel(Node& n) {
  NodePtr& old = n.inputs.at(0);
  const Node& value = *n.inputs.at(1);
  const Params& p = n.params;
  std::vector<const Node*> ops;
  for (const NodePtr& in : n.inputs) ops.push_back(in.get());
  const int dev = operand_device(ops);
  Context& c = context(dev);
  const int item = itemsize(n.dtype);
  const Shape view_shape(p.ints.begin() + std::ptrdiff_t(p.axes.size()), p.ints.end());
  const IndexWalk w = index_walk(n, view_shape, p.strides, 2);
  const bool exclusive = old.use_count() == 1 && old->data.buffer.use_count() == 1 && !old->data.buffer->readonly &&
                         old->data.offset == 0 && old->device == DeviceType::CUDA;
  if (exclusive) {
    n.data = old->data;  // nobody else sees the old version: write in place
  } else {
    allocate_output(n, dev);
    if (n.size() > 0) {
      c.make_current();
      EMBER_CU(cuMemcpyDtoDAsync, device_ptr(n), device_ptr(*old), size_t(n.size()) * size_t(item), c.stream);
    }
  }
  if (w.B == 0 || shape_size(w.pre_dims) == 0 || shape_size(w.post_dims) == 0) return;
  if (value.device != DeviceType::CUDA) throw std::logic_error("cuda scatter: the value follows the storage's device");
  std::vector<std::shared_ptr<Buffer>> keep;
  const Indices ix = device_indices(n, 2, w.b_dims, dev);
  const CUdeviceptr adv = run_plan(c, n, w, ix, /*check=*/false, keep);
  WinnerArgs wa{};
  wa.adv = adv, wa.B = w.B;
  const int64_t slots = winner_slots(w.B);
  wa.mask = slots - 1;
  wa.keys = scratch(dev, size_t(slots) * 8, keep);
  wa.vals = scratch(dev, size_t(slots) * 8, keep);
  wa.keep = scratch(dev, size_t(w.B), keep);
  EMBER_CU(cuMemsetD8Async, wa.keys, 0xFF, size_t(slots) * 8, c.stream);
  EMBER_CU(cuMemsetD8Async, wa.vals, 0, size_t(slots) * 8, c.stream);
  const OpSource ws = scatter_winners_source();
  const LaunchDims bd = elementwise_dims(dev, w.B);
  void* wparams[] = {&wa};
  launch(c, load_function(dev, ws.source, "ember_scatter_claim"), bd, wparams);
  launch(c, load_function(dev, ws.source, "ember_scatter_keep"), bd, wparams);
  const Strides vst = value.data.strides.empty() && !value.shape.empty() ? contiguous_strides(value.shape)
                                                                          : value.data.strides;
  ScatterArgs a = scatter_args(w, vst);
  a.dst = device_ptr(n) + CUdeviceptr(p.offset * item), a.val = device_ptr(value), a.adv = adv, a.keep = wa.keep;
  const OpSource s = scatter_source(item);
  void* params[] = {&a};
  launch(c, load_function(dev, s.source, s.name), elementwise_dims(dev, a.n), params);
}

}  // namespace

IndexWalk index_walk(const Node& n, const Shape& view_shape, const Strides& view_strides, size_t first_index) {
  const Params& p = n.params;
  IndexWalk w;
  int first = -1;  // plain axes before the first index axis stay in front, unless the indices come first
  if (!p.flag) {
    first = int(view_shape.size());
    for (int64_t a : p.axes) first = std::min(first, int(a));
  }
  for (int ax = 0; ax < int(view_shape.size()); ++ax) {
    if (std::find(p.axes.begin(), p.axes.end(), ax) != p.axes.end()) continue;
    const bool front = ax < first;
    (front ? w.pre_dims : w.post_dims).push_back(view_shape[ax]);
    (front ? w.pre_st : w.post_st).push_back(view_strides[ax]);
  }
  w.b_dims = n.inputs.at(first_index)->shape;
  w.B = shape_size(w.b_dims);
  for (int64_t a : p.axes) {
    w.axis_size.push_back(view_shape[size_t(a)]);
    w.axis_st.push_back(view_strides[size_t(a)]);
  }
  check_rank(w.pre_dims.size(), "plain axes before the index");
  check_rank(w.post_dims.size(), "plain axes after the index");
  check_rank(w.b_dims.size(), "index dimensions");
  check_rank(w.axis_size.size(), "index arrays");
  return w;
}

IndexPlanArgs plan_args(const IndexWalk& w, const std::vector<Strides>& index_strides) {
  IndexPlanArgs a{};
  a.B = w.B, a.nb = int64_t(w.b_dims.size()), a.nidx = int64_t(w.axis_size.size());
  put(a.bdims, w.b_dims);
  for (size_t j = 0; j < index_strides.size(); ++j) put(a.ist[j], index_strides[j]);
  put(a.size, w.axis_size);
  put(a.stride, w.axis_st);
  return a;
}

GatherArgs gather_args(const IndexWalk& w) {
  GatherArgs a{};
  a.B = w.B, a.npre = int64_t(w.pre_dims.size()), a.npost = int64_t(w.post_dims.size());
  a.n = shape_size(w.pre_dims) * w.B * shape_size(w.post_dims);
  put(a.pre_dims, w.pre_dims), put(a.pre_st, w.pre_st), put(a.post_dims, w.post_dims), put(a.post_st, w.post_st);
  return a;
}

ScatterArgs scatter_args(const IndexWalk& w, const Strides& vs) {
  ScatterArgs a{};
  const size_t np = w.pre_dims.size(), nb = w.b_dims.size();
  a.B = w.B, a.npre = int64_t(np), a.npost = int64_t(w.post_dims.size()), a.nb = int64_t(nb);
  a.n = shape_size(w.pre_dims) * w.B * shape_size(w.post_dims);
  put(a.pre_dims, w.pre_dims), put(a.pre_st, w.pre_st), put(a.post_dims, w.post_dims), put(a.post_st, w.post_st);
  put(a.bdims, w.b_dims);
  put(a.pre_vst, Strides(vs.begin(), vs.begin() + std::ptrdiff_t(np)));
  put(a.b_vst, Strides(vs.begin() + std::ptrdiff_t(np), vs.begin() + std::ptrdiff_t(np + nb)));
  put(a.post_vst, Strides(vs.begin() + std::ptrdiff_t(np + nb), vs.end()));
  return a;
}

int64_t winner_slots(int64_t B) {
  int64_t s = 1;
  while (s < 2 * B) s <<= 1;
  return s;
}

void register_index_ops() {
  register_kernel(DeviceType::CUDA, "gather", gather_kernel);
  register_kernel(DeviceType::CUDA, "scatter", scatter_kernel);
}

}  // namespace ember::cuda
