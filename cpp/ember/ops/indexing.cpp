#include "ember/ops/indexing.h"

#include "ember/errors.h"
#include "ember/ops/creation.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/manipulation.h"

namespace ember {
namespace {

bool is_mask(const IndexItem& item) {
  const Array* a = std::get_if<Array>(&item);
  return a && a->dtype() == DType::Bool;
}

// How many axes of `a` an item consumes.
int consumed(const IndexItem& item) {
  if (std::holds_alternative<NewAxis>(item) || std::holds_alternative<EllipsisIndex>(item)) return 0;
  if (is_mask(item)) return std::get<Array>(item).ndim();  // a 0-d mask adds an axis, consuming none
  return 1;
}

// Python's slice.indices(): clamps and defaults start/stop for a dimension of size n.
void slice_indices(const Slice& s, int64_t n, int64_t* start, int64_t* step, int64_t* len) {
  int64_t st = s.step.value_or(1);
  if (st == 0) throw ValueError("slice step cannot be zero");
  int64_t lo = st > 0 ? 0 : -1, hi = st > 0 ? n : n - 1;
  auto clamp = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t x = *v;
    if (x < 0) x = std::max(x + n, lo);
    else x = std::min(x, hi);
    return x;
  };
  int64_t b = clamp(s.start, st > 0 ? 0 : n - 1);
  int64_t e = clamp(s.stop, st > 0 ? n : -1);
  *start = b;
  *step = st;
  *len = st > 0 ? (e > b ? (e - b + st - 1) / st : 0) : (b > e ? (b - e - st - 1) / (-st) : 0);
}

}  // namespace

ResolvedIndex resolve_index(const Array& a, const std::vector<IndexItem>& key) {
  int used = 0, ellipses = 0;
  bool any_array = false;
  for (const auto& item : key) {
    used += consumed(item);
    if (std::holds_alternative<EllipsisIndex>(item) && ++ellipses > 1)
      throw IndexError("an index can only have a single ellipsis ('...')");
    if (const Array* arr = std::get_if<Array>(&item)) {
      any_array = true;
      if (!is_integer(arr->dtype()) && !is_bool(arr->dtype()))
        throw IndexError("arrays used as indices must be of integer (or boolean) type, got " +
                         std::string(dtype_name(arr->dtype())));
    }
  }
  if (used > a.ndim())
    throw IndexError("too many indices for array: array is " + std::to_string(a.ndim()) + "-dimensional, but " +
                     std::to_string(used) + " were indexed");
  // Where the advanced items sit in the key decides where their axes go (NumPy's rule).
  bool advanced_first = false;
  if (any_array) {
    int first = -1, last = -1, count = 0;
    for (int i = 0; i < static_cast<int>(key.size()); ++i)
      if (std::holds_alternative<Array>(key[i]) || std::holds_alternative<int64_t>(key[i])) {
        if (first < 0) first = i;
        last = i;
        ++count;
      }
    advanced_first = last - first + 1 != count;
  }
  int64_t offset = a.offset();
  Shape shape;
  Strides strides;
  std::vector<AdvancedIndex> advanced;
  int axis = 0;
  auto keep_axis = [&](int ax) {
    shape.push_back(a.shape()[ax]);
    strides.push_back(a.strides()[ax]);
  };
  for (const auto& item : key) {
    if (const int64_t* i = std::get_if<int64_t>(&item)) {
      int64_t n = a.shape()[axis];
      int64_t k = *i < 0 ? *i + n : *i;
      if (k < 0 || k >= n)
        throw IndexError("index " + std::to_string(*i) + " is out of bounds for axis " + std::to_string(axis) +
                         " with size " + std::to_string(n));
      offset += k * a.strides()[axis++];
    } else if (const Slice* s = std::get_if<Slice>(&item)) {
      int64_t start, step, len;
      slice_indices(*s, a.shape()[axis], &start, &step, &len);
      if (len > 0) offset += start * a.strides()[axis];
      shape.push_back(len);
      strides.push_back(a.strides()[axis] * step);
      ++axis;
    } else if (std::holds_alternative<NewAxis>(item)) {
      shape.push_back(1);
      strides.push_back(0);
    } else if (std::holds_alternative<EllipsisIndex>(item)) {
      for (int k = 0; k < a.ndim() - used; ++k) keep_axis(axis++);
    } else {
      const Array& arr = std::get<Array>(item);
      if (arr.dtype() == DType::Bool) {
        for (int k = 0; k < arr.ndim(); ++k)
          if (arr.shape()[k] != a.shape()[axis + k])
            throw IndexError("boolean index did not match indexed array along axis " + std::to_string(axis + k) +
                             "; size of axis is " + std::to_string(a.shape()[axis + k]) +
                             " but size of corresponding boolean axis is " + std::to_string(arr.shape()[k]));
        if (arr.ndim() == 0) {
          // a[True] adds an axis of length 1 indexed by [0]; a[False] indexes it by [] (a sync point).
          bool on = *arr.data().ptr<bool>();
          advanced.push_back({static_cast<int>(shape.size()), -1, zeros({on ? 1 : 0}, DType::Int64)});
          shape.push_back(1);
          strides.push_back(0);
          continue;
        }
        std::vector<Array> idx = nonzero(arr);
        for (int k = 0; k < arr.ndim(); ++k) {
          advanced.push_back({static_cast<int>(shape.size()), axis, idx[k]});
          keep_axis(axis++);
        }
      } else {
        advanced.push_back({static_cast<int>(shape.size()), axis, arr});
        keep_axis(axis++);
      }
    }
  }
  while (axis < a.ndim()) keep_axis(axis++);
  Array v(a.storage(), offset, std::move(shape), std::move(strides));
  v.set_writeable(a.writeable());
  return {v, std::move(advanced), advanced_first};
}

