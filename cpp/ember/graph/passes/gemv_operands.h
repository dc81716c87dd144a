// Transposed matrices that several matrix-vector products read are made row-major once.
//
// OpenBLAS's gemv is about twice as slow on a transposed small matrix (a loop of short columns) as
// on a row-major one (one dot product per row): in an iterative solver, `X.T @ r` every step on a
// loop-invariant X pays that every time. When a transposed view feeds two or more such products, a
// row-major copy is made once and the products read it instead.
#pragma once
#include <vector>

#include "ember/graph/node.h"

namespace ember {

// Rewrites the matmul readers in `order` (a schedule, inputs first) and inserts the copies into it,
// each right after the view it copies.
void contiguous_gemv_operands(std::vector<Node*>& order);

}  // namespace ember
