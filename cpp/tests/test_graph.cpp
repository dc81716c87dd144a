#include <gtest/gtest.h>

#include "ember/errors.h"
#include "ember/ops.h"

using namespace ember;

namespace {
std::vector<double> values(const Array& a) {
  Data d = a.data();
  std::vector<double> out;
  Shape idx(a.ndim(), 0);
  for (int64_t i = 0; i < a.size(); ++i) {
    int64_t off = 0;
    for (int k = 0; k < a.ndim(); ++k) off += idx[k] * d.strides[k];
    out.push_back(d.ptr<double>()[off]);
    for (int k = a.ndim() - 1; k >= 0 && ++idx[k] == a.shape()[k]; --k) idx[k] = 0;
  }
  return out;
}
}  // namespace

TEST(Shape, BroadcastingNamesBothShapes) {
  EXPECT_EQ(broadcast_shapes({3, 1}, {4}), (Shape{3, 4}));
  try {
    broadcast_shapes({3}, {4});
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("(3,) (4,)"), std::string::npos);
  }
}

TEST(Graph, IsLazyUntilRead) {
  Array a = arange(Scalar(int64_t{0}), Scalar(int64_t{4}), Scalar(int64_t{1}), DType::Float64);
  Array b = apply_elementwise("multiply", {a, Array::from_python_scalar(Scalar(2.0))});
  EXPECT_FALSE(b.is_evaluated());
  EXPECT_EQ(values(b), (std::vector<double>{0, 2, 4, 6}));
  EXPECT_TRUE(b.is_evaluated());
}

TEST(Graph, WritesMakeNewVersionsLazyReadersKeepOld) {
  Array a = zeros({4}, DType::Float64);
  Array before = apply_elementwise("add", {a, Array::from_python_scalar(Scalar(1.0))});  // lazy
  setitem(a, {Slice{1, 3, std::nullopt}}, Array::from_python_scalar(Scalar(5.0)));
  EXPECT_EQ(values(a), (std::vector<double>{0, 5, 5, 0}));
  EXPECT_EQ(values(before), (std::vector<double>{1, 1, 1, 1}));
}

TEST(Graph, ViewsSeeWritesThroughOtherViews) {
  Array a = zeros({3, 3}, DType::Float64);
  Array row = getitem(a, {int64_t{1}});
  Array col = getitem(a, {Slice{}, int64_t{1}});
  setitem(row, {Slice{}}, Array::from_python_scalar(Scalar(7.0)));
  EXPECT_EQ(values(col), (std::vector<double>{0, 7, 0}));
  Array t = permute_dims(a, {1, 0});
  EXPECT_EQ(values(getitem(t, {int64_t{1}})), (std::vector<double>{0, 7, 0}));
}

TEST(Graph, DeepLazyChainsDoNotOverflowTheStack) {
  Array a = zeros({2}, DType::Float64);
  for (int i = 0; i < 5000; ++i) a = apply_elementwise("add", {a, Array::from_python_scalar(Scalar(1.0))});
  EXPECT_EQ(values(a), (std::vector<double>{5000, 5000}));
}

TEST(Graph, MissingKernelNamesOpAndDevice) {
  Array a = zeros({2}, DType::Float64);
  NodePtr n = make_node("no_such_op", Kind::Opaque, {a.node()}, DType::Float64, {2});
  try {
    Array(n).data();
    FAIL();
  } catch (const NotImplementedError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_op"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("cpu"), std::string::npos);
  }
}
