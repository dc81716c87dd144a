// Loading user CUBINs and launching their kernels (RawKernel, RawModule, ElementwiseKernel,
// ReductionKernel). Small on purpose: the fused-Kernel runner (launch.h, another helper's) may absorb
// the module cache once both are merged.
//
// Arrays are passed by address: an ember cuda array argument is evaluated and the kernel gets its
// first element's address. A kernel may write through it (as in CuPy), so before the launch the
// array's storage is made to own its memory alone: if another node still reads the current version
// (a lazy reader, a shared or read-only buffer), the storage gets a fresh copy as its new version and
// the kernel writes there, so values ember computed or will compute from the old version stay right.
#pragma once
#include <cuda.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ember/array.h"

namespace ember::cuda {

// The address of `a`'s first element on its GPU, and that GPU's index in *device; with `for_write`
// (and `a` writeable) its storage is made exclusive as above first. TypeError naming `what` when `a`
// is not a cuda array.
CUdeviceptr argument_pointer(const Array& a, int* device, const std::string& what, bool for_write = true);

// Launch geometry. stream == 0 means ember's stream of the device; otherwise a CUstream handle
// (1 = the legacy default stream, 2 = per-thread default), ordered after ember's queued work and
// with ember's later work ordered after the kernel (events; no host wait).
struct LaunchConfig {
  unsigned grid[3] = {1, 1, 1};
  unsigned block[3] = {1, 1, 1};
  unsigned shared_bytes = 0;
  uintptr_t stream = 0;
};

// One kernel parameter's bytes, 8-byte aligned storage (cuLaunchKernel reads each from its own address).
struct ParamValue {
  std::vector<uint64_t> words;
  size_t bytes = 0;
  static ParamValue of(const void* data, size_t n);
  template <class T> static ParamValue of(const T& v) { return of(&v, sizeof v); }
};

void raw_launch(int device, CUfunction f, const LaunchConfig& cfg, const std::vector<ParamValue>& params);

// The stream handle ember orders its work on for `device` (for __cuda_array_interface__'s "stream").
uintptr_t ember_stream(int device);
// ember's stream waits for the work queued so far on `foreign` (an event; no host wait).
void wait_for_stream(int device, uintptr_t foreign);
// `foreign` waits for the work queued so far on ember's stream.
void stream_waits_for_ember(int device, uintptr_t foreign);

}  // namespace ember::cuda
