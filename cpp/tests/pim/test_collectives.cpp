// Reductions over any element count, checked against native C++; the stream of one reduction is
// replayed on the reference interpreter.
#include <gtest/gtest.h>

#include <cmath>

#include "ember/backend/pim/collectives.h"
#include "float_reference.h"
#include "int_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

Geometry coll_geometry() {
  Geometry g = small_geometry();
  g.crossbars = 64;
  g.rows = 64;
  return g;
}

uint64_t native_reduce(Reduce r, DType t, const std::vector<uint64_t>& v) {
  const Macro m = r == Reduce::Sum ? Macro::Add
                  : r == Reduce::Prod ? Macro::Mul
                  : r == Reduce::Min ? Macro::Min
                  : r == Reduce::Max ? Macro::Max
                  : r == Reduce::Any ? Macro::Or : Macro::And;
  uint64_t acc = v[0];
  for (size_t i = 1; i < v.size(); ++i)
    acc = is_float(t) ? ref_float(m, t, acc, v[i]) : (ref_int(m, t, acc, v[i]) & width_mask(t));
  return acc;
}

class ReduceTest : public testing::TestWithParam<std::tuple<Reduce, DType, int>> {};

TEST_P(ReduceTest, MatchesNative) {
  const auto [r, t, n] = GetParam();
  std::mt19937_64 rng(n * 31 + int(r));
  Machine mc(coll_geometry());
  std::vector<uint64_t> v(n);
  for (auto& x : v) {
    if (t == DType::Bool) x = (r == Reduce::All) ? (rng() % 50 != 0) : (rng() % 50 == 0);
    else if (t == DType::F32) x = std::bit_cast<uint32_t>(float((rng() % 2001) / 1000.0 - 1.0));
    else if (t == DType::F64) x = std::bit_cast<uint64_t>((rng() % 2001) / 1000.0 - 1.0);
    else x = rng() & width_mask(t);
    if (r == Reduce::Prod && is_float(t))  // keep products in range
      x = t == DType::F32 ? std::bit_cast<uint32_t>(1.0f + float(rng() % 100) / 1e4f)
                          : std::bit_cast<uint64_t>(1.0 + double(rng() % 100) / 1e4);
  }
  Tensor a = mc.alloc(n, t);
  auto bytes = pack(v, t);
  mc.write(a, bytes.data());
  auto res = reduce(mc, r, a);
  const uint64_t want = native_reduce(r, t, v);
  if (is_float(t) && (r == Reduce::Sum || r == Reduce::Prod)) {
    // tree order differs from the sequential order: compare values
    const double got = t == DType::F32 ? double(std::bit_cast<float>(uint32_t(res.value)))
                                       : std::bit_cast<double>(res.value);
    const double w = t == DType::F32 ? double(std::bit_cast<float>(uint32_t(want)))
                                     : std::bit_cast<double>(want);
    EXPECT_NEAR(got, w, 1e-4 * std::max(1.0, std::fabs(w)) * (t == DType::F32 ? 10 : 1e-6));
  } else {
    EXPECT_EQ(res.value, want) << reduce_name(r) << " " << dtype_name(t) << " n=" << n;
  }
  // the input is unchanged
  std::vector<uint8_t> back(n * 8);
  mc.read(a, back.data());
  EXPECT_EQ(unpack(back, t, n), v);
}

std::vector<std::tuple<Reduce, DType, int>> reduce_cases() {
  std::vector<std::tuple<Reduce, DType, int>> v;
  for (int n : {1, 5, 64, 65, 1000, 4095})
    for (auto t : {DType::I32, DType::I8, DType::U16, DType::I64, DType::F32})
      for (auto r : {Reduce::Sum, Reduce::Min, Reduce::Max}) v.emplace_back(r, t, n);
  for (int n : {3, 100, 777}) {
    v.emplace_back(Reduce::Prod, DType::I32, n);
    v.emplace_back(Reduce::Prod, DType::F32, n);
    v.emplace_back(Reduce::Sum, DType::F64, n);
    v.emplace_back(Reduce::Min, DType::F64, n);
    v.emplace_back(Reduce::Max, DType::F64, n);
    v.emplace_back(Reduce::Prod, DType::F64, n);
    v.emplace_back(Reduce::Any, DType::Bool, n);
    v.emplace_back(Reduce::All, DType::Bool, n);
  }
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, ReduceTest, testing::ValuesIn(reduce_cases()), [](const auto& i) {
  return std::string(reduce_name(std::get<0>(i.param))) + "_" +
         dtype_name(std::get<1>(i.param)) + "_" + std::to_string(std::get<2>(i.param));
});

