// Introspection (DESIGN.md decision 9): the graph as records, profile counters, trace events and
// the EMBER_DEBUG level. The Python package ember.introspect formats them.
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/backend/device.h"
#include "ember/graph/inspect.h"
#include "ember/graph/observe.h"
#include "ember/runtime/profiler.h"
#include "ember/runtime/scheduler.h"
#include "ember/runtime/trace.h"

namespace ember::py {
namespace {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Leaf: return "leaf";
    case Kind::Elementwise: return "elementwise";
    case Kind::Reduction: return "reduction";
    case Kind::View: return "view";
    case Kind::Opaque: return "opaque";
    case Kind::Collective: return "collective";
    case Kind::Control: return "control";
  }
  return "?";
}

nb::tuple shape_tuple(const Shape& s) {
  nb::list l;
  for (int64_t d : s) l.append(d);
  return nb::tuple(l);
}

nb::dict graph_dict(const GraphInfo& g) {
  nb::list nodes, kernels;
  for (const NodeRecord& n : g.nodes) {
    nb::dict d;
    d["id"] = n.id;
    d["op"] = n.op;
    d["kind"] = kind_name(n.kind);
    d["dtype"] = std::string(dtype_name(n.dtype));
    d["shape"] = shape_tuple(n.shape);
    d["device"] = std::string(device_name(n.device));
    d["origin"] = n.origin;
    d["inputs"] = n.inputs;
    d["evaluated"] = n.evaluated;
    d["kernel"] = n.kernel;
    d["detail"] = n.detail;
    nodes.append(d);
  }
  for (const KernelRecord& k : g.kernels) {
    nb::dict d;
    d["fused"] = k.fused;
    d["shape"] = shape_tuple(k.shape);
    d["nodes"] = k.nodes;
    d["inputs"] = k.inputs;
    d["outputs"] = k.outputs;
    kernels.append(d);
  }
  nb::dict out;
  out["nodes"] = nodes;
  out["kernels"] = kernels;
  out["roots"] = g.roots;
  return out;
}

}  // namespace

void bind_introspect(nb::module_& m) {
  m.def(
      "inspect_graph",
      [](const std::vector<Array>& arrays) {
        std::vector<NodePtr> roots;
        for (auto& a : arrays) roots.push_back(a.node());
        return graph_dict(inspect(roots));
      },
      nb::arg("arrays"), "The graph under the arrays: {nodes, kernels, roots} (nothing is evaluated).");

  m.def("set_profiling", &runtime::set_profiling, nb::arg("on"));
  m.def("profile_rows", [] {
    {
      nb::gil_scoped_release release;
      runtime::wait_all();  // work scheduled before now is counted
    }
    nb::list out;
    for (const runtime::ProfileRow& r : runtime::profile_rows()) {
      nb::dict d;
      d["op"] = r.op;
      d["origin"] = r.origin;
      d["device"] = r.device;
      d["calls"] = r.counters.calls;
      d["time_ns"] = r.counters.time_ns;
      d["bytes_read"] = r.counters.bytes_read;
      d["bytes_written"] = r.counters.bytes_written;
      d["flops"] = r.counters.flops;
      out.append(d);
    }
    return out;
  }, "Every profile row collected so far (waits for work already scheduled).");
  m.def("profile_reset", &runtime::profile_reset);

  m.def("set_tracing", [](bool on) {
    if (on) runtime::name_thread("python");
    else {
      nb::gil_scoped_release release;
      runtime::wait_all();  // kernels scheduled inside the trace finish inside it
    }
    runtime::set_tracing(on);
  }, nb::arg("on"), "Starts (clearing earlier events) or stops recording trace events.");
  m.def("trace_events", [] {
    nb::list out;
    for (const runtime::TraceEvent& e : runtime::trace_events()) {
      nb::dict args;
      for (auto& [k, v] : e.args) args[k.c_str()] = v;
      out.append(nb::make_tuple(e.name, e.cat, e.ts_ns, e.dur_ns, e.pid, e.tid, args));
    }
    return out;
  }, "The trace events: (name, cat, ts_ns, dur_ns, pid, tid, args).");
  m.def("trace_threads", &runtime::trace_threads, "The trace's thread tracks: [(tid, name)].");
  m.def("trace_now_ns", &runtime::now_ns);

  m.def("set_debug", &set_debug_level, nb::arg("level"), "EMBER_DEBUG: 0 quiet, 1 Kernels, 2 also graphs.");
  m.def("get_debug", &debug_level);
}

}  // namespace ember::py
