// The instruction set of fused cpu kernels: one function per (primitive, dtype), each applying the
// primitive's functor from functors.h (the same one the unfused kernels use) to n contiguous values.
#pragma once
#include <cstdint>

#include "ember/graph/node.h"

namespace ember::cpu {

// out[i] = op(args[0][i], args[1][i], ...) for i < n; `node` supplies parameters (full's value).
using InstrFn = void (*)(const void* const* args, void* out, int64_t n, const Node& node);

// The instruction computing `node` from its inputs' dtypes, or null when fused kernels cannot.
InstrFn find_instr(const Node& node);
// x**2 as square(x) (exactly what pow gives, much faster), for the fused dtypes; null otherwise.
InstrFn square_instr(DType t);
// Whether fused kernels store and compute this dtype (the others run node by node).
bool fused_dtype(DType t);

}  // namespace ember::cpu
