// simd/vector_math: ulp error against long double libm over wide random ranges, special values
// (±0, ±inf, NaN, subnormals, huge arguments, overflow/underflow thresholds) bit for bit with libm
// where the result is a zero, an infinity or a NaN, tails, broadcast operands, and results that do
// not depend on the neighbouring elements.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "ember/backend/cpu/simd/vector_math.h"
#include "ember/backend/cpu/simd_math.h"

namespace simd = ember::cpu::simd;

namespace {

// |got - ref| in units of the spacing of T at ref.
template <class T>
double ulp_error(T got, long double ref) {
  if (std::isnan(ref)) return std::isnan(got) ? 0 : 1e9;
  if (std::isinf(static_cast<T>(ref)) || std::isinf(got)) return (got == static_cast<T>(ref)) ? 0 : 1e9;
  T r = static_cast<T>(ref);
  T ar = std::fabs(r);
  long double spacing = std::isinf(ar) ? static_cast<long double>(std::numeric_limits<T>::max()) * std::numeric_limits<T>::epsilon()
                                       : static_cast<long double>(std::nextafter(ar, std::numeric_limits<T>::infinity()) - ar);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - ref) / spacing);
}

template <class T>
bool same_bits(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class T> using UnaryFn = void (*)(const T*, T*, int64_t);
template <class T> using BinaryFn = void (*)(const T*, int64_t, const T*, int64_t, T*, int64_t);

// The fused engine's exact instructions (simd_math.cpp: sqrt and arithmetic), seen through the row
// signatures above; a broadcast operand (stride 0) is expanded, as the interpreter's gathers do.
template <class T>
ember::cpu::InstrFn engine_instr(std::string_view op) {
  ember::cpu::InstrFn found = nullptr;
  const ember::DType t = sizeof(T) == 8 ? ember::DType::Float64 : ember::DType::Float32;
  ember::cpu::install_simd_math([&](std::string_view name, ember::DType d, ember::cpu::InstrFn fn) {
    if (name == op && d == t) found = fn;
  });
  return found;
}
template <class T, const char* Op>
void engine_unary(const T* x, T* o, int64_t n) {
  static const ember::cpu::InstrFn f = engine_instr<T>(Op);
  static const ember::Node node{};
  const void* args[] = {x};
  f(args, o, n, node);
}
template <class T, const char* Op>
void engine_binary(const T* a, int64_t sa, const T* b, int64_t sb, T* o, int64_t n) {
  static const ember::cpu::InstrFn f = engine_instr<T>(Op);
  static const ember::Node node{};
  std::vector<T> ea(sa ? 0 : static_cast<size_t>(n), a[0]), eb(sb ? 0 : static_cast<size_t>(n), b[0]);
  const void* args[] = {sa ? a : ea.data(), sb ? b : eb.data()};
  f(args, o, n, node);
}
constexpr char kSqrt[] = "sqrt", kAdd[] = "add", kSub[] = "subtract", kMul[] = "multiply", kDiv[] = "divide";

template <class T>
std::vector<T> uniform(double lo, double hi, size_t n, unsigned seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(u(g));
  return v;
}

template <class T>
std::vector<T> specials() {
  using L = std::numeric_limits<T>;
  std::vector<T> v = {T(0), -T(0), L::infinity(), -L::infinity(), L::quiet_NaN(), L::denorm_min(), -L::denorm_min(),
                      L::min(), -L::min(), L::max(), -L::max(), T(1), T(-1), T(0.5), T(-0.5), T(1e-30), T(-1e-30),
                      T(3.0e4), T(-3.9e4), T(4e4), T(1e6), T(-1e7), T(1e22), T(1e30), T(-1e30), T(88.72), T(-87.4),
                      T(-103.9), T(-104), T(-0.99999994), T(-1.0000001)};
  if constexpr (sizeof(T) == 8)
    for (T x : {709.78, 709.79, 706.5, -708.4, -745.13, -745.14, -1000.0, 1e300, -1e300, 1e-300, -0.9999999999999999})
      v.push_back(x);
  return v;
}

struct UnaryCase {
  const char* name;
  UnaryFn<float> f32;
  UnaryFn<double> f64;
  float (*ref32)(float);
  double (*ref64)(double);
  long double (*refl)(long double);
  double lo, hi;      // random range
  double ulp32, ulp64;  // bounds (docs/cpu_engine.md)
};

const UnaryCase kUnary[] = {
    {"exp", simd::exp, simd::exp, ::expf, ::exp, ::expl, -700, 700, 2, 2},
    {"expm1", simd::expm1, simd::expm1, ::expm1f, ::expm1, ::expm1l, -3, 3, 4, 4.5},
    {"log", simd::log, simd::log, ::logf, ::log, ::logl, 1e-30, 1e30, 2, 2},
    {"log1p", simd::log1p, simd::log1p, ::log1pf, ::log1p, ::log1pl, -0.999, 10, 3, 3},
    {"sin", simd::sin, simd::sin, ::sinf, ::sin, ::sinl, -39000, 39000, 3, 3.5},
    {"cos", simd::cos, simd::cos, ::cosf, ::cos, ::cosl, -39000, 39000, 3, 3.5},
    {"tan", simd::tan, simd::tan, ::tanf, ::tan, ::tanl, -1e5, 1e5, 1, 3},
    {"tanh", simd::tanh, simd::tanh, ::tanhf, ::tanh, ::tanhl, -20, 20, 3.5, 4},
    {"atan", simd::atan, simd::atan, ::atanf, ::atan, ::atanl, -100, 100, 3, 2.5},
    {"log2", simd::log2, simd::log2, ::log2f, ::log2, ::log2l, 1e-30, 1e30, 2, 2},
    {"log10", simd::log10, simd::log10, ::log10f, ::log10, ::log10l, 1e-30, 1e30, 2, 2},
    {"sinh", simd::sinh, simd::sinh, ::sinhf, ::sinh, ::sinhl, -20, 20, 3.5, 4},
    {"arcsin", simd::asin, simd::asin, ::asinf, ::asin, ::asinl, -1, 1, 3, 3},
    {"arccos", simd::acos, simd::acos, ::acosf, ::acos, ::acosl, -1, 1, 2, 2},
    {"arcsinh", simd::asinh, simd::asinh, ::asinhf, ::asinh, ::asinhl, -100, 100, 3, 3.5},
    {"arccosh", simd::acosh, simd::acosh, ::acoshf, ::acosh, ::acoshl, 1, 100, 3, 3.5},
    {"arctanh", simd::atanh, simd::atanh, ::atanhf, ::atanh, ::atanhl, -0.99, 0.99, 3.5, 3},
    {"sqrt", engine_unary<float, kSqrt>, engine_unary<double, kSqrt>, ::sqrtf, ::sqrt, ::sqrtl, 0, 1e10, 0.5, 0.5},
};

template <class T>
void check_unary(const UnaryCase& c, UnaryFn<T> f, T (*ref)(T), double bound) {
  SCOPED_TRACE(std::string(c.name) + (sizeof(T) == 4 ? " float32" : " float64"));
  // Random arguments in the main range and near 0 (log: spread over many binades).
  const bool f32_exp = sizeof(T) == 4 && std::string(c.name) == "exp";  // float32 exp overflows past 88.7
  std::vector<T> x = uniform<T>(f32_exp ? -87 : c.lo, f32_exp ? 88 : c.hi, 200003, 7);
  std::vector<T> small = uniform<T>(-1, 1, 50000, 8);
  x.insert(x.end(), small.begin(), small.end());
  if (std::string(c.name).starts_with("log") && std::string(c.name) != "log1p")
    for (auto& v : x) v = static_cast<T>(std::exp(std::fabs(static_cast<double>(v)) / 1e30 * 80 - 40) + std::fabs(v) * 1e-25);
  std::vector<T> out(x.size());
  f(x.data(), out.data(), static_cast<int64_t>(x.size()));
  double worst = 0;
  T at = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    double e = ulp_error(out[i], c.refl(x[i]));
    if (e > worst) worst = e, at = x[i];
  }
  EXPECT_LE(worst, bound) << "at x = " << at;
  std::printf("[ ulp      ] %-8s %s max %.2f ulp (bound %.2f)\n", c.name, sizeof(T) == 4 ? "float32" : "float64", worst, bound);
  // Special values: zeros, infinities and NaNs exactly as libm (signed zeros included); the rest
  // within the bound.
  std::vector<T> s = specials<T>();
  std::vector<T> so(s.size());
  f(s.data(), so.data(), static_cast<int64_t>(s.size()));
  for (size_t i = 0; i < s.size(); ++i) {
    T r = ref(s[i]);
    if (std::isnan(r) || std::isinf(r) || r == 0) EXPECT_TRUE(same_bits(so[i], r)) << "x = " << s[i] << ": " << so[i] << " vs " << r;
    else EXPECT_LE(ulp_error(so[i], c.refl(s[i])), bound) << "x = " << s[i];
  }
  // Every length (tails) gives each element the result it has on its own.
  std::vector<T> one(1);
  for (int64_t n = 0; n <= 37; ++n) {
    std::vector<T> o(static_cast<size_t>(n) + 1, T(-7));
    f(s.data(), o.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      f(&s[static_cast<size_t>(i)], one.data(), 1);
      EXPECT_TRUE(same_bits(o[static_cast<size_t>(i)], one[0])) << "n = " << n << " i = " << i;
    }
    EXPECT_EQ(o[static_cast<size_t>(n)], T(-7)) << "wrote past the end, n = " << n;
  }
  // In place (out == x, as the fused interpreter reuses registers): the same results, fixups included.
  std::vector<T> inplace = s;
  f(inplace.data(), inplace.data(), static_cast<int64_t>(inplace.size()));
  for (size_t i = 0; i < s.size(); ++i) EXPECT_TRUE(same_bits(inplace[i], so[i])) << "in place, x = " << s[i];
}

