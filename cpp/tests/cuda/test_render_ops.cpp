// Every elementwise op the cpu fuses, in every dtype, every cast and every fused reduction: rendered,
// then compiled with NVRTC as one program (the prelude once), as the NVRTC check does.
#include <gtest/gtest.h>

#include <set>

#include "ember/backend/cuda/nvrtc.h"
#include "ember/backend/cuda/render.h"
#include "ember/errors.h"
#include "render_builder.h"

namespace ember::cuda {
namespace {

using testing::KernelBuilder;

const std::vector<DType> kAll = {DType::Bool,    DType::Int8,    DType::Int16,    DType::Int32,    DType::Int64,
                                 DType::UInt8,   DType::UInt16,  DType::UInt32,   DType::UInt64,   DType::Float16,
                                 DType::BFloat16, DType::Float32, DType::Float64, DType::Complex64, DType::Complex128};
const std::vector<DType> kCpuFused = {DType::Bool, DType::Int32, DType::Int64, DType::Float32, DType::Float64};

const char* const kBinary[] = {"add", "subtract", "multiply", "divide", "floor_divide", "remainder", "pow",
                               "float_power", "maximum", "minimum", "equal", "not_equal", "less", "less_equal",
                               "greater", "greater_equal", "logical_and", "logical_or", "logical_xor", "bitwise_and",
                               "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "atan2",
                               "hypot", "copysign", "logaddexp", "logaddexp2", "nextafter", "heaviside", "fmod",
                               "fmax", "fmin"};
const char* const kUnary[] = {"copy", "negative", "positive", "abs", "fabs", "square", "sign", "sqrt", "exp", "log",
                              "log2", "log10", "sin", "cos", "tan", "tanh", "isnan", "isinf", "isfinite",
                              "logical_not", "bitwise_invert", "floor", "ceil", "trunc", "acos", "asin", "atan",
                              "acosh", "asinh", "atanh", "sinh", "cosh", "expm1", "log1p", "exp2", "cbrt", "deg2rad",
                              "rad2deg", "rint", "round", "signbit", "reciprocal", "conj", "real", "imag"};

DType result_dtype(std::string_view op, DType t) {
  static const std::set<std::string_view> to_bool = {"equal", "not_equal", "less", "less_equal", "greater",
                                                     "greater_equal", "logical_and", "logical_or", "logical_xor",
                                                     "isnan", "isinf", "isfinite", "logical_not", "signbit"};
  if (to_bool.count(op)) return DType::Bool;
  if (op == "abs" || op == "fabs" || op == "real" || op == "imag") return real_type(t);
  return t;
}

// Ops the cpu's functors support for a dtype kind (their `supports`), which the cpu fuses.
bool cpu_supports(std::string_view op, DType t) {
  static const std::set<std::string_view> inexact = {"divide", "sqrt", "exp", "log", "log2", "log10", "sin", "cos",
                                                     "tan", "tanh", "acos", "asin", "atan", "acosh", "asinh",
                                                     "atanh", "sinh", "cosh", "expm1", "log1p", "exp2"};
  static const std::set<std::string_view> float_only = {"atan2", "hypot", "copysign", "logaddexp", "logaddexp2",
                                                        "nextafter", "heaviside", "cbrt", "deg2rad", "rad2deg"};
  static const std::set<std::string_view> integer = {"bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
                                                     "bitwise_right_shift", "bitwise_invert"};
  static const std::set<std::string_view> real_numeric = {"floor_divide", "remainder", "fmod"};
  static const std::set<std::string_view> numeric = {"subtract", "pow", "float_power", "negative", "positive",
                                                     "square", "sign", "rint", "round", "reciprocal", "conj"};
  static const std::set<std::string_view> real = {"floor", "ceil", "trunc", "signbit"};
  if (inexact.count(op)) return is_inexact(t);
  if (float_only.count(op)) return is_floating(t);
  if (integer.count(op)) return is_integer(t) || is_bool(t);
  if (real_numeric.count(op)) return is_integer(t) || is_floating(t);
  if (numeric.count(op)) return !is_bool(t);
  if (real.count(op)) return !is_complex(t);
  return true;
}

struct Batch {
  std::string program = prelude();
  std::set<std::string> names;
  int rendered = 0;
  void add(const KernelDesc& k) {
    Rendered r = render(k);
    if (names.insert(r.name).second) program += r.kernel;
    ++rendered;
  }
  void expect_compiles(const char* what) {
    ASSERT_TRUE(nvrtc_available()) << nvrtc_error();
    try {
      nvrtc_compile(program, what, "sm_90", {"-std=c++17"});
    } catch (const CompileError& e) {
      FAIL() << e.what();
    }
  }
};

// One test per dtype, so that CTest compiles them in parallel.
class RenderOpsByDtype : public ::testing::TestWithParam<DType> {};

TEST_P(RenderOpsByDtype, EveryOpCompiles) {
  const DType t = GetParam();
  Batch batch;
  int unsupported = 0;
  for (const char* op : kBinary) {
    if (!cpu_supports(op, t)) continue;
    KernelBuilder b({7, 5});
    int x = b.input(t), y = b.input(t, {5});  // the second broadcast along the first axis
    b.output(b.op(op, result_dtype(op, t), {x, y}));
    try {
      batch.add(b.k);
    } catch (const NotImplementedError& e) {
      // Only complex inverse trigonometry may be missing; never a dtype the cpu fuses.
      EXPECT_TRUE(is_complex(t)) << e.what();
      ++unsupported;
    }
  }
  for (const char* op : kUnary) {
    if (!cpu_supports(op, t)) continue;
    KernelBuilder b({9});
    int x = b.input(t, {9}, {-1});  // reversed
    b.output(b.op(op, result_dtype(op, t), {x}));
    try {
      batch.add(b.k);
    } catch (const NotImplementedError& e) {
      EXPECT_TRUE(is_complex(t)) << e.what();
      ++unsupported;
    }
  }
  EXPECT_LE(unsupported, 6);  // complex acos, asin, atan, acosh, asinh, atanh
  EXPECT_GT(batch.rendered, 20);
  batch.expect_compiles("every_op.cu");
}

INSTANTIATE_TEST_SUITE_P(AllDtypes, RenderOpsByDtype, ::testing::ValuesIn(kAll),
                         [](const ::testing::TestParamInfo<DType>& i) { return std::string(dtype_name(i.param)); });

TEST(RenderOps, EveryCastCompiles) {
  Batch batch;
  for (DType from : kAll)
    for (DType to : kAll) {
      KernelBuilder b({3, 4});
      int x = b.input(from, {3, 4}, {1, 3});  // transposed
      b.output(b.op("astype", to, {x}));
      batch.add(b.k);
    }
  EXPECT_EQ(batch.names.size(), 15u * 15u);
  batch.expect_compiles("every_cast.cu");
}

TEST(RenderOps, WhereAndFullInEveryDtypeCompile) {
  Batch batch;
  for (DType t : kAll) {
    KernelBuilder b({4, 6});
    int c = b.input(DType::Bool, {4, 1});
    int x = b.input(t);
    int f = b.full(t, Scalar(2.5));
    b.output(b.op("where", t, {c, x, f}));
    batch.add(b.k);
  }
  batch.expect_compiles("where_full.cu");
}

TEST(RenderOps, EveryFusedReductionCompiles) {
  Batch batch;
  for (DType t : kAll)
    for (const char* op : {"sum", "prod", "max", "min"}) {
      // full, along the last axis, along the first, along the middle one (kept dims on both sides)
      for (std::vector<int64_t> axes : {std::vector<int64_t>{0, 1, 2}, {2}, {0}, {1}}) {
        KernelBuilder b({3, 4, 5});
        int x = b.input(t);
        int y = b.op("multiply", t, {x, x});
        b.output(y);  // an elementwise output stored by the reduction kernel too
        b.reduce(op, y, axes);
        batch.add(b.k);
      }
      KernelBuilder b({8});
      int x = b.input(t);
      b.reduce(op, x, {0}, {Scalar(int64_t{1})});  // initial=
      batch.add(b.k);
    }
  EXPECT_EQ(batch.rendered, 15 * 4 * 5);
  batch.expect_compiles("every_reduction.cu");
}

TEST(RenderOps, CpuFusedDtypesRenderEveryOp) {
  // The check mode compiles what the cpu fuses: every op of its table must render for its dtypes.
  for (DType t : kCpuFused)
    for (const char* op : kUnary) {
      if (!cpu_supports(op, t)) continue;
      KernelBuilder b({4});
      int x = b.input(t);
      b.output(b.op(op, result_dtype(op, t), {x}));
      EXPECT_NO_THROW(render(b.k)) << op << " " << dtype_name(t);
    }
}

}  // namespace
}  // namespace ember::cuda
