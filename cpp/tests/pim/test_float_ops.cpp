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
  const size_t nr = 1500;
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
