// The graph passes before fusion (graph/passes/graph_passes.h): structure of the plan after
// constant folding, simplification, CSE and dead-node elimination, and values that equal the graph
// evaluated without the passes, bit for bit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "ember/errors.h"
#include "ember/graph/eval.h"
#include "ember/graph/passes/graph_passes.h"
#include "ember/ops.h"
#include "ember/runtime/allocator.h"
#include "pass_test_util.h"

using namespace ember;
using namespace passtest;

namespace {

Array inum(int64_t v) { return Array::from_python_scalar(Scalar(v)); }

// How many instructions (fused) or single kernels of `op_name` the plan holds.
int count_op(const std::vector<KernelDesc>& ks, std::string_view op_name) {
  int n = 0;
  for (auto& k : ks) {
    if (k.single) n += k.single->op == op_name;
    for (auto& ins : k.code) n += ins.node->op == op_name;
    if (k.reduction) n += k.reduction->op == op_name;
  }
  return n;
}

int reductions(const std::vector<KernelDesc>& ks) {
  int n = 0;
  for (auto& k : ks) n += k.reduction != nullptr || (k.single && k.single->kind == Kind::Reduction);
  return n;
}

// The bytes of an evaluated array, row-major.
}  // namespace

TEST(GraphPasses, CseMergesEqualProductsAcrossTheGraph) {
  Array a = vec(100, 1.0), b = vec(100, 2.0);
  Array x = op("add", op("multiply", a, b), op("multiply", a, b));
  auto ks = plan({x.node()});
  EXPECT_EQ(count_op(ks, "multiply"), 1);
  EXPECT_EQ(x.node()->inputs[0], x.node()->inputs[1]);  // the add reads one product twice
  EXPECT_DOUBLE_EQ(x.data().ptr<double>()[3], 2 * 3.0 * 6.0);
}

TEST(GraphPasses, CseMergesEqualReductionsIntoOneKernel) {
  Array a = vec(5000, 0.5), b = vec(5000, 2.0);
  Array s1 = reduce("sum", op("multiply", a, b), std::nullopt, false);
  Array s2 = reduce("sum", op("multiply", a, b), std::nullopt, false);
  Array r = op("add", s1, s2);
  s1 = Array(), s2 = Array();  // only r holds the sums
  auto ks = plan({r.node()});
  EXPECT_EQ(reductions(ks), 1);
  EXPECT_EQ(count_op(ks, "multiply"), 1);
  double expect = 0;
  for (int i = 0; i < 5000; ++i) expect += i * 0.5 * i * 2.0;
  EXPECT_NEAR(r.data().ptr<double>()[0], 2 * expect, 1e-12 * expect);
}

TEST(GraphPasses, EqualScalarsMakeEqualProducts) {
  Array a = vec(50, 1.0);
  Array x = op("add", op("multiply", a, num(2.0)), op("multiply", a, num(2.0)));  // two leaves 2.0
  EXPECT_EQ(count_op(plan({x.node()}), "multiply"), 1);
  Array y = op("add", op("multiply", a, num(2.0)), op("multiply", a, num(-2.0)));
  EXPECT_EQ(count_op(plan({y.node()}), "multiply"), 2);
  Array z = op("add", op("multiply", a, num(0.0)), op("multiply", a, num(-0.0)));  // +0.0 and -0.0 differ
  EXPECT_EQ(count_op(plan({z.node()}), "multiply"), 2);
}

TEST(GraphPasses, HeldDuplicateBecomesACopyWithItsOwnValue) {
  Array a = vec(100, 0.01);
  Array e1 = op("exp", a), e2 = op("exp", a);
  Array r = op("add", e1, e2);
  auto ks = plan({r.node(), e2.node()});  // both wanted: one exp, and e2 a copy of it
  EXPECT_EQ(count_op(ks, "exp"), 1);
  EXPECT_EQ(count_op(ks, "copy"), 1);
  eval({r.node(), e2.node()});
  ASSERT_TRUE(e1.is_evaluated() && e2.is_evaluated());
  EXPECT_NE(e1.data().buffer, e2.data().buffer);  // each array owns its value
  EXPECT_EQ(bytes(e1), bytes(e2));
  EXPECT_DOUBLE_EQ(e2.data().ptr<double>()[7], std::exp(0.07));
  EXPECT_DOUBLE_EQ(r.data().ptr<double>()[7], 2 * std::exp(0.07));
}

