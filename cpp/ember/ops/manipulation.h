// Shape manipulation. Ops that NumPy answers with a view (reshape of contiguous data, transposes,
// broadcast_to, expand_dims, squeeze, flip) return views sharing the storage; the rest copy.
#pragma once
#include <optional>
#include <vector>

#include "ember/array.h"

namespace ember {

Array reshape(const Array& a, Shape shape);  // one -1 allowed; copies only when a view is impossible
Array permute_dims(const Array& a, const std::vector<int64_t>& axes);
Array matrix_transpose(const Array& a);  // swaps the last two axes
Array broadcast_to(const Array& a, const Shape& shape);  // a read-only view
std::vector<Array> broadcast_arrays(const std::vector<Array>& arrays);
Array expand_dims(const Array& a, int64_t axis);
Array squeeze(const Array& a, const std::vector<int64_t>& axes);  // empty: all size-1 axes
Array flip(const Array& a, const std::vector<int64_t>& axes);     // empty: all axes
// Joins arrays along an existing axis (None: flattened first) in one node, promoting dtypes as NumPy.
Array concat(const std::vector<Array>& arrays, std::optional<int64_t> axis);
// Joins same-shape arrays along a new axis.
Array stack(const std::vector<Array>& arrays, int64_t axis);
Array moveaxis(const Array& a, const std::vector<int64_t>& source, const std::vector<int64_t>& destination);

}  // namespace ember
