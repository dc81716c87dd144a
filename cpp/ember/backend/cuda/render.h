// Fused Kernels (graph/kernel.h) rendered to CUDA C++ for NVRTC: one `extern "C" __global__` function
// per Kernel, after a fixed prelude (render_prelude.cpp) of types and NumPy-exact device functions.
//
// The source depends on the Kernel's structure only: its instructions, dtypes, the rank of its
// simplified iteration space and how each input is read (contiguous, strided, or one value); the
// extents, strides and pointers arrive as the kernel's one argument, a block of 8-byte words that
// pack_args() builds. Equal Kernels give byte-equal sources (the cache key); the function name is
// a hash of its text.
//
// Elementwise Kernels: a grid-stride loop over the n elements (any grid, any block size).
// Reductions: the kept dimensions come first, the reduced ones last. Each output j is reduced by
// `splits` blocks of kReduceBlock threads: every thread folds a strided share of the reduced range,
// then a shared-memory tree folds the block. With splits == 1 the block writes the output; with
// splits > 1 each block writes a partial to `work[j * splits + s]`, and the last block to finish
// (an atomic counter per output, `count[j]`, zero before the launch and left zero after) folds the
// partials in order: one pass, no floating-point atomics, so results do not depend on timing.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ember/graph/kernel.h"

namespace ember::cuda {

inline constexpr int kReduceBlock = 256;  // threads per block of a reduction kernel (fixed by its source)

enum class Access : uint8_t { Contiguous, Strided, Scalar };

// The iteration space of a Kernel as its rendered source sees it.
struct Plan {
  Shape dims;      // simplified: size-1 dimensions dropped, neighbours merged where every operand allows
  int kept = 0;    // reductions: the first `kept` dims are kept, the rest reduced
  bool reduce = false;
  int64_t n = 0;     // elements of the iteration space
  int64_t nout = 1;  // reductions: outputs
  int64_t L = 1;     // reductions: elements folded into each output
  std::vector<Access> inputs;          // how each input is read
  std::vector<Strides> input_strides;  // element strides over `dims` (signed: broadcast 0, reversed < 0)
  std::vector<Strides> output_strides; // reductions: where each elementwise output is written
};

struct Rendered {
  std::string name;    // the kernel's extern "C" name ("ember_k" + 16 hex digits)
  std::string kernel;  // the kernel alone (several may follow one prelude in a program)
  std::string source;  // prelude() + kernel: a complete program
  Plan plan;
};

// The shared text every kernel needs.
const std::string& prelude();
// The prelude's C++ type names of a dtype: as stored ("em_f16", "float", "em_c64"), and as computed
// in registers (float for the 16-bit floats).
const char* storage_type_name(DType t);
const char* compute_type_name(DType t);

Plan plan(const KernelDesc& k);
// Whether an elementwise node renders as one instruction of a fused kernel (the cuda device's
// fusion rule), and whether a reduction node renders as a fused kernel's trailing reduction.
bool renders_instr(const Node& n);
bool renders_reduction(const Node& n);
// NotImplementedError if the Kernel holds an op/dtype the cuda device does not render; std::logic_error
// for a non-fused KernelDesc.
Rendered render(const KernelDesc& k);

// Device addresses of one launch, in the order of the Kernel: inputs (each including its element
// offset), elementwise outputs, and for reductions the output, the partials (nout * splits values of
// the reduction's dtype; may be null when splits == 1) and the counters (nout unsigned ints, zeroed).
struct LaunchPointers {
  std::vector<uint64_t> inputs, outputs;
  uint64_t reduction = 0, work = 0, count = 0;
  uint64_t error = 0;  // one int, zero before the launch: bit 0 = integer to a negative power
  int64_t splits = 1;
};
// The argument block of one launch (pass its address as the kernel's only parameter).
std::vector<uint64_t> pack_args(const Plan& plan, const LaunchPointers& ptrs);

// A short text naming the Kernel's ops and shape, for error messages ("add,exp->sum over (4, 5) float32").
std::string describe_kernel(const KernelDesc& k);

}  // namespace ember::cuda
