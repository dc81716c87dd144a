// The cpu runner of fused kernels between two matrix-vector products (KernelDesc::matvec): one
// pass over the matrix's rows, block by block — the products A @ x of the block, the kernel's
// instructions on them, and the block's share of A^T r — instead of two gemv calls and a kernel.
#pragma once
#include "ember/graph/kernel.h"

namespace ember::cpu {

// Runs `k` (k.matvec set, its inputs evaluated) and fills its stored registers, its reduction and
// matvec.transposed. On failure `failed` is the node that raised.
void run_matvec_fused(const KernelDesc& k, Node*& failed);

}  // namespace ember::cpu
