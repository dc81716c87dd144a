// Float macros against native C++ (x86 SSE, which NumPy uses), bit-exact, including NaN payloads,
// infinities, subnormals and signed zeros.
#include <gtest/gtest.h>

#include "float_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

Geometry float_geometry() {
  Geometry g = small_geometry();
  g.crossbars = 12;
  g.rows = 256;
  return g;
}

struct FloatCase {
  Macro m;
  DType t;
};

class FloatMacro : public testing::TestWithParam<FloatCase> {};

TEST_P(FloatMacro, BitExact) {
  const auto [m, t] = GetParam();
  std::mt19937_64 rng(uint64_t(m) * 7 + uint64_t(t));
  const int arity = macro_arity(m);
  std::vector<std::vector<uint64_t>> ins(arity);
  auto sp = float_specials(t);
  for (auto a : sp)
    for (auto b : sp) {
      ins[0].push_back(a);
      if (arity > 1) ins[1].push_back(b);
      if (arity > 2) ins[2].push_back(rng());
    }
  // float64 floor_divide / mod run ~350k micro-ops: fewer random values (their exponent range
  // is covered by FloatModRange)
  const bool long_stream = t == DType::F64 && (m == Macro::FloorDiv || m == Macro::Mod);
  const size_t nr = long_stream ? 400 : 1500;
  for (size_t i = 0; i < nr; ++i) {
    const uint64_t a = rand_float(rng, t, rng());
    ins[0].push_back(a);
    if (arity > 1) ins[1].push_back(rand_float(rng, t, a));
    if (arity > 2) ins[2].push_back(rand_float(rng, t, a));
  }
  std::vector<DType> types(arity, t);
  if (m == Macro::Where) {
    types[0] = DType::Bool;
    for (auto& c : ins[0]) c &= 1;
  }
  if (arity > 2)
    for (auto& v : ins[2]) v &= width_mask(t);
  const DType out_t = result_dtype(m, t);
  auto r = run_macro(m, types, out_t, ins, false, float_geometry());
  size_t bad = 0;
  for (size_t i = 0; i < ins[0].size(); ++i) {
    const uint64_t a = ins[0][i], b = arity > 1 ? ins[1][i] : 0, c = arity > 2 ? ins[2][i] : 0;
    const uint64_t want = ref_float(m, t, a, b, c) & width_mask(out_t);
    if (r.out[i] != want && bad++ < 8)
      ADD_FAILURE() << macro_name(m) << "(" << dtype_name(t) << ") a=0x" << std::hex << a
                    << " b=0x" << b << ": got 0x" << r.out[i] << " want 0x" << want;
  }
  EXPECT_EQ(bad, 0u) << "of " << ins[0].size();
}

std::vector<FloatCase> float_cases() {
  std::vector<FloatCase> v;
  const Macro ops[] = {Macro::Copy, Macro::Neg, Macro::Abs, Macro::Sign, Macro::Lt, Macro::Le,
                       Macro::Gt,   Macro::Ge,  Macro::Eq,  Macro::Ne,   Macro::Min, Macro::Max,
                       Macro::Where, Macro::Add, Macro::Sub, Macro::Mul, Macro::TrueDiv, Macro::Sqrt,
                       Macro::FloorDiv, Macro::Mod};
  for (auto t : {DType::F32, DType::F64})
    for (auto m : ops) v.push_back({m, t});
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, FloatMacro, testing::ValuesIn(float_cases()), [](const auto& i) {
  return std::string(macro_name(i.param.m)) + "_" + dtype_name(i.param.t);
});

}  // namespace

namespace {

// floor_divide / mod over every exponent difference the exact fmod can see: x = huge over y =
// tiny (subnormal) with random significands, so the remainder is rarely zero, plus the
// neighbourhood of every block boundary of the long division.
class FloatModRange : public testing::TestWithParam<FloatCase> {};

TEST_P(FloatModRange, EveryExponentDifference) {
  const auto [m, t] = GetParam();
  const bool f32 = t == DType::F32;
  const int M = f32 ? 23 : 52, emax = f32 ? 254 : 2046;
  std::mt19937_64 rng(99 + uint64_t(t));
  std::vector<uint64_t> xs, ys;
  auto make = [&](int e, uint64_t frac, bool neg) {  // e: biased exponent field (0: subnormal)
    const uint64_t fm = (uint64_t(1) << M) - 1;
    return (uint64_t(neg) << (M + (f32 ? 8 : 11))) | (uint64_t(e) << M) | (frac & fm);
  };
  for (int d = 0; d <= emax - 1 + M; d += f32 ? 1 : 5) {  // float64: every fifth
    // y subnormal with its leading one at bit k: effective exponent 1 - (M - k)
    const int k = int(rng() % uint64_t(M));
    const int ey_eff = 1 - (M - k);
    const int ex = ey_eff + d;
    if (ex < 1 || ex > emax) continue;
    const uint64_t yf = (uint64_t(1) << k) | (rng() & ((uint64_t(1) << k) - 1)) | 1;
    xs.push_back(make(ex, rng(), rng() & 1));
    ys.push_back(make(0, yf, rng() & 1));
    // and a normal y below x
    const int ey = 1 + int(rng() % uint64_t(emax));
    if (ey + d % 64 <= emax) {
      xs.push_back(make(ey + d % 64, rng(), rng() & 1));
      ys.push_back(make(ey, rng() | 1, rng() & 1));
    }
  }
  const DType out_t = result_dtype(m, t);
  auto r = run_macro(m, {t, t}, out_t, {xs, ys}, false, float_geometry());
  size_t bad = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const uint64_t want = ref_float(m, t, xs[i], ys[i]) & width_mask(out_t);
    if (r.out[i] != want && bad++ < 8)
      ADD_FAILURE() << macro_name(m) << "(" << dtype_name(t) << ") a=0x" << std::hex << xs[i]
                    << " b=0x" << ys[i] << ": got 0x" << r.out[i] << " want 0x" << want;
  }
  EXPECT_EQ(bad, 0u) << "of " << xs.size();
}

INSTANTIATE_TEST_SUITE_P(All, FloatModRange,
                         testing::Values(FloatCase{Macro::Mod, DType::F32},
                                         FloatCase{Macro::FloorDiv, DType::F32},
                                         FloatCase{Macro::Mod, DType::F64},
                                         FloatCase{Macro::FloorDiv, DType::F64}),
                         [](const auto& i) {
                           return std::string(macro_name(i.param.m)) + "_" +
                                  dtype_name(i.param.t);
                         });

}  // namespace
