// View pushdown: a view (as_strided: a slice, transpose, broadcast, expand_dims, reshape) of an
// unevaluated elementwise result becomes that elementwise op over views of its inputs, so that
// fusion sees one Kernel and computes only the elements that are read: `(a + b)[::2] * c` is one
// Kernel reading a and b with stride 2, not a full `a + b` stored and then read by a second Kernel.
//
// Rules (docs/cpu_engine.md "View pushdown"):
// - only through cpu Elementwise nodes with inputs (never writes, random draws, opaque calls,
//   collectives, control flow, creation ops whose values depend on the position);
// - a producer is rewritten only when nothing else needs its full value: every reader is inside
//   the rewritten region, no user, root or outside node holds it;
// - no element of any producer is computed twice: each rewritten node's new index map must be
//   one to one (a broadcasting view of `exp(x)` stays a view of the computed `exp(x)`);
// - inputs evaluated before the schedule are read through a new zero-copy view node; unevaluated
//   inputs are rewritten in place (a compiled program finds every node it must rerun).
#pragma once
#include <vector>

#include "ember/graph/node.h"

namespace ember {

// Rewrites, in `order` (a post-order of the unevaluated nodes under `roots`, after the other graph
// passes), each view of an elementwise result that the rules allow. New view nodes join `order`;
// nodes nothing reads any more leave it and are moved into `graveyard`, which the caller keeps
// alive until it no longer compares node addresses with an older schedule.
void push_views_down(std::vector<Node*>& order, const std::vector<NodePtr>& roots, std::vector<NodePtr>& graveyard);

}  // namespace ember
