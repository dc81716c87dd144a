// Helpers shared by the composed float functions (float_math.h).
#include "float_math.h"

#include <bit>
#include <stdexcept>

#include "float_common.h"

namespace ember::pim::mc {

uint64_t fbits(FloatFormat f, double v) {
  return f.e == 8 ? uint64_t(std::bit_cast<uint32_t>(float(v))) : std::bit_cast<uint64_t>(v);
}

void fconst(Builder& b, FloatFormat f, const Bits& o, double v) { b.set_const(o, fbits(f, v)); }

void fop_const(Builder& b, FloatFormat f, const Bits& o, const Bits& x, char op, double c) {
  Tmp k = b.tmp(f.width());
  fconst(b, f, k(), c);
  switch (op) {
    case 'a': fadd(b, f, o, x, k(), false); break;
    case 's': fadd(b, f, o, x, k(), true); break;
    case 'm': fmul(b, f, o, x, k()); break;
    case 'd': fdiv(b, f, o, x, k()); break;
    default: throw std::logic_error("pim: fop_const");
  }
}

void fclamp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, double lo, double hi) {
  const uint32_t W = f.width();
  Tmp k = b.tmp(W), c = b.tmp(1), t = b.tmp(W);
  fconst(b, f, k(), lo);
  fless(b, f, c(), x, k(), false);  // x < lo (false for NaN)
  b.mux1(t(), c(), k(), x);
  fconst(b, f, k(), hi);
  fless(b, f, c(), k(), t(), false);  // hi < t
  b.mux1(o, c(), k(), t());
}

void fhorner(Builder& b, FloatFormat f, const Bits& o, const Bits& r, const double* c, int n) {
  const uint32_t W = f.width();
  Tmp acc = b.tmp(W), t = b.tmp(W);
  fop_const(b, f, acc(), r, 'm', c[0]);
  for (int i = 1; i < n; ++i) {
    fop_const(b, f, t(), acc(), 'a', c[i]);
    if (i + 1 < n) fmul(b, f, acc(), t(), r);
    else b.copy(o, t());
  }
}

}  // namespace ember::pim::mc
