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
struct AdvancedIndex {
  int axis;         // the axis of the view it indexes
  int source_axis;  // the axis of the indexed array (for error messages)
  Array index;      // integer index array (masks already expanded by nonzero)
};
struct ResolvedIndex {
  Array view;
  std::vector<AdvancedIndex> advanced;
  // NumPy's rule: when the advanced indices (ints count as advanced beside arrays) are separated
  // by a slice, None or Ellipsis, the broadcast index axes go first in the result; otherwise they
  // replace the indexed axes in place.
  bool advanced_first = false;
};
ResolvedIndex resolve_index(const Array& a, const std::vector<IndexItem>& key);

// Advanced indexing (ops/advanced_indexing.cpp).
Array advanced_getitem(const ResolvedIndex& r);
void advanced_setitem(const ResolvedIndex& r, const Array& value);

// take(x, indices, axis) as the Array API and NumPy (axis None: over the flattened array).
Array take(const Array& a, const Array& indices, std::optional<int64_t> axis);
// Indices 0,0,1,2,2,2,... repeating each i `repeats[i]` times (repeats broadcast to length n; a sync
// point, since the length is data). ValueError for negative repeats.
Array repeat_indices(const Array& repeats, int64_t n);
// The indices of the nonzero elements, one int64 array per axis (a sync point: the count is data).
std::vector<Array> nonzero(const Array& a);

}  // namespace ember