TEST(GraphPasses, HeldDuplicateNotWantedStaysLazy) {
  Array a = vec(100, 0.01);
  Array e1 = op("exp", a), e2 = op("exp", a);
  Array r = op("add", e1, e2);
  EXPECT_EQ(count_op(plan({r.node()}), "exp"), 1);
  eval({r.node()});
  EXPECT_TRUE(e1.is_evaluated());   // stored: the user holds it
  EXPECT_FALSE(e2.is_evaluated());  // r reads e1 instead; e2 is computed when asked for
  EXPECT_EQ(bytes(e2), bytes(e1));
  EXPECT_NE(e1.data().buffer, e2.data().buffer);
}

TEST(GraphPasses, RandomDrawsNeverMerge) {
  PhiloxState s{7, 0};
  Array u1 = random_uniform({64}, DType::Float64, s), u2 = random_uniform({64}, DType::Float64, s);
  Array r = op("subtract", u1, u2);
  u1 = Array(), u2 = Array();
  auto ks = plan({r.node()});
  EXPECT_EQ(count_op(ks, "random"), 2);  // equal draws here, but a draw is never shared
}

TEST(GraphPasses, MultiplyByOneAndFriendsDisappear) {
  Array a = vec(40, 0.5), b = vec(40, 3.0);
  auto ops_in = [](const Array& r) { return plan({r.node()}); };
  EXPECT_EQ(count_op(ops_in(op("add", op("multiply", a, num(1.0)), b)), "multiply"), 0);
  EXPECT_EQ(count_op(ops_in(op("add", op("multiply", num(1.0), a), b)), "multiply"), 0);
  EXPECT_EQ(count_op(ops_in(op("multiply", op("divide", a, num(1.0)), b)), "divide"), 0);
  EXPECT_EQ(count_op(ops_in(op("multiply", op("subtract", a, num(0.0)), b)), "subtract"), 0);
  EXPECT_EQ(count_op(ops_in(op("multiply", op("add", a, num(-0.0)), b)), "add"), 0);
  EXPECT_EQ(count_op(ops_in(op("add", op("negative", op("negative", a)), b)), "negative"), 0);
  EXPECT_EQ(count_op(ops_in(op("add", op("pow", a, num(1.0)), b)), "pow"), 0);
  // Not identities: x + 0.0 turns -0.0 into 0.0; x - (-0.0) likewise; a product with 2.
  EXPECT_EQ(count_op(ops_in(op("multiply", op("add", a, num(0.0)), b)), "add"), 1);
  EXPECT_EQ(count_op(ops_in(op("multiply", op("subtract", a, num(-0.0)), b)), "subtract"), 1);
  EXPECT_EQ(count_op(ops_in(op("add", op("multiply", a, num(2.0)), b)), "multiply"), 1);
}

TEST(GraphPasses, IntegerIdentities) {
  Array a = vec(30, 1.0, DType::Int32), b = vec(30, 2.0, DType::Int32);
  auto ops_in = [](const Array& r) { return plan({r.node()}); };
  EXPECT_EQ(count_op(ops_in(op("multiply", op("add", a, inum(0)), b)), "add"), 0);
  EXPECT_EQ(count_op(ops_in(op("add", op("floor_divide", a, inum(1)), b)), "floor_divide"), 0);
  EXPECT_EQ(count_op(ops_in(op("add", op("bitwise_invert", op("bitwise_invert", a)), b)), "bitwise_invert"), 0);
  // int32 / 1 divides in float64: the cast is a node of its own, the division by one goes.
  Array q = op("add", op("divide", a, inum(1)), num(0.5));
  auto ks = ops_in(q);
  EXPECT_EQ(count_op(ks, "divide"), 0);
  EXPECT_EQ(count_op(ks, "astype"), 1);
  EXPECT_EQ(q.dtype(), DType::Float64);
  EXPECT_DOUBLE_EQ(q.data().ptr<double>()[7], 7.5);
}

