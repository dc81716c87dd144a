// ember._core.cuda: the cuda device's runtime seen from Python (availability, memory pool). Thin.
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "ember/backend/cuda/status.h"

namespace ember::py {
namespace {

nb::dict stats_dict(const cuda::PoolStats& s) {
  nb::dict d;
  d["allocated_bytes"] = s.allocated_bytes;
  d["requested_bytes"] = s.requested_bytes;
  d["cached_bytes"] = s.cached_bytes;
  d["reserved_bytes"] = s.reserved_bytes;
  d["peak_allocated_bytes"] = s.peak_allocated_bytes;
  d["peak_reserved_bytes"] = s.peak_reserved_bytes;
  d["num_allocs"] = s.num_allocs;
  d["num_frees"] = s.num_frees;
  d["cache_hits"] = s.cache_hits;
  d["device_allocs"] = s.device_allocs;
  d["device_frees"] = s.device_frees;
  d["oom_retries"] = s.oom_retries;
  return d;
}

}  // namespace

void bind_cuda(nb::module_& m) {
  cuda::register_device();  // kernels only: the driver is loaded when first asked
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const cuda::CudaMemoryError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    }
  });
  auto s = m.def_submodule("cuda", "the cuda device (driver API, NVRTC, cuBLAS via dlopen)");
  s.def("is_available", [] { return cuda::available(); });
  s.def("why_unavailable", [] { return cuda::why_unavailable(); });
  s.def("device_count", [] { return cuda::device_count(); });
  s.def("memory_stats", [](int device) { return stats_dict(cuda::memory_stats(device)); }, nb::arg("device") = -1);
  s.def("empty_cache", [] { cuda::empty_cache(); });
  s.def("synchronize", [] { cuda::synchronize_all(); });
  s.def("current_device", [] { return cuda::current_device(); });
  s.def("set_device", [](int d) { cuda::set_device(d); });
  s.def("compute_capability", [](int d) { return cuda::compute_capability(d); }, nb::arg("device") = 0);
  s.def("device_name", [](int d) { return cuda::device_name(d); }, nb::arg("device") = 0);
}

}  // namespace ember::py
