// Exponentials, logarithms and hyperbolic functions composed from the IEEE float macros and integer
// microcode on the exponent field (float_exp.cpp, float_log.cpp, float_hyp.cpp). float32 only:
// the polynomials are Cephes' single-precision minimax fits (Moshier), evaluated in binary32.
#pragma once
#include "builder.h"
#include "float_ops.h"

namespace ember::pim::mc {

enum class ExpKind { Exp, Exp2, Expm1 };
enum class LogKind { Log, Log2, Log10 };
enum class HypKind { Tanh, Sinh, Cosh };

void fexp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, ExpKind kind);
void flog(Builder& b, FloatFormat f, const Bits& o, const Bits& x, LogKind kind);
void flog1p(Builder& b, FloatFormat f, const Bits& o, const Bits& x);
void fhyp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, HypKind kind);
// tan, arctan, arcsin / arccos, arctan2(y, x) (float_atrig.cpp) and x ** y (float_pow.cpp).
void ftan(Builder& b, FloatFormat f, const Bits& o, const Bits& x);
void fatan(Builder& b, FloatFormat f, const Bits& o, const Bits& x);
void fasin_acos(Builder& b, FloatFormat f, const Bits& o, const Bits& x, bool acos);
void fatan2(Builder& b, FloatFormat f, const Bits& o, const Bits& y, const Bits& x);
void fpow(Builder& b, FloatFormat f, const Val& o, const Val& x, const Val& y);
// nextafter (float32 / float64) and logaddexp / logaddexp2 (float32; float_next.cpp).
void fnextafter(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y);
void flogaddexp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, const Bits& y, bool base2);
// asinh / acosh / atanh (kind Sinh / Cosh / Tanh; float_ahyp.cpp).
void fahyp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, HypKind kind);

// Shared helpers.
uint64_t fbits(FloatFormat f, double v);
void fconst(Builder& b, FloatFormat f, const Bits& o, double v);
// o = x op c for a constant c (op: 'a' add, 's' subtract, 'm' multiply, 'd' divide).
void fop_const(Builder& b, FloatFormat f, const Bits& o, const Bits& x, char op, double c);
// o = min(max(x, lo), hi); NaN passes through.
void fclamp(Builder& b, FloatFormat f, const Bits& o, const Bits& x, double lo, double hi);
// o = c[0] r^(n-1) + ... + c[n-1] by Horner's rule (n >= 2).
void fhorner(Builder& b, FloatFormat f, const Bits& o, const Bits& r, const double* c, int n);

}  // namespace ember::pim::mc
