// Reductions and scans: axis (None, an int or a sequence), dtype names, initial= and where= masks.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/ops/reduction.h"

namespace ember::py {
namespace {

Axes to_axes(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  if (PyIndex_Check(h.ptr())) return std::vector<int64_t>{nb::cast<int64_t>(h)};
  std::vector<int64_t> axes;
  for (nb::handle a : h) axes.push_back(nb::cast<int64_t>(a));
  return axes;
}

std::optional<DType> to_dtype(const std::optional<std::string>& name) {
  if (!name) return std::nullopt;
  return dtype_from_name(*name);
}

std::optional<Scalar> to_initial(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_scalar(h);
}

}  // namespace

void bind_reduction(nb::module_& m) {
  auto none = nb::none();
  m.def(
      "reduce",
      [](const std::string& op, const Array& a, nb::handle axis, bool keepdims, std::optional<std::string> dtype,
         nb::handle initial, std::optional<Array> where) {
        return reduce(op, a, to_axes(axis), keepdims, to_dtype(dtype), to_initial(initial), where);
      },
      nb::arg("op"), nb::arg("a"), nb::arg("axis") = none, nb::arg("keepdims") = false, nb::arg("dtype") = none,
      nb::arg("initial") = none, nb::arg("where") = none);
  m.def("argreduce", &argreduce, nb::arg("op"), nb::arg("a"), nb::arg("axis") = none, nb::arg("keepdims") = false);
  m.def(
      "mean",
      [](const Array& a, nb::handle axis, bool keepdims, std::optional<std::string> dtype, std::optional<Array> where) {
        return mean(a, to_axes(axis), keepdims, to_dtype(dtype), where);
      },
      nb::arg("a"), nb::arg("axis") = none, nb::arg("keepdims") = false, nb::arg("dtype") = none,
      nb::arg("where") = none);
  auto moment = [](bool sqrt) {
    return [sqrt](const Array& a, nb::handle axis, double correction, bool keepdims, std::optional<std::string> dtype,
                  std::optional<Array> where) {
      return sqrt ? std_(a, to_axes(axis), correction, keepdims, to_dtype(dtype), where)
                  : var(a, to_axes(axis), correction, keepdims, to_dtype(dtype), where);
    };
  };
  for (auto [name, is_std] : {std::pair{"var", false}, std::pair{"std", true}})
    m.def(name, moment(is_std), nb::arg("a"), nb::arg("axis") = none, nb::arg("correction") = 0.0,
          nb::arg("keepdims") = false, nb::arg("dtype") = none, nb::arg("where") = none);
  m.def(
      "cumulative",
      [](const std::string& op, const Array& a, std::optional<int64_t> axis, std::optional<std::string> dtype,
         bool include_initial) { return cumulative(op, a, axis, to_dtype(dtype), include_initial); },
      nb::arg("op"), nb::arg("a"), nb::arg("axis") = none, nb::arg("dtype") = none,
      nb::arg("include_initial") = false);
}

}  // namespace ember::py
