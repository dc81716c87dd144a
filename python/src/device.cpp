// Device placement: which device an array lives on, explicit transfers, the default device.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/backend/device.h"
#include "ember/errors.h"
#include "ember/ops/creation.h"
#ifdef EMBER_HAVE_CUDA
#include "ember/backend/cuda/status.h"
#endif

namespace ember::py {
namespace {

// `usable`: placing arrays there must work now (cuda: a GPU and driver are present; RuntimeError saying
// why not). kernel_names only names the device.
DeviceType parse_device(const std::string& name, bool usable = true) {
  if (name == "cpu") return DeviceType::CPU;
  if (name == "cuda") {
#ifdef EMBER_HAVE_CUDA
    if (usable) cuda::require_available();
    return DeviceType::CUDA;
#else
    throw ValueError("device 'cuda' is not in this build of ember (configure with the CUDA toolkit's headers)");
#endif
  }
  if (name == "pim") {
#ifdef EMBER_HAVE_PIM
    return DeviceType::PIM;
#else
    throw ValueError("device 'pim' is not in this build of ember (configure with -DEMBER_PIM=ON)");
#endif
  }
  throw ValueError("unknown device '" + name + "'; this build of ember has: 'cpu'" +
#ifdef EMBER_HAVE_PIM
                   std::string(", 'pim'") +
#endif
#ifdef EMBER_HAVE_CUDA
                   std::string(", 'cuda'") +
#endif
                   std::string());
}

}  // namespace

void bind_device(nb::module_& m) {
  m.def("device_of", [](const Array& a) { return std::string(device_name(a.storage()->version->device)); });
  m.def("to_device", [](const Array& a, const std::string& d) { return to_device(a, parse_device(d)); });
  m.def("set_default_device", [](const std::string& d) { set_default_device(parse_device(d)); });
  m.def("get_default_device", [] { return std::string(device_name(default_device())); });
  m.def("check_device", [](const std::string& d) { parse_device(d); });
  m.def("kernel_names", [](const std::string& d) { return kernel_names(parse_device(d, false)); }, nb::arg("device") = "cpu",
        "The primitives the device has kernels for, sorted.");
}

}  // namespace ember::py
