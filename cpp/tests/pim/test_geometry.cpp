// The microcode is generated for any partition count: the same macros on machines with 16
// partitions (a 32-bit value spans two registers) and 64 partitions give the same results.
#include <gtest/gtest.h>

#include "float_reference.h"
#include "int_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

class Geometries : public testing::TestWithParam<std::tuple<uint32_t, uint32_t>> {};

TEST_P(Geometries, MacrosMatchNative) {
  const auto [parts, cols] = GetParam();
  Geometry g = small_geometry();
  g.partitions = parts;
  g.columns = cols;
  std::mt19937_64 rng(parts);
  const std::pair<Macro, DType> ops[] = {
      {Macro::Add, DType::I32},  {Macro::Mul, DType::I32}, {Macro::FloorDiv, DType::I32},
      {Macro::Lt, DType::I64},   {Macro::Shr, DType::I16}, {Macro::Add, DType::F32},
      {Macro::Mul, DType::F32},  {Macro::TrueDiv, DType::F32}, {Macro::Le, DType::F32},
      {Macro::Sub, DType::F64},  {Macro::Sqrt, DType::F32}};
  for (auto [m, t] : ops) {
    const int ar = macro_arity(m);
    std::vector<std::vector<uint64_t>> ins(ar);
    for (int k = 0; k < ar; ++k)
      for (int i = 0; i < 150; ++i)
        ins[k].push_back(is_float(t) ? rand_float(rng, t, ins[0].empty() ? rng() : ins[0].back())
                                     : (rng() & width_mask(t)));
    if (m == Macro::Shr)
      for (auto& v : ins[1]) v %= 20;
    auto r = run_macro(m, std::vector<DType>(ar, t), result_dtype(m, t), ins, false, g);
    for (size_t i = 0; i < ins[0].size(); ++i) {
      const uint64_t a = ins[0][i], b = ar > 1 ? ins[1][i] : 0;
      const uint64_t want = (is_float(t) ? ref_float(m, t, a, b) : ref_int(m, t, a, b)) &
                            width_mask(result_dtype(m, t));
      ASSERT_EQ(r.out[i], want) << macro_name(m) << " " << dtype_name(t) << " P=" << parts
                                << " a=" << std::hex << a << " b=" << b;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, Geometries,
                         testing::Values(std::make_tuple(16u, 1024u), std::make_tuple(64u, 2048u)),
                         [](const auto& i) { return std::to_string(std::get<0>(i.param)) + "_partitions"; });

}  // namespace
