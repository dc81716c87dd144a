// Integer multiply (carry-save shift-and-add) and division (restoring), Python semantics.
#pragma once
#include "builder.h"

namespace ember::pim::mc {

// o = low n bits of x * y.
void mul_low(Builder& b, const Bits& o, const Bits& x, const Bits& y);
// Full unsigned product of a (given as its complement nap, padded with two 1 bits above a's
// a.len = nap.len - 2 bits) and y: a sequential carry-save multiplier whose accumulator shifts
// right one partition per step for free. hi receives the high a.len bits, lo_top the top
// lo_top.len of the low y.len bits, and nsticky (one bit) the NOR of the remaining low bits.
void umul_full(Builder& b, const Bits& hi, const Bits& lo_top, const Bits& nsticky,
               const Bits& nap, const Bits& y);
// Unsigned restoring division: q = x / y, r = x % y (either may be empty, len 0).
void udivmod(Builder& b, const Bits& q, const Bits& r, const Bits& x, const Bits& y);
// Python floor division / modulo (signed) or unsigned; division by zero gives 0 (NumPy).
void divmod(Builder& b, const Bits& q, const Bits& r, const Bits& x, const Bits& y, bool is_signed);

}  // namespace ember::pim::mc
