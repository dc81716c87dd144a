// ember._core.cuda, its NVRTC side: compiling CUDA C++ at run time and the NVRTC check of fused
// Kernels (EMBER_NVRTC_CHECK=1). Thin.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/backend/cuda/compile_check.h"
#include "ember/backend/cuda/nvrtc.h"

namespace ember::py {

void bind_cuda_raw(nb::module_& m);  // cuda_raw.cpp: user kernels and interop

void bind_cuda_nvrtc(nb::module_& m) {
  auto cuda = nb::borrow<nb::module_>(m.attr("cuda"));
  using namespace nb::literals;
  cuda.def("nvrtc_available", &cuda::nvrtc_available, "whether NVRTC loads on this machine");
  cuda.def("nvrtc_version", &cuda::nvrtc_version, "NVRTC's version, major * 1000 + minor * 10");
  cuda.def(
      "compile",
      [](const std::string& source, const std::string& arch, const std::vector<std::string>& options,
         const std::string& name) {
        cuda::Compiled c;
        {
          nb::gil_scoped_release release;
          c = cuda::nvrtc_compile(source, name, arch, options);
        }
        return nb::bytes(c.cubin.data(), c.cubin.size());
      },
      "source"_a, "arch"_a = "sm_90", "options"_a = std::vector<std::string>{"-std=c++17"}, "name"_a = "ember_raw.cu",
      "CUDA C++ to a CUBIN for `arch`; RuntimeError with NVRTC's log on a compile error");
  cuda.def("nvrtc_check", &cuda::enable_compile_check, "on"_a, "arch"_a = "sm_90",
           "render and NVRTC-compile every fused Kernel the cpu runs (what EMBER_NVRTC_CHECK=1 turns on)");
  cuda.def("nvrtc_check_enabled", &cuda::compile_check_enabled);
  cuda.def(
      "nvrtc_check_flush",
      [] {
        nb::gil_scoped_release release;
        cuda::compile_check_flush();
      },
      "wait for the pending NVRTC check compiles; RuntimeError naming the kernels that failed");
  cuda.def("nvrtc_check_count", [] { return cuda::compile_check_stats().compiled; },
           "distinct fused-kernel sources compiled by the NVRTC check so far");
  cuda.def("nvrtc_check_stats", [] {
    cuda::CheckStats s = cuda::compile_check_stats();
    nb::dict d;
    d["seen"] = s.seen;
    d["unique"] = s.unique;
    d["compiled"] = s.compiled;
    d["failed"] = s.failed;
    d["programs"] = s.programs;
    d["compile_seconds"] = s.compile_seconds;
    return d;
  });
  cuda::enable_compile_check_from_env();
  bind_cuda_raw(m);
}

}  // namespace ember::py
