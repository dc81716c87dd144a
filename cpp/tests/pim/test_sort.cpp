// Sort: single and batched groups, ascending and descending, sizes that are not powers of two;
// checked against std::sort (a permutation of the input, in order).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "ember/backend/pim/collectives.h"
#include "test_util.h"

using namespace pimtest;

namespace {

template <class T>
void check_sort(DType t, int n, bool desc, uint64_t group, Geometry geo = sort_geometry()) {
  std::mt19937_64 rng(n * 7 + desc);
  Machine mc(geo);
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = (rng() % 4 == 0 ? rng() % 5 : rng()) & width_mask(t);  // with duplicates
  Tensor a = mc.alloc(n, t);
  auto bytes = pack(v, t);
  mc.write(a, bytes.data());
  sort(mc, a, desc, group);
  std::vector<uint8_t> back(n * 8);
  mc.read(a, back.data());
  auto got = unpack(back, t, n);
  std::vector<T> want(n);
  for (int i = 0; i < n; ++i) want[i] = T(v[i]);
  const uint64_t gs = group ? group : uint64_t(n);
  for (uint64_t s = 0; s < uint64_t(n); s += gs) {
    if (desc) std::sort(want.begin() + s, want.begin() + s + gs, std::greater<T>());
    else std::sort(want.begin() + s, want.begin() + s + gs);
  }
  for (int i = 0; i < n; ++i)
    ASSERT_EQ(T(got[i]), want[i]) << dtype_name(t) << " n=" << n << " desc=" << desc
                                  << " group=" << group << " at " << i;
}

TEST(Sort, Int32Sizes) {
  for (int n : {1, 2, 5, 64, 100, 1000, 1024, 4095}) {
    check_sort<int32_t>(DType::I32, n, false, 0);
    check_sort<int32_t>(DType::I32, n, true, 0);
  }
}

TEST(Sort, OtherDtypes) {
  check_sort<int8_t>(DType::I8, 300, false, 0);
  check_sort<uint16_t>(DType::U16, 777, true, 0);
  check_sort<int64_t>(DType::I64, 500, false, 0);
  check_sort<uint64_t>(DType::U64, 129, false, 0);
  check_sort<uint32_t>(DType::U32, 200, true, 0);
}

TEST(Sort, BatchedGroups) {
  check_sort<int32_t>(DType::I32, 1024, false, 16);
  check_sort<int32_t>(DType::I32, 960, true, 64);
  check_sort<int16_t>(DType::I16, 384, false, 128);
}

template <class F, class U>
void check_float_sort(DType t, int n, bool desc, uint64_t group, Geometry geo = sort_geometry()) {
  std::mt19937_64 rng(n + desc);
  Machine mc(geo);
  std::vector<uint64_t> v(n);
  const std::vector<F> specials = {F(0), -F(0), std::numeric_limits<F>::infinity(),
                                   -std::numeric_limits<F>::infinity(),
                                   std::numeric_limits<F>::quiet_NaN(), -std::numeric_limits<F>::quiet_NaN(),
                                   std::numeric_limits<F>::denorm_min(), -std::numeric_limits<F>::min()};
  for (int i = 0; i < n; ++i)
    v[i] = i < int(specials.size()) && rng() % 2 ? std::bit_cast<U>(specials[i])
                                                 : std::bit_cast<U>(F(std::ldexp(double(int64_t(rng() % 2001) - 1000), int(rng() % 20) - 10)));
  Tensor a = mc.alloc(n, t);
  mc.write(a, pack(v, t).data());
  sort(mc, a, desc, group);
  std::vector<uint8_t> back(n * 8);
  mc.read(a, back.data());
  auto got = unpack(back, t, n);
  auto key = [](U x) -> U {
    const U sign = U(1) << (sizeof(U) * 8 - 1);
    if (std::isnan(std::bit_cast<F>(x))) return std::bit_cast<U>(std::numeric_limits<F>::infinity()) ^ sign;
    return (x & sign) ? U(~x) : U(x ^ sign);
  };
  const uint64_t gs = group ? group : uint64_t(n);
  for (uint64_t s0 = 0; s0 < uint64_t(n); s0 += gs) {
    std::vector<uint64_t> in(v.begin() + s0, v.begin() + s0 + gs), out(got.begin() + s0, got.begin() + s0 + gs);
    for (uint64_t i = 1; i < gs; ++i) {
      const U a0 = key(U(out[i - 1])), a1 = key(U(out[i]));
      const bool nan0 = std::isnan(std::bit_cast<F>(U(out[i - 1]))), nan1 = std::isnan(std::bit_cast<F>(U(out[i])));
      if (!desc) ASSERT_TRUE(a0 < a1 || a0 == a1 || (nan1 && !nan0) || (nan0 && nan1)) << i;
      else ASSERT_TRUE(a0 > a1 || a0 == a1 || (nan0 && !nan1) || (nan0 && nan1)) << i;
    }
    std::sort(in.begin(), in.end());
    std::sort(out.begin(), out.end());
    size_t diff = 0;
    for (size_t i = 0; i < in.size(); ++i) diff += in[i] != out[i];
    ASSERT_EQ(in, out) << "not a permutation of the group starting at " << s0 << " (" << diff
                       << " differ), first in " << std::hex << in[0] << " out " << out[0]
                       << " last in " << in.back() << " out " << out.back();
  }
}

TEST(Sort, Float32) { check_float_sort<float, uint32_t>(DType::F32, 300, false, 0); }
TEST(Sort, Float32Desc) { check_float_sort<float, uint32_t>(DType::F32, 1000, true, 0); }
TEST(Sort, Float64) { check_float_sort<double, uint64_t>(DType::F64, 257, false, 0); }
TEST(Sort, Float32Groups) { check_float_sort<float, uint32_t>(DType::F32, 512, false, 32); }

// Groups whose size is not a power of two (composite keys: group index above the value).
TEST(Sort, GroupsOfAnySize) {
  check_sort<int32_t>(DType::I32, 296, false, 37);
  check_sort<int16_t>(DType::I16, 180, true, 12);
  check_sort<int64_t>(DType::I64, 70, false, 7);
  check_sort<uint8_t>(DType::U8, 99, true, 3);
  check_float_sort<float, uint32_t>(DType::F32, 120, true, 30);
  check_float_sort<double, uint64_t>(DType::F64, 75, false, 25);
  check_sort<int32_t>(DType::I32, 600, true, 100, small_geometry());  // several rows per crossbar
}

// More elements than crossbars: the work layout uses several rows per crossbar (16 crossbars
// of 64 rows), so stages along row bits move rows inside the crossbars.
TEST(Sort, MoreElementsThanCrossbars) {
  Geometry g = small_geometry();  // 16 crossbars x 64 rows
  check_sort<int32_t>(DType::I32, 1000, false, 0, g);
  check_sort<int32_t>(DType::I32, 1024, true, 0, g);
  check_sort<int16_t>(DType::I16, 200, false, 0, g);
  check_sort<int32_t>(DType::I32, 768, false, 64, g);
  check_float_sort<float, uint32_t>(DType::F32, 999, false, 0, g);
  check_float_sort<float, uint32_t>(DType::F32, 600, true, 0, g);
}

// bool is sorted as a one-bit unsigned key (false < true), no widening to uint8 needed.
TEST(Sort, Bool) {
  for (int n : {1, 2, 7, 64, 333}) {
    check_sort<uint8_t>(DType::Bool, n, false, 0);
    check_sort<uint8_t>(DType::Bool, n, true, 0);
  }
  check_sort<uint8_t>(DType::Bool, 96, false, 32);
  check_sort<uint8_t>(DType::Bool, 90, true, 9);
}

// A crossbar crowded with other tensors: the network moves its work area to crossbars with room
// for its scratch instead of running out of registers.
TEST(Sort, AvoidsCrowdedCrossbars) {
  for (DType t : {DType::I8, DType::F64}) {
    Machine mc(sort_geometry());
    std::vector<Tensor> crowd;
    while (mc.free_registers(0, 1).size() > 4) crowd.push_back(mc.alloc(16, DType::I32));
    const int n = 16;
    std::vector<uint64_t> v(n);
    for (int i = 0; i < n; ++i) v[i] = uint64_t(n - i) & width_mask(t);
    if (t == DType::F64)
      for (int i = 0; i < n; ++i) v[i] = std::bit_cast<uint64_t>(double(n - i) / 4);
    Tensor a = mc.alloc(n, t, 16);
    mc.write(a, pack(v, t).data());
    ASSERT_EQ(a.xb0, 0u);  // the input itself sits in the crowded crossbar
    const size_t before = mc.free_registers(0, 1).size();
    sort(mc, a, false, 0);
    EXPECT_EQ(mc.free_registers(0, 1).size(), before);  // nothing leaked
    std::vector<uint8_t> back(n * 8);
    mc.read(a, back.data());
    auto got = unpack(back, t, n);
    for (int i = 0; i < n; ++i) EXPECT_EQ(got[i], v[n - 1 - i]) << dtype_name(t) << " at " << i;
  }
}

TEST(Sort, Errors) {
  Machine mc(sort_geometry());
  Tensor a = mc.alloc(12, DType::I32);
  EXPECT_THROW(sort(mc, a, false, 5), std::invalid_argument);  // 12 is not a multiple of 5
}

class SortReplay : public testing::TestWithParam<uint64_t> {};

TEST_P(SortReplay, MatchesReference) {
  const uint64_t group = GetParam();
  Geometry g = small_geometry();
  g.crossbars = 64;
  g.rows = 8;
  Machine mc(g);
  std::mt19937_64 rng(11);
  const int n = 21;
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = rng() & 0xFFFF;
  Tensor a = mc.alloc(n, DType::I16);
  auto bytes = pack(v, DType::I16);
  mc.write(a, bytes.data());
  pimref::RefMachine ref = mirror(mc);
  mc.keep_stream = true;
  const Metrics c = sort(mc, a, false, group);
  ref.replay(to_text(mc.last_stream()));
  for (uint32_t x = 0; x < g.crossbars; ++x)
    for (uint32_t r = 0; r < g.rows; ++r)
      for (uint32_t reg = 0; reg < g.regs(); ++reg)
        ASSERT_EQ(ref.word(x, r, reg), mc.sim().peek(x, r, reg));
  for (int k = 0; k < kNumKinds; ++k) EXPECT_EQ(ref.costs.latency[k], c.kind[k].latency);
  std::vector<uint8_t> back(n * 2);
  mc.read(a, back.data());
  auto got = unpack(back, DType::I16, n);
  const int gs = group ? int(group) : n;
  for (int s0 = 0; s0 < n; s0 += gs) {
    std::vector<int16_t> want(v.begin() + s0, v.begin() + s0 + gs);
    std::sort(want.begin(), want.end());
    for (int i = 0; i < gs; ++i) ASSERT_EQ(int16_t(got[s0 + i]), want[i]) << "at " << s0 + i;
  }
}

INSTANTIATE_TEST_SUITE_P(Groups, SortReplay, testing::Values(uint64_t(0), uint64_t(3)));

}  // namespace
