// The CUDA driver API, loaded once from libcuda.so.1 with dlopen (no link-time dependency). The
// functions are resolved with cuGetProcAddress at the ABI of the headers we were built with, so the
// _v2 variants (cuMemAlloc_v2, ...) are the ones called; dlsym of the versioned names is the
// fallback for drivers without cuGetProcAddress.
#pragma once
#include <cuda.h>

#include <initializer_list>
#include <string>

#include "ember/backend/cuda/status.h"

namespace ember::cuda {

// X(name): every driver function the device calls. Each becomes a member `name_` of Driver whose type
// is the header's declaration (after its _v2 macros).
#define EMBER_CUDA_DRIVER_FUNCTIONS(X)                                                                   \
  X(cuDriverGetVersion) X(cuGetErrorName) X(cuGetErrorString) X(cuDeviceGetCount) X(cuDeviceGet)         \
  X(cuDeviceGetAttribute) X(cuDeviceGetName) X(cuDeviceTotalMem) X(cuDevicePrimaryCtxRetain)             \
  X(cuDevicePrimaryCtxRelease) X(cuCtxSetCurrent) X(cuCtxGetCurrent) X(cuStreamCreate)                   \
  X(cuStreamDestroy) X(cuStreamSynchronize) X(cuStreamWaitEvent) X(cuEventCreate) X(cuEventDestroy)      \
  X(cuEventRecord) X(cuEventQuery) X(cuEventSynchronize) X(cuMemAlloc) X(cuMemFree) X(cuMemGetInfo)      \
  X(cuMemHostAlloc) X(cuMemFreeHost) X(cuMemcpyHtoDAsync) X(cuMemcpyDtoHAsync) X(cuMemcpyDtoDAsync)      \
  X(cuMemsetD8Async) X(cuModuleLoadData) X(cuModuleUnload) X(cuModuleGetFunction) X(cuLaunchKernel)

struct Driver {
  decltype(&::cuInit) cuInit_ = nullptr;
#define EMBER_CUDA_MEMBER(name) decltype(&::name) name##_ = nullptr;
  EMBER_CUDA_DRIVER_FUNCTIONS(EMBER_CUDA_MEMBER)
#undef EMBER_CUDA_MEMBER
};

// The outcome of loading a driver library: `ok` with the function table and the device count, or
// `why` it cannot be used.
struct DriverLoad {
  bool ok = false;
  std::string why, library;
  int version = 0, devices = 0;
  Driver fn;
};

// Loads the first of `names` that dlopen finds, runs cuInit and counts devices. Separate from the
// process-wide driver() so tests can point it at the toolkit's stub library or at nothing.
DriverLoad load_driver(std::initializer_list<const char*> names);

// The process-wide load of libcuda.so.1 (done once, on first use).
const DriverLoad& driver_load();
// Its function table; CudaError(why_unavailable()) when the driver is unusable.
const Driver& driver();

// The name of a CUresult ("CUDA_ERROR_OUT_OF_MEMORY"), also when the driver cannot say.
std::string error_name(CUresult r);
// Throws CudaError "<call> failed: <NAME> (<description>)" unless r == CUDA_SUCCESS; out of memory
// throws CudaMemoryError.
void check(CUresult r, const char* call);

}  // namespace ember::cuda

// EMBER_CU(cuMemAlloc, &p, n): calls the loaded driver function and checks its result, naming the call.
#define EMBER_CU(name, ...) ::ember::cuda::check(::ember::cuda::driver().name##_(__VA_ARGS__), #name)
