// The driver loader's unavailable paths (this machine has no NVIDIA driver; CI neither), the error
// naming, and the pure helpers of the transfer and cuBLAS code. GPU tests skip saying why.
#include "ember/backend/cuda/driver.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ember/backend/cuda/context.h"
#include "ember/backend/cuda/cublas.h"
#include "ember/backend/cuda/transfer.h"

namespace ember::cuda {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST(DriverLoad, NoLibraryNamesEveryAttemptAndTheFix) {
  DriverLoad d = load_driver({"libember_no_such_cuda.so.1"});
  EXPECT_FALSE(d.ok);
  EXPECT_TRUE(contains(d.why, "no CUDA driver library")) << d.why;
  EXPECT_TRUE(contains(d.why, "libember_no_such_cuda.so.1")) << d.why;
  EXPECT_TRUE(contains(d.why, "NVIDIA driver")) << d.why;
  EXPECT_EQ(d.devices, 0);
}

TEST(DriverLoad, ALibraryWithoutCuInitIsNotADriver) {
  DriverLoad d = load_driver({"libc.so.6"});
  EXPECT_FALSE(d.ok);
  EXPECT_TRUE(contains(d.why, "no cuInit")) << d.why;
}

TEST(DriverLoad, TheToolkitsStubLibraryIsRecognised) {
  const char* stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  if (!std::filesystem::exists(stub)) GTEST_SKIP() << "no CUDA toolkit stub library at " << stub;
  DriverLoad d = load_driver({stub});
  EXPECT_FALSE(d.ok);
  EXPECT_TRUE(contains(d.why, "cuInit failed")) << d.why;
  EXPECT_TRUE(contains(d.why, "CUDA_ERROR_STUB_LIBRARY")) << d.why;
  EXPECT_TRUE(contains(d.why, "stub library")) << d.why;
}

// Whatever the process-wide load found (after the stub test, dlopen("libcuda.so.1") finds the stub
// already loaded under that soname), its answers agree with each other.
TEST(Driver, ProcessWideStateIsConsistent) {
  if (available()) {
    EXPECT_TRUE(why_unavailable().empty());
    EXPECT_GT(device_count(), 0);
    EXPECT_NO_THROW(require_available());
  } else {
    EXPECT_FALSE(why_unavailable().empty());
    EXPECT_EQ(device_count(), 0);
    try {
      require_available();
      FAIL() << "expected CudaError";
    } catch (const CudaError& e) {
      EXPECT_TRUE(contains(e.what(), "unavailable")) << e.what();
      EXPECT_TRUE(contains(e.what(), why_unavailable())) << e.what();
    }
    EXPECT_THROW(context(0), CudaError);
    EXPECT_THROW(compute_capability(0), CudaError);
    // Statistics and empty_cache work (as zeros / no-ops) without a driver.
    EXPECT_EQ(memory_stats().num_allocs, 0);
    EXPECT_NO_THROW(empty_cache());
  }
}

TEST(Driver, CheckNamesTheCallAndTheError) {
  EXPECT_NO_THROW(check(CUDA_SUCCESS, "cuInit"));
  try {
    check(CUDA_ERROR_INVALID_VALUE, "cuMemcpyHtoDAsync");
    FAIL() << "expected CudaError";
  } catch (const CudaError& e) {
    EXPECT_TRUE(contains(e.what(), "cuMemcpyHtoDAsync failed")) << e.what();
    EXPECT_TRUE(contains(e.what(), "CUDA_ERROR_INVALID_VALUE")) << e.what();
  }
  EXPECT_THROW(check(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc"), CudaMemoryError);
  EXPECT_TRUE(contains(error_name(CUresult(987654)), "987654"));
}

TEST(WindowSpan, CoversEveryElementOfAStridedWindow) {
  EXPECT_EQ(window_span(0, {}, {}).count, 1);  // 0-d
  EXPECT_EQ(window_span(5, {0, 3}, {3, 1}).count, 0);
  Span s = window_span(2, {3, 4}, {4, 1});
  EXPECT_EQ(s.first, 2);
  EXPECT_EQ(s.count, 12);
  s = window_span(11, {3, 4}, {-4, -1});  // both axes reversed
  EXPECT_EQ(s.first, 0);
  EXPECT_EQ(s.count, 12);
  s = window_span(1, {2, 3}, {1, 4});  // a transpose-like view
  EXPECT_EQ(s.first, 1);
  EXPECT_EQ(s.count, 10);
  s = window_span(7, {5}, {0});  // broadcast
  EXPECT_EQ(s.first, 7);
  EXPECT_EQ(s.count, 1);
}

TEST(GemmOperand, RowMajorColumnMajorAndNeither) {
  GemmOperand g;
  ASSERT_TRUE(gemm_operand(3, 4, 4, 1, &g));  // row-major
  EXPECT_FALSE(g.transpose);
  EXPECT_EQ(g.ld, 4);
  ASSERT_TRUE(gemm_operand(3, 4, 1, 3, &g));  // a transposed view
  EXPECT_TRUE(g.transpose);
  EXPECT_EQ(g.ld, 3);
  ASSERT_TRUE(gemm_operand(3, 4, 8, 1, &g));  // a slice of wider rows
  EXPECT_EQ(g.ld, 8);
  EXPECT_FALSE(gemm_operand(3, 4, 8, 2, &g));  // every other column
  ASSERT_TRUE(gemm_operand(1, 4, 0, 1, &g));   // a broadcast single row
  EXPECT_EQ(g.ld, 4);
  ASSERT_TRUE(gemm_operand(3, 1, 1, 7, &g));   // a single column
}

TEST(BatchOffsets, BroadcastsLeadingDimensions) {
  // (2, 1, M, K) over batch (2, 3): the size-1 axis repeats.
  auto o = batch_offsets({2, 1, 5, 6}, {30, 30, 6, 1}, {2, 3});
  EXPECT_EQ(o, (std::vector<int64_t>{0, 0, 0, 30, 30, 30}));
  // (M, K) over batch (4): every matrix is the same one.
  o = batch_offsets({5, 6}, {6, 1}, {4});
  EXPECT_EQ(o, (std::vector<int64_t>{0, 0, 0, 0}));
  // (3, M, K) over (2, 3): the missing axis repeats the whole stack.
  o = batch_offsets({3, 5, 6}, {30, 6, 1}, {2, 3});
  EXPECT_EQ(o, (std::vector<int64_t>{0, 30, 60, 0, 30, 60}));
  EXPECT_EQ(batch_offsets({5, 6}, {6, 1}, {}), (std::vector<int64_t>{0}));
}

TEST(Cublas, LoadsOrSaysWhy) {
  if (cublas_loadable()) EXPECT_TRUE(cublas_why_unavailable().empty());
  else EXPECT_FALSE(cublas_why_unavailable().empty());
}

TEST(Gpu, ContextStreamAndComputeCapability) {
  if (!available()) GTEST_SKIP() << "no GPU/driver: " << why_unavailable();
  Context& c = context(0);
  EXPECT_NE(c.stream, nullptr);
  EXPECT_GE(compute_capability(0), 50);
  EXPECT_FALSE(c.name.empty());
  EXPECT_NO_THROW(c.synchronize());
}

}  // namespace
}  // namespace ember::cuda
