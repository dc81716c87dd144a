// What the rest of ember (the Python bindings, the op tests) may ask the cuda device without the
// CUDA headers: whether a GPU is usable, and why not. Nothing here touches the driver before the
// first call; the first call loads libcuda.so.1 once (driver.h).
#pragma once
#include <stdexcept>
#include <string>

#include "ember/backend/cuda/memory_pool.h"

namespace ember::cuda {

// A CUDA call failed (RuntimeError in Python): the message names the call and the driver's error.
struct CudaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Device memory is exhausted even after the pool released its cache (MemoryError in Python).
struct CudaMemoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// True when libcuda.so.1 loaded, cuInit succeeded and at least one device exists.
bool available();
// Empty when available(); otherwise one sentence saying why not (no driver library, the toolkit's
// stub library, cuInit's error, zero devices).
std::string why_unavailable();
// Devices the driver reports (0 when unavailable).
int device_count();
// Throws CudaError("the cuda device is unavailable: <why>") unless available().
void require_available();
// The device new cuda arrays go to: EMBER_CUDA_DEVICE when set, else 0, or what set_device chose.
int current_device();
// CudaError for an index the driver does not report (or when unavailable).
void set_device(int index);
// major * 10 + minor (e.g. 90 for an H100), for NVRTC's --gpu-architecture=sm_XX. Needs no context.
int compute_capability(int index);
// NVRTC's architecture for the device: "sm_" + compute_capability (e.g. "sm_90").
std::string device_arch(int index);
// The device's name as the driver reports it.
std::string device_name(int index);
// Waits for the streams of every device used so far (no-op when none or unavailable).
void synchronize_all();
// The memory pools' statistics: of one device, or summed over the devices in use (device < 0).
// Zeros for devices not used yet (and when the driver is unavailable).
PoolStats memory_stats(int device = -1);
// Returns every pool's cached blocks to the driver (no-op when nothing was used).
void empty_cache();
// Registers the cuda kernels (to_device, matmul) on DeviceType::CUDA; touches no driver (idempotent).
void register_device();

}  // namespace ember::cuda
