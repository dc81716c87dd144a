// exp / exp2 / expm1 / log / log2 / log10 / log1p / tanh / sinh / cosh (float32, composed from the
// IEEE macros): max ulp against the correctly rounded result (long double libm rounded to float)
// over edge values, a sweep of each function's interesting range and random full-range values;
// the specials exactly; one stream replayed on the reference interpreter; costs pinned.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>

#include "ember/backend/pim/microcode/fold.h"
#include "float_reference.h"
#include "test_util.h"

using namespace pimtest;

namespace {

using F = float;
constexpr F kInf = std::numeric_limits<F>::infinity();

long double reference(Macro m, long double x) {
  switch (m) {
    case Macro::Exp: return std::exp(x);
    case Macro::Exp2: return std::exp2(x);
    case Macro::Expm1: return std::expm1(x);
    case Macro::Log: return std::log(x);
    case Macro::Log2: return std::log2(x);
    case Macro::Log10: return std::log10(x);
    case Macro::Log1p: return std::log1p(x);
    case Macro::Tanh: return std::tanh(x);
    case Macro::Sinh: return std::sinh(x);
    case Macro::Cosh: return std::cosh(x);
    default: return 0;
  }
}

// Distance in units in the last place between two floats (their order as integers); NaN == NaN.
std::vector<F> inputs(Macro m) {
  std::vector<F> v = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 2.0f, 10.0f, -10.0f, 1e-30f, -1e-30f,
                      1e-45f, -1e-45f, 1e-40f, 3e-39f, 1e30f, -1e30f, 3.4e38f, -3.4e38f, kInf, -kInf,
                      std::numeric_limits<F>::quiet_NaN(), -std::numeric_limits<F>::quiet_NaN(),
                      88.7f, 88.72f, 88.73f, 89.0f, 89.5f, -87.3f, -103.0f, -103.9f, -104.0f,
                      127.9f, 128.0f, -149.0f, -149.5f, -150.0f, -151.0f, 1e-7f, -1e-7f, 0.34657f,
                      -0.34657f, 0.7071067f, 1.4142135f, 1.4142137f, 8.0f, 1024.0f, 1e-3f, 0.1f};
  // a dense sweep of the range where the function is neither trivial nor over/underflowing
  double lo = -10, hi = 10;
  switch (m) {
    case Macro::Exp: case Macro::Expm1: lo = -104, hi = 89; break;
    case Macro::Exp2: lo = -151, hi = 129; break;
    case Macro::Log: case Macro::Log2: case Macro::Log10: lo = 0, hi = 4; break;
    case Macro::Log1p: lo = -1, hi = 3; break;
    case Macro::Sinh: case Macro::Cosh: lo = -90, hi = 90; break;
    default: break;
  }
  const int n = 1600;
  for (int i = 0; i <= n; ++i) v.push_back(F(lo + (hi - lo) * i / n));
  std::mt19937 rng(7 + int(m));
  std::uniform_real_distribution<double> small(-1.0, 1.0);
  for (int i = 0; i < 300; ++i) v.push_back(F(small(rng)));                       // near 0
  for (int i = 0; i < 300; ++i) v.push_back(F(std::ldexp(small(rng), -int(rng() % 40))));  // tiny
  for (int i = 0; i < 400; ++i) {  // random bit patterns (all exponents)
    F x = std::bit_cast<F>(uint32_t(rng()));
    if (!std::isnan(x)) v.push_back(x);
  }
  if (m == Macro::Log || m == Macro::Log2 || m == Macro::Log10)
    for (int i = 1; i < 300; ++i) v.push_back(std::bit_cast<F>(uint32_t(i * 27961)));  // subnormals
  return v;
}

struct Measured {
  int64_t max_ulp = 0;
  F worst = 0;
};

