#include "ember/ops/sorting.h"

#include "ember/errors.h"
#include "ember/ops/creation.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/manipulation.h"

namespace ember {
namespace {

Array sort_node(std::string_view op, const Array& a, std::optional<int64_t> axis, bool descending) {
  if (a.ndim() == 0 && axis)
    throw AxisError("axis " + std::to_string(*axis) + " is out of bounds for array of dimension 0");
  Array x = axis ? a : reshape(a, {-1});
  Params p;
  p.axes = {normalize_axis(axis.value_or(0), x.ndim())};
  p.flag = descending;
  DType out = op == "sort" ? x.dtype() : DType::Int64;
  return Array(make_node(op, Kind::Opaque, {x.node()}, out, x.shape(), std::move(p)));
}

Array window(const Array& a, int64_t offset, Shape shape) {
  Strides st = contiguous_strides(shape);
  return Array(a.storage(), offset, std::move(shape), std::move(st));
}

}  // namespace

Array sort(const Array& a, std::optional<int64_t> axis, bool descending) {
  return sort_node("sort", a, axis, descending);
}

Array argsort(const Array& a, std::optional<int64_t> axis, bool descending) {
  return sort_node("argsort", a, axis, descending);
}

Array searchsorted(const Array& x, const Array& values, bool right, const std::optional<Array>& sorter) {
  if (x.ndim() != 1) throw ValueError("searchsorted: x1 must be 1-dimensional, got shape " + shape_str(x.shape()));
  DType dt = result_type({x, values});
  std::vector<NodePtr> inputs = {cast_operand(x, dt).node(), cast_operand(values, dt).node()};
  if (sorter) {
    if (sorter->shape() != x.shape())
      throw ValueError("sorter.size must equal a.size: sorter has shape " + shape_str(sorter->shape()) +
                       ", a has shape " + shape_str(x.shape()));
    if (!is_integer(sorter->dtype())) throw TypeError("searchsorted: sorter must be an integer array");
    inputs.push_back(cast_operand(*sorter, DType::Int64).node());
  }
  Params p;
  p.flag = right;
  return Array(make_node("searchsorted", Kind::Opaque, std::move(inputs), DType::Int64, values.shape(), std::move(p)));
}

UniqueResult unique_all(const Array& a, bool equal_nan) {
  Array flat = reshape(a, {-1});
  int64_t n = flat.size();
  Params p;
  p.flag = equal_nan;
  // Layout of the int64 "unique_info" result: [k, first index (n), counts (n), inverse (n)].
  Array info(make_node("unique_info", Kind::Opaque, {flat.node()}, DType::Int64, {3 * n + 1}, std::move(p)));
  int64_t k = *info.data().ptr<int64_t>();  // the sync point
  Array values(make_node("unique_gather", Kind::Opaque, {flat.node(), info.node()}, a.dtype(), {k}));
  return {values, window(info, 1, {k}), reshape(window(info, 2 * n + 1, {n}), a.shape()), window(info, n + 1, {k})};
}

}  // namespace ember
