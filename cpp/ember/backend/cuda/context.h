// One runtime context per GPU: the device's primary context (the one the CUDA runtime and cuBLAS
// use too), one non-blocking stream that orders all of ember's work on that device, its memory pool
// and its pinned staging buffers. Created on first use; the driver is not touched before.
#pragma once
#include <cuda.h>

#include <memory>
#include <mutex>
#include <string>

#include "ember/backend/cuda/memory_pool.h"
#include "ember/backend/cuda/status.h"

namespace ember::cuda {

struct Staging;  // transfer.cpp: pinned host buffers for bulk copies
struct StagingDeleter {
  void operator()(Staging* s) const;
};

struct Context {
  int index = 0;
  CUdevice device = 0;
  CUcontext ctx = nullptr;
  CUstream stream = nullptr;  // all of ember's work on this device, in order
  int cc_major = 0, cc_minor = 0;
  std::string name;
  std::unique_ptr<MemoryPool> pool;
  std::unique_ptr<Staging, StagingDeleter> staging;
  std::mutex transfer_mu;  // one bulk transfer at a time uses the staging buffers

  // Makes this device's primary context current on the calling thread (cheap when it already is).
  void make_current() const;
  // Blocks the host until the stream's work is done.
  void synchronize() const;
  // This stream's later work waits for everything queued so far on `other`'s stream (a recorded
  // event: no host wait). Used when a device reads memory another device produced.
  void wait_for(const Context& other) const;
};

// The context of device `index` (0 <= index < device_count()), created on first use and made
// current on the calling thread. CudaError when the driver is unavailable or the index is bad.
Context& context(int index);
// The context of `index` if it was created already, else nullptr (never creates one).
Context* existing_context(int index);
}  // namespace ember::cuda
