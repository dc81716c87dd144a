// Algebraic simplification and constant folding of single nodes: rewrites that give the same bits
// as the original in IEEE arithmetic for the node's dtype (graph/passes/graph_passes.h runs them).
#pragma once
#include <cstddef>
#include <unordered_map>

#include "ember/graph/node.h"
#include "ember/graph/node_map.h"

namespace ember {

// Which nodes the current schedule evaluates. A node outside it is either evaluated or being
// computed by an earlier asynchronous job; only evaluated ones may be read.
struct PassScope {
  const FlatMap<const Node*, int>* position = nullptr;  // schedule position of each node

  bool scheduled(const Node* n) const { return position->find(n) != nullptr; }
  // Whether `n` is evaluated and its data may be read (not being computed on another thread).
  bool readable(const Node& n) const;
  // The single element of an evaluated one-element node, or null.
  const std::byte* constant_element(const Node& n) const;
};

// What `n` equals: one of the nodes below it (x*1 -> x, -(-x) -> x, astype to its own dtype ->
// its input), or null. The caller checks the replacement has n's dtype, shape, device and layout.
// May instead rewrite `n` in place into a cheaper op with the same value (x**2 -> x*x,
// x**0.5 -> sqrt(x)), which is safe also for nodes a user holds; then returns null.
NodePtr simplify(Node& n, const PassScope& scope);

// Whether `n` is a small elementwise node whose inputs are all evaluated constants.
bool foldable(const Node& n, const PassScope& scope);
// Computes a foldable node once, now: an evaluated leaf with its value, or null if its kernel
// failed (it then runs as usual and reports its error where the user expects it).
NodePtr fold_constant(const Node& n);

}  // namespace ember