TEST(VectorMath, UnaryFloat64) { for (const auto& c : kUnary) check_unary<double>(c, c.f64, c.ref64, c.ulp64); }
TEST(VectorMath, UnaryFloat32) { for (const auto& c : kUnary) check_unary<float>(c, c.f32, c.ref32, c.ulp32); }

TEST(VectorMath, SinCosHugeArgumentsUseExactReduction) {
  std::vector<double> x = {1e22, 1e300, -3.0e5, 1e6 + 0.1, 6381956970095103.0 * 0x1p797};
  std::vector<double> s(x.size()), c(x.size());
  simd::sin(x.data(), s.data(), static_cast<int64_t>(x.size()));
  simd::cos(x.data(), c.data(), static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(s[i], std::sin(x[i]));
    EXPECT_EQ(c[i], std::cos(x[i]));
  }
}

template <class T>
long double ref_binary(const std::string& name, T a, T b) {
  long double la = a, lb = b;
  if (name == "atan2") return atan2l(la, lb);
  if (name == "pow") return powl(la, lb);
  // IEEE arithmetic in T itself (a long double result rounded again to T could differ by double rounding).
  if (name == "add") return a + b;
  if (name == "subtract") return a - b;
  if (name == "multiply") return a * b;
  if (name == "divide") return a / b;
  if (name == "maximum") return (std::isnan(a) || std::isnan(b)) ? a + b : (a < b ? b : a);
  return (std::isnan(a) || std::isnan(b)) ? a + b : (b < a ? b : a);
}

