// Evaluation: schedule -> passes (fusion) -> Kernels -> device, in dependency order: independent
// cpu Kernels run side by side on the thread pool, everything else one at a time in program order.
#pragma once
#include <vector>

#include "ember/graph/kernel.h"
#include "ember/graph/node.h"

namespace ember {

// Evaluates the roots. On failure rethrows the error (same type) naming the op and where the user
// created it; nodes that did not run keep their inputs, so nothing the user holds is lost.
void eval(const std::vector<NodePtr>& roots);

// Evaluates the roots on this thread without waiting for asynchronous work first: for the
// control-flow nodes, whose kernels evaluate their branches and loop bodies (graph/control.h).
void eval_now(const std::vector<NodePtr>& roots);

// Schedules the roots' evaluation on the background dispatcher and returns at once. The next sync
// point (eval, any read of data) waits for it and re-raises its error, as eval would have. Graphs
// with little work (under 2^18 elements in all) are evaluated at once instead.
void eval_async(const std::vector<NodePtr>& roots);
// Whether asynchronous evaluations were started that no sync point has collected yet.
bool async_pending();

// ---- for compiled programs (graph/program.h) ----
// The unevaluated nodes under the roots, inputs first.
std::vector<Node*> schedule_unevaluated(const std::vector<NodePtr>& roots);
// The Kernels that evaluate `order` (a schedule of the roots).
std::vector<KernelDesc> compile_kernels(const std::vector<Node*>& order, const std::vector<NodePtr>& roots);
// Runs one Kernel and marks what it produced evaluated, keeping the nodes' inputs (the program runs
// again); an error is rethrown naming the op and its line, as eval does.
void run_kernel_keep_inputs(const KernelDesc& k);
// Whether an evaluation would run these Kernels one by one in program order (no run of them side
// by side on the threads): then running each with run_kernel_keep_inputs is the same schedule.
bool kernels_run_one_by_one(const std::vector<KernelDesc>& kernels);
// Whether independent Kernels may run side by side now (concurrent Kernels on, more than one thread).
bool side_by_side();
// Kernels [begin, end) from ks[i] (end <= e): a run of cpu Kernels with work enough between them that
// an evaluation runs side by side (together), or Kernels it runs one by one (end = i + 1 when ks[i]
// must run alone).
struct KernelRun {
  size_t begin, end;
  bool together;
};
KernelRun next_run(const std::vector<KernelDesc>& kernels, size_t i, size_t e);
// Runs ks[b, e) side by side as a dependency graph, keeping the nodes' inputs; rethrows the error of
// the earliest Kernel in program order that failed (later ones do not start).
void run_together_keep_inputs(const std::vector<KernelDesc>& kernels, size_t b, size_t e);

// The Kernels evaluating the roots would run, without running them (for tests and users; the raw
// node pointers are valid while the roots are unevaluated and alive).
std::vector<KernelDesc> plan(const std::vector<NodePtr>& roots);

// Runs after every Kernel of every evaluation: how the distributed layer moves along the
// communication it started without blocking. At most one hook; null removes it.
void set_between_kernels(void (*hook)());

// Whether independent cpu Kernels of one evaluation overlap on the threads (on unless
// EMBER_CONCURRENT_KERNELS=0 at start); off, Kernels run one after another in program order.
void set_concurrent_kernels(bool on);
bool concurrent_kernels();

}  // namespace ember
