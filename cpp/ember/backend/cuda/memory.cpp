#include "ember/backend/cuda/memory.h"

#include <stdexcept>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/driver.h"

namespace ember::cuda {

DeviceMemory::DeviceMemory(int dev, size_t n) : bytes(n), device(dev) {
  Context& c = context(dev);
  ptr = CUdeviceptr(c.pool->allocate(n, StreamId(c.stream)));
}

DeviceMemory::~DeviceMemory() {
  if (!ptr || owner) return;  // foreign memory: releasing `owner` is all
  // Arrays die on any thread, also while Python shuts down; a free must never throw out of here.
  try {
    Context* c = existing_context(device);
    if (c) c->pool->deallocate(reinterpret_cast<void*>(ptr));
  } catch (...) {
  }
}

std::shared_ptr<Buffer> device_buffer(int device, size_t bytes) {
  auto b = std::make_shared<Buffer>();
  b->device = std::make_shared<DeviceMemory>(device, bytes);
  b->nbytes = 0;  // host bytes: none (as pim's buffers)
  return b;
}

const DeviceMemory& memory_of(const Node& n) {
  if (!n.data.buffer || !n.data.buffer->device)
    throw std::logic_error("cuda: node '" + std::string(n.op) + "' holds no device memory");
  return *static_cast<const DeviceMemory*>(n.data.buffer->device.get());
}

CUdeviceptr device_ptr(const Node& n) {
  return memory_of(n).ptr + CUdeviceptr(n.data.offset) * CUdeviceptr(itemsize(n.dtype));
}

void allocate_output(Node& n, int device) {
  n.data.buffer = device_buffer(device, size_t(shape_size(n.shape)) * itemsize(n.dtype));
  n.data.offset = 0;
  n.data.strides = contiguous_strides(n.shape);
}

PoolBackend device_pool_backend(Context& c) {
  Context* ctx = &c;
  PoolBackend b;
  b.alloc = [ctx](size_t n) -> void* {
    ctx->make_current();
    CUdeviceptr p = 0;
    CUresult r = driver().cuMemAlloc_(&p, n);
    if (r == CUDA_ERROR_OUT_OF_MEMORY) return nullptr;  // the pool releases its cache and retries
    check(r, "cuMemAlloc");
    return reinterpret_cast<void*>(p);
  };
  b.free = [ctx](void* p) {
    ctx->make_current();
    EMBER_CU(cuMemFree, CUdeviceptr(p));
  };
  // Every stream the pool sees belongs to this context (one stream per device).
  b.record = [ctx](StreamId s) -> EventId {
    ctx->make_current();
    CUevent e = nullptr;
    EMBER_CU(cuEventCreate, &e, CU_EVENT_DISABLE_TIMING);
    EMBER_CU(cuEventRecord, e, reinterpret_cast<CUstream>(s));
    return EventId(e);
  };
  b.wait = [ctx](StreamId s, EventId e) {
    ctx->make_current();
    EMBER_CU(cuStreamWaitEvent, reinterpret_cast<CUstream>(s), reinterpret_cast<CUevent>(e), 0);
  };
  b.release = [ctx](EventId e) {
    ctx->make_current();
    EMBER_CU(cuEventDestroy, reinterpret_cast<CUevent>(e));
  };
  b.synchronize = [ctx] { ctx->synchronize(); };
  return b;
}

PoolStats memory_stats(int device) {
  PoolStats total;
  if (!available()) return total;
  for (int i = 0; i < device_count(); ++i) {
    if (device >= 0 && i != device) continue;
    Context* c = existing_context(i);
    if (!c) continue;
    PoolStats s = c->pool->stats();
    total.allocated_bytes += s.allocated_bytes, total.requested_bytes += s.requested_bytes;
    total.cached_bytes += s.cached_bytes, total.reserved_bytes += s.reserved_bytes;
    total.peak_allocated_bytes += s.peak_allocated_bytes, total.peak_reserved_bytes += s.peak_reserved_bytes;
    total.num_allocs += s.num_allocs, total.num_frees += s.num_frees, total.cache_hits += s.cache_hits;
    total.device_allocs += s.device_allocs, total.device_frees += s.device_frees;
    total.oom_retries += s.oom_retries;
  }
  return total;
}

void empty_cache() {
  if (!available()) return;
  for (int i = 0; i < device_count(); ++i)
    if (Context* c = existing_context(i)) c->pool->empty_cache();
}

}  // namespace ember::cuda
