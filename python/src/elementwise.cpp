// Every elementwise op of the C++ table, under its own name, plus where and result_type; and the
// arithmetic operators of ember.Array bound straight to them.
#include <cstring>
#include <new>

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/errors.h"
#include "ember/ops/elementwise.h"

namespace ember::py {
namespace {

// ---- ember.Array's operators as direct calls ----
// `a + 1.0` is the hot path of small programs: going through a Python method, _operand() and a
// module attribute costs more than building the node. The operators are C++ methods of the Python
// class instead; anything but an ember.Array or a plain Python scalar takes the Python method they
// replace (which converts NumPy arrays and lists, or returns NotImplemented).

PyTypeObject* g_array_type = nullptr;  // ember.Array, the Python class
PyObject* g_handle_slot = nullptr;     // its `_h` slot (a member descriptor), holding the _core.Array

// The _core.Array inside an ember.Array (a new reference), or null with the Python error set.
PyObject* handle_of(PyObject* wrapper) {
  return Py_TYPE(g_handle_slot)->tp_descr_get(g_handle_slot, wrapper, reinterpret_cast<PyObject*>(g_array_type));
}

// A new ember.Array around `a`, as ember._array._wrap does. The wrapper is left out of Python's cycle
// collector: it holds only its handle, so it can be in no cycle, and a loop of small ops then does
// not trigger a collection every few hundred ops.
nb::object wrap(Array&& a) {
  static nb::handle core_type = nb::type<Array>();
  nb::object h = nb::inst_alloc(core_type);
  new (nb::inst_ptr<Array>(h)) Array(std::move(a));
  nb::inst_mark_ready(h);
  nb::object obj = nb::steal(g_array_type->tp_alloc(g_array_type, 0));
  if (!obj.is_valid() || Py_TYPE(g_handle_slot)->tp_descr_set(g_handle_slot, obj.ptr(), h.ptr()) != 0)
    throw nb::python_error();
  if (PyObject_IS_GC(obj.ptr())) PyObject_GC_UnTrack(obj.ptr());
  return obj;
}

// Python scalars as weak 0-d operands, remembered by value: a loop's constants (x * 1.0001 + 0.001)
// then cost no allocation. Safe because an operator's result never is its operand (it reads it as
// a graph input), so a remembered operand is never exposed to Python, and never written.
struct ScalarSlot {
  size_t index = SIZE_MAX;  // the Scalar's variant index, SIZE_MAX when empty
  unsigned char bytes[16] = {};
  Array array;
};

const Array& scalar_operand(nb::handle h) {
  static auto* slots = new ScalarSlot[64];  // never freed: nodes must not die after the runtime at exit
  Scalar s = to_scalar(h);
  unsigned char bytes[16] = {};
  std::visit([&](auto v) { std::memcpy(bytes, &v, sizeof v); }, s.value);
  uint64_t lo, hi;
  std::memcpy(&lo, bytes, 8);
  std::memcpy(&hi, bytes + 8, 8);
  uint64_t hash = (lo ^ (hi * 0x9E3779B97F4A7C15ull) ^ s.value.index()) * 0xff51afd7ed558ccdull;
  ScalarSlot& slot = slots[hash >> 58];
  if (slot.index != s.value.index() || std::memcmp(slot.bytes, bytes, 16) != 0) {
    slot.array = Array::from_python_scalar(s);
    slot.index = s.value.index();
    std::memcpy(slot.bytes, bytes, 16);
  }
  return slot.array;
}

bool is_python_scalar(PyObject* x) {
  return PyFloat_CheckExact(x) || PyLong_CheckExact(x) || PyBool_Check(x) || PyComplex_CheckExact(x);
}

// The operand `x` without Python's help, or null: `keep` holds what it points into.
const Array* fast_operand(PyObject* x, nb::object& keep) {
  if (PyObject_TypeCheck(x, g_array_type)) {
    keep = nb::steal(handle_of(x));
    if (!keep.is_valid()) throw nb::python_error();
    static PyTypeObject* core_type = reinterpret_cast<PyTypeObject*>(nb::type<Array>().ptr());
    return Py_TYPE(keep.ptr()) == core_type ? nb::inst_ptr<Array>(keep) : nullptr;
  }
  if (is_python_scalar(x)) return &scalar_operand(x);
  return nullptr;
}

void bind_operator(nb::handle cls, const std::string& dunder, const std::string& op_name, bool reflected,
                   nb::object fallback) {
  const ElementwiseOp* op = nullptr;
  for (const ElementwiseOp& e : elementwise_ops())
    if (e.name == op_name && e.arity == 2) op = &e;
  if (!op) throw ValueError("unknown binary elementwise op '" + op_name + "'");
  if (!g_array_type) {
    g_array_type = reinterpret_cast<PyTypeObject*>(cls.inc_ref().ptr());
    g_handle_slot = nb::handle(cls.attr("__dict__")["_h"]).inc_ref().ptr();
  }
  auto method = [op, reflected, fallback = std::move(fallback)](nb::handle self, nb::handle other) -> nb::object {
    nb::object keep_self, keep_other;
    const Array* a = fast_operand(self.ptr(), keep_self);
    const Array* b = a ? fast_operand(other.ptr(), keep_other) : nullptr;
    if (!b) return fallback(self, other);
    if (op->name == "pow" && !reflected) return wrap(power_operator(*a, *b));
    return wrap(reflected ? binary_op(op->name, *b, *a, op->rule) : binary_op(op->name, *a, *b, op->rule));
  };
  nb::cpp_function_def(std::move(method), nb::scope(cls), nb::name(dunder.c_str()), nb::is_method());
}

}  // namespace

void bind_elementwise(nb::module_& m) {
  for (const ElementwiseOp& op : elementwise_ops()) {
    std::string name(op.name);
    if (op.arity == 1)
      m.def(name.c_str(), [name](nb::handle a) { return apply_elementwise(name, {to_operand(a)}); });
    else
      m.def(name.c_str(), [name](nb::handle a, nb::handle b) {
        return apply_elementwise(name, {to_operand(a), to_operand(b)});
      });
  }
  m.def("_bind_operator", &bind_operator,
        "Makes cls.<dunder> apply the binary op directly (reflected: to (other, self)); operands other than "
        "ember arrays and Python scalars go to `fallback(self, other)`");
  m.def("where", [](nb::handle c, nb::handle x, nb::handle y) { return where(to_operand(c), to_operand(x), to_operand(y)); });
  m.def("result_type", [](nb::args args) {
    std::vector<Array> ops;
    for (nb::handle h : args) ops.push_back(to_operand(h));
    return std::string(dtype_name(result_type(ops)));
  });
  m.def("promote_types", [](const std::string& a, const std::string& b) {
    return std::string(dtype_name(promote_types(dtype_from_name(a), dtype_from_name(b))));
  });
  m.def("can_cast", [](const std::string& from, const std::string& to, const std::string& casting) {
    DType f = dtype_from_name(from), t = dtype_from_name(to);
    if (casting == "no" || casting == "equiv") return f == t;
    if (casting == "safe") return can_cast_safe(f, t);
    if (casting == "same_kind") return can_cast_same_kind(f, t);
    return true;
  });
}

}  // namespace ember::py
