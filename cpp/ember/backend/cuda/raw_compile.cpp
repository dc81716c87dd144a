#include "ember/backend/cuda/raw_compile.h"

#include <mutex>

#include "ember/backend/cuda/kernel_cache.h"
#include "ember/backend/cuda/nvrtc.h"
#include "ember/backend/cuda/status.h"

namespace ember::cuda {
namespace {

RawBinary compile_named(const std::string& source, const std::string& arch, const std::vector<std::string>& options,
                        const std::vector<std::string>& names) {
  Compiled c = nvrtc_compile(source, "ember_raw_module.cu", arch, options, names);
  RawBinary out;
  out.arch = arch;
  out.lowered = std::move(c.lowered);
  out.cubin = std::make_shared<const std::string>(std::move(c.cubin));
  return out;
}

}  // namespace

RawBinary compile_raw(const std::string& source, const std::string& arch, const std::vector<std::string>& options,
                      const std::vector<std::string>& name_expressions) {
  if (name_expressions.empty()) {
    RawBinary b;
    b.arch = arch;
    b.cubin = KernelCache::global().get(source, "ember_raw_module.cu", arch, options);
    return b;
  }
  static std::mutex mu;
  static std::map<std::string, RawBinary> memo;  // key text + names -> binary and lowered names
  std::string key = KernelCache::key_text(source, arch, options, nvrtc_version());
  for (auto& n : name_expressions) key += "\nname " + n;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = memo.find(key);
    if (it != memo.end()) return it->second;
  }
  RawBinary b = compile_named(source, arch, options, name_expressions);
  std::lock_guard<std::mutex> lock(mu);
  return memo.emplace(key, std::move(b)).first->second;
}

}  // namespace ember::cuda
