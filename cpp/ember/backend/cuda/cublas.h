// cuBLAS, loaded with dlopen at first use (libcublas.so.13, then .12): one handle per device, bound
// to the device's stream, and the matmul kernel (gemm / strided-batched gemm) for float32/float64.
#pragma once
#include <string>

#include "ember/graph/node.h"

namespace ember::cuda {

// Whether libcublas could be loaded (no GPU needed to load it), and why not.
bool cublas_loadable();
std::string cublas_why_unavailable();

// matmul: inputs (..., M, K) and (..., K, N) on cuda, output (batch..., M, N) as ops::matmul builds it.
void matmul_kernel(Node& n);

// How one row-major matrix with element strides (rs, cs) is handed to column-major cuBLAS as the
// transpose of itself (see cublas.cpp): op 'N' with ld = rs, or 'T' with ld = cs. False when neither
// stride is 1 (or a leading dimension would not fit an int).
struct GemmOperand {
  bool transpose = false;
  int ld = 1;
};
bool gemm_operand(int64_t rows, int64_t cols, int64_t rs, int64_t cs, GemmOperand* out);

// Element offsets of the matrices of an operand with `shape` (last two dims: the matrix) and
// `strides`, broadcast over the batch shape `batch`, in row-major batch order.
std::vector<int64_t> batch_offsets(const Shape& shape, const Strides& strides, const Shape& batch);

}  // namespace ember::cuda
