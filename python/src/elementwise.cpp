// Every elementwise op of the C++ table, under its own name, plus where and result_type.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/ops/elementwise.h"

namespace ember::py {

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
