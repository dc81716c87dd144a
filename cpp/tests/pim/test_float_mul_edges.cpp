// IEEE multiply edge cases constructed on purpose (the random / specials sweep of
// test_float_ops rarely hits them): subnormal x normal, results at the subnormal boundary,
// underflow to zero, overflow to inf, exact ties (round half to even), every result exponent
// around the subnormal range, NaN payloads, signed zeros, specials x subnormals.
// Reference: native x86 multiplication (what NumPy uses), bit for bit.
#include <gtest/gtest.h>

#include "float_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

// Pairs for one format (M fraction bits, E exponent bits).
std::vector<std::pair<uint64_t, uint64_t>> edge_pairs(DType t, std::mt19937_64& rng) {
  const int M = t == DType::F32 ? 23 : 52, E = t == DType::F32 ? 8 : 11;
  const uint64_t sign = uint64_t(1) << (M + E), expmask = ((uint64_t(1) << E) - 1) << M;
  const uint64_t fracmask = (uint64_t(1) << M) - 1, bias = (uint64_t(1) << (E - 1)) - 1;
  auto mk = [&](uint64_t s, uint64_t e, uint64_t f) { return (s ? sign : 0) | (e << M) | f; };
  std::vector<std::pair<uint64_t, uint64_t>> v;
  auto both = [&](uint64_t a, uint64_t b) {
    v.push_back({a, b});
    v.push_back({b, a});
    v.push_back({a ^ sign, b});
  };
  for (int i = 0; i < 60; ++i) {
    const uint64_t f = rng() & fracmask, g = rng() & fracmask;
    const uint64_t sub = (rng() & fracmask) >> (rng() % M);  // subnormal with random leading zeros
    // subnormal x normal: normal results, subnormal results, and exponents around the boundary
    both(mk(0, 0, sub | 1), mk(0, bias + 1 + rng() % (bias - 1), g));
    both(mk(0, 0, sub | 1), mk(0, 1 + rng() % bias, g));
    both(mk(0, 0, sub | 1), mk(0, bias + uint64_t(M) - rng() % 4, g));
    // normal x normal near underflow: exponent sum around bias (result near the subnormal range)
    const uint64_t ex = 1 + rng() % (bias - 1);
    both(mk(0, ex, f), mk(0, bias + 1 - ex - rng() % (M + 3), g));
    // near overflow: exponent sum around 2 bias + 1
    const uint64_t ey = bias + 1 + rng() % bias;
    both(mk(0, ey, f), mk(0, 2 * bias + 1 - ey + rng() % 2, g));
    // exact ties: (1 + a 2^-hx)(1 + b 2^-hy) with odd a, b and hx + hy = M + 1 has its last
    // bit just below the lsb (when the product is below 2)
    const int hx = (M + 1) / 2, hy = M + 1 - hx;
    const uint64_t a = (rng() & ((uint64_t(1) << hx) - 1)) | 1;
    const uint64_t b = (rng() & ((uint64_t(1) << hy) - 1)) | 1;
    const uint64_t ta = a << (M - hx), tb = b << (M - hy);
    both(mk(0, bias + rng() % 3, ta), mk(0, bias - rng() % 3, tb));
    // the same ties scaled into the subnormal range
    both(mk(0, 1 + rng() % 4, ta), mk(0, bias - 1 - rng() % (M + 2), tb));
  }
  // every result exponent from far below the subnormal range to just above it, with a product
  // of significands below 2 (small fractions) and at least 2 (large fractions): the shifts by
  // 1 - er around er = 0, -1 and the saturation of the shift amount
  for (int er = -int(M) - 40; er <= 3; ++er)
    for (int i = 0; i < 3; ++i) {
      const uint64_t ex = bias / 2 + rng() % (bias / 2);
      const int64_t ey = er + int64_t(bias) - int64_t(ex);
      if (ey < 1) continue;
      const uint64_t lo = rng() & (fracmask >> 2), hi = (rng() & fracmask) | (uint64_t(3) << (M - 2));
      const uint64_t lo2 = rng() & (fracmask >> 2), hi2 = (rng() & fracmask) | (uint64_t(3) << (M - 2));
      both(mk(0, ex, lo), mk(0, uint64_t(ey), lo2));
      both(mk(0, ex, hi), mk(1, uint64_t(ey), hi2));
    }
  // a subnormal times 2^k for k around the normalization shift (results around the boundary)
  for (int k = 0; k < int(M) + 4; ++k) {
    const uint64_t sub = ((rng() & fracmask) | 1) >> (rng() % M);
    both(mk(0, 0, sub | 1), mk(0, bias + uint64_t(k), rng() & fracmask));
  }
  // largest finite rounding up to inf, and staying finite
  both(mk(0, 2 * bias, fracmask), mk(0, bias, 1));
  both(mk(0, 2 * bias, fracmask), mk(0, bias, 0));
  both(mk(0, 2 * bias, fracmask), mk(0, bias - 1, fracmask));
  // smallest subnormal results: exactly half (tie to 0), just above half, products of subnormals
  both(mk(0, 0, 1), mk(0, bias - 1, 0));
  both(mk(0, 0, 1), mk(0, bias - 1, 1));
  both(mk(0, 0, 1), mk(0, bias, 0));
  both(mk(0, 0, fracmask), mk(0, 0, fracmask));
  both(mk(0, 0, 1), mk(0, 0, 1));
  // signed zeros, infinities, NaN payloads (quiet and signalling, both operands NaN)
  const uint64_t qnan = expmask | (uint64_t(1) << (M - 1)), snan = expmask | 5;
  const uint64_t vals[] = {0, sign, expmask, expmask | sign, qnan | 0x1234, qnan | sign | 7, snan,
                           snan | sign | 0x40, mk(0, 0, 3), mk(1, 0, fracmask), mk(0, bias, 0),
                           mk(1, bias + 3, fracmask >> 1), mk(0, 2 * bias, fracmask), mk(0, 1, 0)};
  for (uint64_t x : vals)
    for (uint64_t y : vals) v.push_back({x, y});
  return v;
}

class MulEdges : public testing::TestWithParam<DType> {};

TEST_P(MulEdges, BitExact) {
  const DType t = GetParam();
  std::mt19937_64 rng(t == DType::F32 ? 11 : 12);
  const auto pairs = edge_pairs(t, rng);
  std::vector<std::vector<uint64_t>> ins(2);
  for (auto [a, b] : pairs) ins[0].push_back(a), ins[1].push_back(b);
  Geometry g = small_geometry();
  g.crossbars = 24;
  g.rows = 256;
  auto r = run_macro(Macro::Mul, {t, t}, t, ins, false, g);
  size_t bad = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    const uint64_t want = ref_float(Macro::Mul, t, pairs[i].first, pairs[i].second) & width_mask(t);
    if (r.out[i] != want && bad++ < 8)
      ADD_FAILURE() << dtype_name(t) << " a=0x" << std::hex << pairs[i].first << " b=0x"
                    << pairs[i].second << ": got 0x" << r.out[i] << " want 0x" << want;
  }
  EXPECT_EQ(bad, 0u) << "of " << pairs.size();
}

INSTANTIATE_TEST_SUITE_P(Float, MulEdges, testing::Values(DType::F32, DType::F64),
                         [](const auto& i) { return std::string(dtype_name(i.param)); });

}  // namespace
