// SIMD versions of the float32/float64 instructions (Highway, dispatched at run time to the best
// instruction set of the machine), including vector math for the transcendental functions.
#pragma once
#include <functional>
#include <string_view>

#include "ember/backend/cpu/fused_ops.h"

namespace ember::cpu {

// Folds a contiguous run of n >= 1 values into *out.
using FoldFn = void (*)(const void* x, int64_t n, void* out);

// Calls install(op, dtype, fn) for every instruction that has a SIMD version.
void install_simd_math(const std::function<void(std::string_view, DType, InstrFn)>& install);
// SIMD sum (pairwise, as NumPy), max and min (NaN-propagating) for float32/float64; null otherwise.
FoldFn simd_fold(std::string_view op, DType t);

}  // namespace ember::cpu
