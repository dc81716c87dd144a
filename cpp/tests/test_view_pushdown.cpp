// View pushdown (graph/passes/view_pushdown.h): views of unevaluated elementwise results become
// one Kernel reading the producer's inputs through views. Tested by structure (Kernels, the
// iteration space the producer's op runs over) and by values equal, bit for bit, to the graph
// evaluated without the passes.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "ember/graph/eval.h"
#include "ember/graph/passes/graph_passes.h"
#include "ember/ops.h"
#include "pass_test_util.h"

using namespace ember;
using namespace passtest;

namespace {

Slice sl(std::optional<int64_t> start, std::optional<int64_t> stop, std::optional<int64_t> step = std::nullopt) {
  return Slice{start, stop, step};
}
Array at(const Array& a, std::vector<IndexItem> key) { return getitem(a, key); }

// Kernels that compute (zero-copy views left out, as em.kernels counts them).
int computing(const std::vector<KernelDesc>& ks) {
  int n = 0;
  for (auto& k : ks) n += !k.single || k.single->kind != Kind::View;
  return n;
}

// The iteration spaces of the Kernels computing `op_name`.
std::vector<Shape> spaces_of(const std::vector<KernelDesc>& ks, std::string_view op_name) {
  std::vector<Shape> out;
  for (auto& k : ks) {
    if (k.single && k.single->op == op_name) out.push_back(k.single->shape);
    for (auto& ins : k.code)
      if (ins.node->op == op_name) out.push_back(k.shape);
  }
  return out;
}

// Builds the program twice (its temporaries die with the build, as Python's do), checks the plan
// with the passes on computes in `kernels` Kernels (-1: not checked), and that both evaluations
// give the same bytes.
void check(const std::function<Array()>& build, int kernels, const char* what) {
  Array with = build();
  if (kernels >= 0) {
    EXPECT_EQ(computing(plan({with.node()})), kernels) << what << "\n" << describe(plan({with.node()}));
  }
  Array without;
  {
    PassesOff off;
    without = build();
    eval({without.node()});
  }
  ASSERT_EQ(with.shape(), without.shape()) << what;
  EXPECT_EQ(bytes(with), bytes(without)) << what;
}

}  // namespace

TEST(ViewPushdown, SliceOfSumIsOneKernelOverTheSlice) {
  Array a = vec(1000, 0.5), b = vec(1000, -0.25), c = vec(500, 3.0);
  Array r = op("multiply", at(op("add", a, b), {sl(std::nullopt, std::nullopt, 2)}), c);
  auto ks = plan({r.node()});
  EXPECT_EQ(computing(ks), 1) << describe(ks);
  EXPECT_EQ(spaces_of(ks, "add"), std::vector<Shape>{{500}});  // only the elements read
  check([&] { return op("multiply", at(op("add", a, b), {sl(std::nullopt, std::nullopt, 2)}), c); }, 1, "(a+b)[::2]*c");
}

TEST(ViewPushdown, TransposesReshapesReductionsNegativeStridesAndViewsOfViews) {
  Array a = vec(1000, 0.5), b = vec(1000, -0.25), c = vec(500, 3.0);
  Array m = vec(12, 1.5), d = vec(12, 2.0);
  Array m34 = reshape(m, {3, 4}), d43 = reshape(d, {4, 3});
  auto none = std::nullopt;
  check([&] { return op("add", matrix_transpose(op("multiply", m34, m34)), d43); }, 1, "(m*m).T + d");
  check([&] { return reduce("sum", at(op("multiply", a, b), {sl(1, -1)}), std::nullopt, false); }, 1, "sum((a*b)[1:-1])");
  check([&] { return op("multiply", reshape(op("add", a, num(1.0)), {10, 100}), num(2.0)); }, 1, "(a+1).reshape*2");
  check([&] { return op("multiply", reshape(op("add", m34, num(1.0)), {12}), d); }, 1, "merging reshape, contiguous");
  check([&] { return at(op("add", at(op("add", a, b), {sl(none, none, 2)}), vec(500, 1.0)), {sl(1, none)}); }, 1,
        "((a+b)[::2] + c)[1:]");
  check([&] { return op("add", at(op("multiply", a, b), {sl(none, none, -1)}), a); }, 1, "(a*b)[::-1] + a");
  check([&] { return op("add", flip(op("subtract", m34, num(1.0)), {}), m34); }, 1, "flip(m-1) + m");
  check([&] { return op("multiply", at(op("add", a, b), {int64_t{3}}), num(2.0)); }, 1, "0-d: (a+b)[3]*2");
  check([&] { return op("add", at(op("add", a, b), {sl(5, 5)}), vec(0, 1.0)); }, 1, "empty: (a+b)[5:5]+e");
  check([&] { return op("multiply", at(op("exp", op("multiply", a, num(0.001))), {sl(1, none, 2)}), c); }, 1,
        "chain: exp(a*0.001)[1::2]*c");
}