TEST(ReduceReplay, ReferenceInterpreterAgrees) {
  Geometry g = small_geometry();
  g.crossbars = 8;
  g.rows = 16;
  Machine mc(g);
  std::mt19937_64 rng(3);
  const int n = 77;
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = rng() & 0xFFFFFFFF;
  Tensor a = mc.alloc(n, DType::I32);
  auto bytes = pack(v, DType::I32);
  mc.write(a, bytes.data());
  pimref::RefMachine ref = mirror(mc);
  mc.keep_stream = true;
  auto res = reduce(mc, Reduce::Sum, a);
  auto reads = ref.replay(to_text(mc.last_stream()));
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0], res.value);
  EXPECT_EQ(res.value, native_reduce(Reduce::Sum, DType::I32, v));
  for (int k = 0; k < kNumKinds; ++k) {
    EXPECT_EQ(ref.costs.latency[k], res.cost.kind[k].latency);
    EXPECT_EQ(ref.costs.energy[k], res.cost.kind[k].energy);
  }
}

}  // namespace

namespace {

class CumsumTest : public testing::TestWithParam<std::tuple<DType, int>> {};

TEST_P(CumsumTest, MatchesNative) {
  const auto [t, n] = GetParam();
  std::mt19937_64 rng(n * 3 + int(t));
  Machine mc(coll_geometry());
  std::vector<uint64_t> v(n);
  for (auto& x : v)
    x = t == DType::F32 ? std::bit_cast<uint32_t>(float((rng() % 2001) / 1000.0 - 1.0))
                        : (rng() & width_mask(t));
  Tensor a = mc.alloc(n, t), o = mc.alloc_like(a, t);
  auto bytes = pack(v, t);
  mc.write(a, bytes.data());
  cumsum(mc, a, o);
  std::vector<uint8_t> back(n * 8);
  mc.read(o, back.data());
  auto got = unpack(back, t, n);
  uint64_t acc = 0;
  double facc = 0;
  for (int i = 0; i < n; ++i) {
    if (t == DType::F32) {
      facc += std::bit_cast<float>(uint32_t(v[i]));
      ASSERT_NEAR(std::bit_cast<float>(uint32_t(got[i])), facc, 1e-4 * (1 + std::fabs(facc)) * 4)
          << i;
    } else {
      acc = (acc + v[i]) & width_mask(t);
      ASSERT_EQ(got[i], acc) << dtype_name(t) << " n=" << n << " at " << i;
    }
  }
  mc.read(a, back.data());
  EXPECT_EQ(unpack(back, t, n), v);  // input unchanged
}

std::vector<std::tuple<DType, int>> cumsum_cases() {
  std::vector<std::tuple<DType, int>> v;
  for (int n : {1, 5, 64, 65, 1000, 4095})
    for (auto t : {DType::I32, DType::I8, DType::I64, DType::U16, DType::F32}) v.emplace_back(t, n);
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, CumsumTest, testing::ValuesIn(cumsum_cases()), [](const auto& i) {
  return std::string(dtype_name(std::get<0>(i.param))) + "_" + std::to_string(std::get<1>(i.param));
});

TEST(CumsumReplay, ReferenceInterpreterAgrees) {
  Geometry g = small_geometry();
  g.crossbars = 8;
  g.rows = 16;
  Machine mc(g);
  std::mt19937_64 rng(5);
  const int n = 70;
  std::vector<uint64_t> v(n);
  for (auto& x : v) x = rng() & 0xFFFFFFFF;
  Tensor a = mc.alloc(n, DType::I32), o = mc.alloc_like(a, DType::I32);
  auto bytes = pack(v, DType::I32);
  mc.write(a, bytes.data());
  pimref::RefMachine ref = mirror(mc);
  mc.keep_stream = true;
  const Metrics c = cumsum(mc, a, o);
  ref.replay(to_text(mc.last_stream()));
  for (uint32_t x = 0; x < g.crossbars; ++x)
    for (uint32_t r = 0; r < g.rows; ++r)
      for (uint32_t reg = 0; reg < g.regs(); ++reg)
        ASSERT_EQ(ref.word(x, r, reg), mc.sim().peek(x, r, reg));
  for (int k = 0; k < kNumKinds; ++k) EXPECT_EQ(ref.costs.latency[k], c.kind[k].latency);
}

}  // namespace
