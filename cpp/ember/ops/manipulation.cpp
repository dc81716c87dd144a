#include "ember/ops/manipulation.h"

#include <algorithm>
#include <numeric>

#include "ember/errors.h"
#include "ember/ops/creation.h"
#include "ember/ops/elementwise.h"

namespace ember {
namespace {

// Strides for viewing (shape, strides) as `new_shape` without copying, if possible (NumPy's
// _attempt_nocopy_reshape): groups of old axes must map onto groups of new axes contiguously.
bool reshape_strides(const Shape& shape, const Strides& strides, const Shape& new_shape, Strides* out) {
  Shape os;
  Strides ost;
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != 1) os.push_back(shape[i]), ost.push_back(strides[i]);
  out->assign(new_shape.size(), 0);
  size_t oi = 0, oj = 1, ni = 0, nj = 1;
  size_t on = os.size(), nn = new_shape.size();
  while (ni < nn && oi < on) {
    int64_t np = new_shape[ni], op = os[oi];
    while (np != op) {
      if (np < op) np *= new_shape[nj++];
      else op *= os[oj++];
    }
    for (size_t k = oi; k < oj - 1; ++k)
      if (ost[k] != os[k + 1] * ost[k + 1]) return false;
    (*out)[nj - 1] = ost[oj - 1];
    for (size_t k = nj - 1; k > ni; --k) (*out)[k - 1] = (*out)[k] * new_shape[k];
    ni = nj++;
    oi = oj++;
  }
  int64_t last = ni > 0 ? (*out)[ni - 1] : 1;
  for (size_t k = ni; k < nn; ++k) (*out)[k] = last;  // trailing size-1 axes
  return true;
}

Array view(const Array& a, int64_t offset, Shape shape, Strides strides) {
  Array v(a.storage(), offset, std::move(shape), std::move(strides));
  v.set_writeable(a.writeable());
  return v;
}

}  // namespace

Array reshape(const Array& a, Shape shape) {
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) throw ValueError("can only specify one unknown dimension");
      infer = static_cast<int>(i);
    } else if (shape[i] < 0) {
      throw ValueError("negative dimensions not allowed in reshape: " + shape_str(shape));
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || a.size() % known != 0)
      throw ValueError("cannot reshape array of size " + std::to_string(a.size()) + " into shape " + shape_str(shape));
    shape[infer] = a.size() / known;
  }
  if (shape_size(shape) != a.size())
    throw ValueError("cannot reshape array of size " + std::to_string(a.size()) + " into shape " + shape_str(shape));
  if (a.size() == 0) return zeros(shape, a.dtype());
  Strides st;
  if (reshape_strides(a.shape(), a.strides(), shape, &st)) return view(a, a.offset(), std::move(shape), std::move(st));
  Array c = copy(a);
  return view(c, 0, shape, contiguous_strides(shape));
}

Array permute_dims(const Array& a, const std::vector<int64_t>& axes) {
  if (static_cast<int>(axes.size()) != a.ndim())
    throw ValueError("axes don't match array: got " + std::to_string(axes.size()) + " axes for an array of dimension " +
                     std::to_string(a.ndim()));
  std::vector<int> ax = normalize_axes(axes, a.ndim());
  Shape shape(ax.size());
  Strides st(ax.size());
  for (size_t i = 0; i < ax.size(); ++i) shape[i] = a.shape()[ax[i]], st[i] = a.strides()[ax[i]];
  return view(a, a.offset(), std::move(shape), std::move(st));
}

Array matrix_transpose(const Array& a) {
  if (a.ndim() < 2) throw ValueError("matrix_transpose needs an array of at least 2 dimensions, got " + std::to_string(a.ndim()));
  std::vector<int64_t> axes(a.ndim());
  std::iota(axes.begin(), axes.end(), 0);
  std::swap(axes[a.ndim() - 1], axes[a.ndim() - 2]);
  return permute_dims(a, axes);
}

Array broadcast_to(const Array& a, const Shape& shape) {
  if (shape.size() < a.shape().size() || broadcast_shapes(a.shape(), shape) != shape)
    throw ValueError("cannot broadcast an array of shape " + shape_str(a.shape()) + " to shape " + shape_str(shape));
  Array v = view(a, a.offset(), shape, broadcast_strides(a.shape(), a.strides(), shape));
  if (shape != a.shape()) v.set_writeable(false);
  return v;
}

std::vector<Array> broadcast_arrays(const std::vector<Array>& arrays) {
  Shape shape;
  for (const Array& a : arrays) shape = broadcast_shapes(shape, a.shape());
  std::vector<Array> out;
  for (const Array& a : arrays) out.push_back(broadcast_to(a, shape));
  return out;
}

