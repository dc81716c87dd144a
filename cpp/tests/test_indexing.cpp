// Advanced indexing and joins in the core: gather/scatter placement, bounds errors, versioned writes.
#include <gtest/gtest.h>

#include "ember/errors.h"
#include "ember/ops.h"

using namespace ember;

namespace {

Array iota(Shape shape) {
  int64_t n = shape_size(shape);
  return reshape(arange(Scalar(int64_t{0}), Scalar(n), Scalar(int64_t{1}), DType::Int64), std::move(shape));
}

Array ints(std::vector<int64_t> v) {
  Array a = zeros({static_cast<int64_t>(v.size())}, DType::Int64);
  for (size_t i = 0; i < v.size(); ++i) setitem(a, {static_cast<int64_t>(i)}, Array::from_python_scalar(Scalar(v[i])));
  return a;
}

std::vector<int64_t> values(const Array& a) {
  Data d = a.data();
  std::vector<int64_t> out;
  Shape idx(a.ndim(), 0);
  for (int64_t i = 0; i < a.size(); ++i) {
    int64_t off = 0;
    for (int k = 0; k < a.ndim(); ++k) off += idx[k] * d.strides[k];
    out.push_back(d.ptr<int64_t>()[off]);
    for (int k = a.ndim() - 1; k >= 0 && ++idx[k] == a.shape()[k]; --k) idx[k] = 0;
  }
  return out;
}

}  // namespace

TEST(Indexing, GatherPlacesSeparatedAdvancedAxesFirst) {
  Array a = iota({2, 3, 4});
  // a[0, :, [0, 1]]: the int and the array are separated by a slice -> shape (2, 3)
  Array r = getitem(a, {int64_t{0}, Slice{}, ints({0, 1})});
  EXPECT_EQ(r.shape(), (Shape{2, 3}));
  EXPECT_EQ(values(r), (std::vector<int64_t>{0, 4, 8, 1, 5, 9}));
  // a[:, [2, 0]]: in place -> shape (2, 2, 4)
  Array s = getitem(a, {Slice{}, ints({2, -3})});
  EXPECT_EQ(s.shape(), (Shape{2, 2, 4}));
  EXPECT_EQ(values(s)[4], 0);
}

TEST(Indexing, OutOfRangeIsIndexErrorNamingIndexAndSize) {
  Array a = iota({3});
  Array r = getitem(a, {ints({1, 5})});
  try {
    values(r);
    FAIL();
  } catch (const IndexError& e) {
    EXPECT_NE(std::string(e.what()).find("index 5 is out of bounds for axis 0 with size 3"), std::string::npos);
  }
  EXPECT_THROW(setitem(a, {ints({-4})}, Array::from_python_scalar(Scalar(int64_t{1}))), IndexError);
  EXPECT_EQ(values(a), (std::vector<int64_t>{0, 1, 2}));  // a failed write changes nothing
}

TEST(Indexing, ScatterMakesANewVersion) {
  Array a = iota({5});
  Array before = apply_elementwise("add", {a, Array::from_python_scalar(Scalar(int64_t{0}))});
  Array view = getitem(a, {Slice{std::nullopt, std::nullopt, int64_t{-1}}});
  setitem(a, {ints({0, 0, 3})}, ints({7, 8, 9}));
  EXPECT_EQ(values(a), (std::vector<int64_t>{8, 1, 2, 9, 4}));  // duplicates: the last value wins
  EXPECT_EQ(values(view), (std::vector<int64_t>{4, 9, 2, 1, 8}));
  EXPECT_EQ(values(before), (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

TEST(Indexing, NonzeroAndMasks) {
  Array a = iota({2, 3});
  Array m = apply_elementwise("greater", {a, Array::from_python_scalar(Scalar(int64_t{2}))});
  std::vector<Array> nz = nonzero(m);
  ASSERT_EQ(nz.size(), 2u);
  EXPECT_EQ(values(nz[0]), (std::vector<int64_t>{1, 1, 1}));
  EXPECT_EQ(values(nz[1]), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(values(getitem(a, {m})), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_THROW(nonzero(zeros({}, DType::Bool)), ValueError);
}

TEST(Manipulation, ConcatIsOneNodeAndPromotes) {
  Array a = iota({2, 2});
  Array b = astype(iota({1, 2}), DType::Int8);
  Array c = concat({a, b, a}, 0);
  EXPECT_EQ(c.dtype(), DType::Int64);
  EXPECT_EQ(c.node()->inputs.size(), 3u);
  EXPECT_EQ(values(c), (std::vector<int64_t>{0, 1, 2, 3, 0, 1, 0, 1, 2, 3}));
  EXPECT_THROW(concat({a, iota({2, 3})}, 0), ValueError);
  EXPECT_EQ(values(diagonal(iota({3, 3}), 1, 0, 1)), (std::vector<int64_t>{1, 5}));
}
