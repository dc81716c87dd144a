// Every integer / bool macro against native C++ (NumPy semantics) on edge and random values.
#include <gtest/gtest.h>

#include <tuple>

#include "int_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

struct IntCase {
  Macro m;
  DType t;
};

std::string case_name(const testing::TestParamInfo<IntCase>& i) {
  return std::string(macro_name(i.param.m)) + "_" + dtype_name(i.param.t);
}

class IntMacro : public testing::TestWithParam<IntCase> {};

TEST_P(IntMacro, MatchesNative) {
  const auto [m, t] = GetParam();
  std::mt19937_64 rng(uint64_t(m) * 131 + uint64_t(t));
  const int arity = macro_arity(m);
  std::vector<std::vector<uint64_t>> ins(arity);
  auto edges = int_edges(t);
  // all edge pairs, then random values (the count is not a power of two)
  for (auto a : edges)
    for (auto b : edges) {
      ins[0].push_back(a);
      if (arity > 1) ins[1].push_back(b);
      if (arity > 2) ins[2].push_back(rng() & width_mask(t));
    }
  const size_t nr = 203;
  auto ra = rand_bits(rng, t, nr), rb = rand_bits(rng, t, nr), rc = rand_bits(rng, t, nr);
  for (size_t i = 0; i < nr; ++i) {
    ins[0].push_back(ra[i]);
    if (arity > 1) ins[1].push_back(m == Macro::Shl || m == Macro::Shr ? rb[i] % (dtype_bits(t) + 2) : rb[i]);
    if (arity > 2) ins[2].push_back(rc[i]);
  }
  std::vector<DType> types(arity, t);
  if (m == Macro::Where) {
    types[0] = DType::Bool;
    for (auto& c : ins[0]) c &= 1;
  }
  const DType out_t = result_dtype(m, t);
  auto r = run_macro(m, types, out_t, ins);
  size_t bad = 0;
  for (size_t i = 0; i < ins[0].size(); ++i) {
    const uint64_t a = ins[0][i], b = arity > 1 ? ins[1][i] : 0, c = arity > 2 ? ins[2][i] : 0;
    const uint64_t want = ref_int(m, t, a, b, c) & width_mask(out_t);
    if (r.out[i] != want && bad++ < 5)
      ADD_FAILURE() << macro_name(m) << "(" << dtype_name(t) << ") a=" << a << " b=" << b
                    << " c=" << c << ": got " << r.out[i] << " want " << want;
  }
  EXPECT_EQ(bad, 0u);
}

std::vector<IntCase> int_cases() {
  std::vector<IntCase> v;
  const Macro all_ops[] = {Macro::Copy, Macro::Add, Macro::Sub, Macro::Mul, Macro::FloorDiv,
                           Macro::Mod, Macro::Neg, Macro::Abs, Macro::Sign, Macro::Lt, Macro::Le,
                           Macro::Gt, Macro::Ge, Macro::Eq, Macro::Ne, Macro::Min, Macro::Max,
                           Macro::And, Macro::Or, Macro::Xor, Macro::Not, Macro::Shl, Macro::Shr,
                           Macro::Where};
  const DType ints[] = {DType::I8, DType::I16, DType::I32, DType::I64,
                        DType::U8, DType::U16, DType::U32, DType::U64};
  for (auto m : all_ops)
    for (auto t : ints) v.push_back({m, t});
  const Macro bool_ops[] = {Macro::Copy, Macro::Add, Macro::Mul, Macro::Lt, Macro::Le, Macro::Gt,
                            Macro::Ge, Macro::Eq, Macro::Ne, Macro::Min, Macro::Max, Macro::And,
                            Macro::Or, Macro::Xor, Macro::Not, Macro::Where, Macro::Abs,
                            Macro::Sign};
  for (auto m : bool_ops) v.push_back({m, DType::Bool});
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, IntMacro, testing::ValuesIn(int_cases()), case_name);

// Casts between all integer dtypes and bool.
class IntCast : public testing::TestWithParam<std::tuple<DType, DType>> {};

uint64_t ref_cast(DType from, DType to, uint64_t v) {
  // sign-extend/interpret the source, then truncate to the target
  int64_t s;
  switch (from) {
    case DType::I8: s = int8_t(v); break;
    case DType::I16: s = int16_t(v); break;
    case DType::I32: s = int32_t(v); break;
    case DType::I64: s = int64_t(v); break;
    default: s = int64_t(v); break;
  }
  if (to == DType::Bool) return v != 0;
  return uint64_t(s) & width_mask(to);
}

TEST_P(IntCast, MatchesNative) {
  const auto [from, to] = GetParam();
  std::mt19937_64 rng(7);
  auto in = int_edges(from);
  auto r = rand_bits(rng, from, 100);
  in.insert(in.end(), r.begin(), r.end());
  auto res = run_macro(Macro::Cast, {from}, to, {in});
  for (size_t i = 0; i < in.size(); ++i)
    ASSERT_EQ(res.out[i], ref_cast(from, to, in[i]))
        << dtype_name(from) << "->" << dtype_name(to) << " of " << in[i];
}

std::vector<std::tuple<DType, DType>> cast_cases() {
  std::vector<std::tuple<DType, DType>> v;
  const DType ts[] = {DType::Bool, DType::I8, DType::I16, DType::I32, DType::I64,
                      DType::U8,   DType::U16, DType::U32, DType::U64};
  for (auto a : ts)
    for (auto b : ts)
      if (a != b) v.emplace_back(a, b);
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, IntCast, testing::ValuesIn(cast_cases()),
                         [](const auto& i) {
                           return std::string(dtype_name(std::get<0>(i.param))) + "_to_" +
                                  dtype_name(std::get<1>(i.param));
                         });

}  // namespace
