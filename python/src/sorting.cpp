// Sorting, searching and set functions.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "ember/errors.h"
#include "ember/ops/sorting.h"

namespace ember::py {

void bind_sorting(nb::module_& m) {
  auto none = nb::none();
  m.def("sort", &sort, nb::arg("a"), nb::arg("axis") = none, nb::arg("descending") = false);
  m.def("argsort", &argsort, nb::arg("a"), nb::arg("axis") = none, nb::arg("descending") = false);
  m.def(
      "searchsorted",
      [](const Array& x, nb::handle v, const std::string& side, std::optional<Array> sorter) {
        if (side != "left" && side != "right")
          throw ValueError("side must be 'left' or 'right', got '" + side + "'");
        return searchsorted(x, to_operand(v), side == "right", sorter);
      },
      nb::arg("x"), nb::arg("v"), nb::arg("side") = "left", nb::arg("sorter") = none);
  m.def("unique_all", [](const Array& a, bool equal_nan) {
    UniqueResult r = unique_all(a, equal_nan);
    return nb::make_tuple(r.values, r.indices, r.inverse, r.counts);
  });
}

}  // namespace ember::py
