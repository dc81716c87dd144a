// Macro-instructions: each is a micro-op sequence generated from its algorithm.
#pragma once
#include <string>
#include <vector>

#include "dtype.h"
#include "microcode/builder.h"

namespace ember::pim {

enum class Macro {
  Copy, Add, Sub, Mul, TrueDiv, FloorDiv, Mod, Neg, Abs, Sign,
  Lt, Le, Gt, Ge, Eq, Ne, Min, Max,
  And, Or, Xor, Not, Shl, Shr, Where, Cast, Sqrt, Sin, Cos,
  // float classification (-> bool) and rounding to integral values (microcode/float_round.cpp)
  IsNan, IsInf, IsFinite, Signbit, Floor, Ceil, Trunc, Rint,
  // exponentials, logarithms, hyperbolic functions (float32; microcode/float_math.h)
  Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Tanh, Sinh, Cosh,
  // inverse trigonometry, tan and power (float32; microcode/float_atrig.cpp, float_pow.cpp)
  Tan, Atan, Asin, Acos, Atan2, Pow,
  // small ones from existing pieces (microcode/misc_ops.cpp)
  Imag, FMin, FMax, CopySign, Heaviside, Deg2Rad, Rad2Deg, Reciprocal, FMod,
  // inverse hyperbolic functions (float32; microcode/float_ahyp.cpp)
  Asinh, Acosh, Atanh,
  // nextafter (float32 / float64), logaddexp / logaddexp2 (float32; microcode/float_next.cpp)
  NextAfter, LogAddExp, LogAddExp2,
};

const char* macro_name(Macro m);
// The result dtype of macro m on inputs of dtype t (cast: given explicitly).
DType result_dtype(Macro m, DType t);
int macro_arity(Macro m);

// Emits the micro-ops of an element-wise macro into b. `in_t` is the operand dtype (Where: the
// dtype of x and y; its condition is bool), `out_t` the result dtype. Throws std::invalid_argument
// for unsupported combinations (with the op and dtype in the message).
void emit_macro(Builder& b, Macro m, DType in_t, DType out_t, const Val& out,
                const std::vector<Val>& in, bool in_place = false);
// in_place: the output may alias an input without a copy. Only for the macros whose microcode
// reads all of its inputs before it first writes the output: add, multiply, minimum, maximum
// and bitwise and / or (used by the reductions).

// Float semantics: full IEEE-754 (default) or PyPIM's cheaper "fast" semantics.
enum class FloatMode { IEEE, Fast };

}  // namespace ember::pim
