// Conversions involving floats against native C++ on x86 (what NumPy's astype does there).
#include <gtest/gtest.h>

#include <cmath>

#include "float_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

double as_double(DType t, uint64_t v) {
  return t == DType::F32 ? double(std::bit_cast<float>(uint32_t(v))) : std::bit_cast<double>(v);
}

uint64_t from_double_value(DType t, double d) {  // exact for values representable in t
  return t == DType::F32 ? std::bit_cast<uint32_t>(float(d)) : std::bit_cast<uint64_t>(d);
}

int64_t int_value(DType t, uint64_t v) {
  switch (t) {
    case DType::I8: return int8_t(v);
    case DType::I16: return int16_t(v);
    case DType::I32: return int32_t(v);
    case DType::I64: return int64_t(v);
    default: return int64_t(v);
  }
}

// x86 semantics of float -> integer casts (see float_convert.cpp)
uint64_t ref_f2i(DType to, double d) {
  const uint64_t mask = width_mask(to);
  if (to == DType::Bool) return d != 0 || std::isnan(d);
  if (to == DType::U64) {
    if (std::isnan(d) || d >= 18446744073709551616.0) return 0;
    if (d >= 9223372036854775808.0) return uint64_t(d);
    return uint64_t(int64_t(std::trunc(d)));
  }
  const bool wide = to == DType::U32 || to == DType::I64;
  if (wide) {
    if (std::isnan(d) || !(std::fabs(d) < 9223372036854775808.0)) return (uint64_t(1) << 63) & mask;
    return uint64_t(int64_t(std::trunc(d))) & mask;
  }
  if (std::isnan(d) || !(d > -2147483649.0 && d < 2147483648.0)) return 0x80000000ull & mask;
  return uint64_t(int64_t(int32_t(std::trunc(d)))) & mask;
}

class FloatCast : public testing::TestWithParam<std::tuple<DType, DType>> {};

TEST_P(FloatCast, MatchesNative) {
  const auto [from, to] = GetParam();
  std::mt19937_64 rng(uint64_t(from) * 16 + uint64_t(to));
  std::vector<uint64_t> in;
  if (is_float(from)) {
    for (auto v : float_specials(from)) in.push_back(v);
    for (int i = 0; i < 700; ++i) in.push_back(rand_float(rng, from, rng()));
    // values around the integer range of the target
    for (int i = 0; i < 300; ++i) {
      const int bits = is_float(to) ? 40 : int(dtype_bits(to)) + 1;
      double d = std::ldexp(double(rng() % 1000003) / 1000003.0, int(rng() % bits));
      if (rng() & 1) d = -d;
      in.push_back(from_double_value(from, d));
    }
  } else {
    in = int_edges(from);
    auto r = rand_bits(rng, from, 700);
    in.insert(in.end(), r.begin(), r.end());
  }
  auto res = run_macro(Macro::Cast, {from}, to, {in});
  size_t bad = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    uint64_t want;
    if (is_float(from) && is_float(to)) {
      want = from == DType::F32 ? std::bit_cast<uint64_t>(double(std::bit_cast<float>(uint32_t(in[i]))))
                                : std::bit_cast<uint32_t>(float(std::bit_cast<double>(in[i])));
    } else if (is_float(to)) {
      if (from == DType::Bool) want = from_double_value(to, double(in[i] & 1));
      else if (is_unsigned_int(from))
        want = to == DType::F32 ? std::bit_cast<uint32_t>(float(in[i])) : std::bit_cast<uint64_t>(double(in[i]));
      else
        want = to == DType::F32 ? std::bit_cast<uint32_t>(float(int_value(from, in[i])))
                                : std::bit_cast<uint64_t>(double(int_value(from, in[i])));
    } else {
      const double d = as_double(from, in[i]);
      if (to == DType::U64 && d <= -9223372036854775808.0) continue;  // compiler-specific
      want = ref_f2i(to, d);
    }
    if (res.out[i] != want && bad++ < 6)
      ADD_FAILURE() << dtype_name(from) << "->" << dtype_name(to) << " of 0x" << std::hex << in[i]
                    << ": got 0x" << res.out[i] << " want 0x" << want;
  }
  EXPECT_EQ(bad, 0u);
}

std::vector<std::tuple<DType, DType>> cases() {
  std::vector<std::tuple<DType, DType>> v;
  for (auto f : {DType::F32, DType::F64})
    for (auto t : kAllDTypes)
      if (t != f) {
        v.emplace_back(f, t);
        if (!is_float(t)) v.emplace_back(t, f);
      }
  return v;
}

INSTANTIATE_TEST_SUITE_P(All, FloatCast, testing::ValuesIn(cases()), [](const auto& i) {
  return std::string(dtype_name(std::get<0>(i.param))) + "_to_" + dtype_name(std::get<1>(i.param));
});

}  // namespace

namespace {

// NumPy's true division of integers: both operands to float64, then IEEE division.
class IntTrueDiv : public testing::TestWithParam<DType> {};

TEST_P(IntTrueDiv, MatchesNative) {
  const DType t = GetParam();
  std::mt19937_64 rng(uint64_t(t) + 100);
  std::vector<std::vector<uint64_t>> ins(2);
  for (auto a : int_edges(t))
    for (auto c : int_edges(t)) ins[0].push_back(a), ins[1].push_back(c);
  auto ra = rand_bits(rng, t, 200), rb = rand_bits(rng, t, 200);
  ins[0].insert(ins[0].end(), ra.begin(), ra.end());
  ins[1].insert(ins[1].end(), rb.begin(), rb.end());
  auto r = run_macro(Macro::TrueDiv, {t, t}, DType::F64, ins);
  auto val = [&](uint64_t v) {
    return is_unsigned_int(t) || t == DType::Bool ? double(v) : double(int_value(t, v));
  };
  for (size_t i = 0; i < ins[0].size(); ++i) {
    volatile double a = val(ins[0][i]), c = val(ins[1][i]);
    const uint64_t want = std::bit_cast<uint64_t>(a / c);
    ASSERT_EQ(r.out[i], want) << dtype_name(t) << " " << ins[0][i] << " / " << ins[1][i];
  }
}

INSTANTIATE_TEST_SUITE_P(All, IntTrueDiv,
                         testing::Values(DType::I8, DType::I32, DType::I64, DType::U16,
                                         DType::U64, DType::Bool),
                         [](const auto& i) { return std::string(dtype_name(i.param)); });

}  // namespace
