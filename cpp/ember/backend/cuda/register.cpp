// Registration of the cuda device's kernels. Registering touches no driver: a kernel loads it when
// it first runs, and raises CudaError naming why when no GPU is usable.
#include <mutex>

#include "ember/backend/cuda/cublas.h"
#include "ember/backend/cuda/fused_runner.h"
#include "ember/backend/cuda/ops.h"
#include "ember/backend/cuda/ops_index.h"
#include "ember/backend/cuda/ops_linalg.h"
#include "ember/backend/cuda/status.h"
#include "ember/backend/cuda/transfer.h"
#include "ember/backend/device.h"

namespace ember::cuda {
namespace {

// A zero-copy view: the same device memory with another offset and strides (as on the cpu).
void as_strided_kernel(Node& n) {
  const Node& base = *n.inputs.at(0);
  n.data.buffer = base.data.buffer;
  n.data.offset = base.data.offset + n.params.offset;
  n.data.strides = n.params.strides;
}

}  // namespace

void register_device() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_kernel(DeviceType::CUDA, "to_device", to_device_kernel);
    register_kernel(DeviceType::CUDA, "matmul", matmul_kernel);
    register_kernel(DeviceType::CUDA, "as_strided", as_strided_kernel);
    // Elementwise nodes and sum/prod/max/min run as rendered fused Kernels (single nodes too).
    register_fused(DeviceType::CUDA, can_fuse, run_fused);
    register_fused_reduction(DeviceType::CUDA, can_fuse_reduction);
    register_creation_ops();
    register_copy_ops();
    register_reduce_ops();
    register_index_ops();   // gather, scatter
    register_linalg_ops();  // vector_norm, matmul of every dtype (replaces the cuBLAS-only entry), LAPACK
    register_sort_ops();    // sort family through CUB (ops_sort.cpp)
  });
}

}  // namespace ember::cuda
