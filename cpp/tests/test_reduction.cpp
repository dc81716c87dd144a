#include <gtest/gtest.h>

#include <cmath>

#include "ember/errors.h"
#include "ember/ops.h"

using namespace ember;

namespace {
Array range_f64(int64_t n) {
  return arange(Scalar(int64_t{0}), Scalar(n), Scalar(int64_t{1}), DType::Float64);
}
double at(const Array& a, int64_t i) {
  Data d = a.data();
  return d.ptr<double>()[i * (a.ndim() ? d.strides[0] : 0)];
}
}  // namespace

TEST(Reduction, SumOverAxesAndKeepdims) {
  Array a = reshape(range_f64(24), {2, 3, 4});
  Array s = reduce("sum", a, std::vector<int64_t>{0, 2}, false);
  EXPECT_EQ(s.shape(), (Shape{3}));
  EXPECT_EQ(at(s, 0), 60);
  EXPECT_EQ(at(s, 2), 124);
  Array k = reduce("sum", a, std::vector<int64_t>{-1}, true);
  EXPECT_EQ(k.shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(reduce("sum", a, std::nullopt, false).shape(), Shape{});
}

TEST(Reduction, ResultDtypesFollowNumPy) {
  Array i8 = zeros({3}, DType::Int8);
  EXPECT_EQ(reduce("sum", i8, std::nullopt, false).dtype(), DType::Int64);
  EXPECT_EQ(reduce("sum", zeros({3}, DType::UInt8), std::nullopt, false).dtype(), DType::UInt64);
  EXPECT_EQ(reduce("max", i8, std::nullopt, false).dtype(), DType::Int8);
  EXPECT_EQ(reduce("any", i8, std::nullopt, false).dtype(), DType::Bool);
  EXPECT_EQ(mean(i8, std::nullopt, false).dtype(), DType::Float64);
  EXPECT_EQ(mean(zeros({3}, DType::Float16), std::nullopt, false).dtype(), DType::Float16);
  EXPECT_EQ(var(zeros({3}, DType::Complex64), std::nullopt, 0, false).dtype(), DType::Float32);
  EXPECT_EQ(argreduce("argmax", i8, std::nullopt, false).dtype(), DType::Int64);
}

TEST(Reduction, EmptyAndBadAxes) {
  EXPECT_THROW(reduce("max", zeros({0}, DType::Float64), std::nullopt, false), ValueError);
  EXPECT_THROW(argreduce("argmin", zeros({0}, DType::Float64), std::nullopt, false), ValueError);
  EXPECT_THROW(reduce("sum", zeros({2}, DType::Float64), std::vector<int64_t>{1}, false), AxisError);
  EXPECT_THROW(reduce("nope", zeros({2}, DType::Float64), std::nullopt, false), ValueError);
  EXPECT_EQ(at(reduce("sum", zeros({0}, DType::Float64), std::nullopt, false), 0), 0.0);
  EXPECT_TRUE(std::isnan(at(mean(zeros({0}, DType::Float64), std::nullopt, false), 0)));
}

TEST(Reduction, PairwiseSumIsAccurate) {
  // 10^7 copies of 0.1f: naive float accumulation stalls far from 10^6; pairwise stays close.
  Array a = full({10000000}, Scalar(0.1), DType::Float32);
  Data d = reduce("sum", a, std::nullopt, false).data();
  EXPECT_NEAR(*d.ptr<float>(), 1.0e6, 1.0e6 * 1e-5);
}

TEST(Reduction, ArgmaxFirstOccurrenceAndNan) {
  Array a = astype(range_f64(5), DType::Float64);
  Array m = apply_elementwise("minimum", {a, Array::from_python_scalar(Scalar(2.0))});  // 0 1 2 2 2
  Data d = argreduce("argmax", m, std::nullopt, false).data();
  EXPECT_EQ(*d.ptr<int64_t>(), 2);
}

TEST(Scan, CumsumIncludeInitial) {
  Array c = cumulative("cumsum", range_f64(4), 0, std::nullopt, true);
  EXPECT_EQ(c.shape(), (Shape{5}));
  EXPECT_EQ(at(c, 0), 0);
  EXPECT_EQ(at(c, 4), 6);
}

TEST(Sorting, SortArgsortUnique) {
  Array a = flip(range_f64(5), {});
  Array s = sort(a, 0);
  EXPECT_EQ(at(s, 0), 0);
  EXPECT_EQ(at(s, 4), 4);
  Data idx = argsort(a, 0, /*descending=*/true).data();
  EXPECT_EQ(idx.ptr<int64_t>()[0], 0);
  UniqueResult u = unique_all(apply_elementwise("minimum", {a, Array::from_python_scalar(Scalar(2.0))}), true);
  EXPECT_EQ(u.values.shape(), (Shape{3}));
  EXPECT_EQ(u.counts.data().ptr<int64_t>()[2], 3);
  Data pos = searchsorted(range_f64(5), Array::from_python_scalar(Scalar(2.5)), false).data();
  EXPECT_EQ(*pos.ptr<int64_t>(), 3);
}
