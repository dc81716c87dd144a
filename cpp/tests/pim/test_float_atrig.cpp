// tan / arctan / arcsin / arccos / arctan2 / power / arcsinh / arccosh / arctanh (float32, composed from the IEEE macros):
// max ulp against the correctly rounded result (long double libm rounded to float) over edge
// values, sweeps of each function's range and random bit patterns; specials (NaN, infinities,
// zeros with their signs) exactly; streams replayed on the reference interpreter; costs pinned.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>

#include "float_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

using F = float;
constexpr F kInf = std::numeric_limits<F>::infinity();
const F kNaN = std::numeric_limits<F>::quiet_NaN();

long double reference(Macro m, long double x, long double y) {
  switch (m) {
    case Macro::Tan: return std::tan(x);
    case Macro::Atan: return std::atan(x);
    case Macro::Asin: return std::asin(x);
    case Macro::Acos: return std::acos(x);
    case Macro::Atan2: return std::atan2(x, y);
    case Macro::Pow: return std::pow(x, y);
    case Macro::Asinh: return std::asinh(x);
    case Macro::Acosh: return std::acosh(x);
    case Macro::Atanh: return std::atanh(x);
    default: return 0;
  }
}

const std::vector<F> kEdges = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 2.0f, -2.0f, 3.0f, -3.0f, 0.75f,
                               1e-30f, -1e-30f, 1e-45f, -1e-45f, 3e-39f, 1e30f, -1e30f, 3.4e38f,
                               kInf, -kInf, kNaN, -kNaN, 1e-4f, 0.41421356f, 2.4142137f, 0.99999994f,
                               1.0000001f, 1.5707964f, -1.5707964f, 100.0f, 7.0f, -7.0f};

// inputs: x (and y for the binary ones)
std::pair<std::vector<F>, std::vector<F>> inputs(Macro m) {
  std::vector<F> x, y;
  std::mt19937 rng(11 + int(m));
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (m == Macro::Atan2 || m == Macro::Pow) {
    for (F a : kEdges)
      for (F b : kEdges) x.push_back(a), y.push_back(b);
    for (int i = 0; i < 3000; ++i) {
      if (m == Macro::Pow) {
        x.push_back(F(std::exp2(40 * u(rng) - 20)));
        y.push_back(F(i % 3 == 0 ? std::round(24 * u(rng) - 12) : 12 * u(rng) - 6));
        if (i % 3 == 0 && i % 2) x.back() = -x.back();
      } else {
        x.push_back(F(20 * u(rng) - 10)), y.push_back(F(20 * u(rng) - 10));
      }
    }
    for (int i = 0; i < 500; ++i) {  // near 1 with large exponents / random bit patterns
      if (m == Macro::Pow) x.push_back(F(1 + 2e-3 * (u(rng) - 0.5))), y.push_back(F(2e4 * (u(rng) - 0.5)));
      else x.push_back(std::bit_cast<F>(uint32_t(rng()))), y.push_back(std::bit_cast<F>(uint32_t(rng())));
    }
    return {x, y};
  }
  // tan: the three-part Cody-Waite reduction holds for |x| <= 1e4 (as sin / cos; docs/pim_device.md)
  for (F v : kEdges)
    if (m != Macro::Tan || !std::isfinite(v) || std::fabs(v) <= 1e4f) x.push_back(v);
  double lo = -1, hi = 1;
  if (m == Macro::Tan) lo = -10000, hi = 10000;
  if (m == Macro::Atan || m == Macro::Asinh) lo = -50, hi = 50;
  if (m == Macro::Acosh) lo = 0.5, hi = 50;
  for (int i = 0; i <= 2000; ++i) x.push_back(F(lo + (hi - lo) * i / 2000));
  for (int i = 0; i < 1000; ++i) x.push_back(F(lo + (hi - lo) * u(rng)));
  for (int i = 0; i < 300; ++i) x.push_back(F(std::ldexp(u(rng) - 0.5, -int(rng() % 40))));  // tiny
  if (m != Macro::Tan)
    for (int i = 0; i < 500; ++i) x.push_back(std::bit_cast<F>(uint32_t(rng())));  // every exponent
  y.assign(x.size(), 0.0f);
  return {x, y};
}

struct Measured {
  int64_t max_ulp = 0;
  F wx = 0, wy = 0;
};

Measured measure(Macro m) {
  const auto [xs, ys] = inputs(m);
  const bool binary = m == Macro::Atan2 || m == Macro::Pow;
  std::vector<uint64_t> a, b;
  for (size_t i = 0; i < xs.size(); ++i) a.push_back(std::bit_cast<uint32_t>(xs[i])), b.push_back(std::bit_cast<uint32_t>(ys[i]));
  Geometry g = small_geometry();
  g.crossbars = 256;
  g.group = 32;
  const auto r = binary ? run_macro(m, {DType::F32, DType::F32}, DType::F32, {a, b}, false, g)
                        : run_macro(m, {DType::F32}, DType::F32, {a}, false, g);
  Measured out;
  for (size_t i = 0; i < xs.size(); ++i) {
    const F got = std::bit_cast<F>(uint32_t(r.out[i]));
    const F want = F(reference(m, (long double)xs[i], (long double)ys[i]));
    const int64_t u = ulps(got, want);
    if (std::isnan(want) || std::isinf(want) || want == 0) {  // specials and zeros: exact, with sign
      EXPECT_EQ(u, 0) << macro_name(m) << "(" << xs[i] << ", " << ys[i] << ") = " << got << ", want " << want;
      if (!std::isnan(want)) {
        EXPECT_EQ(std::signbit(got), std::signbit(want)) << macro_name(m) << "(" << xs[i] << ", " << ys[i] << ")";
      }
      continue;
    }
    if (u > out.max_ulp) out.max_ulp = u, out.wx = xs[i], out.wy = ys[i];
  }
  return out;
}

