// The cpu device's fused-kernel interpreter: runs a KernelDesc block by block (cache-sized blocks of
// registers, numexpr-style), the blocks spread over the thread pool.
#pragma once
#include "ember/graph/kernel.h"

namespace ember::cpu {

// Elements per block: a few registers of doubles stay in L1/L2 while an instruction list runs.
inline constexpr int64_t kBlock = 2048;

// Whether a node can be an instruction of a fused kernel on this device.
bool can_fuse_elementwise(const Node& n);
// Whether a reduction node can end a fused kernel (sum/prod/max/min over trailing axes).
bool can_fuse_reduction(const Node& n);

// Runs a fused kernel: every input is evaluated; fills the output nodes and the reduction node.
// On error sets `failed` to the node whose instruction raised, and rethrows.
void run_fused(const KernelDesc& k, Node*& failed);

}  // namespace ember::cpu
