// Every op kernel source of the cuda device (ops_sources.h) compiles with NVRTC, and the launch
// helpers that need no GPU behave (split choice, error word, fusion rules).
#include <gtest/gtest.h>

#include <set>

#include "ember/backend/cuda/fused_runner.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/nvrtc.h"
#include "ember/backend/cuda/ops_sources.h"
#include "ember/backend/cuda/render.h"
#include "ember/backend/cuda/status.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

TEST(CudaOpSources, EveryOneCompilesWithNvrtc) {
  ASSERT_TRUE(nvrtc_available()) << nvrtc_error();
  const auto sources = all_op_sources();
  std::set<std::string> names;
  for (const OpSource& s : sources) {
    EXPECT_TRUE(names.insert(s.name).second) << "two sources named " << s.name;
    EXPECT_NE(s.source.find(" " + s.name + "("), std::string::npos) << s.name;
    try {
      Compiled c = nvrtc_compile(s.source, s.name, "sm_90", kernel_options());
      EXPECT_FALSE(c.cubin.empty()) << s.name;
    } catch (const CompileError& e) {
      ADD_FAILURE() << s.name << ": " << e.what();
    }
  }
  EXPECT_GE(sources.size(), 80u);
}

TEST(CudaOpSources, UnsupportedDtypesRaiseNotImplemented) {
  EXPECT_THROW(random_source(DType::Complex64), NotImplementedError);
  EXPECT_THROW(random_source(DType::Float16), NotImplementedError);
  EXPECT_THROW(linspace_source(DType::Int32), NotImplementedError);
  EXPECT_THROW(copy_source(3), std::logic_error);
}

TEST(CudaFusedRunner, SplitsFillTheGpuOnlyForFewLongRows) {
  EXPECT_EQ(reduction_splits(1000, 1 << 20, 132), 1);  // enough outputs: one block each
  EXPECT_EQ(reduction_splits(1, 100, 132), 1);         // a short row: one block
  const int64_t s = reduction_splits(1, int64_t(1) << 28, 132);
  EXPECT_GT(s, 100);
  EXPECT_LE(s, 8 * 132);
  EXPECT_LE(reduction_splits(4, 4096, 132), 4);        // never more splits than 4 elements per thread allow
}

TEST(CudaFusedRunner, ErrorWordBitZeroIsNumpysValueError) {
  EXPECT_NO_THROW(raise_error_word(0));
  EXPECT_THROW(raise_error_word(1), ValueError);
}

Node make(std::string_view op, Kind kind, DType t, std::vector<NodePtr> ins = {}) {
  Node n;
  n.op = op;
  n.kind = kind;
  n.dtype = t;
  n.device = DeviceType::CUDA;
  n.inputs = std::move(ins);
  return n;
}

TEST(CudaFusedRunner, FusionRulesFollowTheRenderer) {
  auto f32 = std::make_shared<Node>(make("leaf", Kind::Opaque, DType::Float32));
  auto c64 = std::make_shared<Node>(make("leaf", Kind::Opaque, DType::Complex64));
  EXPECT_TRUE(can_fuse(make("exp", Kind::Elementwise, DType::Float32, {f32})));
  EXPECT_TRUE(can_fuse(make("add", Kind::Elementwise, DType::Float32, {f32, f32})));
  EXPECT_FALSE(can_fuse(make("acos", Kind::Elementwise, DType::Complex64, {c64})));  // not rendered: its own error
  EXPECT_FALSE(can_fuse(make("arange", Kind::Elementwise, DType::Float32)));          // ops_creation's kernel
  Node cpu = make("exp", Kind::Elementwise, DType::Float32, {f32});
  cpu.device = DeviceType::CPU;
  EXPECT_FALSE(can_fuse(cpu));
  EXPECT_TRUE(can_fuse_reduction(make("sum", Kind::Reduction, DType::Float32, {f32})));
  EXPECT_FALSE(can_fuse_reduction(make("sum", Kind::Reduction, DType::Float64, {f32})));  // dtype changes
  EXPECT_FALSE(can_fuse_reduction(make("any", Kind::Reduction, DType::Bool, {f32})));
}

TEST(CudaLaunch, NeedsAGpu) {
  if (!available()) GTEST_SKIP() << "no GPU/driver: " << why_unavailable();
  EXPECT_EQ(device_arch(0).rfind("sm_", 0), 0u);
  EXPECT_GT(sm_count(0), 0);
}

}  // namespace
}  // namespace ember::cuda
