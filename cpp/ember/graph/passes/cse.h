// Common-subexpression elimination over the graph: two nodes with the same primitive, dtype,
// shape, device, parameters and the same input nodes compute the same value. Only pure kinds take
// part (elementwise, reductions, views, none carrying state such as a random generator); opaque
// calls, collectives, control flow, writes and leaves never merge.
#pragma once
#include <unordered_set>

#include "ember/graph/node.h"

namespace ember {

// Whether `n` may merge with an equal node.
bool cse_candidate(const Node& n);

// Equal nodes seen so far. Inputs are compared by identity: callers first point every input slot
// at its canonical node (and equal constants at one constant).
class CseTable {
 public:
  // The earlier node equal to `n`, or `n` itself (then remembered for the nodes after it).
  Node* find_or_insert(Node* n);

 private:
  struct Hash {
    size_t operator()(const Node* n) const;
  };
  struct Equal {
    bool operator()(const Node* a, const Node* b) const;
  };
  std::unordered_set<Node*, Hash, Equal> seen_;
};

}  // namespace ember
