#include "ember/backend/cuda/raw_compile.h"

#include <nvrtc.h>

#include <mutex>

#include "ember/backend/cuda/dynlib.h"
#include "ember/backend/cuda/kernel_cache.h"
#include "ember/backend/cuda/nvrtc.h"
#include "ember/backend/cuda/status.h"

namespace ember::cuda {
namespace {

// The NVRTC entry points name expressions need (nvrtc.cpp holds the common ones; dlopen is
// reference-counted, so opening the library again here costs nothing).
struct NameApi {
  DynLib lib{"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"};
  decltype(&nvrtcCreateProgram) create = lib.get<decltype(&nvrtcCreateProgram)>("nvrtcCreateProgram");
  decltype(&nvrtcDestroyProgram) destroy = lib.get<decltype(&nvrtcDestroyProgram)>("nvrtcDestroyProgram");
  decltype(&nvrtcCompileProgram) compile = lib.get<decltype(&nvrtcCompileProgram)>("nvrtcCompileProgram");
  decltype(&nvrtcGetProgramLogSize) log_size = lib.get<decltype(&nvrtcGetProgramLogSize)>("nvrtcGetProgramLogSize");
  decltype(&nvrtcGetProgramLog) log = lib.get<decltype(&nvrtcGetProgramLog)>("nvrtcGetProgramLog");
  decltype(&nvrtcGetCUBINSize) cubin_size = lib.get<decltype(&nvrtcGetCUBINSize)>("nvrtcGetCUBINSize");
  decltype(&nvrtcGetCUBIN) cubin = lib.get<decltype(&nvrtcGetCUBIN)>("nvrtcGetCUBIN");
  decltype(&nvrtcAddNameExpression) add_name = lib.get<decltype(&nvrtcAddNameExpression)>("nvrtcAddNameExpression");
  decltype(&nvrtcGetLoweredName) lowered = lib.get<decltype(&nvrtcGetLoweredName)>("nvrtcGetLoweredName");
  decltype(&nvrtcGetErrorString) error_string = lib.get<decltype(&nvrtcGetErrorString)>("nvrtcGetErrorString");
  bool complete() const {
    return lib.ok() && create && destroy && compile && log_size && log && cubin_size && cubin && add_name &&
           lowered && error_string;
  }
};

const NameApi& name_api() {
  static const NameApi a;
  if (!a.complete()) throw std::runtime_error("NVRTC is not available: " + nvrtc_error());
  return a;
}

void check(const NameApi& a, nvrtcResult r, const char* call) {
  if (r != NVRTC_SUCCESS) throw std::runtime_error(std::string(call) + " failed: " + a.error_string(r));
}

RawBinary compile_named(const std::string& source, const std::string& arch, const std::vector<std::string>& options,
                        const std::vector<std::string>& names) {
  const NameApi& a = name_api();
  nvrtcProgram prog = nullptr;
  check(a, a.create(&prog, source.c_str(), "ember_raw_module.cu", 0, nullptr, nullptr), "nvrtcCreateProgram");
  struct Guard {
    const NameApi& a;
    nvrtcProgram& p;
    ~Guard() { a.destroy(&p); }
  } guard{a, prog};
  for (auto& n : names) check(a, a.add_name(prog, n.c_str()), "nvrtcAddNameExpression");
  std::vector<std::string> opts{"--gpu-architecture=" + arch};
  opts.insert(opts.end(), options.begin(), options.end());
  std::vector<const char*> argv;
  for (auto& o : opts) argv.push_back(o.c_str());
  nvrtcResult r = a.compile(prog, static_cast<int>(argv.size()), argv.data());
  std::string log;
  size_t log_size = 0;
  if (a.log_size(prog, &log_size) == NVRTC_SUCCESS && log_size > 1) {
    log.resize(log_size);
    if (a.log(prog, log.data()) != NVRTC_SUCCESS) log.clear();
    while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  }
  if (r == NVRTC_ERROR_COMPILATION)
    throw CompileError("NVRTC could not compile ember_raw_module.cu for " + arch + ":\n" + log, log);
  if (r != NVRTC_SUCCESS)
    throw std::runtime_error(std::string("nvrtcCompileProgram failed: ") + a.error_string(r) + "\n" + log);
  RawBinary out;
  out.arch = arch;
  for (auto& n : names) {
    const char* low = nullptr;
    check(a, a.lowered(prog, n.c_str(), &low), "nvrtcGetLoweredName");
    out.lowered[n] = low;
  }
  size_t size = 0;
  check(a, a.cubin_size(prog, &size), "nvrtcGetCUBINSize");
  std::string bin(size, '\0');
  check(a, a.cubin(prog, bin.data()), "nvrtcGetCUBIN");
  out.cubin = std::make_shared<const std::string>(std::move(bin));
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