Array getitem(const Array& a, const std::vector<IndexItem>& key) {
  ResolvedIndex r = resolve_index(a, key);
  if (r.advanced.empty()) return r.view;
  return advanced_getitem(r);
}

namespace {

// `value` as dtype `dt` for assignment: weak Python scalars must fit (NEP 50), arrays cast unsafely.
Array assignment_value(const Array& value, DType dt) {
  return value.weak() ? cast_operand(value, dt) : astype(value, dt, /*copy=*/false);
}

// a[mask] = scalar needs no nonzero (no sync point): it is where(mask, scalar, a).
bool mask_fill(Array& a, const std::vector<IndexItem>& key, const Array& value) {
  if (key.size() != 1 || !is_mask(key[0]) || value.size() != 1) return false;
  const Array& mask = std::get<Array>(key[0]);
  if (mask.ndim() == 0 || mask.ndim() > a.ndim()) return false;
  for (int k = 0; k < mask.ndim(); ++k)
    if (mask.shape()[k] != a.shape()[k]) return false;  // resolve_index raises the IndexError
  Shape cond_shape = mask.shape();
  cond_shape.resize(a.ndim(), 1);
  Array scalar = reshape(assignment_value(value, a.dtype()), {});  // a 0-d host scalar joins any device
  a.write(where(reshape(follow_device(mask, a), cond_shape), scalar, a).node());
  return true;
}

}  // namespace

void setitem(Array& a, const std::vector<IndexItem>& key, const Array& value) {
  if (!a.writeable()) throw ValueError("assignment destination is read-only");
  if (mask_fill(a, key, value)) return;
  ResolvedIndex r = resolve_index(a, key);
  if (!r.advanced.empty()) return advanced_setitem(r, value);
  Array typed = assignment_value(value, a.dtype());
  // NumPy accepts extra leading length-1 axes on the value (a[0:2] = [[1, 2]]).
  while (typed.ndim() > r.view.ndim() && typed.shape()[0] == 1) typed = squeeze(typed, {0});
  if (typed.shape() != r.view.shape()) typed = broadcast_to(typed, r.view.shape());
  r.view.write(follow_device(typed, a).node());
}

}  // namespace ember
