#include "ember/ops/elementwise.h"

#include <limits>
#include <optional>
#include <variant>

#include "ember/errors.h"
#include "ember/ops/creation.h"

namespace ember {
namespace {

// The dtype a weak Python scalar of default type `s` takes next to an array of dtype `d`.
DType weak_with(DType s, DType d) {
  switch (kind_of(s)) {
    case DKind::Bool: return d;
    case DKind::SignedInt:
    case DKind::UnsignedInt: return is_bool(d) ? DType::Int64 : d;
    case DKind::Float: return is_inexact(d) ? d : DType::Float64;
    default:
      if (is_complex(d)) return d;
      if (is_floating(d)) return complex_type_for(d == DType::Float64 ? d : DType::Float32);
      return DType::Complex128;
  }
}

template <class T>
bool fits(const Scalar& s) {
  if (const auto* i = std::get_if<int64_t>(&s.value))
    return std::is_signed_v<T> ? (*i >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                                  *i <= static_cast<int64_t>(std::numeric_limits<T>::max()))
                               : (*i >= 0 && static_cast<uint64_t>(*i) <= std::numeric_limits<T>::max());
  if (const auto* u = std::get_if<uint64_t>(&s.value)) return *u <= static_cast<uint64_t>(std::numeric_limits<T>::max());
  return true;
}

std::string scalar_repr(const Scalar& s) {
  if (const auto* i = std::get_if<int64_t>(&s.value)) return std::to_string(*i);
  if (const auto* u = std::get_if<uint64_t>(&s.value)) return std::to_string(*u);
  return "value";
}

DType apply_rule(const std::string_view op, DType promoted, TypeRule rule, DType* out) {
  auto reject = [&](const char* what) {
    throw TypeError("ember." + std::string(op) + " is not supported for " + what + " (dtype " +
                    std::string(dtype_name(promoted)) + ")");
  };
  DType compute = promoted;
  *out = promoted;
  auto bool_as = [&](DType t) {
    if (is_bool(promoted)) compute = *out = t;
  };
  switch (rule) {
    case TypeRule::Same: break;
    case TypeRule::NoBool:
      if (is_bool(promoted)) reject("booleans; use logical_not / logical_xor / bitwise ops instead");
      break;
    case TypeRule::BoolAsInt8: bool_as(DType::Int8); break;
    case TypeRule::BoolAsFloat: bool_as(DType::Float16); break;
    case TypeRule::Float: compute = *out = float_result_type(promoted); break;
    case TypeRule::Float64: compute = *out = is_complex(promoted) ? DType::Complex128 : DType::Float64; break;
    case TypeRule::TrueDivide: compute = *out = is_inexact(promoted) ? promoted : DType::Float64; break;
    case TypeRule::RealFloat:
      if (is_complex(promoted)) reject("complex numbers");
      compute = *out = float_result_type(promoted);
      break;
    case TypeRule::ToBool: *out = DType::Bool; break;
    case TypeRule::Logical: compute = *out = DType::Bool; break;
    case TypeRule::RealToBool:
      if (is_complex(promoted)) reject("complex numbers");
      *out = DType::Bool;
      break;
    case TypeRule::ToReal: *out = real_type(promoted); break;
    case TypeRule::Integer:
      if (!is_integer(promoted) && !is_bool(promoted)) reject("inexact types");
      break;
    case TypeRule::Shift:
      if (!is_integer(promoted) && !is_bool(promoted)) reject("inexact types");
      bool_as(DType::Int8);
      break;
    case TypeRule::RealNumber:
      if (is_complex(promoted)) reject("complex numbers");
      break;
    case TypeRule::RealArith:
      if (is_complex(promoted)) reject("complex numbers");
      bool_as(DType::Int8);
      break;
  }
  return compute;
}

bool is_comparison(std::string_view op) {
  return op == "equal" || op == "not_equal" || op == "less" || op == "less_equal" || op == "greater" ||
         op == "greater_equal";
}

// NumPy 2 compares an integer array with a Python int beyond its dtype's range exactly (uint8 < -1 is
// False everywhere) instead of raising OverflowError: the answer is one constant.
std::optional<Array> compare_out_of_range(std::string_view op, const Array& a, const Array& b, const Shape& shape) {
  const Array* arr = a.weak() ? &b : &a;
  const Scalar* s = a.weak() ? a.weak_scalar() : b.weak_scalar();
  if (s == nullptr || arr->weak() || !is_integer(arr->dtype())) return std::nullopt;
  if (!std::holds_alternative<int64_t>(s->value) && !std::holds_alternative<uint64_t>(s->value)) return std::nullopt;
  bool fit = dispatch_dtype(arr->dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) return fits<T>(*s);
    else return true;
  });
  if (fit) return std::nullopt;
  const auto* i = std::get_if<int64_t>(&s->value);
  bool scalar_above = !(i != nullptr && *i < 0);
  bool lhs_less = a.weak() ? !scalar_above : scalar_above;  // (lhs < rhs) for every element
  bool value = op == "not_equal" || ((op == "less" || op == "less_equal") && lhs_less) ||
               ((op == "greater" || op == "greater_equal") && !lhs_less);
  return full(shape, Scalar(value), DType::Bool);
}

}  // namespace

