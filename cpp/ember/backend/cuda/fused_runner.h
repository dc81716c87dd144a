// The cuda device's fused runner: a fused KernelDesc (elementwise SSA program, optionally ending in
// a reduction) rendered (render.h), compiled and loaded (launch.h), and launched on the stream of
// the GPU its operands live on. Single elementwise nodes run this way too (one-instruction Kernels).
#pragma once
#include "ember/graph/kernel.h"

namespace ember::cuda {

// The fusion rules: which cuda nodes may join a fused Kernel / end one as its reduction.
bool can_fuse(const Node& n);
bool can_fuse_reduction(const Node& n);

// Runs a fused Kernel: allocates every output from the pool and launches one kernel. Checks the
// error word (integer ** negative -> ValueError) when an instruction can set it.
void run_fused(const KernelDesc& k);

// How many blocks share one output of a reduction (render.h): one per output when there are
// enough outputs to fill the GPU, else the rows are split so about 8 blocks per SM run.
int64_t reduction_splits(int64_t nout, int64_t L, int sms);

}  // namespace ember::cuda
