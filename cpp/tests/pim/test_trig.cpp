// sin / cos against libm within a few ulp (they are composed from the IEEE float macros).
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

using namespace pimtest;

namespace {

template <class F, class U>
void check_trig(Macro m, DType t, double range, double tol_ulps, Geometry g = small_geometry()) {
  std::mt19937_64 rng(17 + int(m));
  std::uniform_real_distribution<double> ud(-range, range);
  std::vector<uint64_t> in;
  for (double v : {0.0, -0.0, 1e-30, 0.5, 1.0, 1.5707963267948966, 3.141592653589793, -2.0, 100.0})
    in.push_back(std::bit_cast<U>(F(v)));
  for (int i = 0; i < 400; ++i) in.push_back(std::bit_cast<U>(F(ud(rng))));
  in.push_back(std::bit_cast<U>(std::numeric_limits<F>::quiet_NaN()));
  in.push_back(std::bit_cast<U>(std::numeric_limits<F>::infinity()));
  auto r = run_macro(m, {t}, t, {in}, false, g);
  for (size_t i = 0; i < in.size(); ++i) {
    const F x = std::bit_cast<F>(U(in[i]));
    const F got = std::bit_cast<F>(U(r.out[i]));
    const long double want = m == Macro::Sin ? std::sin((long double)x) : std::cos((long double)x);
    if (!std::isfinite(x)) {
      EXPECT_TRUE(std::isnan(got)) << x;
      continue;
    }
    const double ulp = std::max<double>(std::fabs(double(want)), 0.0) *
                           std::numeric_limits<F>::epsilon() +
                       std::numeric_limits<F>::denorm_min();
    EXPECT_LE(std::fabs(double(got) - double(want)), tol_ulps * std::max(ulp, double(std::numeric_limits<F>::epsilon()) * 1e-3))
        << macro_name(m) << "(" << x << ") = " << got << ", want " << double(want);
  }
}

TEST(Trig, Sin32) { check_trig<float, uint32_t>(Macro::Sin, DType::F32, 100.0, 4); }
TEST(Trig, Cos32) { check_trig<float, uint32_t>(Macro::Cos, DType::F32, 100.0, 4); }
// float64 sin / cos run on PyPIM's default geometry (32 registers per row): the float macros
// and the trig microcode are register-lean enough.
TEST(Trig, Sin64) { check_trig<double, uint64_t>(Macro::Sin, DType::F64, 100.0, 4); }
TEST(Trig, Cos64) { check_trig<double, uint64_t>(Macro::Cos, DType::F64, 100.0, 4); }
TEST(Trig, OutOfRegistersIsAClearError) {
  // with 16 registers per row float64 sin cannot fit: a clear error, not a wrong result
  Geometry g = small_geometry();
  g.columns = 512;
  std::vector<uint64_t> in(3, 0);
  try {
    run_macro(Macro::Sin, {DType::F64}, DType::F64, {in}, false, g);
    FAIL() << "expected an out-of-registers error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("out of registers"), std::string::npos);
  }
}

}  // namespace