namespace {
// NumPy 2 / NEP 50 promotion of the operands [first, last): the arrays promote among themselves,
// then the weak Python scalars join with the kind they carry.
DType promote_operands(const Array* const* ops, size_t count) {
  bool have_array = false;
  DType arr{};
  for (size_t i = 0; i < count; ++i) {
    const Array& a = *ops[i];
    if (a.weak()) continue;
    arr = have_array ? promote_types(arr, a.dtype()) : a.dtype();
    have_array = true;
  }
  if (have_array) {
    for (size_t i = 0; i < count; ++i)
      if (ops[i]->weak()) arr = promote_types(arr, weak_with(ops[i]->dtype(), arr));
    return arr;
  }
  DType r = ops[0]->dtype();
  for (size_t i = 0; i < count; ++i) r = promote_types(r, ops[i]->dtype());
  return r;
}
}  // namespace

DType result_type(const std::vector<Array>& operands) {
  (void)operands.at(0);  // none: throws, as before
  std::vector<const Array*> ops;
  ops.reserve(operands.size());
  for (const Array& a : operands) ops.push_back(&a);
  return promote_operands(ops.data(), ops.size());
}

namespace {
// NumPy 2 raises OverflowError when a Python int does not fit the integer dtype an op promotes to.
void check_python_int_fits(const Array& a, DType dtype) {
  const Scalar* s = a.weak_scalar();
  if (s == nullptr || !is_integer(dtype)) return;
  bool ok = dispatch_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) return fits<T>(*s);
    else return true;
  });
  if (!ok)
    throw OverflowError("Python integer " + scalar_repr(*s) + " out of bounds for " + std::string(dtype_name(dtype)));
}
}  // namespace

Array cast_operand(const Array& a, DType dtype) {
  if (const Scalar* s = a.weak_scalar()) {
    check_python_int_fits(a, dtype);
    if (a.dtype() == dtype) return a;
    return full({}, *s, dtype);  // a 0-d constant of the right type; no graph cost
  }
  return a.dtype() == dtype ? a : astype(a, dtype);
}

namespace {
// The node reading `a` as `dtype` (cast_operand's node, without copying the handle when no cast is
// needed: building a node is the hot path of small programs).
NodePtr operand_node(const Array& a, DType dtype) {
  if (a.dtype() == dtype) {
    if (a.weak()) check_python_int_fits(a, dtype);
    return a.node();
  }
  return cast_operand(a, dtype).node();
}
}  // namespace

Array unary_op(std::string_view op, const Array& a, TypeRule rule) {
  DType out;
  DType compute = apply_rule(op, a.dtype(), rule, &out);
  std::vector<NodePtr> inputs;
  inputs.reserve(1);
  inputs.push_back(operand_node(a, compute));
  return Array(make_node(op, Kind::Elementwise, std::move(inputs), out, a.shape()));
}

Array binary_op(std::string_view op, const Array& a, const Array& b, TypeRule rule) {
  Shape shape = broadcast_shapes(a.shape(), b.shape());
  if (is_comparison(op))
    if (auto constant = compare_out_of_range(op, a, b, shape)) return *constant;
  const Array* both[2] = {&a, &b};
  DType promoted = promote_operands(both, 2);
  // Float functions take the first float loop both inputs cast to safely: atan2(int8, uint8) -> float16.
  if ((rule == TypeRule::Float || rule == TypeRule::RealFloat) && !is_inexact(promoted) && !a.weak() && !b.weak())
    promoted = promote_types(float_result_type(a.dtype()), float_result_type(b.dtype()));
  if (rule == TypeRule::Logical) {  // NumPy converts Python ints to a C long before casting to bool
    check_python_int_fits(a, DType::Int64);
    check_python_int_fits(b, DType::Int64);
  }
  DType out;
  DType compute = apply_rule(op, promoted, rule, &out);
  std::vector<NodePtr> inputs;
  inputs.reserve(2);
  inputs.push_back(operand_node(a, compute));
  inputs.push_back(operand_node(b, compute));
  return Array(make_node(op, Kind::Elementwise, std::move(inputs), out, std::move(shape)));
}

Array power_operator(const Array& x, const Array& y) {
  const Scalar* e = y.weak_scalar();
  const int64_t* v = e ? std::get_if<int64_t>(&e->value) : nullptr;
  if (x.dtype() == DType::Bool && v && *v == 2) return apply_elementwise("square", {x});
  return apply_elementwise("pow", {x, y});
}

