// The eager plan cache (graph/plan_cache.h): hits and misses by structure, held intermediates,
// bypasses, and results bit for bit equal to the evaluation without the cache.
#include <gtest/gtest.h>

#include "ember/errors.h"
#include "ember/graph/eval.h"
#include "ember/graph/plan_cache.h"
#include "ember/ops.h"
#include "pass_test_util.h"

using namespace ember;
using namespace passtest;

namespace {

struct FreshCache {
  FreshCache() {
    set_plan_cache_enabled(true);
    plan_cache_clear();
  }
  ~FreshCache() {
    set_plan_cache_enabled(true);
    plan_cache_clear();
  }
};

Array chain(Array x, int n, double m = 1.0001, double c = 0.001) {
  for (int i = 0; i < n; ++i) x = op("add", op("multiply", x, num(m)), num(c));
  return x;
}

std::vector<unsigned char> evaluated_bytes(const Array& a) {
  eval({a.node()});
  return bytes(a);
}

}  // namespace

TEST(PlanCache, TheThirdSightOfAStructureReplays) {
  FreshCache fresh;
  Array s = vec(1000, 0.001);
  set_plan_cache_enabled(false);
  auto ref = evaluated_bytes(chain(s, 100));
  set_plan_cache_enabled(true);
  plan_cache_clear();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(evaluated_bytes(chain(s, 100)), ref) << i;
  PlanCacheInfo info = plan_cache_info();
  EXPECT_EQ(info.misses, 2);  // first sight; second sight (the plan is made, then run)
  EXPECT_EQ(info.hits, 2);
  EXPECT_EQ(info.entries, 1);
}

TEST(PlanCache, ScalarValuesShapesAndLeafIdentityAreInTheKey) {
  FreshCache fresh;
  Array a = vec(64, 0.5), b = vec(64, 0.25), c = vec(65, 0.5);
  plan_cache_clear();
  for (int i = 0; i < 3; ++i) evaluated_bytes(op("add", op("multiply", a, num(2.0)), b));
  ASSERT_EQ(plan_cache_info().hits, 1);
  evaluated_bytes(op("add", op("multiply", a, num(3.0)), b));  // another value
  evaluated_bytes(op("add", op("multiply", c, num(2.0)), c));  // another shape
  Array same = op("add", op("multiply", a, num(2.0)), a);      // the same leaf twice
  auto got = evaluated_bytes(same);
  EXPECT_EQ(plan_cache_info().hits, 1);
  set_plan_cache_enabled(false);
  EXPECT_EQ(got, evaluated_bytes(op("add", op("multiply", a, num(2.0)), a)));
}

TEST(PlanCache, HeldIntermediatesAreStoredAndKeyedApart) {
  FreshCache fresh;
  Array a = vec(100, 0.01);
  for (int i = 0; i < 4; ++i) {
    Array t = op("exp", a);
    Array y = op("multiply", t, num(3.0));
    eval({y.node()});
    ASSERT_TRUE(t.is_evaluated()) << i;  // the user holds t: it gets its value
    PassesOff off;                       // (a reference without the passes or the cache)
    set_plan_cache_enabled(false);
    EXPECT_EQ(bytes(t), evaluated_bytes(op("exp", a)));
    EXPECT_EQ(bytes(y), evaluated_bytes(op("multiply", op("exp", a), num(3.0))));
    set_plan_cache_enabled(true);
  }
  EXPECT_GE(plan_cache_info().hits, 2);
}

TEST(PlanCache, WritesBypassAndAreSeenByLaterReplays) {
  FreshCache fresh;
  Array a = vec(10, 1.0);
  int64_t bypasses = plan_cache_info().bypasses;
  // Each trip's graph reads the version the trip before wrote (from the third trip on, an evaluated
  // "add" with the same structure as the trip before: the key holds a leaf's op).
  for (int i = 0; i < 6; ++i) {
    Array y = op("multiply", a, num(2.0));
    EXPECT_DOUBLE_EQ(y.data().ptr<double>()[3], 2.0 * (3.0 + i));
    a.write(op("add", a, num(1.0)).node());  // a new version of the whole array
  }
  Array v = Array(a.storage(), 2, {3}, {1});
  v.write(op("multiply", v, num(0.0)).node());  // a write through a view: a set_view node
  EXPECT_DOUBLE_EQ(op("multiply", a, num(2.0)).data().ptr<double>()[3], 0.0);
  EXPECT_GT(plan_cache_info().bypasses, bypasses);
  EXPECT_GE(plan_cache_info().hits, 2);
}

TEST(PlanCache, AFailingReplayRaisesTheOrdinaryError) {
  FreshCache fresh;
  Array base = astype(vec(4, 1.0), DType::Int64, false);
  Array twos = astype(op("add", vec(4, 0.0), num(2.0)), DType::Int64, false);
  Array minus = astype(op("add", vec(4, 0.0), num(-1.0)), DType::Int64, false);
  eval({base.node(), twos.node(), minus.node()});
  auto power = [&](int64_t e) { return op("add", op("pow", base, e == 2 ? twos : minus), num(1.0)); };
  plan_cache_clear();
  for (int i = 0; i < 3; ++i) evaluated_bytes(power(2));
  ASSERT_EQ(plan_cache_info().hits, 1);
  Array bad = power(-1);
  EXPECT_THROW(eval({bad.node()}), ValueError);
  EXPECT_FALSE(bad.is_evaluated());
  EXPECT_DOUBLE_EQ(power(2).data().ptr<double>()[3], 10.0);
}