template <class T>
void check_binary(const std::string& name, BinaryFn<T> f, double lo, double hi, double bound) {
  SCOPED_TRACE(name + (sizeof(T) == 4 ? " float32" : " float64"));
  std::vector<T> a = uniform<T>(lo, hi, 100001, 11), b = uniform<T>(name == "pow" ? -30 : lo, name == "pow" ? 30 : hi, 100001, 12);
  std::vector<T> s = specials<T>();
  // Every pair of special values, and specials against random values.
  for (T x : s)
    for (T y : s) a.push_back(x), b.push_back(y);
  std::vector<T> out(a.size());
  f(a.data(), 1, b.data(), 1, out.data(), static_cast<int64_t>(a.size()));
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    long double r = ref_binary(name, a[i], b[i]);
    T rt = static_cast<T>(r);
    if (std::isnan(rt) || std::isinf(rt) || rt == 0) {
      T lib = name == "atan2" ? std::atan2(a[i], b[i]) : name == "pow" ? std::pow(a[i], b[i]) : rt;
      EXPECT_TRUE(same_bits(out[i], lib)) << a[i] << ", " << b[i] << ": " << out[i] << " vs " << lib;
    } else {
      worst = std::max(worst, ulp_error(out[i], r));
    }
  }
  EXPECT_LE(worst, bound);
  // In place on either operand gives the same results, the libm fixups included.
  for (int side = 0; side < 2; ++side) {
    std::vector<T> io = side ? b : a;
    f(side ? a.data() : io.data(), 1, side ? io.data() : b.data(), 1, io.data(), static_cast<int64_t>(io.size()));
    for (size_t i = 0; i < io.size(); ++i) EXPECT_TRUE(same_bits(io[i], out[i])) << "in place " << side << ": " << a[i] << ", " << b[i];
  }
  std::printf("[ ulp      ] %-8s %s max %.2f ulp (bound %.2f)\n", name.c_str(), sizeof(T) == 4 ? "float32" : "float64", worst, bound);
  // Broadcast operands (stride 0) and tails agree with the contiguous call.
  for (int64_t n : {1, 3, 8, 17, 33}) {
    std::vector<T> bb(static_cast<size_t>(n), b[5]), o1(static_cast<size_t>(n)), o2(static_cast<size_t>(n));
    f(a.data(), 1, &b[5], 0, o1.data(), n);
    f(a.data(), 1, bb.data(), 1, o2.data(), n);
    for (int64_t i = 0; i < n; ++i) EXPECT_TRUE(same_bits(o1[static_cast<size_t>(i)], o2[static_cast<size_t>(i)]));
    std::vector<T> aa(static_cast<size_t>(n), a[3]);
    f(&a[3], 0, b.data(), 1, o1.data(), n);
    f(aa.data(), 1, b.data(), 1, o2.data(), n);
    for (int64_t i = 0; i < n; ++i) EXPECT_TRUE(same_bits(o1[static_cast<size_t>(i)], o2[static_cast<size_t>(i)]));
  }
}

