// Fusion: groups the scheduled nodes into Kernels. A maximal set of elementwise nodes over one
// iteration space whose results are used only inside the set becomes one fused KernelDesc; a trailing
// reduction joins the set that computes its input. Size-1 nodes (constants, scalar arithmetic)
// join any space they broadcast into. Every other node becomes a single-node KernelDesc.
#pragma once
#include <vector>

#include "ember/graph/kernel.h"

namespace ember {

// What the device can run inside a fused kernel: an elementwise instruction, or a trailing reduction.
struct FusionRules {
  bool (*elementwise)(const Node&) = nullptr;
  bool (*reduction)(const Node&) = nullptr;
};

// `order` is a post-order of the unevaluated nodes under `roots` (inputs before their users).
// Kernels come out in an order that respects every dependency.
std::vector<KernelDesc> fuse(const std::vector<Node*>& order, const std::vector<NodePtr>& roots, const FusionRules& rules);

}  // namespace ember
