// Scalar-operand arithmetic for fused kernels (see fused_scalar.h), compiled for every x86 target
// Highway knows and picked at run time, as simd_math.cpp's array versions.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ember/backend/cpu/fused_scalar.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include <cstdint>

#include "ember/backend/cpu/fused_scalar.h"
#include "ember/backend/cpu/simd_math.h"

HWY_BEFORE_NAMESPACE();
namespace ember::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

struct AddOp {
  template <class V> static V Vec(V a, V b) { return hn::Add(a, b); }
  template <class T> static T Lane(T a, T b) { return a + b; }
};
struct SubOp {
  template <class V> static V Vec(V a, V b) { return hn::Sub(a, b); }
  template <class T> static T Lane(T a, T b) { return a - b; }
};
struct MulOp {
  template <class V> static V Vec(V a, V b) { return hn::Mul(a, b); }
  template <class T> static T Lane(T a, T b) { return a * b; }
};
struct DivOp {
  template <class V> static V Vec(V a, V b) { return hn::Div(a, b); }
  template <class T> static T Lane(T a, T b) { return a / b; }
};

// y[i] = x[i] op c (Left = false) or c op x[i] (Left = true), c = element 0 of the scalar operand.
// Large outputs go around the cache when the interpreter asks for it (g_stream_stores), as the
// array versions do.
template <class Op, class T, bool Left>
HWY_INLINE void Run(const void* const* a, void* o, int64_t n) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const T* x = static_cast<const T*>(a[Left ? 1 : 0]);
  const T c = *static_cast<const T*>(a[Left ? 0 : 1]);
  T* y = static_cast<T*>(o);
  const auto vc = hn::Set(d, c);
  auto f = [&](auto v) { return Left ? Op::Vec(vc, v) : Op::Vec(v, vc); };
  int64_t i = 0;
  if (g_stream_stores && reinterpret_cast<uintptr_t>(y) % (N * sizeof(T)) == 0) {
    for (; i + N <= n; i += N) hn::Stream(f(hn::LoadU(d, x + i)), d, y + i);
  } else {
    for (; i + N <= n; i += N) hn::StoreU(f(hn::LoadU(d, x + i)), d, y + i);
  }
  for (; i < n; ++i) y[i] = Left ? Op::Lane(c, x[i]) : Op::Lane(x[i], c);
}

template <class V> HWY_INLINE V Step(int code, V v, V c) {
  switch (code) {
    case kAdd: return hn::Add(v, c);
    case kAdd + 1: return hn::Add(c, v);
    case kSub: return hn::Sub(v, c);
    case kSub + 1: return hn::Sub(c, v);
    case kMul: return hn::Mul(v, c);
    case kMul + 1: return hn::Mul(c, v);
    case kDiv: return hn::Div(v, c);
    default: return hn::Div(c, v);
  }
}
template <class T> HWY_INLINE T StepLane(int code, T v, T c) {
  switch (code) {
    case kAdd: return v + c;
    case kAdd + 1: return c + v;
    case kSub: return v - c;
    case kSub + 1: return c - v;
    case kMul: return v * c;
    case kMul + 1: return c * v;
    case kDiv: return v / c;
    default: return c / v;
  }
}

// Four vectors per pass through the steps, so each step's dispatch is shared by four operations.
// y may be x (in place): each group is read before it is written.
template <class T>
HWY_INLINE void ChainT(const ScalarStep* steps, int k, const void* xv, void* yv, int64_t n) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const T* x = static_cast<const T*>(xv);
  T* y = static_cast<T*>(yv);
  const bool stream = g_stream_stores && reinterpret_cast<uintptr_t>(y) % (N * sizeof(T)) == 0;
  int64_t i = 0;
  for (; i + 4 * N <= n; i += 4 * N) {
    auto v0 = hn::LoadU(d, x + i), v1 = hn::LoadU(d, x + i + N);
    auto v2 = hn::LoadU(d, x + i + 2 * N), v3 = hn::LoadU(d, x + i + 3 * N);
    for (int j = 0; j < k; ++j) {
      const auto c = hn::Set(d, static_cast<T>(steps[j].value));
      const int code = steps[j].code;
      v0 = Step(code, v0, c);
      v1 = Step(code, v1, c);
      v2 = Step(code, v2, c);
      v3 = Step(code, v3, c);
    }
    if (stream) {
      hn::Stream(v0, d, y + i);
      hn::Stream(v1, d, y + i + N);
      hn::Stream(v2, d, y + i + 2 * N);
      hn::Stream(v3, d, y + i + 3 * N);
    } else {
      hn::StoreU(v0, d, y + i);
      hn::StoreU(v1, d, y + i + N);
      hn::StoreU(v2, d, y + i + 2 * N);
      hn::StoreU(v3, d, y + i + 3 * N);
    }
  }
  for (; i + N <= n; i += N) {
    auto v = hn::LoadU(d, x + i);
    for (int j = 0; j < k; ++j) v = Step(steps[j].code, v, hn::Set(d, static_cast<T>(steps[j].value)));
    hn::StoreU(v, d, y + i);
  }
  for (; i < n; ++i) {
    T v = x[i];
    for (int j = 0; j < k; ++j) v = StepLane(steps[j].code, v, static_cast<T>(steps[j].value));
    y[i] = v;
  }
}
void Chain64(const ScalarStep* s, int k, const void* x, void* y, int64_t n) { ChainT<double>(s, k, x, y, n); }
void Chain32(const ScalarStep* s, int k, const void* x, void* y, int64_t n) { ChainT<float>(s, k, x, y, n); }

