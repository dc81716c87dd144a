// Shape manipulation.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/ops/manipulation.h"

namespace ember::py {

void bind_manipulation(nb::module_& m) {
  m.def("reshape", [](const Array& a, nb::handle shape) { return reshape(a, to_shape(shape)); });
  m.def("permute_dims", &permute_dims);
  m.def("matrix_transpose", &matrix_transpose);
  m.def("broadcast_to", [](const Array& a, nb::handle shape) { return broadcast_to(a, to_shape(shape)); });
  m.def("broadcast_arrays", &broadcast_arrays);
  m.def("expand_dims", &expand_dims);
  m.def("squeeze", &squeeze);
  m.def("flip", &flip);
  m.def("moveaxis", &moveaxis);
  m.def("concat", &concat, nb::arg("arrays"), nb::arg("axis").none());
  m.def("stack", &stack);
}

}  // namespace ember::py
