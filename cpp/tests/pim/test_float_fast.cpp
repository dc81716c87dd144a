// Fast float mode (PyPIM's semantics): bit-exact on normal operands with normal results, and
// results below the normal range flushed to zero.
#include <gtest/gtest.h>

#include <cmath>

#include "float_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

template <class F, class U>
void check_fast(Macro m, DType t) {
  std::mt19937_64 rng(5 + uint64_t(m));
  std::uniform_real_distribution<double> mant(1.0, 2.0);
  std::vector<std::vector<uint64_t>> ins(2);
  const int emax = t == DType::F32 ? 60 : 500;
  for (int i = 0; i < 600; ++i) {
    const F a = F(std::ldexp(mant(rng), int(rng() % (2 * emax)) - emax) * ((rng() & 1) ? -1 : 1));
    F bv = F(std::ldexp(mant(rng), int(rng() % (2 * emax)) - emax) * ((rng() & 1) ? -1 : 1));
    if (i % 5 == 0) bv = -a * F(1 + (rng() % 4) * 1e-6);  // cancellation
    if (i % 17 == 0) bv = F(0);
    ins[0].push_back(std::bit_cast<U>(a));
    ins[1].push_back(std::bit_cast<U>(bv));
  }
  // underflow cases: products / differences below the normal range flush to zero
  const F tiny = std::numeric_limits<F>::min();
  ins[0].push_back(std::bit_cast<U>(F(tiny * F(1.5))));
  ins[1].push_back(std::bit_cast<U>(F(m == Macro::Mul ? F(0.25) : F(-tiny))));
  auto r = run_macro(m, {t, t}, t, ins, false, small_geometry(), FloatMode::Fast);
  size_t bad = 0;
  for (size_t i = 0; i < ins[0].size(); ++i) {
    const uint64_t want = ref_float(m, t, ins[0][i], ins[1][i]);
    const F w = std::bit_cast<F>(U(want));
    uint64_t expect = want;
    if (w != 0 && std::fabs(w) < tiny) expect = want & (U(1) << (sizeof(U) * 8 - 1));  // flushed
    const uint64_t got = r.out[i];
    const bool ok = (w == 0 || std::fabs(w) < tiny) ? ((got << 1) & width_mask(t)) == 0 : got == expect;
    if (!ok && bad++ < 5)
      ADD_FAILURE() << macro_name(m) << " fast " << dtype_name(t) << " a=0x" << std::hex
                    << ins[0][i] << " b=0x" << ins[1][i] << " got 0x" << got << " want 0x"
                    << expect;
  }
  EXPECT_EQ(bad, 0u);
}

TEST(FastFloat, Add32) { check_fast<float, uint32_t>(Macro::Add, DType::F32); }
TEST(FastFloat, Sub32) { check_fast<float, uint32_t>(Macro::Sub, DType::F32); }
TEST(FastFloat, Mul32) { check_fast<float, uint32_t>(Macro::Mul, DType::F32); }
TEST(FastFloat, Add64) { check_fast<double, uint64_t>(Macro::Add, DType::F64); }
TEST(FastFloat, Mul64) { check_fast<double, uint64_t>(Macro::Mul, DType::F64); }

}  // namespace
