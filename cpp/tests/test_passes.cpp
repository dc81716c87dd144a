// The graph passes and the fused cpu kernels: structure of the plan, values, thread independence.
#include <gtest/gtest.h>

#include <cmath>

#include "ember/graph/eval.h"
#include "ember/ops.h"
#include "ember/runtime/allocator.h"
#include "ember/runtime/thread_pool.h"

using namespace ember;

namespace {

Array vec(int64_t n, double scale) {
  Array i = arange(Scalar(int64_t{0}), Scalar(n), Scalar(int64_t{1}), DType::Float64);
  Array r = apply_elementwise("multiply", {i, Array::from_python_scalar(Scalar(scale))});
  eval({r.node()});
  return r;
}

Array op(std::string_view name, const Array& a, const Array& b) { return apply_elementwise(name, {a, b}); }
Array op(std::string_view name, const Array& a) { return apply_elementwise(name, {a}); }
Array num(double v) { return Array::from_python_scalar(Scalar(v)); }

double at(const Array& a, int64_t i) { return a.data().ptr<double>()[i * (a.ndim() ? a.data().strides[0] : 0)]; }

int fused_count(const std::vector<KernelDesc>& ks) {
  int n = 0;
  for (auto& k : ks) n += k.single == nullptr;
  return n;
}

}  // namespace

TEST(Fusion, ChainIsOneKernelWithOneStore) {
  Array a = vec(100, 1.0), b = vec(100, 2.0);
  Array x = op("add", op("multiply", num(2.0), a), op("multiply", num(3.0), b));
  auto ks = plan({x.node()});
  ASSERT_EQ(ks.size(), 1u);
  EXPECT_EQ(ks[0].single, nullptr);
  EXPECT_EQ(ks[0].inputs.size(), 4u);  // a, b and the two weak float64 constants (already leaves)
  EXPECT_EQ(ks[0].code.size(), 3u);    // two products, the sum
  EXPECT_EQ(ks[0].outputs.size(), 1u);
  EXPECT_DOUBLE_EQ(at(x, 7), 2 * 7 + 3 * 14);
}

TEST(Fusion, HeldIntermediateIsStoredAndEvaluated) {
  Array a = vec(10, 1.0);
  Array t = op("exp", a);
  Array r = op("add", t, num(1.0));
  auto ks = plan({r.node()});
  ASSERT_EQ(ks.size(), 1u);
  EXPECT_EQ(ks[0].outputs.size(), 2u);
  eval({r.node()});
  EXPECT_TRUE(t.is_evaluated());
  EXPECT_DOUBLE_EQ(at(t, 3), std::exp(3.0));
  EXPECT_DOUBLE_EQ(at(r, 3), std::exp(3.0) + 1);
}

TEST(Fusion, TrailingReductionJoinsTheChain) {
  Array a = vec(5000, 0.5), b = vec(5000, 2.0);
  Array s = reduce("sum", op("multiply", a, b), std::nullopt, false);
  auto ks = plan({s.node()});
  ASSERT_EQ(ks.size(), 1u);
  EXPECT_NE(ks[0].reduction, nullptr);
  double expect = 0;
  for (int i = 0; i < 5000; ++i) expect += i * 0.5 * i * 2.0;
  EXPECT_NEAR(at(s, 0), expect, 1e-12 * expect);
}

TEST(Fusion, LeadingAxisReductionRunsUnfused) {
  Array a = reshape(vec(600, 1.0), {20, 30});
  Array s = reduce("sum", op("negative", a), std::vector<int64_t>{0}, false);
  auto ks = plan({s.node()});
  EXPECT_EQ(fused_count(ks), 1);  // negative; the axis-0 sum is the reduction kernel
  int views = 0;
  for (auto& k : ks) views += k.single && k.single->kind == Kind::View;
  EXPECT_EQ(ks.size() - views, 2u);
  EXPECT_DOUBLE_EQ(at(s, 1), -(20 * 1 + 30.0 * (19 * 20 / 2)));
}

TEST(Fusion, ResultsDoNotDependOnThreads) {
  Array a = vec(1'000'003, 1e-3);
  std::vector<double> sums;
  for (int t : {1, 2, 4}) {
    runtime::set_num_threads(t);
    Array s = reduce("sum", op("sin", a), std::nullopt, false);
    sums.push_back(at(s, 0));
  }
  runtime::set_num_threads(0);
  EXPECT_EQ(sums[0], sums[1]);
  EXPECT_EQ(sums[0], sums[2]);
}

TEST(Allocator, ReusesFreedBlocks) {
  size_t cap = 0;
  void* p = runtime::cached_alloc(1 << 20, &cap);
  EXPECT_GE(cap, size_t{1} << 20);
  runtime::cached_free(p, cap);
  size_t cap2 = 0;
  void* q = runtime::cached_alloc((1 << 20) - 100, &cap2);
  EXPECT_EQ(p, q);
  EXPECT_EQ(cap, cap2);
  runtime::cached_free(q, cap2);
  EXPECT_GE(runtime::empty_cache(), cap);
}

TEST(Fusion, CommonSubexpressionsShareARegister) {
  Array a = vec(50, 0.1);
  Array x = op("add", op("sin", a), op("multiply", op("sin", a), op("sin", a)));
  auto ks = plan({x.node()});
  ASSERT_EQ(ks.size(), 1u);
  EXPECT_EQ(ks[0].code.size(), 3u);  // sin once, multiply, add
  double s = std::sin(0.7);
  EXPECT_NEAR(at(x, 7), s + s * s, 1e-15);
}

TEST(Fusion, DyingInputBufferIsReused) {
  Array t = op("add", vec(100'000, 1.0), num(1.0));
  eval({t.node()});
  const std::byte* before = t.data().buffer->data();
  NodePtr r = op("multiply", t, num(2.0)).node();
  t = Array();  // nobody else holds t now
  eval({r});
  EXPECT_EQ(r->data.buffer->data(), before);
  EXPECT_DOUBLE_EQ(r->data.ptr<double>()[10], 2 * 11.0);
}

TEST(Async, EvalAsyncThenSyncPoint) {
  Array a = vec(1'000'000, 1e-6);
  Array y = op("exp", a);
  eval_async({y.node()});
  Array z = op("subtract", y, num(1.0));  // built on a value in flight
  eval_async({z.node()});
  EXPECT_NEAR(at(z, 500'000), std::exp(0.5) - 1, 1e-14);
  EXPECT_TRUE(y.is_evaluated());
}
