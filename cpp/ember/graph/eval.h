// Evaluation: runs every unevaluated node below the roots on its device, in dependency order.
#pragma once
#include <vector>

#include "ember/graph/node.h"

namespace ember {

// Evaluates the roots. On failure rethrows the error (same type) naming the op and where the user
// created it; nodes that did not run keep their inputs, so nothing the user holds is lost.
void eval(const std::vector<NodePtr>& roots);

}  // namespace ember
