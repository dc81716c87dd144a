// ember.distributed's core: MPI world, collectives (lazy graph nodes) and the per-rank trace.
// Compiled only when ember is built with MPI; the Python package falls back to a world of one rank.
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/distributed/comm.h"
#include "ember/distributed/ops.h"
#include "ember/distributed/trace.h"

namespace ember::py {

void bind_distributed(nb::module_& m) {
  namespace d = ember::distributed;
  m.def("dist_init", &d::init);
  m.def("dist_finalize", &d::finalize);
  m.def("dist_initialized", &d::initialized);
  m.def("dist_rank", &d::rank);
  m.def("dist_size", &d::size);
  m.def("dist_abort", [](const std::string& message, int code) { d::abort(message, code); });
  m.def("dist_wtime", &d::wtime);
  m.def("dist_all_reduce", &d::all_reduce, nb::arg("x"), nb::arg("op"));
  m.def("dist_all_gather", &d::all_gather, nb::arg("x"), nb::arg("counts") = std::vector<int64_t>{});
  m.def("dist_all_to_all", &d::all_to_all);
  m.def("dist_broadcast", &d::broadcast, nb::arg("x"), nb::arg("root"));
  m.def("dist_send", &d::send, nb::arg("x"), nb::arg("dst"), nb::arg("tag") = 0);
  m.def(
      "dist_recv",
      [](nb::handle shape, const std::string& dtype, int src, int tag) {
        return d::recv(to_shape(shape), dtype_from_name(dtype), src, tag);
      },
      nb::arg("shape"), nb::arg("dtype"), nb::arg("src"), nb::arg("tag") = 0);
  m.def("dist_set_tracing", &d::set_tracing);
  m.def("dist_take_trace", [] {
    std::vector<std::tuple<std::string, double, double, int64_t>> out;
    for (auto& e : d::take_trace()) out.emplace_back(e.name, e.start, e.duration, e.bytes);
    return out;
  });
}

}  // namespace ember::py
