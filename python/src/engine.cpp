// The engine's controls: thread count and the Kernels a graph becomes.
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "bindings.h"
#include "ember/graph/eval.h"
#include "ember/graph/plan_cache.h"
#include "ember/graph/program.h"
#include "ember/runtime/thread_pool.h"

namespace ember::py {

void bind_engine(nb::module_& m) {
  m.def("set_num_threads", &runtime::set_num_threads, nb::arg("n"),
        "Sets the threads kernels use (n <= 0: EMBER_NUM_THREADS or the machine's count).");
  m.def("get_num_threads", &runtime::num_threads);
  m.def("set_concurrent_kernels", &set_concurrent_kernels, nb::arg("on"),
        "Whether independent cpu Kernels of one evaluation overlap (EMBER_CONCURRENT_KERNELS=0: off at start).");
  m.def("concurrent_kernels", &concurrent_kernels);
  m.def(
      "plan_cache_info",
      [] {
        PlanCacheInfo i = plan_cache_info();
        nb::dict d;
        d["hits"] = i.hits;
        d["misses"] = i.misses;
        d["bypasses"] = i.bypasses;
        d["entries"] = i.entries;
        d["enabled"] = i.enabled;
        return d;
      },
      "The eager plan cache's counters: hits, misses, bypasses, entries (kept plans), enabled.");
  m.def(
      "program_info",
      [] {
        ProgramInfo i = program_info();
        nb::dict d;
        d["programs"] = i.programs;
        d["rolled_regions"] = i.rolled_regions;
        d["rolled_kernels"] = i.rolled_kernels;
        d["rolled_trips"] = i.rolled_trips;
        return d;
      },
      "Counters over the compiled Programs (jit plans, loop bodies) built so far: programs, rolled_regions, "
      "rolled_kernels, rolled_trips.");
  m.def("plan_cache_clear", &plan_cache_clear, "Drops every kept plan and zeroes the counters.");
  m.def("set_plan_cache", &set_plan_cache_enabled, nb::arg("on"),
        "Whether eager evaluations replay kept plans (EMBER_PLAN_CACHE=0: off at start).");
  m.def(
      "eval_async",
      [](const std::vector<Array>& arrays) {
        std::vector<NodePtr> roots;
        for (auto& a : arrays) roots.push_back(a.node());
        nb::gil_scoped_release release;  // may wait for earlier work; touches no Python object
        eval_async(roots);
      },
      nb::arg("arrays"), "Schedules the arrays' evaluation and returns; the next sync point waits.");
  m.def(
      "kernels",
      [](const std::vector<Array>& arrays) {
        std::vector<NodePtr> roots;
        for (auto& a : arrays) roots.push_back(a.node());
        std::vector<KernelDesc> ks = plan(roots);
        int compute = 0;
        for (auto& k : ks)
          if (!k.single || k.single->kind != Kind::View) ++compute;
        return std::make_tuple(compute, describe(ks));
      },
      nb::arg("arrays"), "The Kernels evaluating the arrays would run: (count without views, listing).");
}

}  // namespace ember::py
