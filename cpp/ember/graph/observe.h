// What a running Kernel reports to whoever watches (DESIGN.md decision 9): per-op counters for the
// profiler, events for the trace, and the EMBER_DEBUG listings of Kernels as they are compiled.
//
// Profile rule, per Kernel run. A single-node Kernel charges its node: one call, its wall time, the
// bytes of its inputs read and of its result written (views: none), and its flops. A fused Kernel
// gives each instruction (and the trailing reduction) one call and an equal share of the Kernel's
// wall time; each Kernel input's bytes go to the first instruction reading it; each materialized
// result's bytes to the instruction computing it. Flops: one per element for each arithmetic
// elementwise instruction (not copy/astype/where/creation), one per element reduced for a
// reduction, 2*m*n*k for matmul, 0 for everything else.
#pragma once
#include <vector>

#include "ember/graph/kernel.h"
#include "ember/runtime/profiler.h"
#include "ember/runtime/trace.h"

namespace ember {

// EMBER_DEBUG: 0 quiet, 1 prints each Kernel list as it is compiled (stderr), 2 also the graph.
// Read from the environment at load; set_debug_level overrides it.
int debug_level();
void set_debug_level(int level);
// Prints what EMBER_DEBUG asks for about `kernels`, compiled to evaluate `roots`.
void debug_compiled(const std::vector<NodePtr>& roots, const std::vector<KernelDesc>& kernels);

// Watches one Kernel run: construct before, call done() when it succeeded. When neither the
// profiler nor the trace is on it costs one relaxed load.
class KernelWatch {
 public:
  KernelWatch(const KernelDesc& k, bool async) : k_(k), on_(runtime::observing()) {
    if (on_) start(async);
  }
  void done() {
    if (on_) finish();
  }
  ~KernelWatch() {
    if (on_) runtime::set_current_kernel(nullptr);
  }
  KernelWatch(const KernelWatch&) = delete;
  KernelWatch& operator=(const KernelWatch&) = delete;

 private:
  void start(bool async);
  void finish();

  const KernelDesc& k_;
  bool on_;
  int64_t t0_ = 0;
  runtime::KernelLabel label_;
};

// The profile counters a fused or single Kernel charges to each node it computes (in the order of
// KernelRecord::nodes), its wall time `ns` split as the rule above says.
std::vector<runtime::OpCounters> kernel_counters(const KernelDesc& k, int64_t ns);

}  // namespace ember