TEST(ViewPushdown, BroadcastInputsOfTheProducerStayStridedReads) {
  Array m = reshape(vec(24, 1.0), {4, 6}), row = vec(6, 0.5), col = reshape(vec(4, 2.0), {4, 1});
  auto none = std::nullopt;
  check([&] { return op("multiply", at(op("add", m, row), {sl(none, none, 2), sl(1, none)}), num(3.0)); }, 1,
        "(m + row)[::2, 1:]*3");
  check([&] { return op("add", matrix_transpose(op("subtract", col, row)), num(1.0)); }, 1, "(col - row).T + 1");
  // A merging reshape of a broadcast: the row has no strided window in the flat order: not pushed.
  check([&] { return op("multiply", reshape(op("add", m, row), {24}), vec(24, 1.0)); }, 2, "(m + row).reshape(24)");
}

TEST(ViewPushdown, SharedSubexpressionsFollowTheViewOnce) {
  Array a = vec(1000, 0.001), b = vec(1000, 2.0);
  auto build = [&] {
    Array t = op("multiply", a, b);
    return op("multiply", at(op("add", op("sin", t), op("cos", t)), {sl(std::nullopt, std::nullopt, 2)}), num(2.0));
  };
  Array r = build();
  auto ks = plan({r.node()});
  EXPECT_EQ(computing(ks), 1) << describe(ks);
  EXPECT_EQ(spaces_of(ks, "sin"), std::vector<Shape>{{500}});  // t = a*b once, inside the one Kernel
  EXPECT_EQ(spaces_of(ks, "multiply"), (std::vector<Shape>{{500}, {500}}));
  check(build, 1, "(sin(t)+cos(t))[::2]*2");
}

TEST(ViewPushdown, ProducerAUserHoldsIsComputedOnceInFull) {
  Array a = vec(1000, 0.5), b = vec(1000, -0.25), c = vec(500, 3.0);
  Array p = op("exp", op("multiply", a, num(0.001)));  // the user keeps p
  Array r = op("multiply", at(p, {sl(std::nullopt, std::nullopt, 2)}), c);
  auto ks = plan({r.node()});
  EXPECT_EQ(computing(ks), 2);
  EXPECT_EQ(spaces_of(ks, "exp"), std::vector<Shape>{{1000}});
  eval({r.node()});
  EXPECT_TRUE(p.is_evaluated());  // stored as the first Kernel's output, for both readers
}

TEST(ViewPushdown, NoElementIsComputedTwice) {
  Array a = vec(1000, 0.001), m = reshape(vec(4000, 1.0), {4, 1000});
  auto none = std::nullopt;
  // Two views of one exp (its halves): exp is computed once, in full.
  auto halves = [&] {
    Array e = op("exp", a);
    return op("add", at(e, {sl(none, none, 2)}), at(e, {sl(1, none, 2)}));
  };
  Array r = halves();
  EXPECT_EQ(spaces_of(plan({r.node()}), "exp"), std::vector<Shape>{{1000}});
  check(halves, 2, "e[::2] + e[1::2]");
  // A broadcasting view would compute each exp four times: it stays a view of the computed exp.
  auto bcast = [&] { return op("add", broadcast_to(op("exp", a), {4, 1000}), m); };
  r = bcast();
  EXPECT_EQ(spaces_of(plan({r.node()}), "exp"), std::vector<Shape>{{1000}});
  check(bcast, 2, "broadcast_to(exp(a)) + m");
}

TEST(ViewPushdown, NeverThroughReductionsOpaqueCallsOrWrites) {
  Array m = reshape(vec(64, 0.5), {8, 8});
  auto none = std::nullopt;
  check([&] { return op("add", at(reduce("sum", m, std::vector<int64_t>{1}, false), {sl(none, none, 2)}), num(1.0)); },
        2, "sum(m, 1)[::2] + 1");
  check([&] { return op("add", at(matmul(m, m), {sl(none, none, 2)}), num(1.0)); }, 2, "(m @ m)[::2] + 1");
  // A producer reading a write: the write is computed in full (it is a storage version).
  auto written = [&] {
    Array s = op("add", m, num(0.0));
    setitem(s, {sl(2, 4)}, num(-1.0));
    return at(op("multiply", s, num(2.0)), {sl(1, none, 3)});
  };
  check(written, 3, "(s written)*2 [1::3]");  // add, set_view, multiply over all of s
}

