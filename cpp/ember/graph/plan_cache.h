// The plan cache of eager evaluation: a program that builds the same graph again and again (a loop
// of small ops read once per trip) gets the same Kernels each time, so the graph passes and fusion
// run once for it. An evaluation's schedule is keyed by its exact structure; the second time a key
// is seen, a private copy of the graph is passed, fused and kept, and from then on each evaluation
// with that key replays the kept Kernels with the new graph's leaves bound in, then hands the
// results to the user's nodes (docs/cpu_engine.md, "The plan cache").
#pragma once
#include <cstdint>
#include <vector>

#include "ember/graph/node.h"

namespace ember {

// Evaluates `order` (the schedule of `roots`, unevaluated nodes inputs first) through a kept plan
// when its key has one, or has been seen before (the plan is made now). false: the caller
// evaluates as usual — the graph is not cacheable (a write, a random draw, an opaque call, another
// device, a profile or trace running, ...), its key is new, or a replay failed (the caller's run
// raises the error with the op and line). The user's graph is only touched on success.
bool plan_cache_eval(const std::vector<Node*>& order, const std::vector<NodePtr>& roots);

struct PlanCacheInfo {
  int64_t hits = 0;      // evaluations replayed from a kept plan
  int64_t misses = 0;    // cacheable evaluations without a kept plan (first sight of a key)
  int64_t bypasses = 0;  // evaluations the cache left alone (not cacheable, busy, disabled)
  int64_t entries = 0;   // kept plans
  bool enabled = true;
};
PlanCacheInfo plan_cache_info();
// Drops every kept plan and zeroes the counters.
void plan_cache_clear();
// On unless EMBER_PLAN_CACHE=0 at start.
void set_plan_cache_enabled(bool on);
bool plan_cache_enabled();

}  // namespace ember
