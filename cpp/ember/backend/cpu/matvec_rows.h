// Row loops of a matrix held row by row (unit column stride, row stride `rs`): the dot product of
// each row with x, and the sum of rows weighted by e (A^T e). Highway, dispatched at run time.
// The short rows of a tall matrix (X with 30 features) are one to four vectors: each row's work is
// a few fused multiply-adds, with no call per row.
#pragma once
#include <cstdint>

#include "ember/dtype.h"

namespace ember::cpu {

// Elements a row may be read past its end (a vector's worth): the caller guarantees that many
// readable elements after each row's k-th (the next row, or padding), whose values are ignored.
inline int64_t row_slack(DType t) { return 64 / itemsize(t); }
// k rounded up to a multiple of row_slack: the length of the zero-padded x and of the sums.
inline int64_t padded_cols(DType t, int64_t k) { return (k + row_slack(t) - 1) / row_slack(t) * row_slack(t); }

// out[i] = sum_j a[i*rs + j] * x[j] for i < rows, j < k (float32/float64; x padded with zeros to
// padded_cols).
void row_dots(DType t, const void* a, int64_t rs, int64_t rows, int64_t k, const void* x, void* out);
// g[j] += sum_i e[i] * a[i*rs + j] for j < k, rows in order (g has padded_cols elements; the
// padding receives junk).
void row_accumulate(DType t, const void* a, int64_t rs, int64_t rows, int64_t k, const void* e, void* g);

}  // namespace ember::cpu
