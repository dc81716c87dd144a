#include "ember/ops/reduction.h"

#include <algorithm>
#include <numeric>

#include "ember/errors.h"
#include "ember/ops/creation.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/manipulation.h"

namespace ember {
namespace {

// NumPy's ufunc names, used in its error messages.
std::string_view ufunc_name(std::string_view op) {
  if (op == "max") return "maximum";
  if (op == "min") return "minimum";
  if (op == "sum") return "add";
  if (op == "prod") return "multiply";
  if (op == "all") return "logical_and";
  return "logical_or";
}

// The reduced axes, normalised and sorted.
std::vector<int64_t> reduced_axes(const Axes& axes, int ndim) {
  std::vector<int64_t> out;
  if (!axes) {
    out.resize(ndim);
    std::iota(out.begin(), out.end(), 0);
    return out;
  }
  for (int ax : normalize_axes(*axes, ndim)) out.push_back(ax);
  std::sort(out.begin(), out.end());
  return out;
}

// Node::op must outlive the node: the primitive's name as a static string, or ValueError.
std::string_view primitive(std::string_view op, std::initializer_list<std::string_view> names, const char* what) {
  for (std::string_view n : names)
    if (n == op) return n;
  throw ValueError("unknown " + std::string(what) + " '" + std::string(op) + "'");
}

bool contains(const std::vector<int64_t>& v, int64_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& axes, bool keepdims) {
  Shape out;
  for (int i = 0; i < static_cast<int>(shape.size()); ++i) {
    if (!contains(axes, i)) out.push_back(shape[i]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

int64_t reduced_count(const Shape& shape, const std::vector<int64_t>& axes) {
  int64_t n = 1;
  for (int64_t ax : axes) n *= shape[ax];
  return n;
}

// The where= mask as a bool array of a's shape (NumPy broadcasts it to the operand, never the reverse).
Array where_mask(const Array& where, const Array& a) {
  Array m = cast_operand(where, DType::Bool);
  if (broadcast_shapes(m.shape(), a.shape()) != a.shape())
    throw ValueError("where= mask of shape " + shape_str(m.shape()) + " does not broadcast to the operand's shape " +
                     shape_str(a.shape()));
  return broadcast_to(m, a.shape());
}

Array scalar(double v) { return Array::from_python_scalar(Scalar(v)); }

// How many elements each output position reduces over: a weak Python float, or an array under where=.
Array element_count(const Array& a, const std::vector<int64_t>& axes, const std::optional<Array>& where, DType as) {
  if (!where) return scalar(static_cast<double>(reduced_count(a.shape(), axes)));
  Array n = reduce("sum", where_mask(*where, a), axes, /*keepdims=*/true, DType::Int64);
  return astype(n, is_inexact(as) ? real_type(as) : DType::Float64, false);
}

Array drop_axes(const Array& a, const std::vector<int64_t>& axes, bool keepdims) {
  if (keepdims || axes.empty()) return a;
  return squeeze(a, axes);
}

}  // namespace

Array reduce(std::string_view name, const Array& a, const Axes& axes, bool keepdims, std::optional<DType> dtype,
             std::optional<Scalar> initial, const std::optional<Array>& where) {
  std::string_view op = primitive(name, {"sum", "prod", "max", "min", "all", "any"}, "reduction");
  bool arith = op == "sum" || op == "prod";
  bool extremum = op == "max" || op == "min";
  bool logical = op == "all" || op == "any";
  std::vector<int64_t> ax = reduced_axes(axes, a.ndim());
  DType acc = arith ? dtype.value_or(sum_result_type(a.dtype())) : a.dtype();
  if (extremum && !initial) {
    if (where)
      throw ValueError("reduction operation '" + std::string(ufunc_name(op)) +
                       "' does not have an identity, so to use a where mask one has to specify 'initial'");
    if (reduced_count(a.shape(), ax) == 0)
      throw ValueError("zero-size array to reduction operation " + std::string(ufunc_name(op)) +
                       " which has no identity");
  }
  if (logical && initial) throw TypeError("ember." + std::string(op) + " takes no initial= value");
  Array x = cast_operand(a, acc);
  if (where) {
    // Masked-out elements become the identity; max/min have none and use initial (idempotent there).
    Scalar fill = extremum ? *initial : (op == "prod" || op == "all") ? Scalar(int64_t{1}) : Scalar(int64_t{0});
    x = ember::where(where_mask(*where, a), x, full({}, fill, x.dtype()));
  }
  Params p;
  p.axes = ax;
  p.flag = keepdims;
  p.dtype = acc;
  if (initial) p.scalars = {*initial};
  DType out = logical ? DType::Bool : acc;
  return Array(make_node(op, Kind::Reduction, {x.node()}, out, reduced_shape(a.shape(), ax, keepdims), std::move(p)));
}

Array argreduce(std::string_view name, const Array& a, std::optional<int64_t> axis, bool keepdims) {
  std::string_view op = primitive(name, {"argmax", "argmin"}, "arg-reduction");
  Array x = axis ? a : reshape(a, {-1});
  int ax = axis ? normalize_axis(*axis, a.ndim()) : 0;
  if (x.shape()[ax] == 0) throw ValueError("attempt to get " + std::string(op) + " of an empty sequence");
  Params p;
  p.axes = {ax};
  p.flag = keepdims;
  p.dtype = DType::Int64;
  Array r(make_node(op, Kind::Reduction, {x.node()}, DType::Int64, reduced_shape(x.shape(), {ax}, keepdims), std::move(p)));
  if (!axis && keepdims) r = reshape(r, Shape(a.ndim(), 1));
  return r;
}

Array mean(const Array& a, const Axes& axes, bool keepdims, std::optional<DType> dtype,
           const std::optional<Array>& where) {
  std::vector<int64_t> ax = reduced_axes(axes, a.ndim());
  // NumPy sums ints in float64 and float16 in float32, then returns float16.
  DType out = dtype.value_or(is_inexact(a.dtype()) ? a.dtype() : DType::Float64);
  DType acc = dtype.value_or(a.dtype() == DType::Float16 ? DType::Float32 : out);
  Array s = reduce("sum", a, ax, /*keepdims=*/true, acc, std::nullopt, where);
  Array m = apply_elementwise("divide", {s, element_count(a, ax, where, acc)});
  return drop_axes(astype(m, out, false), ax, keepdims);
}

Array var(const Array& a, const Axes& axes, double correction, bool keepdims, std::optional<DType> dtype,
          const std::optional<Array>& where) {
  std::vector<int64_t> ax = reduced_axes(axes, a.ndim());
  // As numpy's _var: the mean in `dtype` (float64 for ints), squared deviations summed in `dtype`.
  DType acc = dtype.value_or(is_inexact(a.dtype()) ? a.dtype() : DType::Float64);
  Array s = reduce("sum", a, ax, /*keepdims=*/true, acc, std::nullopt, where);
  Array m = apply_elementwise("divide", {s, element_count(a, ax, where, acc)});
  Array d = apply_elementwise("subtract", {cast_operand(a, result_type({a, m})), m});
  Array sq = is_complex(d.dtype()) ? apply_elementwise("square", {apply_elementwise("abs", {d})})
                                   : apply_elementwise("multiply", {d, d});
  std::optional<DType> sum_dtype;
  if (dtype) sum_dtype = real_type(*dtype);
  Array r = reduce("sum", sq, ax, /*keepdims=*/true, sum_dtype, std::nullopt, where);
  Array n = element_count(a, ax, where, r.dtype());
  Array div = n.weak() ? scalar(std::max(n.weak_scalar()->as<double>() - correction, 0.0))
                       : apply_elementwise("maximum", {apply_elementwise("subtract", {n, scalar(correction)}), scalar(0.0)});
  return drop_axes(apply_elementwise("divide", {r, div}), ax, keepdims);
}

Array std_(const Array& a, const Axes& axes, double correction, bool keepdims, std::optional<DType> dtype,
           const std::optional<Array>& where) {
  return apply_elementwise("sqrt", {var(a, axes, correction, keepdims, dtype, where)});
}

Array cumulative(std::string_view name, const Array& a, std::optional<int64_t> axis, std::optional<DType> dtype,
                 bool include_initial) {
  std::string_view op = primitive(name, {"cumsum", "cumprod"}, "scan");
  Array x = axis ? a : reshape(a, {-1});
  int ax = normalize_axis(axis.value_or(0), x.ndim());
  DType acc = dtype.value_or(sum_result_type(a.dtype()));
  x = cast_operand(x, acc);
  Shape shape = x.shape();
  if (include_initial) shape[ax] += 1;
  Params p;
  p.axes = {ax};
  p.flag = include_initial;
  p.dtype = acc;
  return Array(make_node(op, Kind::Opaque, {x.node()}, acc, std::move(shape), std::move(p)));
}

}  // namespace ember
