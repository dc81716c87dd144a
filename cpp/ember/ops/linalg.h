// Matrix products and the Array API linalg extension, with NumPy's shape, dtype and error rules.
// Products lower to one "matmul" primitive (batched, broadcast over leading dims); factorizations are
// one opaque node per op that the device evaluates over the whole batch (LAPACK on the cpu).
#pragma once
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "ember/array.h"

namespace ember {

// matmul with NumPy's rules: 1-d operands are promoted to matrices and the added axis removed,
// leading dims broadcast. conj_a conjugates `a` first (vdot, vecdot).
Array matmul(const Array& a, const Array& b, bool conj_a = false);
// Sums the products over axes_a of `a` and axes_b of `b` (numpy.tensordot).
Array tensordot(const Array& a, const Array& b, const std::vector<int64_t>& axes_a, const std::vector<int64_t>& axes_b);
// conj(a) . b along `axis` after broadcasting (Array API vecdot).
Array vecdot(const Array& a, const Array& b, int64_t axis);
// The complex conjugate (a copy); real arrays are returned as they are.
Array conj_values(const Array& a);
// The read-only view of the diagonal of axis1/axis2 (moved to the end), as numpy.diagonal.
Array diagonal(const Array& a, int64_t offset, int64_t axis1, int64_t axis2);

// The linalg extension. Every op works on stacks of matrices (the last two dims); integer and bool
// inputs compute in float64, float16/bfloat16 are a TypeError (as numpy.linalg).
Array cholesky(const Array& a, bool upper);
Array det(const Array& a);
std::pair<Array, Array> slogdet(const Array& a);  // (sign, logabsdet)
std::pair<Array, Array> eigh(const Array& a);     // (eigenvalues ascending, eigenvectors as columns)
Array eigvalsh(const Array& a);
Array inv(const Array& a);
Array solve(const Array& a, const Array& b);  // b is a vector only when b.ndim == 1
std::pair<Array, Array> qr(const Array& a, bool complete);
std::tuple<Array, Array, Array> svd(const Array& a, bool full_matrices);
Array svdvals(const Array& a);
// (sum |x|^ord)^(1/ord) over `axes` (all when absent); ord may be +-inf (max/min |x|) or 0 (count).
Array vector_norm(const Array& x, const std::optional<std::vector<int64_t>>& axes, bool keepdims, double ord);

// Extra outputs of a multi-output linalg node (slogdet, eigh, qr, svd): the device fills `data`,
// and one "linalg_output" node per extra output reads its entry.
struct LinalgOutputs {
  std::vector<Data> data;
};

}  // namespace ember
