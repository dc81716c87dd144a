// The graph under some arrays as records for exporters (ember.onnx): every node with its primitive's
// parameters. Evaluated nodes carry their value; control nodes the graphs of their branches or body.
// Conversion only: what a record means is the exporter's business.
#include <nanobind/stl/complex.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unordered_set.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <unordered_set>
#include <vector>

#include "bindings.h"
#include "ember/graph/control.h"
#include "ember/graph/inspect.h"
#include "ember/graph/trace.h"

namespace ember::py {
namespace {

// A node's identity for the records: its address, stable while anything holds the node, so the
// records of a loop body can name the outer nodes it reads.
int64_t id_of(const Node* n) { return static_cast<int64_t>(reinterpret_cast<std::uintptr_t>(n)); }

nb::object scalar_object(const Scalar& s) {
  return std::visit([](auto v) -> nb::object { return nb::cast(v); }, s.value);
}

nb::tuple int_tuple(const std::vector<int64_t>& v) {
  nb::list l;
  for (int64_t x : v) l.append(x);
  return nb::tuple(l);
}

nb::list array_list(const std::vector<NodePtr>& nodes) {
  nb::list l;
  for (auto& n : nodes) l.append(Array(n));
  return l;
}

// A control node's plans, each rebuilt over new parameters and the node's own captured inputs
// (the outer nodes the branch or body reads): {"params": [...], "results": [...]}.
nb::list control_bodies(const Node& node, const ControlSpec& spec) {
  nb::list bodies;
  for (size_t p = 0; p < spec.plans.size(); ++p) {
    const Plan& plan = *spec.plans[p];
    std::vector<NodePtr> params, captured;
    for (auto& [dtype, shape] : plan.param_types) params.push_back(make_parameter(dtype, shape, node.device));
    for (int c = 0; c < plan.num_captured; ++c) captured.push_back(node.inputs[spec.captured_at[p] + c]);
    // A plan that kept its captured values (a jit call's) replays over them.
    std::vector<NodePtr> results = instantiate(plan, params, plan.captured.empty() ? &captured : nullptr);
    nb::dict body;
    body["params"] = array_list(params);
    body["results"] = array_list(results);
    bodies.append(body);
  }
  return bodies;
}

nb::dict record_of(const NodePtr& node) {
  const Params& p = node->params;
  nb::dict d;
  d["id"] = id_of(node.get());
  d["op"] = std::string(node->op);
  d["origin"] = node->origin;
  d["dtype"] = std::string(dtype_name(node->dtype));
  d["shape"] = int_tuple(node->shape);
  d["parameter"] = is_parameter(*node);
  d["value"] = node->evaluated ? nb::cast(Array(node)) : nb::none();
  nb::list inputs;
  if (!node->evaluated)
    for (auto& in : node->inputs) inputs.append(id_of(in.get()));
  d["inputs"] = inputs;
  d["axes"] = int_tuple(p.axes);
  d["ints"] = int_tuple(p.ints);
  d["flag"] = p.flag;
  d["offset"] = p.offset;
  d["strides"] = int_tuple(p.strides);
  nb::list scalars;
  for (auto& s : p.scalars) scalars.append(scalar_object(s));
  d["scalars"] = scalars;
  d["param_dtype"] = std::string(dtype_name(p.dtype));
  const ControlSpec* spec = node->evaluated ? nullptr : control_spec(*node);
  if (spec) {
    nb::dict c;
    c["num_carry"] = spec->num_carry;
    c["length"] = spec->length;
    c["bodies"] = control_bodies(*node, *spec);
    d["control"] = c;
  } else {
    d["control"] = nb::none();
  }
  return d;
}

// Records of the nodes under `roots`, inputs first, leaving out those whose id is in `known`
// (recorded by an enclosing graph).
nb::list graph_records(const std::vector<Array>& roots, const std::unordered_set<int64_t>& known) {
  std::vector<NodePtr> nodes;
  for (auto& r : roots) nodes.push_back(r.node());
  std::unordered_set<const Node*> known_nodes;
  for (int64_t id : known) known_nodes.insert(reinterpret_cast<const Node*>(static_cast<std::uintptr_t>(id)));
  nb::list records;
  for (auto& n : graph_order(nodes, known_nodes)) records.append(record_of(n));
  return records;
}

}  // namespace

void bind_export(nb::module_& m) {
  m.def("graph_records", &graph_records, nb::arg("roots"), nb::arg("known") = std::unordered_set<int64_t>{},
        "Records of the graph under `roots` (inputs first), each {id, op, dtype, shape, parameter, value, "
        "inputs, axes, ints, flag, offset, strides, scalars, param_dtype, control}; nodes whose id is in "
        "`known` are left out. Nothing is evaluated.");
  m.def("node_id", [](const Array& a) { return id_of(a.node().get()); }, "The record id of an array's node.");
}

}  // namespace ember::py
