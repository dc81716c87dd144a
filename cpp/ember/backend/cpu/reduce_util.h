// Helpers shared by the cpu reduction, scan and sorting kernels.
#pragma once
#include <cmath>
#include <limits>

#include "ember/backend/cpu/type_traits.h"
#include "ember/graph/node.h"

namespace ember::cpu {

// Whether a compute value is NaN (any part, for complex).
template <class C> bool is_nan(const C& x) {
  if constexpr (is_complex_v<C>) return std::isnan(x.real()) || std::isnan(x.imag());
  else if constexpr (std::is_floating_point_v<C>) return std::isnan(x);
  else return false;
}

// +inf (or the largest value) in compute type C, negated when `negative`.
template <class C> C extreme(bool negative) {
  if constexpr (is_complex_v<C>) {
    using R = typename C::value_type;
    R v = negative ? -std::numeric_limits<R>::infinity() : std::numeric_limits<R>::infinity();
    return C(v, v);
  } else if constexpr (std::is_floating_point_v<C>) {
    return negative ? -std::numeric_limits<C>::infinity() : std::numeric_limits<C>::infinity();
  } else {
    return negative ? std::numeric_limits<C>::lowest() : std::numeric_limits<C>::max();
  }
}

// An iteration over an input with one axis `axis` taken out: the remaining shape, the input's
// strides over it, and the strides of a row-major output of that shape.
struct LaneLayout {
  Shape shape;
  Strides in, out;
  int64_t length = 0;      // the lane's length (input's extent along axis)
  int64_t stride = 0;      // the input's stride along axis
};

inline LaneLayout lanes(const Shape& shape, const Strides& strides, int axis) {
  LaneLayout l;
  for (int i = 0; i < static_cast<int>(shape.size()); ++i) {
    if (i == axis) continue;
    l.shape.push_back(shape[i]);
    l.in.push_back(strides[i]);
  }
  l.out = contiguous_strides(l.shape);
  l.length = shape[axis];
  l.stride = strides[axis];
  return l;
}

}  // namespace ember::cpu
