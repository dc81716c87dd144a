// IEEE-754 binary32/binary64 microcode (round-to-nearest-even, subnormals, inf, NaN, signed zero).
#pragma once
#include "../dtype.h"
#include "builder.h"

namespace ember::pim::mc {

struct FloatFormat {
  uint32_t e, m;  // exponent and fraction bits
  uint32_t width() const { return 1 + e + m; }
  uint64_t bias() const { return (uint64_t(1) << (e - 1)) - 1; }
};
inline FloatFormat float_format(DType t) {
  return t == DType::F32 ? FloatFormat{8, 23} : FloatFormat{11, 52};
}

void fadd(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool subtract);
void fmul(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y);
void fdiv(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y);
void ftrig(Builder& b, FloatFormat f, const Bits& o, const Bits& x, bool is_cos);
// fmod (exact, C semantics) and NumPy's float floor_divide (want_mod false) / remainder.
void ffmod(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y);
void fdivmod(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool want_mod);
void fsqrt(Builder& b, FloatFormat f, const Bits& o, const Bits& x);
// One-bit comparisons.
void fless(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool or_equal);
void fequal(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool negate);
bool emit_float_cast(Builder& b, DType in_t, DType out_t, const Bits& o, const Bits& x);

}  // namespace ember::pim::mc
