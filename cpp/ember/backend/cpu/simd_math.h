// SIMD versions of the float32/float64 instructions (Highway, dispatched at run time to the best
// instruction set of the machine), including vector math for the transcendental functions.
#pragma once
#include <functional>
#include <string_view>

#include "ember/backend/cpu/fused_ops.h"

namespace ember::cpu {

// Calls install(op, dtype, fn) for every instruction that has a SIMD version.
void install_simd_math(const std::function<void(std::string_view, DType, InstrFn)>& install);

}  // namespace ember::cpu