TEST(ViewPushdown, LazyReadersSeeTheValuesBeforeALaterWrite) {
  Array a = op("add", vec(100, 1.0), num(0.0)), b = vec(100, 2.0);
  eval({a.node()});
  Array r = op("multiply", at(op("add", a, b), {sl(std::nullopt, std::nullopt, 2)}), num(1.0));
  setitem(a, {sl(std::nullopt, std::nullopt)}, num(-7.0));  // after r was built
  Data d = r.data();
  for (int i = 0; i < 50; ++i) EXPECT_EQ(d.ptr<double>()[i * d.strides[0]], 2 * i * 1.0 + 2 * i * 2.0);
  EXPECT_EQ(a.data().ptr<double>()[3], -7.0);
}

TEST(ViewPushdown, Dtypes) {
  for (DType dt : {DType::Bool, DType::Int8, DType::Int32, DType::Int64, DType::UInt16, DType::Float16, DType::Float32,
                   DType::Float64, DType::Complex64}) {
    Array a = vec(300, 0.75, dt), b = vec(300, 1.5, dt), c = vec(100, 2.0, dt);
    // Dtypes the cpu does not fuse run node by node, each over the view's 100 elements only.
    auto sum3 = [&] { return op("multiply", at(op("add", a, b), {sl(2, std::nullopt, 3)}), c); };
    Array r = sum3();
    EXPECT_EQ(spaces_of(plan({r.node()}), "add"), std::vector<Shape>{{100}}) << dtype_name(dt);
    check(sum3, -1, dtype_name(dt).data());
    check([&] { return op("maximum", at(op("multiply", a, b), {sl(std::nullopt, std::nullopt, -3)}), c); }, -1,
          dtype_name(dt).data());
  }
}

TEST(ViewPushdown, OffWithThePasses) {
  PassesOff off;
  Array a = vec(1000, 0.5), b = vec(1000, -0.25), c = vec(500, 3.0);
  Array r = op("multiply", at(op("add", a, b), {sl(std::nullopt, std::nullopt, 2)}), c);
  EXPECT_EQ(computing(plan({r.node()})), 2);
}

TEST(ViewPushdown, ValuesComputedInFullAnywayAreReadThroughNewViews) {
  Array a = vec(1000, 0.001), b = vec(1000, 2.0), c = vec(500, 1.0), m = reshape(vec(64, 0.01), {8, 8});
  auto none = std::nullopt;
  Array t = op("multiply", a, b);  // held: computed in full, the add only over the slice
  Array r = op("multiply", at(op("add", t, a), {sl(none, none, 2)}), c);
  auto ks = plan({r.node()});
  EXPECT_EQ(spaces_of(ks, "add"), std::vector<Shape>{{500}});
  check([&] { return op("multiply", at(op("add", t, a), {sl(none, none, 2)}), c); }, 2, "held t: (t + a)[::2]*c");
  // A reduction read by an inner node of the region: its new view is scheduled after it.
  auto inner = [&] {
    Array s = reduce("sum", m, std::vector<int64_t>{1}, false);
    return op("multiply", at(op("add", op("exp", s), num(1.0)), {sl(1, none, 2)}), num(2.0));
  };
  r = inner();
  ks = plan({r.node()});
  EXPECT_EQ(spaces_of(ks, "exp"), std::vector<Shape>{{4}});
  check(inner, 2, "(exp(sum(m, 1)) + 1)[1::2]*2");
}

TEST(ViewPushdown, CommonSubexpressionsInsideTheRegion) {
  // CSE merges the two exps (and the two views); the merged-away exp still holds the view until
  // the passes end, so the view is read through a new one and the old one must leave the schedule.
  Array a = vec(101, 0.01);
  auto build = [&] {
    return op("multiply", at(op("add", op("exp", at(a, {sl(1, std::nullopt)})), op("exp", at(a, {sl(1, std::nullopt)}))),
                             {sl(std::nullopt, std::nullopt, 2)}),
              num(2.0));
  };
  Array r = build();
  auto ks = plan({r.node()});
  EXPECT_EQ(computing(ks), 1) << describe(ks);
  EXPECT_EQ(spaces_of(ks, "exp"), std::vector<Shape>{{50}});
  for (auto& k : ks) {  // every scheduled node is alive and well-formed
    if (k.single) {
      EXPECT_LE(k.single->size(), 101);
    }
  }
  check(build, 1, "(exp(a[1:]) + exp(a[1:]))[::2]*2");
}
