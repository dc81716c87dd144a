// CUDA C++ sources of the cuda device's op kernels that are not fused Kernels (creation, strided
// copies, Philox random numbers, arg-reductions, scans). Each is the render prelude plus a short
// kernel for one dtype (or element size); the name identifies the text, so the kernel cache and
// the loaded-function table key on it. ops_*.cpp launch them; the NVRTC tests compile every one.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "ember/dtype.h"

namespace ember::cuda {

struct OpSource {
  std::string name;    // the extern "C" kernel
  std::string source;  // a complete program
};

inline constexpr int kMaxDims = 16;    // rank limit of the strided op kernels (argument arrays)
inline constexpr int kOpBlock = 256;   // threads per block of the block-per-row kernels

// out[i] = start + i * step (integers wrap, as the cpu): (T* out, n, i0, istep, s0, step, s0_im, step_im).
OpSource arange_source(DType t);
// out[i] = start + i * step, the last = stop when endpoint: (T* out, n, start, step, stop, endpoint).
OpSource linspace_source(DType t);
// out[r, c] = (c == r + k): (T* out, rows, cols, k).
OpSource eye_source(DType t);
// dst[...] = src[...] over a strided iteration space of elements of `item` bytes (1, 2, 4, 8, 16).
OpSource copy_source(int item);
// Philox4x32-10 as the cpu's random kernel: (T* out, n, key, counter, kind, low, range).
OpSource random_source(DType t);
// argmax/argmin over the last of (kept..., axis) dims, block per output.
OpSource argreduce_source(std::string_view op, DType t);
// cumsum/cumprod along an axis, block per row (a shared-memory scan of 256-element chunks).
OpSource scan_source(std::string_view op, DType t);

// Every source above over every dtype it is defined for (the NVRTC tests).
std::vector<OpSource> all_op_sources();

// The prelude, the op helpers, typedefs T (storage) and C (compute) of `t`, then `body` with @K@
// replaced by the kernel's name ember_<base>_<dtype> (for kernels defined in other files).
OpSource make_op_source(const std::string& base, DType t, const std::string& body);
// The prelude, the op helpers and `body`, under the name `name` (kernels keyed by element size).
OpSource make_named_source(const std::string& name, const std::string& body);

// gather, scatter and their index plan (ops_index_sources.cpp; declared in ops_index.h).
void append_index_sources(std::vector<OpSource>& out);
// vector_norm, integer matmul, the LAPACK helpers (ops_linalg_sources.cpp; ops_linalg.h).
void append_linalg_sources(std::vector<OpSource>& out);

}  // namespace ember::cuda
