#include "ember/backend/cuda/nvrtc.h"

#include <nvrtc.h>

#include "ember/backend/cuda/dynlib.h"

namespace ember::cuda {
namespace {

// The entry points used, resolved once.
struct Api {
  DynLib lib{"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"};
  decltype(&nvrtcVersion) version = lib.get<decltype(&nvrtcVersion)>("nvrtcVersion");
  decltype(&nvrtcGetErrorString) error_string = lib.get<decltype(&nvrtcGetErrorString)>("nvrtcGetErrorString");
  decltype(&nvrtcGetNumSupportedArchs) num_archs = lib.get<decltype(&nvrtcGetNumSupportedArchs)>("nvrtcGetNumSupportedArchs");
  decltype(&nvrtcGetSupportedArchs) archs = lib.get<decltype(&nvrtcGetSupportedArchs)>("nvrtcGetSupportedArchs");
  decltype(&nvrtcCreateProgram) create = lib.get<decltype(&nvrtcCreateProgram)>("nvrtcCreateProgram");
  decltype(&nvrtcDestroyProgram) destroy = lib.get<decltype(&nvrtcDestroyProgram)>("nvrtcDestroyProgram");
  decltype(&nvrtcCompileProgram) compile = lib.get<decltype(&nvrtcCompileProgram)>("nvrtcCompileProgram");
  decltype(&nvrtcGetProgramLogSize) log_size = lib.get<decltype(&nvrtcGetProgramLogSize)>("nvrtcGetProgramLogSize");
  decltype(&nvrtcGetProgramLog) log = lib.get<decltype(&nvrtcGetProgramLog)>("nvrtcGetProgramLog");
  decltype(&nvrtcGetCUBINSize) cubin_size = lib.get<decltype(&nvrtcGetCUBINSize)>("nvrtcGetCUBINSize");
  decltype(&nvrtcGetCUBIN) cubin = lib.get<decltype(&nvrtcGetCUBIN)>("nvrtcGetCUBIN");
  decltype(&nvrtcAddNameExpression) add_name = lib.get<decltype(&nvrtcAddNameExpression)>("nvrtcAddNameExpression");
  decltype(&nvrtcGetLoweredName) lowered = lib.get<decltype(&nvrtcGetLoweredName)>("nvrtcGetLoweredName");

  bool complete() const {
    return lib.ok() && version && error_string && num_archs && archs && create && destroy && compile && log_size &&
           log && cubin_size && cubin && add_name && lowered;
  }
};

const Api& api() {
  static const Api a;
  return a;
}

const Api& require() {
  const Api& a = api();
  if (!a.lib.ok()) throw std::runtime_error("NVRTC is not available: " + a.lib.error());
  if (!a.complete()) throw std::runtime_error("NVRTC (" + a.lib.name() + ") lacks an entry point ember needs");
  return a;
}

void check(const Api& a, nvrtcResult r, const char* call) {
  if (r != NVRTC_SUCCESS) throw std::runtime_error(std::string(call) + " failed: " + a.error_string(r));
}

// Destroys the program however compile() is left.
struct Program {
  const Api& a;
  nvrtcProgram p = nullptr;
  ~Program() {
    if (p) a.destroy(&p);
  }
};

}  // namespace

bool nvrtc_available() { return api().complete(); }

std::string nvrtc_error() {
  const Api& a = api();
  if (!a.lib.ok()) return a.lib.error();
  return a.complete() ? "" : a.lib.name() + " lacks an entry point ember needs";
}

int nvrtc_version() {
  const Api& a = require();
  int major = 0, minor = 0;
  check(a, a.version(&major, &minor), "nvrtcVersion");
  return major * 1000 + minor * 10;
}

std::vector<std::string> nvrtc_archs() {
  const Api& a = require();
  int n = 0;
  check(a, a.num_archs(&n), "nvrtcGetNumSupportedArchs");
  std::vector<int> v(static_cast<size_t>(n));
  check(a, a.archs(v.data()), "nvrtcGetSupportedArchs");
  std::vector<std::string> out;
  for (int x : v) out.push_back("sm_" + std::to_string(x));
  return out;
}

Compiled nvrtc_compile(const std::string& source, const std::string& name, const std::string& arch,
                       const std::vector<std::string>& options, const std::vector<std::string>& name_expressions) {
  const Api& a = require();
  Program prog{a};
  check(a, a.create(&prog.p, source.c_str(), name.c_str(), 0, nullptr, nullptr), "nvrtcCreateProgram");
  for (auto& e : name_expressions) check(a, a.add_name(prog.p, e.c_str()), "nvrtcAddNameExpression");
  // A real architecture ("sm_90", not "compute_90"), so NVRTC emits a CUBIN the driver loads as is.
  std::vector<std::string> opts{"--gpu-architecture=" + arch};
  opts.insert(opts.end(), options.begin(), options.end());
  std::vector<const char*> argv;
  for (auto& o : opts) argv.push_back(o.c_str());
  nvrtcResult r = a.compile(prog.p, static_cast<int>(argv.size()), argv.data());
  Compiled out;
  size_t log_size = 0;
  if (a.log_size(prog.p, &log_size) == NVRTC_SUCCESS && log_size > 1) {
    out.log.resize(log_size);
    if (a.log(prog.p, out.log.data()) != NVRTC_SUCCESS) out.log.clear();
    while (!out.log.empty() && (out.log.back() == '\0' || out.log.back() == '\n')) out.log.pop_back();
  }
  if (r == NVRTC_ERROR_COMPILATION)
    throw CompileError("NVRTC could not compile " + name + " for " + arch + ":\n" + out.log, out.log);
  if (r != NVRTC_SUCCESS)
    throw std::runtime_error("nvrtcCompileProgram(" + name + ", " + arch + ") failed: " + a.error_string(r) +
                             (out.log.empty() ? "" : "\n" + out.log));
  for (auto& e : name_expressions) {
    const char* symbol = nullptr;
    check(a, a.lowered(prog.p, e.c_str(), &symbol), "nvrtcGetLoweredName");
    out.lowered[e] = symbol;
  }
  size_t size = 0;
  check(a, a.cubin_size(prog.p, &size), "nvrtcGetCUBINSize");
  out.cubin.resize(size);
  check(a, a.cubin(prog.p, out.cubin.data()), "nvrtcGetCUBIN");
  return out;
}

}  // namespace ember::cuda
