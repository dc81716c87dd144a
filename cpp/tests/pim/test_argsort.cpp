// Stable argsort on the machine's sorting network: single groups of any size, power-of-two and
// other group sizes, ascending and descending, against std::stable_sort with NumPy's order
// (NaN last, -0 == +0; descending: the reversed comparison, ties still in index order).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>

#include "ember/backend/pim/collectives.h"
#include "test_util.h"

using namespace pimtest;

namespace {

// The value of bit pattern v of dtype t, as a comparable double / integer pair.
template <class T>
T value_of(uint64_t v) {
  if constexpr (std::is_same_v<T, float>) return std::bit_cast<float>(uint32_t(v));
  else if constexpr (std::is_same_v<T, double>) return std::bit_cast<double>(v);
  else return T(v);
}

template <class T>
bool np_less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return a < b || (b != b && a == a);
  else return a < b;
}

template <class T>
std::vector<uint64_t> values(DType t, int n, std::mt19937_64& rng) {
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = (rng() % 3 == 0 ? rng() % 4 : rng()) & width_mask(t);  // many ties
  if constexpr (std::is_floating_point_v<T>) {
    using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    using L = std::numeric_limits<T>;
    const T sp[] = {T(0), -T(0), L::infinity(), -L::infinity(), L::quiet_NaN(), -L::quiet_NaN(),
                    L::denorm_min(), -L::min(), T(1), T(-1), T(0.5)};
    for (auto& x : v) {
      const uint64_t r = rng() % 4;
      if (r == 0) x = std::bit_cast<U>(sp[rng() % std::size(sp)]);
      else if (r == 1) x = std::bit_cast<U>(T(int(rng() % 7) - 3));
    }
    if (n > 2) v[1] = U(~U(0));  // the all-ones NaN (the sort's padding pattern)
  }
  return v;
}

template <class T>
void check_argsort(DType t, int n, bool desc, uint64_t group, Geometry geo = sort_geometry()) {
  std::mt19937_64 rng(uint64_t(n) * 13 + desc + group * 7 + uint64_t(t));
  Machine mc(geo);
  const std::vector<uint64_t> v = values<T>(t, n, rng);
  Tensor a = mc.alloc(n, t);
  Tensor ix = mc.alloc_like(a, DType::I64);
  auto bytes = pack(v, t);
  mc.write(a, bytes.data());
  argsort(mc, a, ix, desc, group);
  std::vector<uint8_t> back(size_t(n) * 8);
  mc.read(ix, back.data());
  auto got = unpack(back, DType::I64, n);
  mc.read(a, back.data());
  EXPECT_EQ(unpack(back, t, n), v) << "argsort changed its input";
  const uint64_t gs = group ? group : uint64_t(n);
  for (uint64_t s = 0; s < uint64_t(n); s += gs) {
    std::vector<int64_t> want(gs);
    std::iota(want.begin(), want.end(), 0);
    std::stable_sort(want.begin(), want.end(), [&](int64_t x, int64_t y) {
      const T vx = value_of<T>(v[s + x]), vy = value_of<T>(v[s + y]);
      return desc ? np_less(vy, vx) : np_less(vx, vy);
    });
    for (uint64_t i = 0; i < gs; ++i)
      ASSERT_EQ(int64_t(got[s + i]), want[i]) << dtype_name(t) << " n=" << n << " desc=" << desc
                                              << " group=" << group << " at " << s + i;
  }
}

TEST(Argsort, Int32Sizes) {
  for (int n : {1, 2, 5, 64, 100, 1000, 1024}) {
    check_argsort<int32_t>(DType::I32, n, false, 0);
    check_argsort<int32_t>(DType::I32, n, true, 0);
  }
}

TEST(Argsort, Dtypes) {
  for (bool d : {false, true}) {
    check_argsort<uint32_t>(DType::U32, 300, d, 0);
    check_argsort<int64_t>(DType::I64, 257, d, 0);
    check_argsort<uint64_t>(DType::U64, 100, d, 0);
    check_argsort<int8_t>(DType::I8, 200, d, 0);
    check_argsort<bool>(DType::Bool, 77, d, 0);
  }
}

TEST(Argsort, Floats) {
  for (bool d : {false, true})
    for (int n : {3, 64, 129, 700}) {
      check_argsort<float>(DType::F32, n, d, 0);
      check_argsort<double>(DType::F64, n, d, 0);
    }
}

TEST(Argsort, Groups) {
  for (bool d : {false, true}) {
    check_argsort<int32_t>(DType::I32, 1024, d, 16);   // power-of-two rows
    check_argsort<float>(DType::F32, 960, d, 60);      // other row lengths: composite keys
    check_argsort<double>(DType::F64, 300, d, 3);
    check_argsort<int64_t>(DType::I64, 256, d, 1);
    check_argsort<uint32_t>(DType::U32, 500, d, 100);
  }
}

TEST(Argsort, MultiCrossbarLayouts) {
  // A tensor spread over several crossbars (power-of-two rows per crossbar).
  Geometry g = sort_geometry();
  g.rows = 16;
  check_argsort<float>(DType::F32, 256, false, 0, g);
  check_argsort<int32_t>(DType::I32, 512, true, 32, g);
}

TEST(Argsort, RejectsBadIndexTensor) {
  Machine mc(sort_geometry());
  Tensor a = mc.alloc(10, DType::I32);
  Tensor bad = mc.alloc_like(a, DType::I32);
  EXPECT_THROW(argsort(mc, a, bad), std::invalid_argument);
}

}  // namespace
