// The NVRTC check CI runs without a GPU (issue 7): with EMBER_NVRTC_CHECK=1 every fused Kernel the
// cpu runs is also rendered as the cuda device renders it, and each distinct source is compiled
// with NVRTC for EMBER_NVRTC_CHECK_ARCH (default sm_90). A Kernel the renderer cannot express
// raises at once, where it runs; compiles happen on a background thread, batched (many kernels
// behind one prelude per NVRTC program), and a compile error is raised by the next fused Kernel
// that runs, or by compile_check_flush(), naming the kernel (its ops and shape) with NVRTC's log.
#pragma once
#include <cstdint>
#include <string>

namespace ember::cuda {

struct CheckStats {
  int64_t seen = 0;      // fused Kernels observed
  int64_t unique = 0;    // distinct sources among them
  int64_t compiled = 0;  // distinct sources NVRTC compiled without error
  int64_t failed = 0;    // distinct sources that did not compile
  int64_t programs = 0;  // NVRTC programs (batches) compiled
  double compile_seconds = 0;  // time inside NVRTC
};

// Turns the check on (installing the core's fused-Kernel observer) or off. Throws if NVRTC is missing.
void enable_compile_check(bool on, const std::string& arch = "sm_90");
// Turns it on when EMBER_NVRTC_CHECK=1 (called when ember is imported).
void enable_compile_check_from_env();
bool compile_check_enabled();
// Waits until every source seen so far is compiled; throws CompileError naming the Kernels that
// failed (and not reported yet).
void compile_check_flush();
CheckStats compile_check_stats();

}  // namespace ember::cuda
