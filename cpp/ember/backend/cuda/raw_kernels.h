// ElementwiseKernel and ReductionKernel as CuPy has them: CUDA C++ snippets over typed parameters
// ("float32 x, T y, raw T z"), bound to the arguments' dtypes at each call, rendered (raw_render.h),
// compiled with NVRTC for the device (raw_compile.h) and launched (raw_launch.h).
//
// Inputs broadcast against each other (NumPy rules); outputs not passed are allocated on the inputs'
// GPU with the broadcast shape (reductions: with the reduced axes removed, or kept as 1 with
// keepdims) and the output parameters' dtypes. Passed outputs must have that shape and their
// parameters' dtypes exactly. An array input of another dtype than its parameter's is converted as it
// is read (C's static_cast); raw parameters take arrays of their exact dtype.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ember/array.h"
#include "ember/backend/cuda/raw_render.h"

namespace ember::cuda {

// One input argument: an array, or a scalar with the dtype it carries (Python int -> int64,
// float -> float64, bool -> bool; NumPy scalars their own).
struct UserArg {
  std::optional<Array> array;
  Scalar scalar;
  DType scalar_dtype = DType::Int64;
};

struct UserCall {
  std::vector<UserArg> inputs;
  std::vector<std::optional<Array>> outputs;  // empty, or one per output parameter (nullopt: allocate)
  int64_t size = -1;  // elementwise: the loop size when no array fixes the shape
  std::optional<std::vector<int64_t>> axis;  // reductions: nullopt = all axes
  bool keepdims = false;
};

// A call bound and rendered (no GPU involved).
struct PreparedCall {
  UserKernelSource kernel;
  std::string source;
  Shape shape;      // iteration space (reductions: kept dims first, then reduced)
  Shape out_shape;  // of each output
  std::vector<Strides> strides;  // per parameter: its element strides over `shape` (arrays only)
  int64_t n = 0, nout = 0, L = 0;
};

class UserKernel {
 public:
  static UserKernel elementwise(const std::string& in_params, const std::string& out_params,
                                const std::string& operation, const std::string& name, const std::string& preamble,
                                std::vector<std::string> options);
  // reduce_type: a dtype name or placeholder; empty = the first output's type. identity: empty = none.
  static UserKernel reduction(const std::string& in_params, const std::string& out_params, const std::string& map_expr,
                              const std::string& reduce_expr, const std::string& post_map_expr,
                              const std::string& identity, const std::string& name, const std::string& reduce_type,
                              const std::string& preamble, std::vector<std::string> options);

  const std::vector<RawParam>& in_params() const { return in_; }
  const std::vector<RawParam>& out_params() const { return out_; }
  const std::string& name() const { return name_; }
  const std::vector<std::string>& options() const { return options_; }

  // Binds, checks and renders a call (arrays of any device): ValueError/TypeError for bad arguments.
  PreparedCall prepare(const UserCall& call) const;
  // prepare + compile for the arrays' GPU + allocate outputs + launch; returns the outputs.
  std::vector<Array> operator()(const UserCall& call) const;

 private:
  std::vector<RawParam> in_, out_;
  std::string name_, preamble_, operation_, map_, reduce_, post_map_, identity_, reduce_type_;
  bool reduction_ = false;
  std::vector<std::string> options_;
};

}  // namespace ember::cuda
