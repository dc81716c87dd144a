// Sorting, searching and set functions with NumPy's order: NaNs sort last (complex numbers
// lexicographically, NaN parts last); every sort is stable.
#pragma once
#include <optional>

#include "ember/array.h"

namespace ember {

// Sorts along `axis` (nullopt: the flattened array). Descending order keeps equal elements in
// their original order and puts NaNs first, as the Array API's reference (flip, sort, flip).
Array sort(const Array& a, std::optional<int64_t> axis, bool descending = false);
Array argsort(const Array& a, std::optional<int64_t> axis, bool descending = false);

// Insertion points of `values` into the sorted 1-d `x` (side "right" when `right`); with a sorter,
// x[sorter] is the sorted sequence.
Array searchsorted(const Array& x, const Array& values, bool right, const std::optional<Array>& sorter = std::nullopt);

// The unique elements of the flattened array in sorted order, the index of each one's first
// occurrence, the index of each input element into the values (shaped as the input), and the
// counts. `equal_nan`: NaNs count as one value (numpy.unique) or as distinct (the Array API).
// A sync point: the number of unique values is data, so the input is evaluated first.
struct UniqueResult {
  Array values, indices, inverse, counts;
};
UniqueResult unique_all(const Array& a, bool equal_nan);

}  // namespace ember
