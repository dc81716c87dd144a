// Fuses `A @ x -> elementwise chain -> A.T @ r` into one Kernel (KernelDesc::matvec).
//
// The gradient step of a linear model (logistic regression: p = sigmoid(X @ w + b), err = p - y,
// grad = X.T @ err) reads X twice, in two BLAS calls with a fused kernel between them. When the
// fused kernel's iteration space is the rows of A, the products of a block of rows, the kernel's
// instructions on them and the block's share of A^T r can run together while the block is in L1:
// one pass over A and one Kernel instead of five (two matmuls, their views and the kernel).
#pragma once
#include <vector>

#include "ember/graph/kernel.h"

namespace ember {

// Rewrites `kernels` (fusion's output, in program order) in place: each cpu fused kernel that reads
// a float gemv A @ x (through its (m,) view, read by nothing else) and whose register r feeds A.T @ r
// (through its (m, 1) view; A.T a transposed view of the same A, or its row-major copy) absorbs both
// products; kernels left computing only what nobody reads (the views, the copy) are dropped.
// EMBER_MATVEC_FUSION=0 turns it off (for comparisons).
void fuse_matvec_ends(std::vector<KernelDesc>& kernels, const std::vector<NodePtr>& roots);

}  // namespace ember
