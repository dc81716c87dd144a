// Unary, binary and ternary elementwise kernels over strided, broadcast operands. A functor Op says
// which storage types it supports (Op::supports<T>), its output type (Op::out<T>), and computes on
// compute_t<T> (float for the 16-bit floats).
#pragma once
#include <string>

#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/strided_loop.h"
#include "ember/errors.h"

namespace ember::cpu {

// A functor that declares raw_inputs receives storage values (e.g. float16 bits), not compute_t.
template <class Op, class T>
using input_t = std::conditional_t<requires { Op::raw_inputs; }, T, compute_t<T>>;

template <class Op>
[[noreturn]] inline void unsupported(const Node& n) {
  throw TypeError("ember." + std::string(n.op) + " is not supported for dtype " +
                  std::string(dtype_name(n.inputs[0]->dtype)));
}

template <class Op, class T>
void unary_typed(Node& n) {
  using Out = typename Op::template out<T>;
  const Node& a = *n.inputs[0];
  alloc_output(n);
  Strides sa = read_strides(a, n.shape);
  const T* pa = a.data.ptr<T>();
  Out* po = n.data.ptr<Out>();
  Op op{};
  for_each_row(n.shape, 2, {&n.data.strides, &sa}, [&](auto off, auto inner, int64_t len) {
    Out* o = po + off[0];
    const T* x = pa + off[1];
    for (int64_t i = 0; i < len; ++i) o[i * inner[0]] = static_cast<Out>(op(static_cast<compute_t<T>>(x[i * inner[1]])));
  });
}

template <class Op>
void unary_kernel(Node& n) {
  dispatch_dtype(n.inputs[0]->dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (Op::template supports<T>) unary_typed<Op, T>(n);
    else unsupported<Op>(n);
  });
}

template <class Op, class T>
void binary_typed(Node& n) {
  using Out = typename Op::template out<T>;
  const Node& a = *n.inputs[0];
  const Node& b = *n.inputs[1];
  alloc_output(n);
  Strides sa = read_strides(a, n.shape), sb = read_strides(b, n.shape);
  const T* pa = a.data.ptr<T>();
  const T* pb = b.data.ptr<T>();
  Out* po = n.data.ptr<Out>();
  Op op{};
  for_each_row(n.shape, 3, {&n.data.strides, &sa, &sb}, [&](auto off, auto inner, int64_t len) {
    Out* o = po + off[0];
    const T* x = pa + off[1];
    const T* y = pb + off[2];
    for (int64_t i = 0; i < len; ++i)
      o[i * inner[0]] = static_cast<Out>(
          op(static_cast<input_t<Op, T>>(x[i * inner[1]]), static_cast<input_t<Op, T>>(y[i * inner[2]])));
  });
}

// Both inputs have one dtype (the ops layer casts them); the kernel dispatches on it.
template <class Op>
void binary_kernel(Node& n) {
  dispatch_dtype(n.inputs[0]->dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (Op::template supports<T>) binary_typed<Op, T>(n);
    else unsupported<Op>(n);
  });
}

}  // namespace ember::cpu
