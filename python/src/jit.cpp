// Tracing and control flow for @ember.jit: parameters, captured plans and their replay, and the
// control-flow nodes. Argument conversion only; the work is in cpp/ember/graph/{trace,control}.
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/errors.h"
#include "ember/graph/control.h"
#include "ember/graph/trace.h"

namespace ember::py {
namespace {

// A node, held: what an array's value was at one moment (its storage may get new versions later).
struct NodeRef {
  NodePtr node;
};

struct PlanRef {
  std::shared_ptr<Plan> plan;
};

std::vector<NodePtr> nodes_of(const std::vector<Array>& arrays) {
  std::vector<NodePtr> v;
  v.reserve(arrays.size());
  for (auto& a : arrays) v.push_back(a.node());
  return v;
}

std::vector<Array> arrays_of(const std::vector<NodePtr>& nodes) {
  std::vector<Array> v;
  v.reserve(nodes.size());
  for (auto& n : nodes) v.emplace_back(n);
  return v;
}

// The core Array `h` is or holds: a handle itself, or an ember.Array (its `_h`, which `h` keeps
// alive); null for anything else.
const Array* array_in(PyObject* h) {
  if (nb::isinstance<Array>(h)) return nb::inst_ptr<Array>(h);
  static PyObject* const name = PyUnicode_InternFromString("_h");
  PyObject* inner = PyObject_GetAttr(h, name);
  if (!inner) {
    PyErr_Clear();
    return nullptr;
  }
  const Array* a = nb::isinstance<Array>(inner) ? nb::inst_ptr<Array>(inner) : nullptr;
  Py_DECREF(inner);  // `h` holds it
  return a;
}

// Calls f on each Array of the tuple or list `items` (ember.Arrays or their handles), read in
// place: a std::vector<Array> argument would copy every Array (shape and strides, two allocations
// each) and the caller would first build a list of handles, on every call of a jitted function.
// False (having stopped) at the first item that is not an array.
template <class F>
bool each_array(nb::handle items, F&& f) {
  PyObject* seq = items.ptr();
  if (!PyTuple_Check(seq) && !PyList_Check(seq)) throw TypeError("ember: expected a tuple or list of arrays");
  const Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  PyObject** items_ptr = PySequence_Fast_ITEMS(seq);
  for (Py_ssize_t i = 0; i < n; ++i) {
    const Array* a = array_in(items_ptr[i]);
    if (!a) return false;
    f(*a);
  }
  return true;
}

std::vector<NodePtr> nodes_in(nb::handle items) {
  std::vector<NodePtr> v;
  v.reserve(static_cast<size_t>(PySequence_Fast_GET_SIZE(items.ptr())));
  if (!each_array(items, [&](const Array& a) { v.push_back(a.node()); }))
    throw TypeError("ember: a jitted plan's arguments must be arrays");
  return v;
}

TypeList types_of(const std::vector<Array>& like) {
  TypeList t;
  for (auto& a : like) t.emplace_back(a.dtype(), a.shape());
  return t;
}

}  // namespace

void bind_jit(nb::module_& m) {
  nb::class_<NodeRef>(m, "NodeRef", "An array's value at one moment (a graph node), for tracing")
      .def("same", [](const NodeRef& a, const NodeRef& b) { return a.node == b.node; });
  nb::class_<PlanRef>(m, "Plan", "A traced function's graph, replayable on new inputs")
      .def("run", [](const PlanRef& p, const std::vector<Array>& args) { return arrays_of(instantiate(*p.plan, nodes_of(args))); },
           nb::arg("args"), "New lazy results computed from `args` (one per parameter), node by node.")
      .def("call", [](const PlanRef& p, nb::handle args) { return arrays_of(make_call(p.plan, nodes_in(args))); },
           nb::arg("args"),
           "The plan's results on `args` (a tuple or list of arrays or their handles): evaluated when the plan is "
           "small and ran at once, else the results of one lazy node that runs the compiled plan.")
      .def_prop_ro("num_params", [](const PlanRef& p) { return p.plan->num_params; })
      .def_prop_ro("num_captured", [](const PlanRef& p) { return p.plan->num_captured; })
      .def_prop_ro("num_steps", [](const PlanRef& p) { return p.plan->steps.size(); })
      .def("__str__", [](const PlanRef& p) { return describe(*p.plan); });

  // The part of a jit signature the arrays give: dtype, device and shape of each, as bytes (cheap
  // to build and to hash, for the call path of a jitted function); None when an item of `arrays`
  // (a tuple or list of ember.Arrays or handles) is not an array.
  m.def("signature", [](nb::handle arrays) -> nb::object {
    std::string key;
    key.reserve(32);
    bool all = each_array(arrays, [&](const Array& a) {
      key.push_back(static_cast<char>(a.dtype()));
      key.push_back(static_cast<char>(a.storage()->version->device));
      key.push_back(static_cast<char>(a.ndim()));
      for (int64_t d : a.shape()) key.append(reinterpret_cast<const char*>(&d), sizeof d);
    });
    if (!all) return nb::none();
    return nb::bytes(key.data(), key.size());
  });
  m.def("node_of", [](const Array& a) { return NodeRef{a.node()}; });
  m.def("trace_parameter", [](const Array& like) {
    return Array(make_parameter(like.dtype(), like.shape(), like.node()->device));
  }, "A parameter shaped like `like`: a value-less array to trace a function on.");
  m.def("begin_tracing", &begin_tracing, "While tracing, graphs are not evaluated as they grow.");
  m.def("end_tracing", &end_tracing);
  m.def("capture_plan", [](const std::vector<NodeRef>& params, const std::vector<Array>& results) {
    std::vector<NodePtr> p;
    for (auto& r : params) p.push_back(r.node);
    return PlanRef{capture(p, nodes_of(results))};
  }, nb::arg("params"), nb::arg("results"));

  m.def("make_cond", [](const Array& pred, const PlanRef& t, const PlanRef& f, const std::vector<Array>& operands,
                        const std::vector<Array>& out_like) {
    return arrays_of(make_cond(pred.node(), t.plan, f.plan, nodes_of(operands), types_of(out_like)));
  });
  m.def("make_while", [](const PlanRef& cond, const PlanRef& body, const std::vector<Array>& init) {
    return arrays_of(make_while(cond.plan, body.plan, nodes_of(init)));
  });
  m.def("make_fori", [](const Array& lower, const Array& upper, const PlanRef& body, const std::vector<Array>& init) {
    return arrays_of(make_fori(lower.node(), upper.node(), body.plan, nodes_of(init)));
  });
  m.def("make_scan", [](const PlanRef& body, const std::vector<Array>& init, const std::vector<Array>& xs,
                        int64_t length, const std::vector<Array>& y_like) {
    return arrays_of(make_scan(body.plan, nodes_of(init), nodes_of(xs), length, types_of(y_like)));
  });
}

}  // namespace ember::py
