// Registration of the cuda device's kernels. Registering touches no driver: a kernel loads it when
// it first runs, and raises CudaError naming why when no GPU is usable.
#include <mutex>

#include "ember/backend/cuda/cublas.h"
#include "ember/backend/cuda/status.h"
#include "ember/backend/cuda/transfer.h"
#include "ember/backend/device.h"

namespace ember::cuda {

void register_device() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_kernel(DeviceType::CUDA, "to_device", to_device_kernel);
    register_kernel(DeviceType::CUDA, "matmul", matmul_kernel);
  });
}

}  // namespace ember::cuda
