// Advanced indexing: integer-array indices read through a `gather` node (a copy) and write through
// a `scatter` node that replaces the storage version (so lazy readers keep the old values and every
// view sees the new ones). nonzero and take live here too, since masks and take reduce to them.
#include <algorithm>

#include "ember/errors.h"
#include "ember/graph/eval.h"
#include "ember/ops/creation.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/indexing.h"
#include "ember/ops/manipulation.h"

namespace ember {
namespace {

// The broadcast shape of the index arrays, and each as int64 broadcast to it.
Shape broadcast_indices(const ResolvedIndex& r, std::vector<NodePtr>* nodes) {
  Shape b;
  for (const auto& adv : r.advanced) {
    try {
      b = broadcast_shapes(b, adv.index.shape());
    } catch (const ValueError&) {
      std::string shapes;
      for (const auto& x : r.advanced) shapes += (shapes.empty() ? "" : " ") + shape_str(x.index.shape());
      throw IndexError("shape mismatch: indexing arrays could not be broadcast together with shapes " + shapes);
    }
  }
  for (const auto& adv : r.advanced)
    nodes->push_back(
        broadcast_to(follow_device(astype(adv.index, DType::Int64, /*copy=*/false), r.view), b).node());
  return b;
}

// The view axes that no advanced index touches.
std::vector<int> plain_axes(const ResolvedIndex& r) {
  std::vector<int> out;
  for (int ax = 0; ax < r.view.ndim(); ++ax)
    if (std::none_of(r.advanced.begin(), r.advanced.end(), [&](const auto& a) { return a.axis == ax; }))
      out.push_back(ax);
  return out;
}

// The result shape: [plain axes before the first advanced axis] + broadcast shape + [the rest].
Shape result_shape(const ResolvedIndex& r, const Shape& b) {
  int first = -1;  // plain axes before this one stay in front
  if (!r.advanced_first) {
    first = r.view.ndim();
    for (const auto& a : r.advanced) first = std::min(first, a.axis);
  }
  Shape pre, post;
  for (int ax : plain_axes(r)) (ax < first ? pre : post).push_back(r.view.shape()[ax]);
  Shape out = pre;
  out.insert(out.end(), b.begin(), b.end());
  out.insert(out.end(), post.begin(), post.end());
  return out;
}

// Parameters shared by gather and scatter: axes = the advanced view axes, ints = their source axes
// (for error messages), flag = advanced_first.
Params index_params(const ResolvedIndex& r) {
  Params p;
  for (const auto& a : r.advanced) {
    p.axes.push_back(a.axis);
    p.ints.push_back(a.source_axis);
  }
  p.flag = r.advanced_first;
  return p;
}

// Writes must not fail later and leave a broken storage version: check the indices now.
void check_bounds(const NodePtr& idx_node, int64_t n, int axis) {
  NodePtr idx = idx_node->device == DeviceType::CPU ? idx_node : to_device(Array(idx_node), DeviceType::CPU).node();
  eval({idx});
  const Data& d = idx->data;
  const int64_t* p = d.ptr<int64_t>();
  Shape pos(idx->shape.size(), 0);
  for (int64_t i = 0, e = idx->size(); i < e; ++i) {
    int64_t off = 0;
    for (size_t k = 0; k < pos.size(); ++k) off += pos[k] * d.strides[k];
    int64_t v = p[off];
    if (v < -n || v >= n)
      throw IndexError("index " + std::to_string(v) + " is out of bounds for axis " + std::to_string(axis) +
                       " with size " + std::to_string(n));
    for (size_t k = pos.size(); k-- > 0 && ++pos[k] == idx->shape[k];) pos[k] = 0;
  }
}

}  // namespace

Array advanced_getitem(const ResolvedIndex& r) {
  std::vector<NodePtr> idx;
  Shape b = broadcast_indices(r, &idx);
  std::vector<NodePtr> inputs{r.view.node()};
  inputs.insert(inputs.end(), idx.begin(), idx.end());
  return Array(make_node("gather", Kind::Opaque, std::move(inputs), r.view.dtype(), result_shape(r, b), index_params(r)));
}

void advanced_setitem(const ResolvedIndex& r, const Array& value) {
  if (!r.view.writeable()) throw ValueError("assignment destination is read-only");
  std::vector<NodePtr> idx;
  Shape b = broadcast_indices(r, &idx);
  Shape out = result_shape(r, b);
  Array typed = follow_device(
      value.weak() ? cast_operand(value, r.view.dtype()) : astype(value, r.view.dtype(), /*copy=*/false), r.view);
  while (typed.ndim() > static_cast<int>(out.size()) && typed.shape()[0] == 1) typed = squeeze(typed, {0});
  if (typed.shape() != out) {
    bool fits = typed.ndim() <= static_cast<int>(out.size());
    for (int k = 1; fits && k <= typed.ndim(); ++k) {
      int64_t v = typed.shape()[typed.ndim() - k];
      fits = v == 1 || v == out[out.size() - k];
    }
    if (!fits)
      throw ValueError("shape mismatch: value array of shape " + shape_str(typed.shape()) +
                       " could not be broadcast to indexing result of shape " + shape_str(out));
    typed = broadcast_to(typed, out);
  }
  for (size_t k = 0; k < idx.size(); ++k) {
    const auto& adv = r.advanced[k];
    check_bounds(idx[k], r.view.shape()[adv.axis], adv.source_axis);
  }
  Params p = index_params(r);
  p.offset = r.view.offset();
  p.strides = r.view.strides();
  p.ints.insert(p.ints.end(), r.view.shape().begin(), r.view.shape().end());  // after the source axes
  const auto& storage = r.view.storage();
  std::vector<NodePtr> inputs{storage->version, typed.node()};
  inputs.insert(inputs.end(), idx.begin(), idx.end());
  storage->version = make_node("scatter", Kind::Opaque, std::move(inputs), storage->dtype, storage->shape, std::move(p));
  storage->version->writes = storage;  // a failed scatter (e.g. its value fails) rolls back to inputs[0]
}

Array take(const Array& a, const Array& indices, std::optional<int64_t> axis) {
  if (!is_integer(indices.dtype()))
    throw IndexError("take: indices must be an integer array, got " + std::string(dtype_name(indices.dtype())));
  Array src = axis ? a : reshape(a, {-1});
  int ax = normalize_axis(axis.value_or(0), std::max(src.ndim(), 1));
  if (src.ndim() == 0) throw ValueError("take: cannot take along an axis of a 0-d array; use axis=None");
  ResolvedIndex r{src, {{ax, ax, indices}}, false};
  return advanced_getitem(r);
}

std::vector<Array> nonzero(const Array& a) {
  if (a.ndim() == 0)
    throw ValueError("Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() instead.");
  NodePtr src = a.node();
  NodePtr count = make_node("nonzero_count", Kind::Reduction, {src}, DType::Int64, {});
  int64_t n = *Array(count).data().ptr<int64_t>();  // the result length is data: a sync point
  Array all(make_node("nonzero", Kind::Opaque, {src}, DType::Int64, {a.ndim(), n}));
  std::vector<Array> out;
  for (int k = 0; k < a.ndim(); ++k) out.push_back(getitem(all, {int64_t{k}}));
  return out;
}

Array repeat_indices(const Array& repeats, int64_t n) {
  if (!is_integer(repeats.dtype()) && !is_bool(repeats.dtype()))
    throw TypeError("repeat: repeats must be integers, got " + std::string(dtype_name(repeats.dtype())));
  if (repeats.ndim() > 1 || (repeats.ndim() == 1 && repeats.size() != n && repeats.size() != 1))
    throw ValueError("operands could not be broadcast together with shape " + shape_str({n}) + " " +
                     shape_str(repeats.shape()));
  // The counts are read on the host (the result length is data): a device array is transferred.
  NodePtr reps = to_device(broadcast_to(reshape(astype(repeats, DType::Int64, false), {-1}), {n}), DeviceType::CPU).node();
  eval({reps});
  int64_t total = 0;
  const int64_t* p = reps->data.ptr<int64_t>();
  int64_t st = reps->data.strides[0];
  for (int64_t i = 0; i < n; ++i) {
    if (p[i * st] < 0) throw ValueError("repeat: repeats may not contain negative values");
    total += p[i * st];
  }
  return Array(make_node("repeat_indices", Kind::Opaque, {reps}, DType::Int64, {total}));
}

}  // namespace ember
