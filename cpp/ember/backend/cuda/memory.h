// Device memory of evaluated cuda nodes. A node's Buffer holds a DeviceMemory in Buffer::device
// (bytes stays null, as on pim); the block goes back to its device's pool when the last array
// using it dies, ordered on the device's stream (memory_pool.h).
#pragma once
#include <cuda.h>

#include <memory>

#include "ember/backend/cuda/memory_pool.h"
#include "ember/graph/node.h"

namespace ember::cuda {

struct Context;

struct DeviceMemory {
  CUdeviceptr ptr = 0;  // 0 for zero-byte buffers
  size_t bytes = 0;
  int device = 0;
  DeviceMemory(int device, size_t bytes);  // from the device's pool, ordered on its stream
  // Memory someone else owns (DLPack, __cuda_array_interface__): `owner` is held, nothing is freed.
  DeviceMemory(int device, CUdeviceptr p, size_t n, std::shared_ptr<void> owner)
      : ptr(p), bytes(n), device(device), owner(std::move(owner)) {}
  std::shared_ptr<void> owner;
  ~DeviceMemory();
  DeviceMemory(const DeviceMemory&) = delete;
  DeviceMemory& operator=(const DeviceMemory&) = delete;
};

// A buffer of `bytes` on device `device` (contents undefined).
std::shared_ptr<Buffer> device_buffer(int device, size_t bytes);
// The device memory of an evaluated cuda node; std::logic_error if it holds none.
const DeviceMemory& memory_of(const Node& n);
// The address of the node's first element (its Data offset applied).
CUdeviceptr device_ptr(const Node& n);
// Sets n.data to a fresh contiguous device buffer for n's shape and dtype on `device`.
void allocate_output(Node& n, int device);

// The pool's backend for a context: cuMemAlloc/cuMemFree, events on the context's streams.
PoolBackend device_pool_backend(Context& c);

}  // namespace ember::cuda
