// Common-subexpression elimination over the graph: two nodes with the same primitive, dtype,
// shape, device, parameters and the same input nodes compute the same value. Only pure kinds take
// part (elementwise, reductions, views, none carrying state such as a random generator); opaque
// calls, collectives, control flow, writes and leaves never merge.
#pragma once

#include "ember/graph/node.h"
#include "ember/graph/node_map.h"

namespace ember {

// Whether `n` may merge with an equal node.
bool cse_candidate(const Node& n);

// Whether two nodes' parameters are equal, scalars bit for bit (-0.0 and +0.0 differ, equal NaNs
// match); never for parameters holding a blob (state such as a random generator's).
bool same_params(const Params& a, const Params& b);

// Equal nodes seen so far. Inputs are compared by identity: callers first point every input slot
// at its canonical node (and equal constants at one constant).
class CseTable {
 public:
  explicit CseTable(size_t expected = 8) : seen_(expected) {}
  // The earlier node equal to `n`, or `n` itself (then remembered for the nodes after it).
  Node* find_or_insert(Node* n);

 private:
  static size_t hash(const Node* n);
  static bool equal(const Node* a, const Node* b);
  FlatMap<size_t, Node*> seen_;  // by hash (odd), a multimap checked with equal()
};

}  // namespace ember
