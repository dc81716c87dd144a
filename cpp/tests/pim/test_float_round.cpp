// Float classification and rounding macros (microcode/float_round.cpp): bit-exact against the
// host's libm / SSE results (what NumPy computes), over special values, subnormals, values near
// 2^M, halves of both signs; every stream replayed on the reference interpreter; costs pinned.
#include <gtest/gtest.h>

#include <cfenv>

#include "float_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

const Macro kRoundMacros[] = {Macro::IsNan, Macro::IsInf, Macro::IsFinite, Macro::Signbit,
                              Macro::Floor, Macro::Ceil,  Macro::Trunc,    Macro::Rint};

template <class F, class U>
uint64_t ref_round_t(Macro m, uint64_t a_) {
  const F a = std::bit_cast<F>(U(a_));
  volatile F va = a;
  auto bits = [](F v) { return uint64_t(std::bit_cast<U>(v)); };
  const U quiet = U(1) << (sizeof(F) == 4 ? 22 : 51);
  switch (m) {
    case Macro::IsNan: return std::isnan(a);
    case Macro::IsInf: return std::isinf(a);
    case Macro::IsFinite: return std::isfinite(a);
    case Macro::Signbit: return std::signbit(a);
    default: break;
  }
  if (std::isnan(a)) return a_ | quiet;  // libm quiets signaling NaNs
  switch (m) {
    case Macro::Floor: return bits(std::floor(F(va)));
    case Macro::Ceil: return bits(std::ceil(F(va)));
    case Macro::Trunc: return bits(std::trunc(F(va)));
    case Macro::Rint: return bits(std::nearbyint(F(va)));
    default: return 0;
  }
}

uint64_t ref_round(Macro m, DType t, uint64_t a) {
  return t == DType::F32 ? ref_round_t<float, uint32_t>(m, a) : ref_round_t<double, uint64_t>(m, a);
}

template <class F, class U>
std::vector<uint64_t> rounding_values(std::mt19937_64& rng) {
  std::vector<uint64_t> v;
  auto add = [&](F x) {
    v.push_back(uint64_t(std::bit_cast<U>(x)));
    v.push_back(uint64_t(std::bit_cast<U>(F(-x))));
  };
  constexpr int M = sizeof(F) == 4 ? 23 : 52;
  const F two_m = std::ldexp(F(1), M);
  for (int k = -8; k <= 8; ++k) add(F(k) + F(0.5)), add(F(k) + F(0.25)), add(F(k) + F(0.75));
  for (F x : {F(0.5), std::nextafter(F(0.5), F(0)), std::nextafter(F(0.5), F(1)), F(1),
              std::nextafter(F(1), F(0)), std::nextafter(F(1), F(2)), F(1.5), F(2.5),
              std::nextafter(F(2.5), F(3)), two_m, two_m - F(0.5), two_m - F(1), two_m + F(1),
              two_m / 2 + F(0.5), two_m / 2 - F(0.5), two_m / 2 - F(1.5), two_m * 2, two_m * 2 + F(2),
              std::numeric_limits<F>::max(), std::numeric_limits<F>::min(),
              std::numeric_limits<F>::denorm_min()})
    add(x);
  for (int i = 0; i < 600; ++i) {  // random exponents around the unit and 2^M
    const int e = int(rng() % uint64_t(M + 12)) - 8;
    add(std::ldexp(F(1) + F(rng() % 1000003) / F(1000003), e));
  }
  return v;
}

std::vector<uint64_t> test_values(DType t, std::mt19937_64& rng) {
  std::vector<uint64_t> v = float_specials(t);
  auto r = t == DType::F32 ? rounding_values<float, uint32_t>(rng) : rounding_values<double, uint64_t>(rng);
  v.insert(v.end(), r.begin(), r.end());
  for (int i = 0; i < 400; ++i) v.push_back(rand_float(rng, t, rng()));
  return v;
}

Geometry round_geometry() {
  Geometry g = small_geometry();
  g.crossbars = 16;
  g.rows = 256;
  return g;
}

class RoundMacro : public testing::TestWithParam<std::tuple<Macro, DType>> {};

TEST_P(RoundMacro, BitExactAndReplayed) {
  const auto [m, t] = GetParam();
  std::mt19937_64 rng(uint64_t(m) * 31 + uint64_t(t));
  const auto v = test_values(t, rng);
  ASSERT_LE(v.size(), size_t(16 * 256));
  const DType out_t = result_dtype(m, t);
  auto r = run_macro(m, {t}, out_t, {v}, true, round_geometry());
  size_t bad = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    const uint64_t want = ref_round(m, t, v[i]) & width_mask(out_t);
    if (r.out[i] != want && bad++ < 8)
      ADD_FAILURE() << macro_name(m) << "(" << dtype_name(t) << ") x=0x" << std::hex << v[i]
                    << ": got 0x" << r.out[i] << " want 0x" << want;
  }
  EXPECT_EQ(bad, 0u) << "of " << v.size();
}

INSTANTIATE_TEST_SUITE_P(All, RoundMacro,
                         testing::Combine(testing::ValuesIn(kRoundMacros),
                                          testing::Values(DType::F32, DType::F64)),
                         [](const auto& i) {
                           return std::string(macro_name(std::get<0>(i.param))) + "_" +
                                  dtype_name(std::get<1>(i.param));
                         });

// Integers and bool: NumPy's constants (isnan / isinf false, isfinite true, signbit x < 0) and
// copies (floor / ceil / trunc / rint).
TEST(RoundMacro, IntegersAndBool) {
  for (DType t : {DType::Bool, DType::I8, DType::I32, DType::U32, DType::I64}) {
    std::vector<uint64_t> v = int_edges(t);
    for (Macro m : kRoundMacros) {
      const DType out_t = result_dtype(m, t);
      auto r = run_macro(m, {t}, out_t, {v}, true);
      for (size_t i = 0; i < v.size(); ++i) {
        uint64_t want = v[i];
        const bool neg = is_signed_int(t) && ((v[i] >> (dtype_bits(t) - 1)) & 1);
        if (m == Macro::IsNan || m == Macro::IsInf) want = 0;
        if (m == Macro::IsFinite) want = 1;
        if (m == Macro::Signbit) want = neg;
        EXPECT_EQ(r.out[i], want) << macro_name(m) << " " << dtype_name(t) << " " << v[i];
      }
    }
  }
}

// Cost regression on 2^16 elements in PyPIM's geometry (cost-only runs; costs do not depend on
// the data). Update deliberately when the microcode changes.
struct Pin {
  Macro m;
  DType t;
  long cycles, energy;
};

TEST(RoundMacro, PinnedCosts) {
  const Pin pins[] = {
#include "float_round_pins.inc"
  };
  for (const Pin& p : pins) {
    Machine mc;
    mc.sim().dry_run = true;
    Tensor a = mc.alloc(65536, p.t);
    Tensor o = mc.alloc_like(a, result_dtype(p.m, p.t));
    const Metrics c = mc.run(p.m, o, {a});
    EXPECT_EQ(c.total().latency, p.cycles) << macro_name(p.m) << " " << dtype_name(p.t);
    EXPECT_EQ(c.total().energy, p.energy) << macro_name(p.m) << " " << dtype_name(p.t);
  }
}

}  // namespace
