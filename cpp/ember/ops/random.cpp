#include "ember/ops/random.h"

#include "ember/errors.h"

namespace ember {
namespace {

enum RandomKind : int64_t { kUniform = 0, kNormal = 1, kIntegers = 2, kPermutation = 3 };

void check_shape(const Shape& shape) {
  for (int64_t d : shape)
    if (d < 0) throw ValueError("negative dimensions are not allowed: " + shape_str(shape));
}

Array random_node(const Shape& shape, DType dtype, PhiloxState s, RandomKind kind, int64_t low = 0, uint64_t range = 0) {
  check_shape(shape);
  Params p;
  p.ints = {kind, static_cast<int64_t>(s.key), static_cast<int64_t>(s.counter), low, static_cast<int64_t>(range)};
  return Array(make_node("random", Kind::Opaque, {}, dtype, shape, std::move(p)));
}

}  // namespace

Array random_uniform(const Shape& shape, DType dtype, PhiloxState s) {
  if (dtype != DType::Float32 && dtype != DType::Float64)
    throw TypeError("Unsupported dtype " + std::string(dtype_name(dtype)) + " for random (float32 or float64)");
  return random_node(shape, dtype, s, kUniform);
}

Array random_normal(const Shape& shape, DType dtype, PhiloxState s) {
  if (dtype != DType::Float32 && dtype != DType::Float64)
    throw TypeError("Unsupported dtype " + std::string(dtype_name(dtype)) + " for standard_normal (float32 or float64)");
  return random_node(shape, dtype, s, kNormal);
}

Array random_integers(const Shape& shape, DType dtype, int64_t low, uint64_t range, PhiloxState s) {
  if (!is_integer(dtype) && !is_bool(dtype))
    throw TypeError("integers: unsupported dtype " + std::string(dtype_name(dtype)) + " (integers and bool only)");
  return random_node(shape, dtype, s, kIntegers, low, range);
}

Array random_permutation(int64_t n, PhiloxState s) { return random_node({n}, DType::Int64, s, kPermutation); }

}  // namespace ember