// Measured bounds (docs/pim_device.md): the max over these inputs, checked exactly. tan: |x| <= 1e4.
struct Bound {
  Macro m;
  int64_t ulp;
  uint64_t cycles, energy;
};
const Bound kBounds[] = {
    {Macro::Tan, 2, 32842, 26403078144},   {Macro::Atan, 2, 20244, 16257908736},
    {Macro::Asin, 2, 22778, 18615500800},  {Macro::Acos, 1, 23975, 19454492672},
    {Macro::Atan2, 2, 24858, 20065222656}, {Macro::Pow, 13, 77211, 59595882496},
    {Macro::Asinh, 2, 90102, 71444201472}, {Macro::Acosh, 2, 86974, 68744904704},
    {Macro::Atanh, 2, 48519, 37874696192},
};

TEST(FloatAtrig, UlpBoundsAndSpecials) {
  for (const Bound& bd : kBounds) {
    const Measured r = measure(bd.m);
    std::printf("%-8s max %lld ulp (at %.9g, %.9g)\n", macro_name(bd.m), (long long)r.max_ulp, double(r.wx), double(r.wy));
    EXPECT_LE(r.max_ulp, bd.ulp) << macro_name(bd.m) << " at " << r.wx << ", " << r.wy;
  }
}

TEST(FloatAtrig, ReplaysOnTheReferenceInterpreter) {
  std::vector<uint64_t> a, b;
  for (F v : {0.0f, -1.0f, 1.5f, -0.25f, 1e-40f, kInf, kNaN}) a.push_back(std::bit_cast<uint32_t>(v));
  for (F v : {2.0f, 3.0f, -0.5f, 0.0f, 1.0f, -kInf, 2.0f}) b.push_back(std::bit_cast<uint32_t>(v));
  for (Macro m : {Macro::Tan, Macro::Atan, Macro::Asin, Macro::Acos, Macro::Asinh, Macro::Acosh, Macro::Atanh})
    run_macro(m, {DType::F32}, DType::F32, {a}, true);
  for (Macro m : {Macro::Atan2, Macro::Pow}) run_macro(m, {DType::F32, DType::F32}, DType::F32, {a, b}, true);
}

TEST(FloatAtrig, Float64IsAClearError) {
  std::vector<uint64_t> in(3, 0);
  EXPECT_THROW(run_macro(Macro::Tan, {DType::F64}, DType::F64, {in}), std::invalid_argument);
  EXPECT_THROW(run_macro(Macro::Pow, {DType::F64, DType::F64}, DType::F64, {in, in}), std::invalid_argument);
}

// Integer power: square and multiply, wrapping as NumPy's.
TEST(FloatAtrig, IntegerPowerWraps) {
  for (DType t : {DType::I8, DType::I32, DType::U16, DType::I64, DType::U64}) {
    std::mt19937_64 rng(5);
    std::vector<uint64_t> a, b;
    for (int i = 0; i < 200; ++i) {
      a.push_back((i < 20 ? uint64_t(i % 5) - 2 : rng()) & width_mask(t));
      b.push_back((i % 7 == 0 ? rng() % 200 : rng() % 12) & width_mask(t) & (width_mask(t) >> 1));
    }
    const auto r = run_macro(Macro::Pow, {t, t}, t, {a, b});
    for (size_t i = 0; i < a.size(); ++i) {
      uint64_t want = 1, p = a[i];
      for (uint64_t e = b[i]; e; e >>= 1, p *= p)
        if (e & 1) want *= p;
      ASSERT_EQ(r.out[i], want & width_mask(t)) << dtype_name(t) << " " << a[i] << " ** " << b[i];
    }
  }
}

// Cycles / energy of one macro on 2^16 elements (PyPIM's geometry), as compiled by Machine::run.
TEST(FloatAtrig, Costs) {
  for (const Bound& bd : kBounds) {
    Machine mc;
    mc.sim().dry_run = true;
    Tensor a = mc.alloc(65536, DType::F32), c = mc.alloc_like(a, DType::F32), o = mc.alloc_like(a, DType::F32);
    const bool binary = bd.m == Macro::Atan2 || bd.m == Macro::Pow;
    const Metrics cost = mc.execute(binary ? mc.compile(bd.m, o, {a, c}) : mc.compile(bd.m, o, {a}));
    std::printf("%-8s scratch %zu cycles %llu energy %llu\n", macro_name(bd.m), mc.last_scratch(),
                (unsigned long long)cost.total().latency, (unsigned long long)cost.total().energy);
    EXPECT_EQ(cost.total().latency, bd.cycles) << macro_name(bd.m);
    EXPECT_EQ(cost.total().energy, bd.energy) << macro_name(bd.m);
  }
}

}  // namespace
