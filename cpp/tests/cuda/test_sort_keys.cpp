// The cuda sort family's key transforms (ops_sort_keys.h, the very text NVRTC compiles) and its
// radix-pass plans (ops_sort_plan.h), run on the host: the passes are replayed with a stable sort
// of the masked keys, exactly as the device runs CUB's radix sort, and the order is checked against
// NumPy's (nan last; complex [R + Rj, R + nanj, nan + Rj, nan + nanj]; stable, so -0.0 and 0.0 and
// NaNs keep their input order), lane by lane, ascending and descending, for every dtype.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "ember/backend/cuda/ops_sort_keys.h"
#include "ember/backend/cuda/ops_sort_plan.h"
#include "sort_reference.h"

namespace ember::cuda {
namespace {

// The device's passes replayed: keys of each element in its current order, a stable sort by the
// key's low end_bit bits, as cub::DeviceRadixSort sorts.
std::vector<int64_t> run_plan(const SortPlan& p, const std::vector<Elem>& x, int64_t L) {
  const SortKeyType& k = p.key;
  std::vector<int64_t> perm(x.size());
  std::iota(perm.begin(), perm.end(), 0);
  for (const SortPass& s : p.passes) {
    const uint64_t mask = s.end_bit >= 64 ? ~0ull : (1ull << s.end_bit) - 1;
    std::vector<uint64_t> key(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const int64_t q = perm[i];
      const uint64_t full = em_sk_pass_key(x[q].lo, x[q].hi, uint64_t(q / L), s.word, s.word_bits, s.row_shift,
                                           p.invert, k.kind, k.nbits, k.mant, k.cpx);
      EXPECT_EQ(full & ~mask, 0u) << "a key wider than its pass's end_bit";
      const uint64_t width_mask = s.width == 8 ? ~0ull : (1ull << (8 * s.width)) - 1;
      EXPECT_EQ(full & ~width_mask, 0u) << "a key wider than its array";
      key[i] = full & mask;
    }
    std::vector<size_t> order(x.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key[a] < key[b]; });
    std::vector<int64_t> next(x.size());
    for (size_t i = 0; i < order.size(); ++i) next[i] = perm[order[i]];
    perm.swap(next);
  }
  return perm;
}

void check_lanes(DType t, int64_t rows, int64_t L, bool descending, uint64_t seed) {
  const SortPlan p = sort_plan(t, rows, descending, true);
  const std::vector<Elem> x = sample(p.key, size_t(rows * L), seed);
  const std::vector<int64_t> got = run_plan(p, x, L);
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<int64_t> want(L);
    std::iota(want.begin(), want.end(), r * L);
    std::stable_sort(want.begin(), want.end(), [&](int64_t a, int64_t b) {
      return descending ? numpy_less(x[b], x[a], p.key) : numpy_less(x[a], x[b], p.key);
    });
    for (int64_t j = 0; j < L; ++j)
      ASSERT_EQ(got[r * L + j], want[j]) << dtype_name(t) << " rows " << rows << " L " << L << " desc " << descending
                                         << " row " << r << " rank " << j;
  }
}

TEST(CudaSortKeys, PassesSortLanesInNumpysStableOrder) {
  for (DType t : kDtypes)
    for (bool desc : {false, true}) {
      check_lanes(t, 1, 300, desc, 1);
      check_lanes(t, 7, 40, desc, 2);
      check_lanes(t, 40, 3, desc, 3);
      check_lanes(t, 5, 1, desc, 4);
    }
}

TEST(CudaSortKeys, KeyOrderIsNumpysOrderPairwise) {
  for (DType t : kDtypes) {
    const SortKeyType k = sort_key_type(t);
    const std::vector<Elem> x = sample(k, 120, 5);
    for (const Elem& a : x)
      for (const Elem& b : x) {
        const int c = em_sk_cmp(a.lo, a.hi, b.lo, b.hi, k.kind, k.nbits, k.mant, k.cpx);
        const int want = numpy_less(a, b, k) ? -1 : numpy_less(b, a, k) ? 1 : 0;
        ASSERT_EQ(c, want) << dtype_name(t) << " " << std::hex << a.lo << "," << a.hi << " vs " << b.lo << "," << b.hi;
      }
  }
}

