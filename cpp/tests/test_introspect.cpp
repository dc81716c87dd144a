// Introspection in the core: graph records, the profile's charging rule, trace events.
#include <gtest/gtest.h>

#include "ember/graph/eval.h"
#include "ember/graph/inspect.h"
#include "ember/graph/observe.h"
#include "ember/ops.h"

using namespace ember;

namespace {

Array vec(int64_t n) {
  Array r = arange(Scalar(int64_t{0}), Scalar(n), Scalar(int64_t{1}), DType::Float64);
  eval({r.node()});
  return r;
}

Array op(std::string_view name, const Array& a, const Array& b) { return apply_elementwise(name, {a, b}); }

}  // namespace

TEST(Inspect, RecordsNodesInputsFirstAndTheirKernels) {
  Array a = vec(100), b = vec(100), c = vec(100);
  Array y = op("add", op("multiply", a, b), c);
  GraphInfo g = inspect({y.node()});
  ASSERT_EQ(g.nodes.size(), 5u);
  ASSERT_EQ(g.kernels.size(), 1u);
  EXPECT_TRUE(g.kernels[0].fused);
  EXPECT_EQ(g.roots, std::vector<int>{4});
  EXPECT_EQ(g.nodes[4].op, "add");
  EXPECT_EQ(g.nodes[2].op, "multiply");
  EXPECT_EQ(g.nodes[2].inputs, (std::vector<int>{0, 1}));
  EXPECT_EQ(g.kernels[0].nodes, (std::vector<int>{2, 4}));
  EXPECT_EQ(g.kernels[0].outputs, std::vector<int>{4});
  for (const NodeRecord& n : g.nodes) EXPECT_EQ(n.kernel == -1, n.evaluated);
  EXPECT_FALSE(y.node()->evaluated);  // inspecting computes nothing
}

TEST(Inspect, WalksDeepGraphsWithoutRecursion) {
  Array x = vec(10);
  for (int i = 0; i < 500; ++i) x = op("add", x, x);  // below the lazy depth limit of 512
  GraphInfo g = inspect({x.node()});
  EXPECT_EQ(g.nodes.size(), 501u);
  EXPECT_NE(graph_listing(g).find("%500 = add(%499, %499) float64 (10,) cpu [k0]"), std::string::npos);
}

TEST(Profile, FusedKernelChargesInputsToFirstReaderAndStoresToTheirNode) {
  Array a = vec(1000), b = vec(1000), c = vec(1000);
  Array y = op("add", op("multiply", a, b), c);
  auto ks = plan({y.node()});
  ASSERT_EQ(ks.size(), 1u);
  auto rows = kernel_counters(ks[0], 1001);
  ASSERT_EQ(rows.size(), 2u);  // multiply, add
  EXPECT_EQ(rows[0].bytes_read, 16000);
  EXPECT_EQ(rows[1].bytes_read, 8000);
  EXPECT_EQ(rows[0].bytes_written, 0);
  EXPECT_EQ(rows[1].bytes_written, 8000);
  EXPECT_EQ(rows[0].time_ns + rows[1].time_ns, 1001);
  EXPECT_EQ(rows[0].flops, 1000);
}

TEST(Profile, CollectsRowsOnlyWhileOn) {
  runtime::profile_reset();
  Array a = vec(100);
  Array y = op("multiply", a, a);
  eval({y.node()});
  EXPECT_TRUE(runtime::profile_rows().empty());
  runtime::set_profiling(true);
  Array z = op("subtract", a, a);
  eval({z.node()});
  runtime::set_profiling(false);
  auto rows = runtime::profile_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].op, "subtract");
  EXPECT_EQ(rows[0].counters.calls, 1);
  EXPECT_EQ(rows[0].counters.bytes_read, 800);
  runtime::profile_reset();
}

TEST(Trace, RecordsTheKernelWithItsOps) {
  Array a = vec(1000);
  Array y = op("multiply", op("add", a, a), a);
  runtime::set_tracing(true);
  eval({y.node()});
  runtime::set_tracing(false);
  auto events = runtime::trace_events();
  int kernels = 0;
  for (auto& e : events)
    if (e.cat == "fused kernel") {
      ++kernels;
      EXPECT_EQ(e.name, "add+multiply");
      EXPECT_GE(e.dur_ns, 0);
      EXPECT_EQ(e.pid, 1);
    }
  EXPECT_EQ(kernels, 1);
}
