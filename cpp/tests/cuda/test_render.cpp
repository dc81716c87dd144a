#include "ember/backend/cuda/render.h"

#include <gtest/gtest.h>

#include "ember/backend/cuda/nvrtc.h"
#include "ember/errors.h"
#include "render_builder.h"

namespace ember::cuda {
namespace {

using testing::KernelBuilder;

// Compiles a rendered kernel for sm_90 with NVRTC; fails the test with NVRTC's log otherwise.
void expect_compiles(const Rendered& r) {
  ASSERT_TRUE(nvrtc_available()) << nvrtc_error();
  try {
    Compiled c = nvrtc_compile(r.source, r.name + ".cu", "sm_90", {"-std=c++17"});
    EXPECT_GT(c.cubin.size(), 0u);
  } catch (const CompileError& e) {
    ADD_FAILURE() << e.what() << "\n--- kernel ---\n" << r.kernel;
  }
}

TEST(Render, ContiguousBinaryChain) {
  KernelBuilder b({1000});
  int x = b.input(DType::Float32), y = b.input(DType::Float32);
  int s = b.op("add", DType::Float32, {x, y});
  int e = b.op("exp", DType::Float32, {s});
  b.output(e);
  Rendered r = render(b.k);
  EXPECT_EQ(r.plan.inputs, (std::vector<Access>{Access::Contiguous, Access::Contiguous}));
  EXPECT_NE(r.kernel.find("extern \"C\" __global__ void " + r.name), std::string::npos);
  expect_compiles(r);
}

TEST(Render, BroadcastAndNegativeStridesArePlannedAndPacked) {
  KernelBuilder b({4, 3});
  int x = b.input(DType::Float64);                      // contiguous
  int row = b.input(DType::Float64, {3});               // broadcast along axis 0: stride 0
  int rev = b.input(DType::Float64, {4, 3}, {-3, -1});  // a[::-1, ::-1]
  int one = b.input(DType::Float64, {});                // a 0-d operand
  int t = b.op("multiply", DType::Float64, {x, row});
  int u = b.op("subtract", DType::Float64, {t, rev});
  b.output(b.op("add", DType::Float64, {u, one}));
  Rendered r = render(b.k);
  const Plan& p = r.plan;
  // The reversed input merges into one dimension with stride -1; the broadcast row keeps two.
  EXPECT_EQ(p.dims, (Shape{4, 3}));
  EXPECT_EQ(p.inputs, (std::vector<Access>{Access::Contiguous, Access::Strided, Access::Strided, Access::Scalar}));
  EXPECT_EQ(p.input_strides[1], (Strides{0, 1}));
  EXPECT_EQ(p.input_strides[2], (Strides{-3, -1}));
  LaunchPointers ptrs;
  ptrs.inputs = {0x1000, 0x2000, 0x3000, 0x4000};
  ptrs.outputs = {0x5000};
  ptrs.error = 0x6000;
  std::vector<uint64_t> w = pack_args(p, ptrs);
  std::vector<uint64_t> want = {0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 12, 4, 3, 0, 1,
                                static_cast<uint64_t>(-3), static_cast<uint64_t>(-1)};
  EXPECT_EQ(w, want);
  expect_compiles(r);
}

TEST(Render, MergesContiguousDimensions) {
  KernelBuilder b({2, 3, 4});
  int x = b.input(DType::Int32), y = b.input(DType::Int32);
  b.output(b.op("floor_divide", DType::Int32, {x, y}));
  Rendered r = render(b.k);
  EXPECT_EQ(r.plan.dims, (Shape{24}));
  EXPECT_EQ(r.kernel.find("a.dims[1]"), std::string::npos);  // no index arithmetic left
  expect_compiles(r);
}

TEST(Render, ReductionPlanPutsKeptAxesFirst) {
  KernelBuilder b({5, 6, 7});
  int x = b.input(DType::Float32, {5, 6, 7}, {1, 35, 5});  // Fortran-ordered
  int y = b.op("sqrt", DType::Float32, {x});
  b.reduce("sum", y, {1});
  Rendered r = render(b.k);
  const Plan& p = r.plan;
  EXPECT_TRUE(p.reduce);
  EXPECT_EQ(p.kept, 2);
  EXPECT_EQ(p.dims, (Shape{5, 7, 6}));
  EXPECT_EQ(p.nout, 35);
  EXPECT_EQ(p.L, 6);
  EXPECT_EQ(p.input_strides[0], (Strides{1, 5, 35}));
  LaunchPointers ptrs;
  ptrs.inputs = {0x10};
  ptrs.reduction = 0x20;
  ptrs.work = 0x30;
  ptrs.count = 0x40;
  ptrs.error = 0x50;
  ptrs.splits = 2;
  std::vector<uint64_t> want = {0x10, 0x20, 0x30, 0x40, 0x50, 210, 35, 6, 2, 5, 7, 6, 1, 5, 35};
  EXPECT_EQ(pack_args(p, ptrs), want);
  expect_compiles(r);
}

TEST(Render, FullReductionWithInitialAndStoredOutput) {
  KernelBuilder b({100, 10});
  int x = b.input(DType::Float64);
  int e = b.op("exp", DType::Float64, {x});
  b.output(e);
  b.reduce("max", e, {0, 1}, {Scalar(3.0)});
  Rendered r = render(b.k);
  EXPECT_EQ(r.plan.kept, 0);
  EXPECT_EQ(r.plan.dims, (Shape{1000}));
  EXPECT_EQ(r.plan.nout, 1);
  EXPECT_EQ(r.plan.output_strides.size(), 1u);
  EXPECT_NE(r.kernel.find("atomicAdd(&a.count[j]"), std::string::npos);
  expect_compiles(r);
}

TEST(Render, EqualKernelsGiveEqualSourcesAndOthersDiffer) {
  auto make = [](const char* op, DType t, Strides st) {
    KernelBuilder b({8, 8});
    int x = b.input(t, {8, 8}, st), y = b.input(t);
    b.output(b.op(op, t, {x, y}));
    return render(b.k);
  };
  Rendered a = make("add", DType::Float32, {8, 1}), a2 = make("add", DType::Float32, {8, 1});
  EXPECT_EQ(a.source, a2.source);
  EXPECT_EQ(a.name, a2.name);
  EXPECT_NE(a.name, make("subtract", DType::Float32, {8, 1}).name);
  EXPECT_NE(a.name, make("add", DType::Float64, {8, 1}).name);
  EXPECT_NE(a.name, make("add", DType::Float32, {1, 8}).name);  // transposed: strided access
  // Only the structure matters: another extent with the same access pattern reuses the source.
  KernelBuilder big({1000, 3});
  int x = big.input(DType::Float32), y = big.input(DType::Float32);
  big.output(big.op("add", DType::Float32, {x, y}));
  EXPECT_EQ(render(big.k).name, a.name);
}

TEST(Render, UnsupportedOpsRaiseNotImplemented) {
  KernelBuilder b({4});
  int x = b.input(DType::Complex64);
  b.output(b.op("arccos_of_complex_is_missing", DType::Complex64, {x}));
  EXPECT_THROW(render(b.k), NotImplementedError);
  KernelBuilder c({4});
  int z = c.input(DType::Complex128);
  c.output(c.op("acos", DType::Complex128, {z}));
  try {
    render(c.k);
    FAIL() << "no exception";
  } catch (const NotImplementedError& e) {
    EXPECT_NE(std::string(e.what()).find("acos"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("complex128"), std::string::npos);
  }
}

}  // namespace
}  // namespace ember::cuda
