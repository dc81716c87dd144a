// Scan kernels: cumsum and cumprod along params.axes[0]; params.flag prepends the identity (the
// Array API's include_initial). The running value is stored in the output type at every step, so
// float16 scans round as NumPy's do.
#include "ember/backend/cpu/functors.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/reduce_util.h"
#include "ember/backend/cpu/strided_loop.h"
#include "ember/backend/device.h"

namespace ember::cpu {
namespace {

template <class F, class T>
void scan_typed(Node& n, compute_t<T> identity) {
  using C = compute_t<T>;
  const Node& a = *n.inputs[0];
  alloc_output(n);
  int axis = static_cast<int>(n.params.axes[0]);
  int64_t shift = n.params.flag ? 1 : 0;
  LaneLayout l = lanes(a.shape, a.data.strides, axis);
  LaneLayout lo = lanes(n.shape, n.data.strides, axis);
  const T* pa = a.data.ptr<T>();
  T* po = n.data.ptr<T>();
  F f{};
  for_each_row(l.shape, 2, {&lo.in, &l.in}, [&](auto off, auto inner, int64_t len) {
    for (int64_t i = 0; i < len; ++i) {
      const T* x = pa + off[1] + i * inner[1];
      T* o = po + off[0] + i * inner[0];
      T acc = static_cast<T>(identity);
      if (shift) o[0] = acc;
      for (int64_t k = 0; k < l.length; ++k) {
        acc = static_cast<T>(f(static_cast<C>(acc), static_cast<C>(x[k * l.stride])));
        o[(k + shift) * lo.stride] = acc;
      }
    }
  });
}

void cumsum_kernel(Node& n) {
  dispatch_dtype(n.dtype, [&](auto tag) { using T = decltype(tag); scan_typed<Add, T>(n, compute_t<T>(0)); });
}
void cumprod_kernel(Node& n) {
  dispatch_dtype(n.dtype, [&](auto tag) { using T = decltype(tag); scan_typed<Multiply, T>(n, compute_t<T>(1)); });
}

}  // namespace

void register_scans() {
  register_kernel(DeviceType::CPU, "cumsum", cumsum_kernel);
  register_kernel(DeviceType::CPU, "cumprod", cumprod_kernel);
}

}  // namespace ember::cpu