TEST(CudaSortKeys, NegativeZeroEqualsZeroAndNansEqualEachOther) {
  const SortKeyType f = sort_key_type(DType::Float32);
  EXPECT_EQ(em_sk_scalar(0x80000000u, 3, 32, 23), em_sk_scalar(0, 3, 32, 23));
  EXPECT_EQ(em_sk_scalar(0xffc00001u, 3, 32, 23), em_sk_scalar(0x7fc00000u, 3, 32, 23));
  EXPECT_GT(em_sk_scalar(0x7fc00000u, 3, 32, 23), em_sk_scalar(0x7f800000u, 3, 32, 23));  // nan after inf
  EXPECT_LT(em_sk_scalar(0xff800000u, 3, 32, 23), em_sk_scalar(0x80000001u, 3, 32, 23));  // -inf first
  EXPECT_EQ(f.word_bits, std::vector<int>{32});
}

TEST(CudaSortKeys, KeysOnlyValuesComeBackFromTheirKeys) {
  for (DType t : {DType::Bool, DType::Int8, DType::Int16, DType::Int32, DType::Int64, DType::UInt8, DType::UInt16,
                  DType::UInt32, DType::UInt64})
    for (int64_t rows : {int64_t(1), int64_t(9)})
      for (bool desc : {false, true}) {
        const SortPlan p = sort_plan(t, rows, desc, false);
        if (!p.keys_only) {
          EXPECT_EQ(p.key.nbits, 64) << "only 64-bit keys with a row tag need two passes";
          continue;
        }
        const SortPass& s = p.passes.back();
        for (const Elem& e : sample(p.key, 200, 6)) {
          const uint64_t key = em_sk_pass_key(e.lo, 0, uint64_t(rows - 1), s.word, s.word_bits, s.row_shift, p.invert,
                                              p.key.kind, p.key.nbits, p.key.mant, 0);
          const uint64_t want = p.key.kind == 0 ? (e.lo != 0) : e.lo;
          ASSERT_EQ(em_sk_inverse(key, s.word_bits, p.invert, p.key.kind, p.key.nbits), want) << dtype_name(t);
        }
      }
  for (DType t : {DType::Float16, DType::Float32, DType::Complex64}) EXPECT_FALSE(sort_plan(t, 1, false, false).keys_only);
}

TEST(CudaSortKeys, PlansUseFewPassesAndTagRowsWhereBitsAllow) {
  SortPlan p = sort_plan(DType::Float32, 1000, false, true);
  ASSERT_EQ(p.passes.size(), 1u);
  EXPECT_EQ(p.passes[0].end_bit, 42);
  EXPECT_EQ(p.passes[0].width, 8);
  p = sort_plan(DType::Int8, 1, false, true);
  ASSERT_EQ(p.passes.size(), 1u);
  EXPECT_EQ(p.passes[0].width, 1);
  EXPECT_EQ(p.passes[0].row_shift, -1);
  p = sort_plan(DType::Float64, 3, true, true);  // 64 data bits: the row gets its own pass
  ASSERT_EQ(p.passes.size(), 2u);
  EXPECT_EQ(p.passes[1].word, -1);
  EXPECT_EQ(p.passes[1].end_bit, 2);
  p = sort_plan(DType::Complex128, 100, false, true);  // im, re, then class with the row
  ASSERT_EQ(p.passes.size(), 3u);
  EXPECT_EQ(p.passes[2].word, 0);
  EXPECT_EQ(p.passes[2].end_bit, 2 + 7);
  EXPECT_EQ(sort_plan(DType::Bool, 1, false, true).passes[0].end_bit, 1);
}

TEST(CudaSortKeys, SameValueAndTruthMatchTheCpuRules) {
  for (DType t : kDtypes) {
    const SortKeyType k = sort_key_type(t);
    const std::vector<Elem> x = sample(k, 60, 7);
    auto isnan = [&](const Elem& e) {
      return k.kind == 3 && (std::isnan(part(e.lo, k)) || (k.cpx && std::isnan(part(e.hi, k))));
    };
    for (const Elem& a : x) {
      const double re = k.kind == 3 ? part(a.lo, k) : 0, im = k.cpx ? part(a.hi, k) : 0;
      const bool truth = k.kind == 3 ? (re != 0 || im != 0) : (a.lo != 0);
      ASSERT_EQ(em_sk_truthy(a.lo, a.hi, k.kind, k.nbits, k.cpx), truth) << dtype_name(t) << std::hex << " " << a.lo;
      for (const Elem& b : x)
        for (int eq : {0, 1}) {
          const bool want = (isnan(a) || isnan(b)) ? eq && isnan(a) && isnan(b)
                                                   : !numpy_less(a, b, k) && !numpy_less(b, a, k);
          ASSERT_EQ(em_sk_same(a.lo, a.hi, b.lo, b.hi, eq, k.kind, k.nbits, k.mant, k.cpx), want) << dtype_name(t);
        }
    }
  }
}

}  // namespace
}  // namespace ember::cuda
