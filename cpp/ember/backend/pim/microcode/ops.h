// Per-family macro emitters (internal).
#pragma once
#include <vector>

#include "../macro.h"

namespace ember::pim::mc {

// Each returns false if it does not handle the (macro, dtype) combination.
bool emit_int_macro(Builder& b, Macro m, DType in_t, DType out_t, const Val& out,
                    const std::vector<Val>& in);
bool emit_float_macro(Builder& b, Macro m, DType in_t, DType out_t, const Val& out,
                      const std::vector<Val>& in);
bool emit_cast(Builder& b, DType in_t, DType out_t, const Val& out, const Val& in);
// misc_ops.cpp: imag (of a real array), fmin, fmax, copysign, heaviside, deg2rad, rad2deg,
// reciprocal, fmod.
bool is_misc_macro(Macro m);
bool emit_misc_macro(Builder& b, Macro m, DType t, const Val& out, const std::vector<Val>& in);

}  // namespace ember::pim::mc
