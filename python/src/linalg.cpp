// Matrix products and the linalg extension.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/ops/linalg.h"

namespace ember::py {

void bind_linalg(nb::module_& m) {
  m.def("matmul", [](nb::handle a, nb::handle b, bool conj_a) { return matmul(to_operand(a), to_operand(b), conj_a); },
        nb::arg("a"), nb::arg("b"), nb::arg("conj_a") = false);
  m.def("tensordot", [](nb::handle a, nb::handle b, std::vector<int64_t> axes_a, std::vector<int64_t> axes_b) {
    return tensordot(to_operand(a), to_operand(b), axes_a, axes_b);
  });
  m.def("vecdot", [](nb::handle a, nb::handle b, int64_t axis) { return vecdot(to_operand(a), to_operand(b), axis); });
  m.def("conj_values", &conj_values);
  m.def("diagonal", &diagonal);
  m.def("cholesky", &cholesky);
  m.def("det", &det);
  m.def("slogdet", &slogdet);
  m.def("eigh", &eigh);
  m.def("eigvalsh", &eigvalsh);
  m.def("inv", &inv);
  m.def("solve", [](const Array& a, nb::handle b) { return solve(a, to_operand(b)); });
  m.def("qr", &qr);
  m.def("svd", &svd);
  m.def("svdvals", &svdvals);
  m.def("vector_norm", &vector_norm);
}

}  // namespace ember::py
