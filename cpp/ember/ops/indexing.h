// Indexing as NumPy: basic indices (ints, slices, None, Ellipsis) give views; integer-array and
// boolean-mask indices ("advanced") give copies on read and scatter on write.
#pragma once
#include <optional>
#include <variant>
#include <vector>

#include "ember/array.h"

namespace ember {

struct Slice {
  std::optional<int64_t> start, stop, step;
};
struct NewAxis {};
struct EllipsisIndex {};
using IndexItem = std::variant<int64_t, Slice, NewAxis, EllipsisIndex, Array>;

Array getitem(const Array& a, const std::vector<IndexItem>& key);
// a[key] = value, with value broadcast to the selection and cast to a's dtype (NumPy's unsafe cast).
void setitem(Array& a, const std::vector<IndexItem>& key, const Array& value);

// Resolves the basic part of `key` into a view and the list of advanced indices still to apply,
// each with the axis of the view it indexes. Used by getitem/setitem and advanced indexing.
struct ResolvedIndex {
  Array view;
  std::vector<std::pair<int, Array>> advanced;  // (axis in view, integer index array), masks expanded
};
ResolvedIndex resolve_index(const Array& a, const std::vector<IndexItem>& key);

// Advanced indexing (ops/advanced_indexing.cpp).
Array advanced_getitem(const ResolvedIndex& r);
void advanced_setitem(const ResolvedIndex& r, const Array& value);

// take(x, indices, axis) as the Array API (indices: 1-d integer array).
Array take(const Array& a, const Array& indices, std::optional<int64_t> axis);
// The indices of the nonzero elements, one int64 array per axis (a sync point: the count is data).
std::vector<Array> nonzero(const Array& a);

}  // namespace ember
