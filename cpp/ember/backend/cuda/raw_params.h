// CuPy's parameter syntax for user kernels (ElementwiseKernel, ReductionKernel): "float32 x, T y, raw T z".
// Each comma-separated item is `[raw] TYPE NAME`; TYPE is a dtype name ("float32", "int64", "bool") or a
// one-letter placeholder ("T") bound from the arguments' dtypes at call time, as in CuPy.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ember/dtype.h"
#include "ember/scalar.h"

namespace ember::cuda {

struct RawParam {
  std::string name;
  std::string type;  // as written: a dtype name or a placeholder
  bool placeholder = false;
  bool raw = false;  // indexed by the user (no broadcasting); gets its own shape and strides
  DType dtype = DType::Float64;  // when !placeholder
};

// ValueError naming the item for a malformed list, an unknown type, a reserved or repeated name.
std::vector<RawParam> parse_params(const std::string& text);

using TypeMap = std::map<std::string, DType>;  // placeholder -> dtype

// What is passed for one parameter: an array of `dtype`, a scalar of `dtype` (Python int -> int64,
// float -> float64, NumPy scalars keep theirs), or nothing yet (an output to allocate).
struct ArgType {
  enum Kind { Array, Scalar, Absent } kind = Absent;
  DType dtype = DType::Float64;
};

// Binds every placeholder of `params` from `args` (one per parameter): arrays first, then scalars for
// placeholders no array bound. TypeError when two arrays give one placeholder different dtypes, or
// when an output's placeholder stays unbound.
TypeMap bind_types(const std::vector<RawParam>& params, const std::vector<ArgType>& args);
// The dtype of `p` under `types` (TypeError if its placeholder is unbound).
DType param_dtype(const RawParam& p, const TypeMap& types);

// The C type rendered kernels use for `t` ("float", "long long", "bool"); NotImplementedError for
// float16, bfloat16 and complex, which user kernels do not support yet.
std::string c_type(DType t);

// A scalar's value cast to `t` (NumPy's unsafe cast) as `t`'s bytes.
std::string scalar_bytes(const Scalar& s, DType t);
// The value held in `bytes` of dtype `t`.
Scalar scalar_from_bytes(const std::string& bytes, DType t);

}  // namespace ember::cuda