const std::vector<ElementwiseOp>& elementwise_ops() {
  using R = TypeRule;
  static const std::vector<ElementwiseOp> ops = {
      // binary
      {"add", 2, R::Same}, {"subtract", 2, R::NoBool}, {"multiply", 2, R::Same},
      {"divide", 2, R::TrueDivide}, {"floor_divide", 2, R::RealArith}, {"remainder", 2, R::RealArith},
      {"fmod", 2, R::RealArith}, {"pow", 2, R::BoolAsInt8}, {"float_power", 2, R::Float64},
      {"maximum", 2, R::Same}, {"minimum", 2, R::Same}, {"fmax", 2, R::Same}, {"fmin", 2, R::Same},
      {"equal", 2, R::ToBool}, {"not_equal", 2, R::ToBool}, {"less", 2, R::ToBool},
      {"less_equal", 2, R::ToBool}, {"greater", 2, R::ToBool}, {"greater_equal", 2, R::ToBool},
      {"logical_and", 2, R::Logical}, {"logical_or", 2, R::Logical}, {"logical_xor", 2, R::Logical},
      {"bitwise_and", 2, R::Integer}, {"bitwise_or", 2, R::Integer}, {"bitwise_xor", 2, R::Integer},
      {"bitwise_left_shift", 2, R::Shift}, {"bitwise_right_shift", 2, R::Shift},
      {"atan2", 2, R::RealFloat}, {"hypot", 2, R::RealFloat}, {"copysign", 2, R::RealFloat},
      {"nextafter", 2, R::RealFloat}, {"logaddexp", 2, R::RealFloat}, {"logaddexp2", 2, R::RealFloat},
      {"heaviside", 2, R::RealFloat},
      // unary
      {"negative", 1, R::NoBool}, {"positive", 1, R::NoBool}, {"abs", 1, R::ToReal},
      {"fabs", 1, R::RealFloat}, {"square", 1, R::BoolAsInt8}, {"sign", 1, R::NoBool},
      {"reciprocal", 1, R::BoolAsInt8}, {"conj", 1, R::BoolAsInt8}, {"real", 1, R::ToReal},
      {"imag", 1, R::ToReal}, {"sqrt", 1, R::Float}, {"cbrt", 1, R::RealFloat},
      {"exp", 1, R::Float}, {"exp2", 1, R::Float}, {"expm1", 1, R::Float},
      {"log", 1, R::Float}, {"log2", 1, R::Float}, {"log10", 1, R::Float}, {"log1p", 1, R::Float},
      {"sin", 1, R::Float}, {"cos", 1, R::Float}, {"tan", 1, R::Float},
      {"asin", 1, R::Float}, {"acos", 1, R::Float}, {"atan", 1, R::Float},
      {"sinh", 1, R::Float}, {"cosh", 1, R::Float}, {"tanh", 1, R::Float},
      {"asinh", 1, R::Float}, {"acosh", 1, R::Float}, {"atanh", 1, R::Float},
      {"deg2rad", 1, R::RealFloat}, {"rad2deg", 1, R::RealFloat},
      {"isnan", 1, R::ToBool}, {"isinf", 1, R::ToBool}, {"isfinite", 1, R::ToBool},
      {"signbit", 1, R::RealToBool}, {"logical_not", 1, R::Logical}, {"bitwise_invert", 1, R::Integer},
      {"floor", 1, R::RealNumber}, {"ceil", 1, R::RealNumber}, {"trunc", 1, R::RealNumber},
      {"rint", 1, R::Float}, {"round", 1, R::BoolAsFloat},
  };
  return ops;
}

Array apply_elementwise(std::string_view name, const std::vector<Array>& operands) {
  for (const auto& op : elementwise_ops()) {
    if (op.name != name) continue;
    if (static_cast<int>(operands.size()) != op.arity)
      throw TypeError("ember." + std::string(name) + " takes " + std::to_string(op.arity) + " arguments, got " +
                      std::to_string(operands.size()));
    return op.arity == 1 ? unary_op(op.name, operands[0], op.rule)
                         : binary_op(op.name, operands[0], operands[1], op.rule);
  }
  throw ValueError("unknown elementwise op '" + std::string(name) + "'");
}

Array where(const Array& cond, const Array& x, const Array& y) {
  Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), x.shape()), y.shape());
  DType dt = result_type({x, y});
  Array c = cast_operand(cond, DType::Bool);
  Array a = cast_operand(x, dt), b = cast_operand(y, dt);
  return Array(make_node("where", Kind::Elementwise, {c.node(), a.node(), b.node()}, dt, std::move(shape)));
}

}  // namespace ember
