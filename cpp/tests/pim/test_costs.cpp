// Cost regression: every op's cycles on 2^16 elements (PyPIM's geometry and cost model) must stay
// at or below PyPIM's published figures; prints the ratio.
#include <gtest/gtest.h>

#include "ember/backend/pim/collectives.h"
#include "ember/backend/pim/machine.h"

using namespace ember::pim;

namespace {

Metrics cost_of(Macro m, DType t, FloatMode mode = FloatMode::IEEE) {
  Machine mc;  // PyPIM's geometry: 65,536 crossbars of 1024 x 1024, 32 partitions
  mc.float_mode = mode;
  const uint64_t n = 65536;
  const int ar = macro_arity(m);
  Tensor a = mc.alloc(n, ar == 3 ? DType::Bool : t);
  std::vector<Tensor> in = {a};
  for (int i = 1; i < ar; ++i) in.push_back(mc.alloc_like(a, t));
  Tensor o = mc.alloc_like(a, result_dtype(m, t));
  // Costs are data independent: run on the zeroed memory.
  return mc.run(m, o, in);
}

struct Target {
  Macro m;
  DType t;
  long pypim;     // PyPIM's published cycles (including its 2 mask cycles)
  long goal;      // the target (or PyPIM's figure when none is given)
};

class CostVsPyPim : public testing::TestWithParam<Target> {};

TEST_P(CostVsPyPim, AtOrBelowTarget) {
  const Target t = GetParam();
  const Metrics c = cost_of(t.m, t.t);
  const long cyc = c.total().latency;
  std::printf("[cost] %-14s %-8s cycles %6ld  PyPIM %6ld  ratio %.3f  energy %ld\n",
              macro_name(t.m), dtype_name(t.t), cyc, t.pypim, double(cyc) / double(t.pypim),
              long(c.total().energy));
  EXPECT_EQ(c[OpKind::Mask].latency, 2);
  EXPECT_EQ(c[OpKind::Move].latency, 0);
  EXPECT_LE(cyc, t.goal);
  // energy = crossbars x rows x gates: it must be a multiple of 64 x 1024
  EXPECT_EQ(c.total().energy % (64 * 1024), 0);
}

std::vector<Target> targets() {
  return {
      {Macro::Add, DType::I32, 97, 97},          {Macro::Sub, DType::I32, 100, 100},
      {Macro::Mul, DType::I32, 1158, 1158},      {Macro::FloorDiv, DType::I32, 4456, 4456},
      {Macro::Mod, DType::I32, 4290, 4290},      {Macro::Neg, DType::I32, 87, 87},
      {Macro::Abs, DType::I32, 111, 111},        {Macro::Lt, DType::I32, 104, 110},
      {Macro::Gt, DType::I32, 104, 110},         {Macro::Le, DType::I32, 125, 110},
      {Macro::Ge, DType::I32, 125, 110},         {Macro::Eq, DType::I32, 117, 110},
      {Macro::Ne, DType::I32, 119, 110},         {Macro::And, DType::I32, 8, 8},
      {Macro::Or, DType::I32, 6, 6},             {Macro::Xor, DType::I32, 12, 12},
      {Macro::Not, DType::I32, 4, 4},            {Macro::Where, DType::I32, 21, 21},
      {Macro::Copy, DType::I32, 6, 6},
      {Macro::Add, DType::F32, 1369, 1369},      {Macro::Sub, DType::F32, 1374, 1374},
      {Macro::Lt, DType::F32, 1378, 150},        {Macro::Gt, DType::F32, 1378, 150},
      {Macro::Le, DType::F32, 1399, 150},        {Macro::Ge, DType::F32, 1399, 150},
      {Macro::Eq, DType::F32, 1391, 150},        {Macro::Ne, DType::F32, 1393, 150},
      // IEEE multiply (subnormals, inf, NaN) costs more than PyPIM's flushing multiply: pinned
      // here; the fast mode is checked against PyPIM's figure below.
      {Macro::Mul, DType::F32, 1584, 1700},  // 1,683 measured; still above PyPIM
      {Macro::TrueDiv, DType::F32, 4168, 4168},
      {Macro::Neg, DType::F32, 7, 7},            {Macro::Abs, DType::F32, 7, 7},
  };
}

INSTANTIATE_TEST_SUITE_P(PyPim, CostVsPyPim, testing::ValuesIn(targets()), [](const auto& i) {
  return std::string(macro_name(i.param.m)) + "_" + dtype_name(i.param.t);
});

// Fast mode (PyPIM's float semantics) must be at or below PyPIM's cycles.
TEST(CostFast, Float32AtOrBelowPyPim) {
  const std::pair<Macro, long> ops[] = {{Macro::Add, 1369}, {Macro::Sub, 1374}, {Macro::Mul, 1584}};
  for (auto [m, py] : ops) {
    const long cyc = cost_of(m, DType::F32, FloatMode::Fast).total().latency;
    std::printf("[cost-fast] %-10s float32 cycles %6ld  PyPIM %6ld  ratio %.3f\n", macro_name(m), cyc,
                py, double(cyc) / double(py));
    EXPECT_LE(cyc, py) << macro_name(m);
  }
}

// Reductions over 2^16 elements (64 crossbars x 1024 rows) vs PyPIM's results (pim.md 2.5).
TEST(CostReduce, BelowPyPim) {
  struct C {
    Reduce r;
    DType t;
    FloatMode mode;
    long pypim;
  };
  const C cases[] = {{Reduce::Sum, DType::I32, FloatMode::IEEE, 2644},
                     {Reduce::Prod, DType::I32, FloatMode::IEEE, 19620},
                     {Reduce::Sum, DType::F32, FloatMode::IEEE, 22996},
                     {Reduce::Sum, DType::F32, FloatMode::Fast, 22996},
                     {Reduce::Prod, DType::F32, FloatMode::Fast, 26436}};
  for (const auto& c : cases) {
    Machine mc;
    mc.float_mode = c.mode;
    Tensor a = mc.alloc(65536, c.t);
    const Metrics m = reduce(mc, c.r, a).cost;
    const long cyc = m.total().latency;
    std::printf("[cost-reduce] %-4s %-7s %-4s cycles %6ld (mask %ld rw %ld logic %ld move %ld)  "
                "PyPIM %6ld  ratio %.3f\n",
                reduce_name(c.r), dtype_name(c.t), c.mode == FloatMode::Fast ? "fast" : "ieee",
                cyc, long(m[OpKind::Mask].latency), long(m[OpKind::ReadWrite].latency),
                long(m[OpKind::Logic].latency), long(m[OpKind::Move].latency), c.pypim,
                double(cyc) / double(c.pypim));
    EXPECT_LT(cyc, c.pypim) << reduce_name(c.r) << " " << dtype_name(c.t);
  }
}

// Prefix sum of 2^16 int32 (PyPIM has none): pinned below 5,000 cycles.
TEST(CostCumsum, Int32) {
  Machine mc;
  Tensor a = mc.alloc(65536, DType::I32), o = mc.alloc_like(a, DType::I32);
  const Metrics m = cumsum(mc, a, o);
  std::printf("[cost-cumsum] int32 2^16 cycles %ld (mask %ld logic %ld move %ld)\n",
              long(m.total().latency), long(m[OpKind::Mask].latency),
              long(m[OpKind::Logic].latency), long(m[OpKind::Move].latency));
  EXPECT_LT(m.total().latency, 5000);
}

// Sort of 2^16 int32 (a single group) vs PyPIM's bitonic sort (pim.md 2.5): 515,628 cycles.
TEST(CostSort, FarBelowPyPim) {
  const std::pair<uint64_t, long> cases[] = {{1024, 66748},        {4096, 105082},
                                             {65536, 515628},      {uint64_t(1) << 20, 6462722},
                                             {uint64_t(1) << 26, 403217681}};
  for (auto [n, py] : cases) {
    Machine mc;
    // Cost-only run of the exact stream (the default geometry's 65,536 crossbars would need
    // gigabytes of simulated memory); test_sort.cpp executes the same code on smaller machines.
    mc.sim().dry_run = true;
    Tensor a = mc.alloc(n, DType::I32);
    const Metrics m = sort(mc, a);
    const long cyc = m.total().latency;
    std::printf("[cost-sort] n=%-6lu cycles %7ld (mask %ld rw %ld logic %ld move %ld)  PyPIM %7ld  "
                "ratio %.4f\n",
                (unsigned long)n, cyc, long(m[OpKind::Mask].latency),
                long(m[OpKind::ReadWrite].latency), long(m[OpKind::Logic].latency),
                long(m[OpKind::Move].latency), py, double(cyc) / double(py));
    EXPECT_LT(cyc * 4, py) << n;
  }
}

// Pinned cycle counts of our microcode (regression baselines; update deliberately).
TEST(CostPinned, Int32) {
  EXPECT_EQ(cost_of(Macro::Add, DType::I32).total().latency, cost_of(Macro::Sub, DType::I32).total().latency);
}

}  // namespace
