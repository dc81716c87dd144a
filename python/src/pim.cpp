// ember._core.pim: the pim device's counters, profile, fallback switch and geometry. Thin.
#include <nanobind/stl/string.h>

#include "bindings.h"
#include "ember/backend/pim/device/state.h"

namespace ember::py {
namespace {

const char* kKinds[] = {"mask", "rw", "logic", "move"};

nb::dict metrics_dict(const pim::Metrics& m, const pim::Transfer& t) {
  nb::dict d;
  pim::Cost total;
  for (int k = 0; k < pim::kNumKinds; ++k) {
    d[kKinds[k]] = nb::make_tuple(m.kind[k].latency, m.kind[k].energy);
    total += m.kind[k];
  }
  // Bulk host transfers, costed as PyPIM's host I/O: one rw cycle and 32 energy per word.
  d["transfer"] = nb::make_tuple(t.words, 32 * t.words);
  d["total"] = nb::make_tuple(total.latency + t.words, total.energy + 32 * t.words);
  return d;
}

void python_warn(const std::string& msg) {
  nb::gil_scoped_acquire gil;
  PyErr_WarnEx(PyExc_RuntimeWarning, msg.c_str(), 1);
  PyErr_Clear();  // a warning filter set to "error" must not break evaluation
}

}  // namespace

void bind_pim(nb::module_& m) {
  pim::register_device();
  pim::state().warn = python_warn;
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const pim::PimMemoryError& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    }
  });
  auto s = m.def_submodule("pim", "the pim device (bit-level PIM simulator)");
  s.def("metrics", [] {
    std::lock_guard lock(pim::state().mu);
    return metrics_dict(pim::machine().metrics(), pim::state().transfer);
  });
  s.def("reset_metrics", [] { pim::reset_metrics(); });
  s.def("set_fallback", [](bool on) { pim::state().fallback_cpu = on; });
  s.def("get_fallback", [] { return pim::state().fallback_cpu; });
  s.def("set_profiling", [](bool on) { pim::state().profiling = on; });
  s.def("profile", [] {
    std::lock_guard lock(pim::state().mu);
    nb::list out;
    for (auto& [key, e] : pim::state().profile) {
      nb::dict d = metrics_dict(e.cost, e.transfer);
      d["op"] = e.op;
      d["origin"] = e.origin;
      d["count"] = e.count;
      d["fallback"] = e.fallback;
      out.append(d);
    }
    return out;
  });
  s.def("configure", [](uint32_t crossbars, uint32_t rows, uint32_t columns, uint32_t partitions) {
    pim::Geometry g;
    g.crossbars = crossbars, g.rows = rows, g.columns = columns, g.partitions = partitions;
    pim::configure(g);
  });
  s.def("geometry", [] {
    const auto& g = pim::machine().geometry();
    return nb::make_tuple(g.crossbars, g.rows, g.columns, g.partitions);
  });
  s.def("set_fast_float", [](bool on) {
    pim::machine().float_mode = on ? pim::FloatMode::Fast : pim::FloatMode::IEEE;
  });
}

}  // namespace ember::py
