// Compiling user CUDA C++ (RawModule, RawKernel, ElementwiseKernel, ReductionKernel) to CUBINs.
// Without name expressions this is KernelCache::global() (memory + disk, keyed by source, options,
// architecture and NVRTC's version). With name expressions ("add<float>") NVRTC also reports each
// expression's lowered (mangled) name; such modules are cached in memory only, since the disk cache
// stores binaries alone.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ember/backend/cuda/status.h"  // device_arch

namespace ember::cuda {

struct RawBinary {
  std::shared_ptr<const std::string> cubin;
  std::map<std::string, std::string> lowered;  // name expression -> symbol
  std::string arch;
};

// Compiles (or finds in the cache) `source` for `arch`. CompileError carries NVRTC's log;
// std::runtime_error when NVRTC is missing.
RawBinary compile_raw(const std::string& source, const std::string& arch, const std::vector<std::string>& options,
                      const std::vector<std::string>& name_expressions = {});

}  // namespace ember::cuda
