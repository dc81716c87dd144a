// NVRTC, the CUDA runtime compiler, opened with dlopen at first use (libnvrtc.so.13, .so.12, .so).
// It needs no GPU: CI compiles every rendered Kernel with it to catch code-generation errors.
#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace ember::cuda {

// A compile that failed: what() names the program and carries NVRTC's log; log() is the log alone.
class CompileError : public std::runtime_error {
 public:
  CompileError(const std::string& what, std::string log) : std::runtime_error(what), log_(std::move(log)) {}
  const std::string& log() const { return log_; }

 private:
  std::string log_;
};

struct Compiled {
  std::string cubin;  // the binary for `arch` (bytes)
  std::string log;    // NVRTC's log (warnings), possibly empty
  std::map<std::string, std::string> lowered;  // each name expression ("add<float>") -> its symbol
};

// Whether NVRTC loads here; if not, why (every library name tried).
bool nvrtc_available();
std::string nvrtc_error();
// NVRTC's version as major * 1000 + minor * 10 (12080 for 12.8, 13000 for 13.0); throws if it is absent.
int nvrtc_version();
// The real architectures this NVRTC compiles for ("sm_75", ..., "sm_120").
std::vector<std::string> nvrtc_archs();

// Compiles CUDA C++ `source` (program name `name`, for the log) for the real architecture `arch`
// ("sm_90") with `options` ("-std=c++17", ...) to a CUBIN. Throws CompileError with the log on a
// compile error, std::runtime_error when NVRTC is missing or rejects the call. `name_expressions`
// (templates, overloads) come back lowered to the symbols the CUBIN has.
Compiled nvrtc_compile(const std::string& source, const std::string& name, const std::string& arch,
                       const std::vector<std::string>& options = {},
                       const std::vector<std::string>& name_expressions = {});

}  // namespace ember::cuda