TEST(VectorMath, Binary) {
  check_binary<double>("atan2", simd::atan2, -10, 10, 2.5);
  check_binary<float>("atan2", simd::atan2, -10, 10, 0.51);
  check_binary<float>("pow", simd::pow, 0, 10, 0.51);
  for (auto [name, f64, f32] : {std::tuple{"add", BinaryFn<double>(engine_binary<double, kAdd>), BinaryFn<float>(engine_binary<float, kAdd>)},
                                {"subtract", engine_binary<double, kSub>, engine_binary<float, kSub>},
                                {"multiply", engine_binary<double, kMul>, engine_binary<float, kMul>},
                                {"divide", engine_binary<double, kDiv>, engine_binary<float, kDiv>},
                                {"maximum", simd::maximum, simd::maximum},
                                {"minimum", simd::minimum, simd::minimum}}) {
    check_binary<double>(name, f64, -1e3, 1e3, 0);
    check_binary<float>(name, f32, -1e3, 1e3, 0);
  }
}

TEST(VectorMath, MaximumSignedZerosAndNaN) {
  double a[] = {-0.0, 0.0, NAN, 1.0}, b[] = {0.0, -0.0, 1.0, NAN}, o[4];
  simd::maximum(a, 1, b, 1, o, 4);
  EXPECT_TRUE(std::signbit(o[0]));
  EXPECT_FALSE(std::signbit(o[1]));
  EXPECT_TRUE(std::isnan(o[2]) && std::isnan(o[3]));
}

TEST(VectorMath, DispatchesToATarget) {
  EXPECT_STRNE(simd::target_name(), "");
  std::printf("[ simd     ] dispatched to %s\n", simd::target_name());
}

}  // namespace
