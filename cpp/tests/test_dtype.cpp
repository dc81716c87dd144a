#include <gtest/gtest.h>

#include "ember/dtype.h"
#include "ember/errors.h"

using namespace ember;

TEST(DType, PromotionFollowsNumPy) {
  EXPECT_EQ(promote_types(DType::Int8, DType::UInt8), DType::Int16);
  EXPECT_EQ(promote_types(DType::Int64, DType::UInt64), DType::Float64);
  EXPECT_EQ(promote_types(DType::UInt32, DType::Int32), DType::Int64);
  EXPECT_EQ(promote_types(DType::Int16, DType::Float16), DType::Float32);
  EXPECT_EQ(promote_types(DType::Int8, DType::Float16), DType::Float16);
  EXPECT_EQ(promote_types(DType::Int32, DType::Float32), DType::Float64);
  EXPECT_EQ(promote_types(DType::Float16, DType::BFloat16), DType::Float32);
  EXPECT_EQ(promote_types(DType::Complex64, DType::Float64), DType::Complex128);
  EXPECT_EQ(promote_types(DType::Bool, DType::Bool), DType::Bool);
  EXPECT_EQ(promote_types(DType::Bool, DType::UInt16), DType::UInt16);
}

TEST(DType, PromotionIsSymmetric) {
  for (int i = 0; i < kNumDTypes; ++i)
    for (int j = 0; j < kNumDTypes; ++j)
      EXPECT_EQ(promote_types(DType(i), DType(j)), promote_types(DType(j), DType(i))) << i << " " << j;
}

TEST(DType, NamesRoundTrip) {
  for (int i = 0; i < kNumDTypes; ++i) EXPECT_EQ(dtype_from_name(dtype_name(DType(i))), DType(i));
  EXPECT_THROW(dtype_from_name("float128"), TypeError);
}

TEST(DType, HalfRoundsToNearestEven) {
  EXPECT_EQ(float16(1.0f).bits, 0x3c00);
  EXPECT_EQ(float16(65504.0f).bits, 0x7bff);
  EXPECT_EQ(float16(65520.0f).bits, 0x7c00);                 // rounds up to inf
  EXPECT_EQ(float16(5.960464477539063e-08f).bits, 0x0001);  // smallest subnormal
  EXPECT_EQ(float16(2.9802322387695312e-08f).bits, 0x0000);  // half of it: ties to even (zero)
  EXPECT_EQ(float(float16(-2.0f)), -2.0f);
  EXPECT_EQ(float(bfloat16(1.0f)), 1.0f);
  EXPECT_EQ(bfloat16(1.00390625f).bits, 0x3f80);  // tie rounds to even
}
