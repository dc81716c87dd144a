// Loop rerolling for a compiled Program. @em.jit traces a Python loop over a Python range by running
// its body once per trip, so a 750-step gradient descent becomes 4,500 Kernels, each with its own
// nodes and prepared state: replaying them walks ~7 MB of cold memory per call. This finds runs of
// Kernels that repeat trip after trip (the same structure, each trip reading only loop-invariant
// values, its own trip's values and the previous trip's) and lets the Program run the first trip's
// Kernels again and again instead, handing each trip's results to the next — the same computations
// in the same order, so the results are bit for bit those of the unrolled Program, on a working set
// the size of one trip (docs/jit.md, "Rolled loops"). EMBER_REROLL=0 turns it off.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

#include "ember/graph/kernel.h"

namespace ember {

struct RolledRegion {
  size_t start = 0;   // index of the first Kernel of the first trip (the template)
  size_t period = 0;  // Kernels per trip
  size_t trips = 0;   // trips the template runs (>= 2); Kernels [start, start + period * trips) are covered
  // (a node the template reads from before the loop, the template node whose value it takes in the
  // next trip): the loop's carried values.
  std::vector<std::pair<Node*, Node*>> carries;
  // (a node of the last trip that something after the loop reads, the template node holding its
  // value when the loop ends).
  std::vector<std::pair<Node*, Node*>> results;
  // Pairs of parameter leaves (bound per run) that later trips read where the template reads the
  // other: the trips are alike only if their values are equal, which each run checks first.
  std::vector<std::pair<Node*, Node*>> equal_inputs;

  // Whether this run's values of equal_inputs agree (else the run takes the Kernels one by one).
  bool inputs_agree() const;
};

// Whether two small cpu arrays of `shape` hold the same bytes.
bool same_values(const Data& a, const Data& b, DType dtype, const Shape& shape);

// The rolled regions of `kernels` (in order, not overlapping). `outputs`: the program's results;
// `params`: its parameter leaves (bound per run: never compared by value).
std::vector<RolledRegion> find_rolled_regions(const std::vector<KernelDesc>& kernels, const std::vector<NodePtr>& outputs,
                                              const std::vector<NodePtr>& params);

}  // namespace ember