TEST(GraphPasses, ComplexTimesOneStays) {
  Array a = astype(vec(40, 1.0), DType::Complex128, false);
  Array r = op("add", op("multiply", a, num(1.0)), a);  // inf*0 in the cross terms: not exact
  EXPECT_EQ(count_op(plan({r.node()}), "multiply"), 1);
}

TEST(GraphPasses, ShapeOrDtypeChangingIdentitiesStay) {
  Array a = vec(50, 1.0);
  Array ones = full({3, 50}, Scalar(1.0), DType::Float64);
  Array r = op("add", op("multiply", a, ones), num(3.0));  // broadcasts a to (3, 50)
  EXPECT_EQ(count_op(plan({r.node()}), "multiply"), 1);
  EXPECT_EQ(r.shape(), (Shape{3, 50}));
  // float32 * a float64 1.0: the product's input is the float64 cast of f, which it may replace.
  Array f = vec(50, 1.5, DType::Float32);
  Array g = op("add", op("multiply", f, full({}, Scalar(1.0), DType::Float64)), num(1.0));
  EXPECT_EQ(g.dtype(), DType::Float64);
  auto ks = plan({g.node()});
  EXPECT_EQ(count_op(ks, "multiply"), 0);
  EXPECT_EQ(count_op(ks, "astype"), 1);
  EXPECT_DOUBLE_EQ(g.data().ptr<double>()[3], 4.5 + 1);
}

TEST(GraphPasses, PowersBecomeProductsAndRoots) {
  Array a = vec(20, 0.25);
  Array sq = op("add", op("pow", a, num(2.0)), num(1.0));
  auto ks = plan({sq.node()});
  EXPECT_EQ(count_op(ks, "pow"), 0);
  EXPECT_EQ(count_op(ks, "multiply"), 1);
  Array rt = op("add", op("pow", a, num(0.5)), num(1.0));
  ks = plan({rt.node()});
  EXPECT_EQ(count_op(ks, "pow"), 0);
  EXPECT_EQ(count_op(ks, "sqrt"), 1);
  EXPECT_DOUBLE_EQ(sq.data().ptr<double>()[3], 0.75 * 0.75 + 1);
  EXPECT_DOUBLE_EQ(rt.data().ptr<double>()[3], std::sqrt(0.75) + 1);
}

TEST(GraphPasses, AstypeRoundTrips) {
  Array f = vec(100, 0.1, DType::Float32);
  Array r = op("add", astype(astype(f, DType::Float64, false), DType::Float32, false), f);
  EXPECT_EQ(count_op(plan({r.node()}), "astype"), 0);
  Array i = vec(100, 1.0, DType::Int64);  // int64 -> float64 loses values past 2^53
  Array s = op("add", astype(astype(i, DType::Float64, false), DType::Int64, false), i);
  EXPECT_EQ(count_op(plan({s.node()}), "astype"), 2);
}

TEST(GraphPasses, ScalarSubgraphsAreFoldedOnce) {
  Array a = vec(1000, 1.0);
  // a * (1 / (2 * 3.0)): the scalar part is computed at build time, one multiply per element.
  Array c = op("divide", num(1.0), op("multiply", num(2.0), num(3.0)));
  Array r = op("multiply", a, c);
  c = Array();
  auto ks = plan({r.node()});
  ASSERT_EQ(ks.size(), 1u);
  ASSERT_EQ(ks[0].code.size(), 1u);
  EXPECT_EQ(ks[0].code[0].node->op, "multiply");
  EXPECT_DOUBLE_EQ(r.data().ptr<double>()[600], 600 * (1 / (2 * 3.0)));
}

