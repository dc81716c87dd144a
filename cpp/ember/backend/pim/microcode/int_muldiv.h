// Integer multiply (carry-save shift-and-add) and division (restoring), Python semantics.
#pragma once
#include "builder.h"

namespace ember::pim::mc {

// o = low n bits of x * y.
void mul_low(Builder& b, const Bits& o, const Bits& x, const Bits& y);
// Unsigned restoring division: q = x / y, r = x % y (either may be empty, len 0).
void udivmod(Builder& b, const Bits& q, const Bits& r, const Bits& x, const Bits& y);
// Python floor division / modulo (signed) or unsigned; division by zero gives 0 (NumPy).
void divmod(Builder& b, const Bits& q, const Bits& r, const Bits& x, const Bits& y, bool is_signed);

}  // namespace ember::pim::mc
