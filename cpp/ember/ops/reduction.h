// Reductions and scans with NumPy's rules: result dtypes (sum of int8 -> int64, mean of ints ->
// float64), empty reductions, NaN propagation, where= masks and initial= values.
// Every reduction is one primitive of Kind::Reduction reading params.axes (normalised, sorted),
// params.flag (keepdims) and params.dtype (the accumulator dtype, which the input is cast to).
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "ember/array.h"

namespace ember {

// Which axes a reduction covers: nullopt means all of them.
using Axes = std::optional<std::vector<int64_t>>;

// sum, prod, max, min, all, any. `dtype` is sum/prod's accumulator (default: NumPy's), `initial`
// the value folded in first (NumPy's initial=), `where` a mask broadcast to a's shape.
Array reduce(std::string_view op, const Array& a, const Axes& axes, bool keepdims,
             std::optional<DType> dtype = std::nullopt, std::optional<Scalar> initial = std::nullopt,
             const std::optional<Array>& where = std::nullopt);

// argmax / argmin along one axis (nullopt: of the flattened array); int64 result, first occurrence.
Array argreduce(std::string_view op, const Array& a, std::optional<int64_t> axis, bool keepdims);

Array mean(const Array& a, const Axes& axes, bool keepdims, std::optional<DType> dtype = std::nullopt,
           const std::optional<Array>& where = std::nullopt);
// Variance with divisor max(n - correction, 0); complex inputs give their real type.
Array var(const Array& a, const Axes& axes, double correction, bool keepdims,
          std::optional<DType> dtype = std::nullopt, const std::optional<Array>& where = std::nullopt);
Array std_(const Array& a, const Axes& axes, double correction, bool keepdims,
           std::optional<DType> dtype = std::nullopt, const std::optional<Array>& where = std::nullopt);

// cumsum / cumprod along `axis` (nullopt: of the flattened array). include_initial prepends the
// identity, as the Array API's cumulative_sum.
Array cumulative(std::string_view op, const Array& a, std::optional<int64_t> axis,
                 std::optional<DType> dtype = std::nullopt, bool include_initial = false);

}  // namespace ember
