// The Array handle, its conversion from and to raw bytes (the Python package wraps NumPy around
// them), and operand conversion.
#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/errors.h"
#include "ember/graph/eval.h"
#include "ember/ops/creation.h"

namespace ember::py {

Scalar to_scalar(nb::handle h) {
  if (PyBool_Check(h.ptr())) return Scalar(h.ptr() == Py_True);
  if (PyLong_Check(h.ptr())) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(h.ptr(), &overflow);
    if (!overflow) return Scalar(static_cast<int64_t>(v));
    if (overflow > 0) {
      unsigned long long u = PyLong_AsUnsignedLongLong(h.ptr());
      if (!PyErr_Occurred()) return Scalar(static_cast<uint64_t>(u));
      PyErr_Clear();
    }
    throw OverflowError("Python integer " + nb::cast<std::string>(nb::str(h)) + " is out of the range ember supports");
  }
  if (PyFloat_Check(h.ptr())) return Scalar(PyFloat_AsDouble(h.ptr()));
  if (PyComplex_Check(h.ptr()))
    return Scalar(std::complex<double>(PyComplex_RealAsDouble(h.ptr()), PyComplex_ImagAsDouble(h.ptr())));
  throw TypeError("expected a Python scalar or an ember array, got " +
                  nb::cast<std::string>(nb::str(h.type().attr("__name__"))));
}

Array to_operand(nb::handle h) {
  if (nb::isinstance<Array>(h)) return nb::cast<Array>(h);
  return Array::from_python_scalar(to_scalar(h));
}

Shape to_shape(nb::handle h) {
  if (PyLong_Check(h.ptr()) || PyIndex_Check(h.ptr())) return {nb::cast<int64_t>(h)};
  Shape s;
  for (nb::handle d : h) s.push_back(nb::cast<int64_t>(d));
  return s;
}

void bind_array(nb::module_& m) {
  nb::class_<Array>(m, "Array", "A lazy array handle (ember.Array wraps it)")
      .def_prop_ro("shape", [](const Array& a) {
        nb::list l;
        for (int64_t d : a.shape()) l.append(d);
        return nb::tuple(l);
      })
      .def_prop_ro("dtype", [](const Array& a) { return std::string(dtype_name(a.dtype())); })
      .def_prop_ro("ndim", &Array::ndim)
      .def_prop_ro("size", &Array::size)
      .def_prop_ro("weak", &Array::weak)
      .def_prop_ro("writeable", &Array::writeable)
      .def("is_evaluated", &Array::is_evaluated)
      .def("storage_id", [](const Array& a) { return reinterpret_cast<uintptr_t>(a.storage().get()); })
      // Evaluates and returns (bytes, byte offset, byte strides) for NumPy to view. The bytes are a
      // read-only uint8 array over the whole buffer that keeps it alive.
      .def("_raw", [](const Array& a) {
        NodePtr node = a.node();
        {
          nb::gil_scoped_release release;
          eval({node});
        }
        const Data& d = node->data;
        int item = itemsize(a.dtype());
        auto* keep = new std::shared_ptr<Buffer>(d.buffer);
        nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<std::shared_ptr<Buffer>*>(p); });
        size_t n = d.buffer->nbytes;
        nb::ndarray<nb::numpy, const uint8_t, nb::ndim<1>> bytes(d.buffer->data(), {n}, owner);
        nb::list strides;
        for (int64_t s : d.strides) strides.append(s * item);
        return nb::make_tuple(bytes, d.offset * item, nb::tuple(strides));
      });

  m.def("scalar", [](nb::handle h) { return Array::from_python_scalar(to_scalar(h)); },
        "A Python scalar as a weak 0-d array (its dtype yields to arrays, NEP 50)");
  // A contiguous uint8 view of a NumPy array's bytes, reinterpreted as `dtype` of `shape`. Zero-copy:
  // the NumPy array is kept alive by the buffer.
  m.def("from_bytes", [](nb::ndarray<const uint8_t, nb::ndim<1>, nb::c_contig, nb::device::cpu> bytes, nb::handle shape,
                         const std::string& dtype, nb::object owner, bool readonly) {
    Shape s = to_shape(shape);
    DType dt = dtype_from_name(dtype);
    if (static_cast<size_t>(shape_size(s) * itemsize(dt)) != bytes.size())
      throw ValueError("from_bytes: byte count does not match the shape and dtype");
    PyObject* o = owner.release().ptr();
    std::shared_ptr<void> keep(nullptr, [o](void*) {
      if (!Py_IsInitialized()) return;
      nb::gil_scoped_acquire gil;
      Py_DECREF(o);
    });
    return from_buffer(wrap_buffer(const_cast<uint8_t*>(bytes.data()), bytes.size(), std::move(keep), readonly), dt,
                       std::move(s));
  });
  m.def("eval", [](std::vector<Array> arrays) {
    std::vector<NodePtr> nodes;
    for (auto& a : arrays) nodes.push_back(a.node());
    nb::gil_scoped_release release;
    eval(nodes);
  });
}

}  // namespace ember::py
