#include "ember/backend/cuda/nvrtc.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ember/backend/cuda/kernel_cache.h"

namespace ember::cuda {
namespace {

const char* kGood = "extern \"C\" __global__ void twice(float* x, int n) {\n"
                    "  int i = blockIdx.x * blockDim.x + threadIdx.x;\n"
                    "  if (i < n) x[i] *= 2.0f;\n"
                    "}\n";

TEST(Nvrtc, LoadsAndReportsItsVersionAndArchitectures) {
  ASSERT_TRUE(nvrtc_available()) << nvrtc_error();
  int v = nvrtc_version();
  EXPECT_GE(v, 12000);
  auto archs = nvrtc_archs();
  EXPECT_NE(std::find(archs.begin(), archs.end(), "sm_90"), archs.end());
}

TEST(Nvrtc, CompilesToACubin) {
  Compiled c = nvrtc_compile(kGood, "twice.cu", "sm_90");
  ASSERT_GE(c.cubin.size(), 4u);
  EXPECT_EQ(c.cubin.substr(0, 4), std::string("\x7f" "ELF"));  // a CUBIN is an ELF file
}

TEST(Nvrtc, ACompileErrorThrowsWithTheLog) {
  const std::string bad = "extern \"C\" __global__ void broken(float* x) { x[0] = undefined_name; }\n";
  try {
    nvrtc_compile(bad, "broken.cu", "sm_90");
    FAIL() << "no exception";
  } catch (const CompileError& e) {
    EXPECT_NE(e.log().find("undefined_name"), std::string::npos) << e.log();
    EXPECT_NE(std::string(e.what()).find("broken.cu"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("undefined_name"), std::string::npos);
  }
}

TEST(Nvrtc, ABadOptionIsAnErrorToo) {
  EXPECT_THROW(nvrtc_compile(kGood, "twice.cu", "sm_90", {"--no-such-option"}), std::runtime_error);
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("ember_cache_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  int files() const {
    int n = 0;
    if (std::filesystem::exists(path))
      for (auto& e : std::filesystem::directory_iterator(path)) n += e.is_regular_file();
    return n;
  }
};

TEST(KernelCache, KeysDependOnSourceArchOptionsAndVersion) {
  auto k = KernelCache::key_text("src", "sm_90", {"-std=c++17"}, 13000);
  EXPECT_EQ(KernelCache::key_hash(k), KernelCache::key_hash(KernelCache::key_text("src", "sm_90", {"-std=c++17"}, 13000)));
  EXPECT_EQ(KernelCache::key_hash(k).size(), 32u);
  for (auto other : {KernelCache::key_text("src2", "sm_90", {"-std=c++17"}, 13000),
                     KernelCache::key_text("src", "sm_80", {"-std=c++17"}, 13000),
                     KernelCache::key_text("src", "sm_90", {}, 13000),
                     KernelCache::key_text("src", "sm_90", {"-std=c++17"}, 12080)})
    EXPECT_NE(KernelCache::key_hash(k), KernelCache::key_hash(other));
}

TEST(KernelCache, MemoryThenDiskThenCompile) {
  TempDir dir;
  KernelCache a(dir.path.string());
  auto c1 = a.get(kGood, "twice.cu", "sm_90");
  EXPECT_EQ(a.stats().compiles, 1);
  EXPECT_EQ(dir.files(), 1);
  auto c2 = a.get(kGood, "twice.cu", "sm_90");
  EXPECT_EQ(c1.get(), c2.get());
  EXPECT_EQ(a.stats().memory_hits, 1);
  KernelCache b(dir.path.string());  // another process, as far as the cache can tell
  auto c3 = b.get(kGood, "twice.cu", "sm_90");
  EXPECT_EQ(b.stats().disk_hits, 1);
  EXPECT_EQ(b.stats().compiles, 0);
  EXPECT_EQ(*c3, *c1);
  b.get(kGood, "twice.cu", "sm_80");  // another architecture: another entry
  EXPECT_EQ(b.stats().compiles, 1);
  EXPECT_EQ(dir.files(), 2);
}

TEST(KernelCache, ACorruptOrForeignFileIsAMiss) {
  TempDir dir;
  KernelCache a(dir.path.string());
  auto good = a.get(kGood, "twice.cu", "sm_90");
  for (auto& e : std::filesystem::directory_iterator(dir.path)) {
    std::ofstream f(e.path(), std::ios::binary | std::ios::trunc);
    f << "ember-cubin-v1\n3\nabcgarbage";  // a different key
  }
  KernelCache b(dir.path.string());
  auto again = b.get(kGood, "twice.cu", "sm_90");
  EXPECT_EQ(b.stats().compiles, 1);
  EXPECT_EQ(*again, *good);
  KernelCache c(dir.path.string());  // the recompiled entry replaced the bad file
  c.get(kGood, "twice.cu", "sm_90");
  EXPECT_EQ(c.stats().disk_hits, 1);
}

TEST(KernelCache, ConcurrentWritersLeaveOneCompleteFile) {
  TempDir dir;
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      KernelCache own(dir.path.string());  // separate caches: they race on the directory only
      results[i] = *own.get(kGood, "twice.cu", "sm_90");
    });
  for (auto& t : threads) t.join();
  for (auto& r : results) EXPECT_EQ(r, results[0]);
  EXPECT_EQ(dir.files(), 1);  // no temporary file left behind
  KernelCache check(dir.path.string());
  EXPECT_EQ(*check.get(kGood, "twice.cu", "sm_90"), results[0]);
  EXPECT_EQ(check.stats().disk_hits, 1);
}

TEST(KernelCache, EnvironmentChoosesTheDirectory) {
  ::setenv("EMBER_CUDA_CACHE_DIR", "/tmp/ember-cache-env-test", 1);
  EXPECT_EQ(KernelCache::default_dir(), "/tmp/ember-cache-env-test");
  ::unsetenv("EMBER_CUDA_CACHE_DIR");
  ::setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
  EXPECT_EQ(KernelCache::default_dir(), "/tmp/xdg/ember/cuda");
  ::unsetenv("XDG_CACHE_HOME");
}

TEST(KernelCache, CompileErrorsAreNotCached) {
  TempDir dir;
  KernelCache a(dir.path.string());
  EXPECT_THROW(a.get("this is not cuda", "bad.cu", "sm_90"), CompileError);
  EXPECT_EQ(dir.files(), 0);
}

}  // namespace
}  // namespace ember::cuda
