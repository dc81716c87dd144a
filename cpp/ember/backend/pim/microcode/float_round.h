// Float classification (isnan / isinf / isfinite / signbit) and rounding to integral values
// (floor / ceil / trunc / rint), bit-exact with NumPy on float32 / float64; on integer and bool
// inputs the predicates are constants and the roundings copies, as in NumPy.
#pragma once
#include <vector>

#include "../macro.h"

namespace ember::pim::mc {

bool is_round_macro(Macro m);
// Emits macro m (one of is_round_macro) on x of dtype t into out; false for unsupported dtypes.
bool emit_round_macro(Builder& b, Macro m, DType t, const Val& out, const Val& x);

}  // namespace ember::pim::mc
