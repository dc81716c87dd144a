#include <gtest/gtest.h>

#include "ember/errors.h"
#include "ember/ops.h"

using namespace ember;

TEST(Shape, ContiguousStridesAndChecks) {
  EXPECT_EQ(contiguous_strides({2, 3, 4}), (Strides{12, 4, 1}));
  EXPECT_EQ(contiguous_strides({}), (Strides{}));
  EXPECT_TRUE(is_contiguous({2, 3}, {3, 1}));
  EXPECT_FALSE(is_contiguous({2, 3}, {1, 2}));
  EXPECT_TRUE(is_contiguous({1, 3}, {99, 1}));  // size-1 axes do not matter
  EXPECT_TRUE(is_contiguous({0, 3}, {5, 7}));   // empty arrays are contiguous
  EXPECT_EQ(shape_size({}), 1);
  EXPECT_EQ(shape_size({3, 0}), 0);
  EXPECT_EQ(shape_str({3}), "(3,)");
}

TEST(Shape, BroadcastStridesAreZeroOnStretchedAxes) {
  EXPECT_EQ(broadcast_strides({3, 1}, {1, 1}, {2, 3, 4}), (Strides{0, 1, 0}));
}

TEST(Shape, AxesAreNormalisedAndChecked) {
  EXPECT_EQ(normalize_axis(-1, 3), 2);
  EXPECT_THROW(normalize_axis(3, 3), AxisError);
  EXPECT_THROW(normalize_axis(-4, 3), AxisError);
  EXPECT_THROW(normalize_axes({0, -3}, 3), ValueError);  // repeated axis
}

TEST(Views, ReshapeOfAContiguousArrayIsAView) {
  Array a = zeros({2, 6}, DType::Float32);
  Array r = reshape(a, {3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 4}));
  EXPECT_EQ(r.storage(), a.storage());
}

TEST(Views, ReshapeOfATransposeCopies) {
  Array a = zeros({2, 3}, DType::Float32);
  Array t = permute_dims(a, {1, 0});
  Array r = reshape(t, {6});
  EXPECT_NE(r.storage(), a.storage());
  EXPECT_THROW(reshape(a, {4, -1}), ValueError);
  EXPECT_THROW(reshape(a, {-1, -1}), ValueError);
}

TEST(Views, TransposeSlicesAndFlipsShareStorage) {
  Array a = zeros({4, 5}, DType::Float64);
  Array s = getitem(a, {Slice{1, std::nullopt, 2}, Slice{std::nullopt, std::nullopt, -1}});
  EXPECT_EQ(s.shape(), (Shape{2, 5}));
  EXPECT_EQ(s.strides(), (Strides{10, -1}));
  EXPECT_EQ(s.offset(), 5 + 4);
  EXPECT_EQ(s.storage(), a.storage());
  Array f = flip(a, {});
  EXPECT_EQ(f.offset(), 19);
}

TEST(Views, BroadcastViewsAreReadOnly) {
  Array a = zeros({3}, DType::Float64);
  Array b = broadcast_to(a, {2, 3});
  EXPECT_FALSE(b.writeable());
  EXPECT_THROW(setitem(b, {int64_t{0}}, Array::from_python_scalar(Scalar(1.0))), ValueError);
  EXPECT_THROW(broadcast_to(a, {2, 4}), ValueError);
}
