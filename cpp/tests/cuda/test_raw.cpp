// User kernels without a GPU: parameter parsing, type binding, scalar bytes, rendering and NVRTC
// compiles of rendered signatures (the launch tests are in tests/test_cuda_raw.py and need a GPU).
#include <gtest/gtest.h>

#include <cstring>

#include "ember/backend/cuda/nvrtc.h"
#include "ember/backend/cuda/raw_compile.h"
#include "ember/backend/cuda/raw_params.h"
#include "ember/backend/cuda/raw_render.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

TEST(RawParams, ParsesTypesPlaceholdersAndRaw) {
  auto p = parse_params(" float32 x,T y , raw int64 z ");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].name, "x");
  EXPECT_FALSE(p[0].placeholder);
  EXPECT_EQ(p[0].dtype, DType::Float32);
  EXPECT_TRUE(p[1].placeholder);
  EXPECT_EQ(p[1].type, "T");
  EXPECT_TRUE(p[2].raw);
  EXPECT_EQ(p[2].dtype, DType::Int64);
  EXPECT_TRUE(parse_params("  ").empty());
  for (const char* bad : {"float32", "x float32 y", "float33 x", "T i", "T _a", "T x, U x", "T x,"})
    EXPECT_THROW(parse_params(bad), ValueError) << bad;
}

TEST(RawParams, BindsArraysBeforeScalarsAndNamesConflicts) {
  auto p = parse_params("T x, T y, U s, V out");
  TypeMap t = bind_types(p, {{ArgType::Scalar, DType::Float64}, {ArgType::Array, DType::Int16},
                             {ArgType::Scalar, DType::Float32}, {ArgType::Array, DType::Bool}});
  EXPECT_EQ(t.at("T"), DType::Int16);  // the array wins over the scalar
  EXPECT_EQ(t.at("U"), DType::Float32);
  EXPECT_EQ(t.at("V"), DType::Bool);
  EXPECT_THROW(bind_types(p, {{ArgType::Array, DType::Int32}, {ArgType::Array, DType::Int64},
                              {ArgType::Scalar, DType::Float32}, {ArgType::Array, DType::Bool}}),
               TypeError);
  EXPECT_THROW(bind_types(p, {{ArgType::Array, DType::Int32}, {ArgType::Array, DType::Int32},
                              {ArgType::Scalar, DType::Float32}, {}}),
               TypeError);  // V unbound
}

TEST(RawParams, ScalarBytesCastAsNumPy) {
  std::string b = scalar_bytes(Scalar(2.75), DType::Int32);
  int32_t v = 0;
  std::memcpy(&v, b.data(), 4);
  EXPECT_EQ(v, 2);
  EXPECT_EQ(scalar_bytes(Scalar(int64_t{-1}), DType::UInt8), std::string(1, '\xff'));
  Scalar s = scalar_from_bytes(scalar_bytes(Scalar(1.5), DType::Float32), DType::Float32);
  EXPECT_EQ(s.as<double>(), 1.5);
  EXPECT_THROW(scalar_from_bytes("abc", DType::Float32), ValueError);
  EXPECT_THROW(c_type(DType::Float16), NotImplementedError);
}

UserKernelSource elementwise(DType t, int ndim) {
  UserKernelSource k;
  k.name = "ew";
  k.types = {{"T", t}};
  k.ndim = ndim;
  k.params = {{BoundParam::Array, "x", t, t}, {BoundParam::Scalar, "s", DType::Float64, DType::Float64},
              {BoundParam::Raw, "r", t, t, 2}, {BoundParam::Array, "z", t, t, 0, true}};
  k.operation = "z = (T)(x * s) + r[i % r.size()]";
  return k;
}

TEST(RawRender, ElementwiseCompilesForEveryDtypeAndRank) {
  if (!nvrtc_available()) GTEST_SKIP() << "NVRTC does not load here: " << nvrtc_error();
  for (DType t : {DType::Bool, DType::Int8, DType::UInt16, DType::Int32, DType::UInt64, DType::Float32,
                  DType::Float64})
    for (int nd : {1, 3}) {
      std::string src = render_user_kernel(elementwise(t, nd));
      EXPECT_NE(src.find("extern \"C\" __global__ void ew("), std::string::npos);
      EXPECT_GT(compile_raw(src, "sm_90", {}).cubin->size(), 0u) << src;
    }
}

TEST(RawRender, ReductionWithAndWithoutIdentityCompiles) {
  if (!nvrtc_available()) GTEST_SKIP() << "NVRTC does not load here: " << nvrtc_error();
  for (const char* identity : {"0", ""}) {
    UserKernelSource k;
    k.name = "rk";
    k.reduction = true;
    k.ndim = 3;
    k.kept = 1;
    k.types = {{"T", DType::Float32}};
    k.params = {{BoundParam::Array, "x", DType::Float32, DType::Int8}, {BoundParam::Array, "y", DType::Float32,
                                                                         DType::Float32, 0, true}};
    k.map_expr = "x * x";
    k.reduce_expr = "a + b";
    k.post_map_expr = "y = sqrt(a)";
    k.identity = identity;
    k.reduce_type = DType::Float64;
    std::string src = render_user_kernel(k);
    EXPECT_NE(src.find("#define REDUCE(a, b) (a + b)"), std::string::npos);
    EXPECT_GT(compile_raw(src, "sm_90", {}).cubin->size(), 0u) << src;
  }
}

TEST(RawCompile, NameExpressionsAreLoweredAndCompileErrorsCarryTheLog) {
  if (!nvrtc_available()) GTEST_SKIP() << "NVRTC does not load here: " << nvrtc_error();
  RawBinary b = compile_raw("template <class T> __global__ void f(T* x) { x[0] = T(1); }", "sm_90", {},
                            {"f<float>", "f<int>"});
  EXPECT_EQ(b.lowered.size(), 2u);
  EXPECT_EQ(b.lowered.at("f<float>").rfind("_Z", 0), 0u);
  try {
    compile_raw("__global__ void g() { nope; }", "sm_90", {});
    FAIL() << "expected a CompileError";
  } catch (const CompileError& e) {
    EXPECT_NE(e.log().find("nope"), std::string::npos);
  }
}

}  // namespace
}  // namespace ember::cuda
