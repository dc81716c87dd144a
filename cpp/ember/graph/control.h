// Control flow as graph nodes: cond, while_loop, fori_loop and scan. Each holds the Plans of its
// branches or loop body (captured by tracing) and runs them when it is evaluated, so a loop whose
// trip count depends on array values stays inside the graph (and inside a jitted plan).
//
// A control node has several results: it is a node of op "cond"/"while_loop"/"fori_loop"/"scan"
// holding them in `Node::results`, read by one "control_output" node per result.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/graph/trace.h"

namespace ember {

using TypeList = std::vector<std::pair<DType, Shape>>;

// What a control node holds (in params.blob): the plans of its branches or body, and where each
// plan's captured values start among the node's inputs.
struct ControlSpec {
  std::vector<std::shared_ptr<const Plan>> plans;
  std::vector<int> captured_at;  // per plan: index of its first captured value among the node's inputs
  int num_carry = 0;             // while/fori/scan: carried values; cond: operands
  int64_t length = 0;            // scan: iterations
};
// The spec of a control node ("cond", "while_loop", "fori_loop", "scan", "call"); null for others.
const ControlSpec* control_spec(const Node& node);

// The branch taken by pred (a 0-d bool) run on `operands`. Both plans take the operands as
// parameters and return results of `out_types`.
std::vector<NodePtr> make_cond(const NodePtr& pred, std::shared_ptr<Plan> on_true, std::shared_ptr<Plan> on_false,
                               const std::vector<NodePtr>& operands, const TypeList& out_types);

// carry = init; while cond(carry): carry = body(carry). `cond` returns one 0-d bool; `body`
// returns values of the carry's types.
std::vector<NodePtr> make_while(std::shared_ptr<Plan> cond, std::shared_ptr<Plan> body,
                                const std::vector<NodePtr>& init);

// carry = init; for i in range(lower, upper): carry = body(i, carry). lower/upper: 0-d integers.
std::vector<NodePtr> make_fori(const NodePtr& lower, const NodePtr& upper, std::shared_ptr<Plan> body,
                               const std::vector<NodePtr>& init);

// carry = init; for each i < length: carry, y = body(carry, xs[i]); the results are the final carry
// and the ys stacked along a new first axis (of `y_types`, without that axis).
std::vector<NodePtr> make_scan(std::shared_ptr<Plan> body, const std::vector<NodePtr>& init,
                               const std::vector<NodePtr>& xs, int64_t length, const TypeList& y_types);

// One node running a whole plan on `args` through its compiled program: how a jitted function is
// called (one node per call, however large the function; the plan keeps its captured values).
// A small plan (Plan::small) on evaluated cpu arguments runs at once instead, outside tracing and
// asynchronous work: the results are then evaluated leaves (a lazy node would cost more to
// schedule than the plan costs to run).
std::vector<NodePtr> make_call(const std::shared_ptr<Plan>& plan, const std::vector<NodePtr>& args);

// The listings of a control node's plans ("body:\n  %0 = ..."); empty for other nodes.
std::string describe_control(const Node& node);

// Evaluates a control node (its inputs are evaluated): runs its plans, fills node.results.
void run_control(Node& node);
// Evaluates a "control_output" node: the result it selects.
void run_control_output(Node& node);

}  // namespace ember
