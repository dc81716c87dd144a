// Helpers shared by the graph-pass tests: small arrays, ops by name, raw bytes, passes switched off.
#pragma once
#include <string_view>
#include <vector>

#include "ember/graph/eval.h"
#include "ember/graph/pack.h"
#include "ember/graph/passes/graph_passes.h"
#include "ember/ops.h"

namespace passtest {

using namespace ember;

// 0, scale, 2*scale, ... (n values, evaluated) in `dt`.
inline Array vec(int64_t n, double scale, DType dt = DType::Float64) {
  Array i = arange(Scalar(int64_t{0}), Scalar(n), Scalar(int64_t{1}), DType::Float64);
  Array r = astype(apply_elementwise("multiply", {i, Array::from_python_scalar(Scalar(scale))}), dt, false);
  eval({r.node()});
  return r;
}

inline Array op(std::string_view name, const Array& a, const Array& b) { return apply_elementwise(name, {a, b}); }
inline Array op(std::string_view name, const Array& a) { return apply_elementwise(name, {a}); }
inline Array num(double v) { return Array::from_python_scalar(Scalar(v)); }

// The bytes of an evaluated array, row-major.
inline std::vector<unsigned char> bytes(const Array& a) {
  std::vector<std::byte> b = pack_window(a.data(), a.shape(), itemsize(a.dtype()));
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  return {p, p + b.size()};
}

struct PassesOff {
  PassesOff() { set_graph_passes_enabled(false); }
  ~PassesOff() { set_graph_passes_enabled(true); }
};

}  // namespace passtest
