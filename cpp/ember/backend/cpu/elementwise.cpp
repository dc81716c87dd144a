// Registers the elementwise functors as cpu kernels, under the primitive names of ops/elementwise.
#include "ember/backend/cpu/elementwise.h"

#include "ember/backend/cpu/functors.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/device.h"

namespace ember::cpu {

void register_elementwise() {
  auto reg = [](std::string_view name, Kernel k) { register_kernel(DeviceType::CPU, name, k); };
  reg("add", binary_kernel<Add>);
  reg("subtract", binary_kernel<Subtract>);
  reg("multiply", binary_kernel<Multiply>);
  reg("divide", binary_kernel<Divide>);
  reg("floor_divide", binary_kernel<FloorDivide>);
  reg("remainder", binary_kernel<Remainder>);
  reg("pow", binary_kernel<Power>);
  reg("maximum", binary_kernel<Maximum>);
  reg("minimum", binary_kernel<Minimum>);
  reg("equal", binary_kernel<Equal>);
  reg("not_equal", binary_kernel<NotEqual>);
  reg("less", binary_kernel<Less>);
  reg("less_equal", binary_kernel<LessEqual>);
  reg("greater", binary_kernel<Greater>);
  reg("greater_equal", binary_kernel<GreaterEqual>);
  reg("logical_and", binary_kernel<LogicalAnd>);
  reg("logical_or", binary_kernel<LogicalOr>);
  reg("logical_xor", binary_kernel<LogicalXor>);
  reg("bitwise_and", binary_kernel<BitwiseAnd>);
  reg("bitwise_or", binary_kernel<BitwiseOr>);
  reg("bitwise_xor", binary_kernel<BitwiseXor>);
  reg("bitwise_left_shift", binary_kernel<BitwiseLeftShift>);
  reg("bitwise_right_shift", binary_kernel<BitwiseRightShift>);
  reg("atan2", binary_kernel<Atan2>);
  reg("hypot", binary_kernel<Hypot>);
  reg("copysign", binary_kernel<Copysign>);
  reg("nextafter", binary_kernel<Nextafter>);
  reg("logaddexp", binary_kernel<Logaddexp>);
  reg("logaddexp2", binary_kernel<Logaddexp2>);
  reg("heaviside", binary_kernel<Heaviside>);
  reg("fmod", binary_kernel<Fmod>);
  reg("fmax", binary_kernel<Fmax>);
  reg("fmin", binary_kernel<Fmin>);
  reg("float_power", binary_kernel<Power>);
  reg("copy", unary_kernel<Copy>);
  reg("negative", unary_kernel<Negative>);
  reg("positive", unary_kernel<Positive>);
  reg("abs", unary_kernel<Absolute>);
  reg("square", unary_kernel<Square>);
  reg("sign", unary_kernel<Sign>);
  reg("sqrt", unary_kernel<Sqrt>);
  reg("exp", unary_kernel<Exp>);
  reg("log", unary_kernel<Log>);
  reg("log2", unary_kernel<Log2>);
  reg("log10", unary_kernel<Log10>);
  reg("sin", unary_kernel<Sin>);
  reg("cos", unary_kernel<Cos>);
  reg("tan", unary_kernel<Tan>);
  reg("tanh", unary_kernel<Tanh>);
  reg("isnan", unary_kernel<IsNan>);
  reg("isinf", unary_kernel<IsInf>);
  reg("isfinite", unary_kernel<IsFinite>);
  reg("logical_not", unary_kernel<LogicalNot>);
  reg("bitwise_invert", unary_kernel<BitwiseInvert>);
  reg("floor", unary_kernel<Floor>);
  reg("ceil", unary_kernel<Ceil>);
  reg("trunc", unary_kernel<Trunc>);
  reg("acos", unary_kernel<Acos>);
  reg("asin", unary_kernel<Asin>);
  reg("atan", unary_kernel<Atan>);
  reg("acosh", unary_kernel<Acosh>);
  reg("asinh", unary_kernel<Asinh>);
  reg("atanh", unary_kernel<Atanh>);
  reg("sinh", unary_kernel<Sinh>);
  reg("cosh", unary_kernel<Cosh>);
  reg("expm1", unary_kernel<Expm1>);
  reg("log1p", unary_kernel<Log1p>);
  reg("exp2", unary_kernel<Exp2>);
  reg("cbrt", unary_kernel<Cbrt>);
  reg("deg2rad", unary_kernel<Deg2rad>);
  reg("rad2deg", unary_kernel<Rad2deg>);
  reg("rint", unary_kernel<Rint>);
  reg("round", unary_kernel<Rint>);
  reg("conj", unary_kernel<Conj>);
  reg("real", unary_kernel<Real>);
  reg("imag", unary_kernel<Imag>);
  reg("signbit", unary_kernel<Signbit>);
  reg("reciprocal", unary_kernel<Reciprocal>);
  reg("fabs", unary_kernel<Absolute>);
}

}  // namespace ember::cpu
