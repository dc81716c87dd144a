// Views (strided slices): element-wise macros on views, writes into views leaving the other
// elements untouched, and the unsupported slices rejected.
#include <gtest/gtest.h>

#include "int_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

struct Slice {
  uint64_t start, stop, step;
};

class ViewTest : public testing::TestWithParam<Slice> {};

TEST_P(ViewTest, AddAndCompareOnViews) {
  const Slice s = GetParam();
  Machine mc(small_geometry());  // 64 rows per crossbar
  const uint64_t n = 1024;
  std::mt19937_64 rng(s.start * 7 + s.step);
  std::vector<uint64_t> va(n), vb(n), vc(n);
  for (uint64_t i = 0; i < n; ++i) va[i] = rng() & 0xFFFFFFFF, vb[i] = rng() & 0xFFFFFFFF, vc[i] = rng() & 0xFFFFFFFF;
  Tensor a = mc.alloc(n, DType::I32), b = mc.alloc_like(a, DType::I32), c = mc.alloc_like(a, DType::I32);
  mc.write(a, pack(va, DType::I32).data());
  mc.write(b, pack(vb, DType::I32).data());
  mc.write(c, pack(vc, DType::I32).data());
  Tensor av = mc.view(a, s.start, s.stop, s.step), bv = mc.view(b, s.start, s.stop, s.step),
         cv = mc.view(c, s.start, s.stop, s.step);
  mc.run(Macro::Add, cv, {av, bv});  // c[s] = a[s] + b[s]
  std::vector<uint8_t> host(n * 4);
  mc.read(c, host.data());
  auto got = unpack(host, DType::I32, n);
  for (uint64_t i = 0; i < n; ++i) {
    const bool in = i >= s.start && i < s.stop && (i - s.start) % s.step == 0;
    const uint64_t want = in ? ((va[i] + vb[i]) & 0xFFFFFFFF) : vc[i];
    ASSERT_EQ(got[i], want) << "element " << i;
  }
  // a comparison into a fresh tensor placed like the view
  Tensor lt = mc.alloc_like(av, DType::Bool);
  mc.run(Macro::Lt, lt, {av, bv});
  std::vector<uint8_t> lh(av.n);
  mc.read(lt, lh.data());
  for (uint64_t j = 0; j < av.n; ++j) {
    const uint64_t i = s.start + j * s.step;
    ASSERT_EQ(lh[j], uint8_t(int32_t(va[i]) < int32_t(vb[i]))) << j;
  }
  // reading a view directly
  std::vector<uint8_t> vh(av.n * 4);
  mc.read(av, vh.data());
  auto vv = unpack(vh, DType::I32, av.n);
  for (uint64_t j = 0; j < av.n; ++j) ASSERT_EQ(vv[j], va[s.start + j * s.step]);
}

INSTANTIATE_TEST_SUITE_P(All, ViewTest,
                         testing::Values(Slice{3, 40, 3},      // inside one crossbar
                                         Slice{1, 1024, 4},    // same rows in every crossbar
                                         Slice{0, 1024, 2},    // every other row
                                         Slice{5, 1000, 128},  // one row every other crossbar
                                         Slice{64, 960, 1}),   // whole crossbars, offset
                         [](const auto& i) {
                           return std::to_string(i.param.start) + "_" + std::to_string(i.param.stop) +
                                  "_" + std::to_string(i.param.step);
                         });

TEST(Views, UnsupportedSlicesAreRejected) {
  Machine mc(small_geometry());
  Tensor a = mc.alloc(1024, DType::I32);
  EXPECT_THROW(mc.view(a, 0, 1000, 3), std::invalid_argument);   // 3 does not divide 64
  EXPECT_THROW(mc.view(a, 10, 1024, 4), std::invalid_argument);  // row pattern differs
  EXPECT_THROW(mc.view(a, 0, 10, 0), std::invalid_argument);
  Tensor v = mc.view(a, 1, 1024, 4);
  Tensor b = mc.alloc(1024, DType::I32);
  Tensor o = mc.alloc_like(v, DType::I32);
  EXPECT_THROW(mc.run(Macro::Add, o, {v, b}), std::invalid_argument);  // placed differently
}

}  // namespace
