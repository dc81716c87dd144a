#include "ember/backend/cuda/raw_launch.h"

#include <cstring>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"
#include "ember/backend/cuda/memory.h"
#include "ember/errors.h"
#include "ember/graph/eval.h"

namespace ember::cuda {
namespace {

// `waiter` waits for the work queued so far on `producer`.
void order(Context& c, CUstream producer, CUstream waiter) {
  if (producer == waiter) return;
  c.make_current();
  CUevent e = nullptr;
  EMBER_CU(cuEventCreate, &e, CU_EVENT_DISABLE_TIMING);
  EMBER_CU(cuEventRecord, e, producer);
  EMBER_CU(cuStreamWaitEvent, waiter, e, 0);
  EMBER_CU(cuEventDestroy, e);  // released once the recorded work completes
}

}  // namespace

ParamValue ParamValue::of(const void* data, size_t n) {
  ParamValue p;
  p.words.assign((n + 7) / 8, 0);
  if (n) std::memcpy(p.words.data(), data, n);
  p.bytes = n;
  return p;
}

CUdeviceptr argument_pointer(const Array& a, int* device, const std::string& what, bool for_write) {
  const std::shared_ptr<Storage>& s = a.storage();
  NodePtr v = s->version;
  if (v->device != DeviceType::CUDA)
    throw TypeError(what + " is an array on the " + std::string(v->device == DeviceType::CPU ? "cpu" : "pim") +
                    " device; kernels take cuda arrays (x.to('cuda'))");
  eval({v});
  const DeviceMemory& m = memory_of(*v);
  *device = m.device;
  const int item = itemsize(s->dtype);
  if (!is_contiguous(s->shape, v->data.strides) && shape_size(s->shape) > 1)
    throw NotImplementedError(what + ": its storage is not a contiguous buffer on the device");
  // Exclusive: only the storage (and `v` here) reference the version node, nothing else aliases its buffer.
  const bool exclusive = v.use_count() == 2 && v->data.buffer.use_count() == 1 && !v->data.buffer->readonly;
  if (for_write && !exclusive && a.writeable()) {
    const size_t bytes = size_t(shape_size(s->shape)) * size_t(item);
    Data d;
    d.buffer = device_buffer(m.device, bytes);
    d.strides = contiguous_strides(s->shape);
    NodePtr leaf = make_leaf(s->dtype, s->shape, std::move(d));
    leaf->device = DeviceType::CUDA;
    if (bytes) {
      Context& c = context(m.device);
      EMBER_CU(cuMemcpyDtoDAsync, device_ptr(*leaf), device_ptr(*v), bytes, c.stream);
    }
    s->version = leaf;
    v = leaf;
  }
  return device_ptr(*v) + CUdeviceptr(a.offset()) * CUdeviceptr(item);
}

void raw_launch(int device, CUfunction f, const LaunchConfig& cfg, const std::vector<ParamValue>& params) {
  Context& c = context(device);
  c.make_current();
  std::vector<void*> argv;
  argv.reserve(params.size());
  for (auto& p : params) argv.push_back(const_cast<uint64_t*>(p.words.data()));
  CUstream s = cfg.stream ? reinterpret_cast<CUstream>(cfg.stream) : c.stream;
  order(c, c.stream, s);
  EMBER_CU(cuLaunchKernel, f, cfg.grid[0], cfg.grid[1], cfg.grid[2], cfg.block[0], cfg.block[1], cfg.block[2],
           cfg.shared_bytes, s, argv.empty() ? nullptr : argv.data(), nullptr);
  order(c, s, c.stream);
}

uintptr_t ember_stream(int device) { return reinterpret_cast<uintptr_t>(context(device).stream); }

void wait_for_stream(int device, uintptr_t foreign) {
  Context& c = context(device);
  order(c, reinterpret_cast<CUstream>(foreign), c.stream);
}

void stream_waits_for_ember(int device, uintptr_t foreign) {
  Context& c = context(device);
  order(c, c.stream, reinterpret_cast<CUstream>(foreign));
}

}  // namespace ember::cuda
