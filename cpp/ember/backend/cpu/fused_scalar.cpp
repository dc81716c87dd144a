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

InstrFn scalar_instr(const Node& node, int scalar_arg) {
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
  if (node.op == "add") { EMBER_PICK(Add) }
  if (node.op == "subtract") { EMBER_PICK(Sub) }
  if (node.op == "multiply") { EMBER_PICK(Mul) }
  if (node.op == "divide") { EMBER_PICK(Div) }
#undef EMBER_PICK
  return nullptr;
}

}  // namespace ember::cpu
#endif  // HWY_ONCE
