// Collectives as graph primitives (Kind::Collective). Like every op they only build nodes; the
// communication happens when a value is needed, in the evaluation order, which is the same on every
// rank of an SPMD program. Every rank must therefore force the same collectives in the same order.
// Before each data transfer the kernels compare shapes and dtypes across ranks with a small
// collective, so a mismatch raises ValueError on every rank instead of corrupting data or hanging.
#pragma once
#include <vector>

#include "ember/array.h"

namespace ember::distributed {

// Elementwise reduction over ranks: op is "sum", "prod", "max" or "min". Every rank gets the result.
// float16/bfloat16 reduce in float32; bool sums as logical or; complex has no max/min (TypeError).
Array all_reduce(const Array& x, std::string_view op);
inline Array all_sum(const Array& x) { return all_reduce(x, "sum"); }
// Concatenation along axis 0 of every rank's x. `counts` gives each rank's length along axis 0
// (empty: all equal to x.shape[0]); the other dims must agree. x must be at least 1-d.
Array all_gather(const Array& x, std::vector<int64_t> counts = {});
// x.shape[0] = size() * k: block i of k rows goes to rank i; the result holds block r of every rank,
// in rank order (MPI_Alltoall).
Array all_to_all(const Array& x);
// root's x on every rank; the other ranks' x give the shape and dtype only and must match root's.
Array broadcast(const Array& x, int root);
// Point-to-point. send's result is x itself and completes the send when evaluated; recv's result
// is the received array, which must have `shape` and `dtype` (else ValueError on both ranks).
Array send(const Array& x, int dst, int tag = 0);
Array recv(const Shape& shape, DType dtype, int src, int tag = 0);

}  // namespace ember::distributed
