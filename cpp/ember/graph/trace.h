// Tracing: a function run once on parameter nodes leaves a graph between its parameters and its
// results. capture() keeps that graph as a Plan (a template), and instantiate() rebuilds it over new
// inputs with no Python involved — how @em.jit replays a traced function and how the control-flow
// nodes run their branches and loop bodies.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/graph/node.h"

namespace ember {

class ProgramCache;  // graph/program.h

struct Plan {
  // One template node: a copy of a traced node without its inputs, and the slots it reads.
  struct Step {
    NodePtr proto;
    std::vector<int> args;
  };
  // Slots: [0, num_params) the parameters, then the captured nodes, then one per step.
  int num_params = 0;
  std::vector<std::pair<DType, Shape>> param_types;  // what each parameter stood for when traced
  // Nodes from outside the traced function that it reads (constants, closure values, outer
  // parameters). A top-level plan keeps them; a control-flow node takes them as its inputs.
  std::vector<NodePtr> captured;
  int num_captured = 0;  // captured slots (a control node's plan keeps the count, not the values)
  std::vector<Step> steps;
  std::vector<int> outputs;  // the slots the results are read from
  // The plan compiled once for running again and again (loop bodies, jit calls).
  std::shared_ptr<ProgramCache> program;
  // Little work, all on the cpu, no control flow or communication (set by capture): a jit call
  // runs such a plan at once rather than adding a lazy node (graph/control.cpp, make_call).
  bool small = false;
};

// A stand-in for a traced function's input: a leaf with no value. Evaluating anything that needs
// its value raises TypeError (the value only exists when the plan is replayed).
NodePtr make_parameter(DType dtype, Shape shape, DeviceType device);
bool is_parameter(const Node& n);

// While a TracingScope lives, graphs are never evaluated as they are built (the depth limit waits):
// they may contain parameters.
struct TracingScope {
  TracingScope();
  ~TracingScope();
  TracingScope(const TracingScope&) = delete;
  TracingScope& operator=(const TracingScope&) = delete;
};
bool tracing();
void begin_tracing();  // as a TracingScope's lifetime, for callers that cannot hold one (Python)
void end_tracing();

// The graph between `params` and `results` as a Plan. Nodes that do not depend on a parameter are
// captured as they are (they are computed once, at the first run, and then reused).
std::shared_ptr<Plan> capture(const std::vector<NodePtr>& params, const std::vector<NodePtr>& results);

// New unevaluated nodes computing the plan's results from `args` (one per parameter) and the
// captured values (`captured`, or the plan's own when null). Results may be inputs themselves.
std::vector<NodePtr> instantiate(const Plan& plan, const std::vector<NodePtr>& args,
                                 const std::vector<NodePtr>* captured = nullptr);

// A readable listing of the plan's steps ("%3 = add(%0, %1)  float64 (3,)  at f.py:4").
std::string describe(const Plan& plan);

}  // namespace ember
