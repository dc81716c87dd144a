// A Program: a Plan instantiated once, scheduled and fused once, and then run again and again on
// new inputs by resetting its nodes — how loop bodies and branches run without rebuilding their
// graph every trip (no node allocation, scheduling or fusion per iteration).
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "ember/graph/kernel.h"
#include "ember/graph/trace.h"

namespace ember {

class Program {
 public:
  // `inputs`: one evaluated node per parameter and per captured slot of `plan` (their types are
  // what the program is built for; later runs must give the same dtypes, shapes and devices).
  Program(const Plan& plan, const std::vector<NodePtr>& inputs);
  // The plan's results on `inputs` (evaluated leaves; a result that is an input is that input).
  std::vector<NodePtr> run(const std::vector<NodePtr>& inputs);

 private:
  std::vector<NodePtr> params_;   // leaves the inputs' values are bound to
  std::vector<NodePtr> nodes_;    // every instantiated node, kept alive (kernels point at them)
  std::vector<KernelDesc> kernels_;
  std::vector<std::vector<Node*>> release_after_;  // per kernel: values nothing later reads
  std::vector<NodePtr> outputs_;  // per plan output: its node (a parameter or a step)
  std::vector<int> output_param_; // per plan output: the parameter it is, or -1
  bool dirty_ = false;            // nodes hold a run's state (reset after each run, or before the next if it threw)

  void reset_nodes();  // every node unevaluated and without data, as built
};

// The Program of one Plan, built on first use and reused; one run at a time (while it is busy,
// run() gives nothing and the caller instantiates the plan instead).
class ProgramCache {
 public:
  // Runs the plan on `inputs` through its cached program; nullopt if the program is busy.
  std::optional<std::vector<NodePtr>> run(const Plan& plan, const std::vector<NodePtr>& inputs);

 private:
  std::mutex mu_;
  std::unique_ptr<Program> program_;
};

}  // namespace ember
