// Indexing: Python keys (ints, slices, None, Ellipsis, _core.Array) to IndexItems.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/errors.h"
#include "ember/ops/indexing.h"

namespace ember::py {
namespace {

IndexItem to_item(nb::handle h) {
  if (h.is_none()) return NewAxis{};
  if (h.ptr() == Py_Ellipsis) return EllipsisIndex{};
  if (PySlice_Check(h.ptr())) {
    auto* s = reinterpret_cast<PySliceObject*>(h.ptr());
    nb::object start = nb::borrow(s->start), stop = nb::borrow(s->stop), step = nb::borrow(s->step);
    auto idx = [](nb::handle v) -> std::optional<int64_t> {
      if (v.is_none()) return std::nullopt;
      nb::object i = nb::steal(PyNumber_Index(v.ptr()));
      if (!i.is_valid()) throw nb::python_error();
      return nb::cast<int64_t>(i);
    };
    return Slice{idx(start), idx(stop), idx(step)};
  }
  if (nb::isinstance<Array>(h)) return nb::cast<Array>(h);
  if (PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr())) {
    nb::object i = nb::steal(PyNumber_Index(h.ptr()));
    if (!i.is_valid()) throw nb::python_error();
    return nb::cast<int64_t>(i);
  }
  throw IndexError("only integers, slices (`:`), ellipsis (`...`), None and integer or boolean arrays are valid indices");
}

std::vector<IndexItem> to_key(nb::handle key) {
  std::vector<IndexItem> items;
  if (PyTuple_Check(key.ptr())) {
    for (nb::handle h : key) items.push_back(to_item(h));
  } else {
    items.push_back(to_item(key));
  }
  return items;
}

}  // namespace

void bind_indexing(nb::module_& m) {
  // .none(): a[None] and a[None] = v pass None as the whole key.
  m.def("getitem", [](const Array& a, nb::handle key) { return getitem(a, to_key(key)); }, nb::arg("a"),
        nb::arg("key").none());
  m.def("setitem", [](Array& a, nb::handle key, nb::handle value) { setitem(a, to_key(key), to_operand(value)); },
        nb::arg("a"), nb::arg("key").none(), nb::arg("value"));
  m.def("take", &take, nb::arg("a"), nb::arg("indices"), nb::arg("axis").none());
  m.def("repeat_indices", &repeat_indices);
  m.def("nonzero", &nonzero);
}

}  // namespace ember::py