Measured measure(Macro m) {
  const std::vector<F> xs = inputs(m);
  std::vector<uint64_t> in;
  for (F x : xs) in.push_back(std::bit_cast<uint32_t>(x));
  Geometry g = small_geometry();
  g.crossbars = 128;
  g.group = 32;
  const auto r = run_macro(m, {DType::F32}, DType::F32, {in}, false, g);
  Measured out;
  for (size_t i = 0; i < xs.size(); ++i) {
    const F x = xs[i];
    const F got = std::bit_cast<F>(uint32_t(r.out[i]));
    const F want = F(reference(m, (long double)x));
    const int64_t u = ulps(got, want);
    if (std::isnan(want) || std::isinf(want) || want == 0) {  // specials and zeros: exact, with sign
      EXPECT_EQ(u, 0) << macro_name(m) << "(" << x << ") = " << got << ", want " << want;
      if (!std::isnan(want)) {
        EXPECT_EQ(std::signbit(got), std::signbit(want)) << macro_name(m) << "(" << x << ")";
      }
      continue;
    }
    if (u > out.max_ulp) out.max_ulp = u, out.worst = x;
  }
  return out;
}

// Measured bounds (docs/pim_device.md): the max over this sweep, checked exactly.
// Costs on 2^16 elements as compiled by Machine::run (pinned; regenerate from the Costs printout).
struct Bound {
  Macro m;
  int64_t ulp;
  uint64_t cycles, energy;
};
const Bound kBounds[] = {
    {Macro::Exp, 1, 29979, 23889051648},   {Macro::Exp2, 1, 22092, 17414946816},
    {Macro::Expm1, 1, 33734, 26461995008}, {Macro::Log, 1, 35205, 27397259264},
    {Macro::Log2, 1, 36376, 28204007424},  {Macro::Log10, 1, 41704, 32664518656},
    {Macro::Log1p, 2, 42304, 33192411136}, {Macro::Tanh, 2, 39394, 30996496384},
    {Macro::Sinh, 2, 47193, 37112971264},  {Macro::Cosh, 3, 43881, 34233253888},
};

TEST(FloatMath, UlpBoundsAndSpecials) {
  for (const Bound& bd : kBounds) {
    const Measured r = measure(bd.m);
    std::printf("%-6s max %lld ulp (at %.9g)\n", macro_name(bd.m), (long long)r.max_ulp, double(r.worst));
    EXPECT_LE(r.max_ulp, bd.ulp) << macro_name(bd.m) << " at " << r.worst;
  }
}

TEST(FloatMath, ReplaysOnTheReferenceInterpreter) {
  for (Macro m : {Macro::Exp, Macro::Log}) {
    std::vector<uint64_t> in;
    for (F x : {0.0f, -1.0f, 1.5f, 88.0f, -100.0f, 1e-40f, kInf}) in.push_back(std::bit_cast<uint32_t>(x));
    run_macro(m, {DType::F32}, DType::F32, {in}, true);
  }
}

TEST(FloatMath, Float64IsAClearError) {
  std::vector<uint64_t> in(3, 0);
  EXPECT_THROW(run_macro(Macro::Exp, {DType::F64}, DType::F64, {in}), std::invalid_argument);
}

// Cycles / energy of one macro on 2^16 elements (PyPIM's geometry), as compiled by Machine::run
// and after fold_known (the device's path: gates on the constants' known bits simplified).
TEST(FloatMath, Costs) {
  for (const Bound& bd : kBounds) {
    Machine mc;
    mc.sim().dry_run = true;
    Tensor a = mc.alloc(65536, DType::F32), o = mc.alloc_like(a, DType::F32);
    const std::vector<MicroOp> ops = mc.compile(bd.m, o, {a});
    const Metrics c = mc.execute(ops);
    uint64_t scratch = 0;
    for (uint16_t reg : mc.free_registers(a.xb0, a.span())) scratch |= uint64_t(1) << reg;
    const Metrics cf = mc.execute(mc::fold_known(ops, mc.geometry().partitions, scratch));
    EXPECT_EQ(c.total().latency, bd.cycles) << macro_name(bd.m);
    EXPECT_EQ(c.total().energy, bd.energy) << macro_name(bd.m);
    EXPECT_LT(cf.total().latency, c.total().latency) << macro_name(bd.m);
    std::printf("%-6s scratch %zu cycles %llu energy %llu | folded cycles %llu energy %llu\n", macro_name(bd.m), mc.last_scratch(),
                (unsigned long long)c.total().latency, (unsigned long long)c.total().energy,
                (unsigned long long)cf.total().latency, (unsigned long long)cf.total().energy);
  }
}

}  // namespace
