// A Program: a Plan instantiated once, scheduled and fused once, and then run again and again on
// new inputs by resetting its nodes — how loop bodies and branches run without rebuilding their
// graph every trip (no node allocation, scheduling or fusion per iteration).
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "ember/graph/eval.h"
#include "ember/graph/kernel.h"
#include "ember/graph/program_reroll.h"
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
  std::vector<RolledRegion> rolled_;  // runs of Kernels that repeat trip after trip (program_reroll.h)
  std::vector<Node*> touched_;        // the nodes a run may set: all but those only rolled trips produce
  struct Segment {
    int region;                    // the rolled region it is, or -1
    std::vector<KernelRun> runs;   // its Kernels' runs (a region's: all its trips, one by one)
  };
  std::vector<Segment> segments_;               // a run's order
  std::vector<std::vector<KernelRun>> trip_runs_;  // per rolled region: its template's runs
  bool reset_all_ = false;            // a rolled region ran trip by trip: every node may hold a value
  bool dirty_ = false;            // nodes hold a run's state (reset after each run, or before the next if it threw)

  void run_rolled(const RolledRegion& r, const std::vector<KernelRun>& trip, bool side);
  void run_runs(const std::vector<KernelRun>& runs, bool side, bool release);
  std::vector<KernelRun> runs_of(size_t b, size_t e) const;
  void reset_nodes();  // every node a run sets unevaluated and without data, as built
};

// Counters over every Program built in the process, for tests and `em.program_info()`.
struct ProgramInfo {
  int64_t programs = 0;        // Programs built
  int64_t rolled_regions = 0;  // rolled regions found in them
  int64_t rolled_kernels = 0;  // Kernels those regions cover (their template's included)
  int64_t rolled_trips = 0;    // trips run through a template
};
ProgramInfo program_info();

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
