#include <gtest/gtest.h>

#include <cmath>

#include "ember/errors.h"
#include "ember/ops.h"

using namespace ember;

namespace {
Array matrix(const std::vector<double>& v, Shape shape) {
  auto buf = allocate_buffer(v.size() * sizeof(double));
  std::copy(v.begin(), v.end(), reinterpret_cast<double*>(buf->data()));
  return from_buffer(buf, DType::Float64, std::move(shape));
}
double at(const Array& a, int64_t i) {
  Data d = a.data();
  return d.ptr<double>()[i];  // contiguous results only
}
}  // namespace

TEST(Linalg, MatmulShapesAndValues) {
  Array a = matrix({1, 2, 3, 4, 5, 6}, {2, 3});
  Array b = matrix({1, 0, 0, 1, 1, 1}, {3, 2});
  Array c = matmul(a, b);
  EXPECT_EQ(c.shape(), (Shape{2, 2}));
  EXPECT_EQ(at(c, 0), 4);
  EXPECT_EQ(at(c, 3), 11);
  Array v = matmul(a, matrix({1, 1, 1}, {3}));
  EXPECT_EQ(v.shape(), (Shape{2}));
  EXPECT_EQ(at(v, 1), 15);
  EXPECT_THROW(matmul(a, a), ValueError);
}

TEST(Linalg, SolveInvDetAndSingular) {
  Array a = matrix({4, 1, 2, 3}, {2, 2});
  EXPECT_NEAR(at(det(a), 0), 10, 1e-12);
  Array x = solve(a, matrix({1, 2}, {2}));
  EXPECT_NEAR(at(x, 0), 0.1, 1e-12);
  EXPECT_NEAR(at(x, 1), 0.6, 1e-12);
  Array s = matrix({1, 2, 2, 4}, {2, 2});
  EXPECT_THROW(inv(s).data(), LinAlgError);
  EXPECT_EQ(at(det(s), 0), 0);
  EXPECT_THROW(det(matrix({1, 2, 3}, {3})), LinAlgError);
}

TEST(Linalg, MultiOutputNodes) {
  Array a = matrix({2, 1, 1, 2}, {2, 2});
  auto [w, v] = eigh(a);
  EXPECT_NEAR(at(w, 0), 1, 1e-12);
  EXPECT_NEAR(at(w, 1), 3, 1e-12);
  EXPECT_EQ(v.shape(), (Shape{2, 2}));
  EXPECT_NEAR(std::abs(at(v, 0)), std::sqrt(0.5), 1e-12);
  auto [u, sv, vh] = svd(matrix({3, 0, 0, 4}, {2, 2}), true);
  EXPECT_NEAR(at(sv, 0), 4, 1e-12);
  EXPECT_NEAR(at(sv, 1), 3, 1e-12);
}

TEST(Random, ReproducibleAndInRange) {
  Array a = random_uniform({1000}, DType::Float64, {42, 0});
  Array b = random_uniform({1000}, DType::Float64, {42, 0});
  Array c = random_uniform({500}, DType::Float64, {42, 500});  // the second half of the same stream
  for (int64_t i = 0; i < 1000; ++i) {
    EXPECT_EQ(at(a, i), at(b, i));
    EXPECT_GE(at(a, i), 0);
    EXPECT_LT(at(a, i), 1);
  }
  for (int64_t i = 0; i < 500; ++i) EXPECT_EQ(at(c, i), at(a, 500 + i));
  EXPECT_THROW(random_uniform({3}, DType::Int32, {1, 0}), TypeError);
}
