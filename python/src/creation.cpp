// Creation functions and casting.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "ember/ops/creation.h"

namespace ember::py {

void bind_creation(nb::module_& m) {
  m.def("full", [](nb::handle shape, nb::handle value, const std::string& dtype) {
    return full(to_shape(shape), to_scalar(value), dtype_from_name(dtype));
  });
  m.def("zeros", [](nb::handle shape, const std::string& dtype) { return zeros(to_shape(shape), dtype_from_name(dtype)); });
  m.def("ones", [](nb::handle shape, const std::string& dtype) { return ones(to_shape(shape), dtype_from_name(dtype)); });
  m.def("empty", [](nb::handle shape, const std::string& dtype) { return empty(to_shape(shape), dtype_from_name(dtype)); });
  m.def("arange", [](nb::handle start, nb::handle stop, nb::handle step, const std::string& dtype) {
    return arange(to_scalar(start), to_scalar(stop), to_scalar(step), dtype_from_name(dtype));
  });
  m.def("linspace", [](double start, double stop, int64_t num, bool endpoint, const std::string& dtype) {
    return linspace(start, stop, num, endpoint, dtype_from_name(dtype));
  });
  m.def("eye", [](int64_t n, int64_t m_, int64_t k, const std::string& dtype) { return eye(n, m_, k, dtype_from_name(dtype)); });
  m.def("astype", [](const Array& a, const std::string& dtype, bool copy_) { return astype(a, dtype_from_name(dtype), copy_); });
  m.def("copy", [](const Array& a) { return copy(a); });
}

}  // namespace ember::py