#define EMBER_SCALAR_OP(Name, Op)                                                                         \
  void Name##R64(const void* const* a, void* o, int64_t n) { Run<Op, double, false>(a, o, n); }            \
  void Name##L64(const void* const* a, void* o, int64_t n) { Run<Op, double, true>(a, o, n); }             \
  void Name##R32(const void* const* a, void* o, int64_t n) { Run<Op, float, false>(a, o, n); }             \
  void Name##L32(const void* const* a, void* o, int64_t n) { Run<Op, float, true>(a, o, n); }
EMBER_SCALAR_OP(Add, AddOp)
EMBER_SCALAR_OP(Sub, SubOp)
EMBER_SCALAR_OP(Mul, MulOp)
EMBER_SCALAR_OP(Div, DivOp)
#undef EMBER_SCALAR_OP

}  // namespace ember::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember::cpu {

#define EMBER_EXPORT4(Name) \
  HWY_EXPORT(Name##R64);    \
  HWY_EXPORT(Name##L64);    \
  HWY_EXPORT(Name##R32);    \
  HWY_EXPORT(Name##L32);
EMBER_EXPORT4(Add)
EMBER_EXPORT4(Sub)
EMBER_EXPORT4(Mul)
EMBER_EXPORT4(Div)
#undef EMBER_EXPORT4
HWY_EXPORT(Chain64);
HWY_EXPORT(Chain32);

ChainFn scalar_chain(DType t) {
  if (t == DType::Float64) return [](const ScalarStep* s, int k, const void* x, void* y, int64_t n) {
    HWY_DYNAMIC_DISPATCH(Chain64)(s, k, x, y, n);
  };
  if (t == DType::Float32) return [](const ScalarStep* s, int k, const void* x, void* y, int64_t n) {
    HWY_DYNAMIC_DISPATCH(Chain32)(s, k, x, y, n);
  };
  return nullptr;
}

InstrFn scalar_instr(const Node& node, int scalar_arg, int* step) {
  if (node.inputs.size() != 2 || node.inputs[0]->dtype != node.dtype || node.inputs[1]->dtype != node.dtype)
    return nullptr;
  const bool f64 = node.dtype == DType::Float64;
  if (!f64 && node.dtype != DType::Float32) return nullptr;
  const bool left = scalar_arg == 0;
#define EMBER_PICK(Name)                                                                                      \
  if (f64) return left ? +[](const void* const* a, void* o, int64_t n, const Node&) { HWY_DYNAMIC_DISPATCH(Name##L64)(a, o, n); } \
                       : +[](const void* const* a, void* o, int64_t n, const Node&) { HWY_DYNAMIC_DISPATCH(Name##R64)(a, o, n); }; \
  return left ? +[](const void* const* a, void* o, int64_t n, const Node&) { HWY_DYNAMIC_DISPATCH(Name##L32)(a, o, n); }   \
              : +[](const void* const* a, void* o, int64_t n, const Node&) { HWY_DYNAMIC_DISPATCH(Name##R32)(a, o, n); };
  auto code = [&](int op) {
    if (step) *step = op + (left ? 1 : 0);
  };
  if (node.op == "add") { code(kAdd); EMBER_PICK(Add) }
  if (node.op == "subtract") { code(kSub); EMBER_PICK(Sub) }
  if (node.op == "multiply") { code(kMul); EMBER_PICK(Mul) }
  if (node.op == "divide") { code(kDiv); EMBER_PICK(Div) }
#undef EMBER_PICK
  return nullptr;
}

}  // namespace ember::cpu
#endif  // HWY_ONCE
