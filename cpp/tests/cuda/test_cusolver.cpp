// cuSOLVER's loading (no GPU needed: the library opens and has every routine the LAPACK kernels
// call) and the LAPACK kernels' error without a GPU.
#include <gtest/gtest.h>

#include "ember/backend/cuda/cusolver.h"
#include "ember/backend/cuda/status.h"
#include "ember/backend/device.h"

namespace ember::cuda {
namespace {

TEST(CudaCusolver, LoadsEveryRoutineWithoutAGpu) {
  if (!cusolver_loadable() && cusolver_missing().empty())
    GTEST_SKIP() << "no cuSOLVER library here: " << cusolver_why_unavailable();
  EXPECT_TRUE(cusolver_missing().empty()) << cusolver_why_unavailable();
  EXPECT_TRUE(cusolver_loadable());
  EXPECT_EQ(cusolver_why_unavailable(), "");
  EXPECT_NE(cusolver().cusolverDnXgetrf, nullptr);
  EXPECT_NE(cusolver().cusolverDnZungqr, nullptr);
}

TEST(CudaCusolver, LapackKernelsRaiseTheUnavailableDeviceError) {
  if (available()) GTEST_SKIP() << "a GPU is usable here";
  register_device();
  for (const char* op : {"inv", "solve", "det", "slogdet", "cholesky", "eigh", "qr", "svd"}) {
    Kernel k = find_kernel(DeviceType::CUDA, op);
    ASSERT_NE(k, nullptr) << op;
    auto in = std::make_shared<Node>();
    in->op = "leaf";
    in->dtype = DType::Float64;
    in->shape = {2, 2};
    in->device = DeviceType::CUDA;
    Node n;
    n.op = op;
    n.dtype = DType::Float64;
    n.shape = {2, 2};
    n.device = DeviceType::CUDA;
    n.inputs = {in, in};
    try {
      k(n);
      ADD_FAILURE() << op << " ran without a GPU";
    } catch (const CudaError& e) {
      EXPECT_NE(std::string(e.what()).find("unavailable"), std::string::npos) << op << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace ember::cuda