TEST(GraphPasses, AFoldedConstantKeepsItsValue) {
  // A constant held outside the schedule (as a jit plan's captured scalars, read by every call) is
  // computed once: a later evaluation finds it evaluated instead of folding it again.
  Array a = vec(10, 1.0);
  Array c = op("multiply", num(2.0), num(3.0));
  Array r1 = op("multiply", a, c);
  EXPECT_FALSE(c.is_evaluated());
  eval({r1.node()});
  ASSERT_TRUE(c.is_evaluated());
  EXPECT_DOUBLE_EQ(c.data().ptr<double>()[0], 6.0);
  EXPECT_DOUBLE_EQ(r1.data().ptr<double>()[3], 18.0);
  Array r2 = op("add", a, c);
  eval({r2.node()});
  EXPECT_DOUBLE_EQ(r2.data().ptr<double>()[3], 9.0);
}

TEST(GraphPasses, FoldingDoesNotHideErrors) {
  Array i = full({}, Scalar(int64_t{2}), DType::Int64);
  Array r = op("pow", i, full({}, Scalar(int64_t{-1}), DType::Int64));
  EXPECT_NO_THROW(plan({r.node()}));  // the failing constant stays for its kernel to report
  EXPECT_THROW(eval({r.node()}), ValueError);
}

TEST(GraphPasses, HeldNodeKeepsItsValue) {
  Array a = vec(100, 1.5), b = vec(100, 1.0);
  Array t = op("multiply", a, num(1.0));  // the user holds t
  Array r = op("add", t, b);
  auto ks = plan({r.node()});
  EXPECT_EQ(count_op(ks, "multiply"), 0);
  eval({r.node()});
  EXPECT_FALSE(t.is_evaluated());  // not needed for r: it stays lazy, with its own graph
  EXPECT_EQ(bytes(t), bytes(a));
  EXPECT_DOUBLE_EQ(r.data().ptr<double>()[4], 1.5 * 4 + 4);
}

TEST(GraphPasses, DeadNodesAreNeverScheduled) {
  Array a = vec(100, 1.0);
  Array unrelated = op("exp", a);  // lazy, held, but not under the root
  Array r = op("sin", a);
  std::vector<Node*> order = schedule_unevaluated({r.node()});
  ASSERT_EQ(order.size(), 1u);
  EXPECT_EQ(order[0], r.node().get());
  // Nodes a rewrite cuts off leave the schedule: the product and the constant folding's inputs.
  Array x = op("add", op("multiply", a, num(1.0)), op("multiply", num(2.0), num(3.0)));
  std::vector<Node*> o2 = schedule_unevaluated({x.node()});
  EXPECT_EQ(o2.size(), 3u);  // multiply, multiply(2, 3), add
  run_graph_passes(o2, {x.node()});
  ASSERT_EQ(o2.size(), 1u);
  EXPECT_EQ(o2[0], x.node().get());
  EXPECT_DOUBLE_EQ(x.data().ptr<double>()[5], 5 + 6.0);
  EXPECT_FALSE(unrelated.is_evaluated());
}

TEST(GraphPasses, ResultsEqualUnpassedGraphBitForBit) {
  // The same programs built twice, evaluated with and without the passes: identical bytes.
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  // Three copies of the special values (arrays are not folded; the scalar part is).
  double vals[24];
  const double special[] = {-0.0, 0.0, 1.5, -2.25, inf, -inf, nan, 3.0};
  for (int i = 0; i < 24; ++i) vals[i] = special[i % 8];
  for (DType dt : {DType::Float64, DType::Float32, DType::Float16, DType::Int32, DType::UInt8, DType::Complex64}) {
    auto build = [&] {
      Data d;
      d.buffer = allocate_buffer(sizeof(vals));
      std::memcpy(d.buffer->data(), vals, sizeof(vals));
      d.strides = {1};
      Array x = astype(Array(make_leaf(DType::Float64, {24}, d)), dt, false);
      Array one = num(1.0), zero = num(-0.0);
      Array y = op("add", op("multiply", x, one), op("multiply", x, one));
      Array z = op("subtract", op("add", y, zero), op("negative", op("negative", x)));
      if (!is_complex(dt)) z = op("add", z, op("pow", x, num(2.0)));
      return op("multiply", z, op("divide", num(1.0), op("multiply", num(2.0), num(3.0))));
    };
    Array with = build();
    Array without;
    {
      PassesOff off;
      without = build();
      eval({without.node()});
    }
    EXPECT_EQ(bytes(with), bytes(without)) << dtype_name(dt);
  }
}
