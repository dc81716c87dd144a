// The graph passes that run on a schedule before fusion (DESIGN.md "passes"): constant folding,
// algebraic simplification, common-subexpression elimination, then dead-node elimination.
//
// Rewiring never changes what an array means: a node is only ever replaced by one that computes
// the same value, and only in the input slots of the scheduled nodes that read it. A node held
// from outside the schedule (a user's array, a root, a node not being evaluated) still gets its own
// value: it stays scheduled, computed as before, or — a duplicate of an earlier node — as a copy
// of it. Every rewrite keeps the dtype, shape and device of what it replaces.
#pragma once
#include <vector>

#include "ember/graph/node.h"

namespace ember {

// Rewrites the graph under `roots` and removes from `order` (a post-order of the unevaluated nodes
// under `roots`, inputs first) the nodes nothing scheduled reads any more. Call it before the
// schedule's nodes gain other holders (fusion tells held nodes by their use counts).
void run_graph_passes(std::vector<Node*>& order, const std::vector<NodePtr>& roots);

// Turns the passes on or off (on unless EMBER_GRAPH_PASSES=0): for tests that compare with and
// without them.
void set_graph_passes_enabled(bool on);
bool graph_passes_enabled();

}  // namespace ember
