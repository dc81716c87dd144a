// Elementwise operations with NumPy 2 type promotion (NEP 50: Python scalars are "weak").
#pragma once
#include <string_view>
#include <vector>

#include "ember/array.h"

namespace ember {

// The dtype NumPy gives an operation over these operands (weak scalars yield to arrays).
DType result_type(const std::vector<Array>& operands);
// `a` as dtype `dtype`; a weak Python int that does not fit raises OverflowError, as NumPy 2.
Array cast_operand(const Array& a, DType dtype);

// How an elementwise op chooses the dtype it computes in and returns.
enum class TypeRule : uint8_t {
  Same,        // compute and return the promoted type (add, maximum, bitwise_and, ...)
  NoBool,      // as Same, but bool inputs are a TypeError (subtract, negative)
  BoolAsInt8,  // as Same, but bool computes in int8 (square, pow, conj, reciprocal)
  BoolAsFloat, // as Same, but bool computes in float16 (round)
  Float,       // promoted type made inexact as math functions do: sin(int8) -> float16
  Float64,     // float64, or complex128 for complex inputs (float_power)
  TrueDivide,  // inexact types kept, everything else float64: divide(int8, int8) -> float64
  RealFloat,   // as Float, but complex inputs are a TypeError (atan2, hypot, cbrt, ...)
  ToBool,      // compute the promoted type, return bool (comparisons, isnan, logical_and)
  RealToBool,  // as ToBool, but complex inputs are a TypeError (signbit)
  Logical,     // inputs cast to bool (logical_and, logical_not): any Python int is fine
  ToReal,      // return the real type (abs, real, imag)
  Integer,     // integer and bool only (bitwise ops)
  Shift,       // integer only, bool computes in int8 (shifts)
  RealNumber,  // any real type (floor, ceil, trunc)
  RealArith,   // any real type, bool computes in int8 (floor_divide, remainder, fmod)
};

// Builds the elementwise node `op` (a primitive name every device implements) over the operands.
Array unary_op(std::string_view op, const Array& a, TypeRule rule);
Array binary_op(std::string_view op, const Array& a, const Array& b, TypeRule rule);
// Python's `x ** y` on an ember array: pow, except that NumPy's operator computes `x ** 2` (a Python
// int 2) as square(x): the same values, but bool ** 2 is int8 where pow gives int64.
Array power_operator(const Array& x, const Array& y);

// The elementwise op table: name -> (arity, rule). Bindings expose every entry under its name.
struct ElementwiseOp {
  std::string_view name;
  int arity;
  TypeRule rule;
};
const std::vector<ElementwiseOp>& elementwise_ops();
Array apply_elementwise(std::string_view name, const std::vector<Array>& operands);

// where(cond, x, y): x where cond is true, y elsewhere (cond cast to bool, x and y promoted).
Array where(const Array& cond, const Array& x, const Array& y);

}  // namespace ember
