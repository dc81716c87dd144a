// libember_cub (nvcc-built CUB radix sort and scan) loads through the cuda device's loader, has the
// ABI this ember expects, and answers without a GPU: bad arguments and a missing driver come back
// as CUDA error codes with their text, never as a crash.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "ember/backend/cuda/cub/ember_cub.h"
#include "ember/backend/cuda/ops_sort_cub.h"

namespace ember::cuda {
namespace {

#ifdef EMBER_CUB_PATH
TEST(CudaCubLibrary, LoadsAndAnswersWithoutAGpu) {
  setenv("EMBER_CUB_LIBRARY", EMBER_CUB_PATH, 1);
  EXPECT_TRUE(cub_available()) << cub_why_unavailable();
  void* h = dlopen(EMBER_CUB_PATH, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto abi = reinterpret_cast<decltype(&ember_cub_abi)>(dlsym(h, "ember_cub_abi"));
  auto sort = reinterpret_cast<decltype(&ember_cub_radix_sort)>(dlsym(h, "ember_cub_radix_sort"));
  auto text = reinterpret_cast<decltype(&ember_cub_error_string)>(dlsym(h, "ember_cub_error_string"));
  ASSERT_TRUE(abi && sort && text);
  EXPECT_EQ(abi(), EMBER_CUB_ABI);
  size_t bytes = 0;
  int sel = -1;
  EXPECT_NE(sort(3, nullptr, &bytes, nullptr, nullptr, nullptr, nullptr, &sel, 10, 0, 24, nullptr), 0);  // no 3-byte keys
  // The scratch query: a size with a GPU, else the runtime's error (no driver here).
  const int rc = sort(4, nullptr, &bytes, nullptr, nullptr, nullptr, nullptr, &sel, 1000, 0, 32, nullptr);
  if (rc == 0) EXPECT_GT(bytes, 0u);
  else EXPECT_GT(std::string(text(rc)).size(), 0u);
}
#endif

TEST(CudaCubLibrary, AMissingLibraryIsNamedInTheReason) {
  if (cub_available()) GTEST_SKIP() << "the library loaded";
  EXPECT_NE(cub_why_unavailable().find("libember_cub"), std::string::npos) << cub_why_unavailable();
}

}  // namespace
}  // namespace ember::cuda