Array expand_dims(const Array& a, int64_t axis) {
  int ax = normalize_axis(axis, a.ndim() + 1);
  Shape shape = a.shape();
  Strides st = a.strides();
  shape.insert(shape.begin() + ax, 1);
  st.insert(st.begin() + ax, 0);
  return view(a, a.offset(), std::move(shape), std::move(st));
}

Array squeeze(const Array& a, const std::vector<int64_t>& axes) {
  std::vector<int> ax = normalize_axes(axes, a.ndim());
  Shape shape;
  Strides st;
  for (int i = 0; i < a.ndim(); ++i) {
    bool listed = std::find(ax.begin(), ax.end(), i) != ax.end();
    if (listed && a.shape()[i] != 1)
      throw ValueError("cannot select an axis to squeeze out which has size not equal to one (axis " +
                       std::to_string(i) + ", size " + std::to_string(a.shape()[i]) + ")");
    if ((axes.empty() && a.shape()[i] == 1) || listed) continue;
    shape.push_back(a.shape()[i]);
    st.push_back(a.strides()[i]);
  }
  return view(a, a.offset(), std::move(shape), std::move(st));
}

Array flip(const Array& a, const std::vector<int64_t>& axes) {
  std::vector<int> ax;
  if (axes.empty()) {
    for (int i = 0; i < a.ndim(); ++i) ax.push_back(i);
  } else {
    ax = normalize_axes(axes, a.ndim());
  }
  int64_t offset = a.offset();
  Strides st = a.strides();
  for (int i : ax) {
    if (a.shape()[i] > 0) offset += (a.shape()[i] - 1) * st[i];
    st[i] = -st[i];
  }
  return view(a, offset, a.shape(), std::move(st));
}

Array moveaxis(const Array& a, const std::vector<int64_t>& source, const std::vector<int64_t>& destination) {
  if (source.size() != destination.size())
    throw ValueError("`source` and `destination` arguments must have the same number of elements");
  std::vector<int> src = normalize_axes(source, a.ndim()), dst = normalize_axes(destination, a.ndim());
  std::vector<int64_t> order;
  for (int i = 0; i < a.ndim(); ++i)
    if (std::find(src.begin(), src.end(), i) == src.end()) order.push_back(i);
  std::vector<std::pair<int, int>> pairs;
  for (size_t i = 0; i < src.size(); ++i) pairs.push_back({dst[i], src[i]});
  std::sort(pairs.begin(), pairs.end());
  for (auto [d, s] : pairs) order.insert(order.begin() + d, s);
  return permute_dims(a, order);
}

Array concat(const std::vector<Array>& arrays, std::optional<int64_t> axis) {
  if (arrays.empty()) throw ValueError("need at least one array to concatenate");
  std::vector<Array> parts;
  for (const Array& a : arrays) {
    if (!axis) parts.push_back(reshape(a, {-1}));
    else if (a.ndim() == 0) throw ValueError("zero-dimensional arrays cannot be concatenated");
    else parts.push_back(a);
  }
  const Shape& first = parts[0].shape();
  int nd = static_cast<int>(first.size());
  int ax = normalize_axis(axis.value_or(0), nd);
  Shape shape = first;
  shape[ax] = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Shape& s = parts[i].shape();
    if (static_cast<int>(s.size()) != nd)
      throw ValueError("all the input array dimensions except for the concatenation axis must match exactly, but "
                       "array 0 has " + std::to_string(nd) + " dimension(s) and array " + std::to_string(i) + " has " +
                       std::to_string(s.size()) + " dimension(s)");
    for (int k = 0; k < nd; ++k)
      if (k != ax && s[k] != first[k])
        throw ValueError("all the input array dimensions except for the concatenation axis must match exactly, but "
                         "along dimension " + std::to_string(k) + ", the array at index 0 has size " +
                         std::to_string(first[k]) + " and the array at index " + std::to_string(i) + " has size " +
                         std::to_string(s[k]));
    shape[ax] += s[ax];
  }
  // Arrays only: Python scalars have been made arrays by the caller, as NumPy does.
  DType dt = parts[0].dtype();
  for (const Array& a : parts) dt = promote_types(dt, a.dtype());
  std::vector<NodePtr> inputs;
  for (const Array& a : parts) inputs.push_back(astype(a, dt, /*copy=*/false).node());
  Params p;
  p.axes = {ax};
  return Array(make_node("concat", Kind::Opaque, std::move(inputs), dt, std::move(shape), std::move(p)));
}

Array stack(const std::vector<Array>& arrays, int64_t axis) {
  if (arrays.empty()) throw ValueError("need at least one array to stack");
  for (const Array& a : arrays)
    if (a.shape() != arrays[0].shape()) throw ValueError("all input arrays must have the same shape");
  int ax = normalize_axis(axis, arrays[0].ndim() + 1);
  std::vector<Array> parts;
  for (const Array& a : arrays) parts.push_back(expand_dims(a, ax));
  return concat(parts, ax);
}

}  // namespace ember
