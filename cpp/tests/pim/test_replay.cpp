// Exported macro streams replayed on the independent reference interpreter must reproduce the
// simulator's memory state and costs.
#include <gtest/gtest.h>

#include "int_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

class Replay : public testing::TestWithParam<std::tuple<Macro, DType>> {};

TEST_P(Replay, ReferenceInterpreterAgrees) {
  const auto [m, t] = GetParam();
  std::mt19937_64 rng(99);
  const int arity = macro_arity(m);
  std::vector<std::vector<uint64_t>> ins(arity);
  for (auto& v : ins) v = rand_bits(rng, t, 70);  // two crossbars, the second partly used
  std::vector<DType> types(arity, t);
  if (m == Macro::Where) {
    types[0] = DType::Bool;
    for (auto& c : ins[0]) c &= 1;
  }
  const DType out_t = m == Macro::Cast ? (is_float(t) ? DType::I32 : DType::I64) : result_dtype(m, t);
  auto r = run_macro(m, types, out_t, ins, /*replay=*/true);
  if (is_int(t)) {
    for (size_t i = 0; i < ins[0].size(); ++i) {
      if (m == Macro::Cast) continue;
      ASSERT_EQ(r.out[i], ref_int(m, t, ins[0][i], arity > 1 ? ins[1][i] : 0,
                                  arity > 2 ? ins[2][i] : 0) & width_mask(out_t));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Macros, Replay,
    testing::Values(std::make_tuple(Macro::Add, DType::I32), std::make_tuple(Macro::Sub, DType::I64),
                    std::make_tuple(Macro::Mul, DType::I16), std::make_tuple(Macro::Lt, DType::I32),
                    std::make_tuple(Macro::Eq, DType::U8), std::make_tuple(Macro::Where, DType::I32),
                    std::make_tuple(Macro::Shr, DType::I16), std::make_tuple(Macro::Mod, DType::I8),
                    std::make_tuple(Macro::Cast, DType::I16), std::make_tuple(Macro::Add, DType::F32),
                    std::make_tuple(Macro::Mul, DType::F64), std::make_tuple(Macro::Le, DType::F32),
                    std::make_tuple(Macro::TrueDiv, DType::F32), std::make_tuple(Macro::Sqrt, DType::F32),
                    std::make_tuple(Macro::Cast, DType::F32), std::make_tuple(Macro::Max, DType::F64),
                    std::make_tuple(Macro::Mod, DType::F32),
                    std::make_tuple(Macro::Sin, DType::F32)),
    [](const auto& i) {
      return std::string(macro_name(std::get<0>(i.param))) + "_" + dtype_name(std::get<1>(i.param));
    });

}  // namespace
