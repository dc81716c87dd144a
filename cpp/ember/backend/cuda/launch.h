// Compile-load-launch: the one path from CUDA C++ text to a kernel running on a device's stream.
// Sources are compiled by NVRTC for the device's real architecture through the kernel cache
// (memory, then disk); each binary is loaded once per device (cuModuleLoadData) and its CUfunction
// kept for the life of the process. Used by the fused runner and by every rendered op kernel.
#pragma once
#include "ember/backend/cuda/status.h"
#include <cuda.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ember {
struct Buffer;
}

namespace ember::cuda {

struct Context;

// The options every ember kernel is compiled with.
const std::vector<std::string>& kernel_options();
// Streaming multiprocessors of `device` (cached after the first query).
int sm_count(int device);

// The function `name` of `source` on device `device`: compiled (cached), loaded once per device.
// CompileError carries NVRTC's log; CudaError when the driver fails.
CUfunction load_function(int device, const std::string& source, const std::string& name,
                         const std::vector<std::string>& options = kernel_options());
// The function `symbol` of the binary `cubin` on `device` (each binary loaded once per device and
// kept with it). ValueError naming the symbol when the module lacks it.
CUfunction function_in(int device, const std::shared_ptr<const std::string>& cubin, const std::string& symbol);

struct LaunchDims {
  unsigned grid = 1, block = 1, shared = 0;
};
// A grid-stride loop over n elements: blocks of `block` threads, at most a few waves of blocks.
LaunchDims elementwise_dims(int device, int64_t n, unsigned block = 256);

// Launches f on the context's stream. `params` as cuLaunchKernel takes them (one pointer per kernel
// parameter).
void launch(const Context& c, CUfunction f, LaunchDims d, void** params);
// Launches a kernel whose only parameter is a struct of 8-byte words (render.h's pack_args layout).
void launch_words(const Context& c, CUfunction f, LaunchDims d, const std::vector<uint64_t>& words);

// A zeroed device int for a kernel's error word, and the read-back after the launch (waits for the
// stream). Kernels that can fail (integer ** negative) write bit 0.
struct ErrorWord {
  explicit ErrorWord(const Context& c);
  CUdeviceptr ptr() const;
  int read();  // synchronizes the stream

 private:
  const Context& c_;
  std::shared_ptr<Buffer> buf_;
};

// ValueError, as NumPy, when bit 0 (integer to a negative power) is set.
void raise_error_word(int bits);

}  // namespace ember::cuda
