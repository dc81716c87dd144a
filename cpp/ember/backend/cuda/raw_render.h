// CUDA C++ for user kernels in CuPy's style (ElementwiseKernel, ReductionKernel), rendered from a
// call's bound parameters. Pure text: rendering and NVRTC-compiling need no GPU.
//
// Elementwise: a grid-stride loop over the n elements of the broadcast shape (rank R); every array
// parameter is read or written through its own element strides over that shape (0 where it is
// broadcast, negative for reversed views). In `operation`: each non-raw parameter by name (inputs
// `const`, outputs references), `i` (the element's row-major index), `_ind.size()` (n), raw parameters
// indexed as `z[k]` (row-major over z's own shape), and the placeholders as typedefs (`T`).
//
// Reduction: dimensions ordered kept first, reduced last; one block of kUserReduceBlock threads per
// output (grid-stride over outputs): each thread folds `map_expr` over a strided share of the reduced
// range with `REDUCE(a, b)`, a shared-memory tree folds the block, and thread 0 runs `POST_MAP(a)`
// with the outputs in scope. `_type_reduce` is the accumulator type; `identity` its start (when
// empty, the first value is the start and an empty reduction is refused by the caller).
//
// Argument layout (the launcher packs it, each in its own slot): elementwise kernels take the shape
// (R words) and n, reductions the shape (R words), the output count and the reduced length; then per
// parameter: an array is its first element's address and R stride words; a scalar its value in the
// parameter's type; a raw array its address, its M extents and its M strides (M = max(its ndim, 1)).
#pragma once
#include <string>
#include <vector>

#include "ember/backend/cuda/raw_params.h"

namespace ember::cuda {

inline constexpr int kUserReduceBlock = 256;

struct BoundParam {
  enum Kind { Array, Scalar, Raw } kind = Array;
  std::string name;
  DType type = DType::Float64;     // the parameter's dtype (placeholders resolved)
  DType storage = DType::Float64;  // arrays: the argument's own dtype (an input is cast when read)
  int raw_ndim = 0;
  bool output = false;
};

struct UserKernelSource {
  std::string name, preamble;
  TypeMap types;
  std::vector<BoundParam> params;  // inputs then outputs
  int ndim = 1;                    // R: the rank of the iteration space (at least 1)
  // elementwise
  std::string operation;
  // reduction
  bool reduction = false;
  int kept = 0;  // the first `kept` of the R dimensions are kept
  std::string map_expr, reduce_expr, post_map_expr, identity;
  DType reduce_type = DType::Float64;
};

// The complete program (helpers, preamble, one extern "C" __global__ function named `name`).
std::string render_user_kernel(const UserKernelSource& k);

}  // namespace ember::cuda
