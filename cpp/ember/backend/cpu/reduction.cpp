// Reduction kernels: sum, prod, max, min, all, any over any set of axes of a strided input, and
// argmax/argmin along one axis. The ops layer has already cast the input to the accumulator dtype.
//
// One loop serves every layout: the input is walked in memory order (axes sorted by stride) with
// the output's strides set to 0 on reduced axes. When the innermost row is a reduced axis the row
// is folded into one value (pairwise for sums, as NumPy, so float sums stay accurate); when it is a
// kept axis the row is accumulated elementwise into the output (NumPy's order for axis=0 sums).
#include <algorithm>
#include <numeric>

#include "ember/backend/cpu/functors.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/reduce_util.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/cpu/strided_loop.h"
#include "ember/backend/device.h"

namespace ember::cpu {

void register_scans();  // scan.cpp

namespace {

struct ReduceLayout {
  Shape shape;
  Strides in, out;
};

ReduceLayout reduce_layout(const Node& n) {
  const Node& a = *n.inputs[0];
  const auto& axes = n.params.axes;
  int nd = a.ndim();
  Shape kept;
  for (int i = 0; i < nd; ++i)
    if (std::find(axes.begin(), axes.end(), i) == axes.end()) kept.push_back(a.shape[i]);
  Strides kst = contiguous_strides(kept);
  Strides out(nd, 0);
  for (int i = 0, k = 0; i < nd; ++i)
    if (std::find(axes.begin(), axes.end(), i) == axes.end()) out[i] = kst[k++];
  // Memory order: the axis with the smallest input stride innermost.
  std::vector<int> perm(nd);
  std::iota(perm.begin(), perm.end(), 0);
  std::stable_sort(perm.begin(), perm.end(), [&](int x, int y) {
    return std::abs(a.data.strides[x]) > std::abs(a.data.strides[y]);
  });
  ReduceLayout l;
  for (int i : perm) {
    l.shape.push_back(a.shape[i]);
    l.in.push_back(a.data.strides[i]);
    l.out.push_back(out[i]);
  }
  return l;
}

// NumPy's pairwise summation (blocks of 8 accumulators up to 128 elements, halves above), which
// keeps the rounding error O(log n) instead of O(n).
template <class F, class T, class C = compute_t<T>>
C pairwise(const T* x, int64_t n, int64_t s, C zero) {
  F f{};
  if (n < 8) {
    C r = zero;
    for (int64_t i = 0; i < n; ++i) r = f(r, static_cast<C>(x[i * s]));
    return r;
  }
  if (n <= 128) {
    C r[8];
    for (int j = 0; j < 8; ++j) r[j] = static_cast<C>(x[j * s]);
    int64_t i = 8;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) r[j] = f(r[j], static_cast<C>(x[(i + j) * s]));
    C res = f(f(f(r[0], r[1]), f(r[2], r[3])), f(f(r[4], r[5]), f(r[6], r[7])));
    for (; i < n; ++i) res = f(res, static_cast<C>(x[i * s]));
    return res;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return f(pairwise<F>(x, n2, s, zero), pairwise<F>(x + n2 * s, n - n2, s, zero));
}

// Folds the input into the output with functor F, starting from `identity` (or params' initial).
template <class F, bool Pairwise, class T>
void fold_typed(Node& n, compute_t<T> identity) {
  using C = compute_t<T>;
  const Node& a = *n.inputs[0];
  alloc_output(n);
  T* po = n.data.ptr<T>();
  T init = n.params.scalars.empty() ? static_cast<T>(identity) : n.params.scalars[0].as<T>();
  std::fill(po, po + n.size(), init);
  ReduceLayout l = reduce_layout(n);
  const T* pa = a.data.ptr<T>();
  F f{};
  for_each_row(l.shape, 2, {&l.out, &l.in}, [&](auto off, auto inner, int64_t len) {
    T* o = po + off[0];
    const T* x = pa + off[1];
    if (inner[0] == 0) {
      C acc;
      if constexpr (Pairwise) {
        acc = f(static_cast<C>(*o), pairwise<F>(x, len, inner[1], identity));
      } else {
        acc = static_cast<C>(*o);
        for (int64_t i = 0; i < len; ++i) acc = f(acc, static_cast<C>(x[i * inner[1]]));
      }
      *o = static_cast<T>(acc);
    } else {
      for (int64_t i = 0; i < len; ++i) {
        T& out = o[i * inner[0]];
        out = static_cast<T>(f(static_cast<C>(out), static_cast<C>(x[i * inner[1]])));
      }
    }
  });
}

template <class C> C neg_zero() {
  if constexpr (is_complex_v<C>) return C(-0.0, -0.0);
  else if constexpr (std::is_floating_point_v<C>) return C(-0.0);
  else return C(0);
}

void sum_kernel(Node& n) {
  // -0.0 is the identity that keeps sum([-0.0]) == -0.0, as NumPy.
  dispatch_dtype(n.dtype, [&](auto tag) { using T = decltype(tag); fold_typed<Add, true, T>(n, neg_zero<compute_t<T>>()); });
}
void prod_kernel(Node& n) {
  dispatch_dtype(n.dtype, [&](auto tag) { using T = decltype(tag); fold_typed<Multiply, false, T>(n, compute_t<T>(1)); });
}
void max_kernel(Node& n) {
  dispatch_dtype(n.dtype, [&](auto tag) { using T = decltype(tag); fold_typed<Maximum, false, T>(n, extreme<compute_t<T>>(true)); });
}
void min_kernel(Node& n) {
  dispatch_dtype(n.dtype, [&](auto tag) { using T = decltype(tag); fold_typed<Minimum, false, T>(n, extreme<compute_t<T>>(false)); });
}

// all / any: the input keeps its dtype; the output is bool.
template <bool All>
void logical_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  alloc_output(n);
  bool* po = n.data.ptr<bool>();
  std::fill(po, po + n.size(), All);
  ReduceLayout l = reduce_layout(n);
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    const T* pa = a.data.ptr<T>();
    for_each_row(l.shape, 2, {&l.out, &l.in}, [&](auto off, auto inner, int64_t len) {
      bool* o = po + off[0];
      const T* x = pa + off[1];
      for (int64_t i = 0; i < len; ++i) {
        bool& out = o[i * inner[0]];
        if (out != All) {
          if (inner[0] == 0) return;  // the row's answer is settled
          continue;
        }
        out = static_cast<C>(x[i * inner[1]]) != C(0);  // out == All so far: the fold is just v
      }
    });
  });
}

// argmax / argmin along params.axes[0]: first occurrence; a NaN wins at once (as NumPy).
template <bool Max>
void arg_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  alloc_output(n);
  LaneLayout l = lanes(a.shape, a.data.strides, static_cast<int>(n.params.axes[0]));
  int64_t* po = n.data.ptr<int64_t>();
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    const T* pa = a.data.ptr<T>();
    for_each_row(l.shape, 2, {&l.out, &l.in}, [&](auto off, auto inner, int64_t len) {
      for (int64_t i = 0; i < len; ++i) {
        const T* x = pa + off[1] + i * inner[1];
        int64_t best = 0;
        C bv = static_cast<C>(x[0]);
        if (!is_nan(bv)) {
          for (int64_t k = 1; k < l.length; ++k) {
            C v = static_cast<C>(x[k * l.stride]);
            if (is_nan(v)) {
              best = k;
              break;
            }
            if (Max ? lt(bv, v) : lt(v, bv)) bv = v, best = k;
          }
        }
        po[off[0] + i * inner[0]] = best;
      }
    });
  });
}

}  // namespace

void register_reductions() {
  register_kernel(DeviceType::CPU, "sum", sum_kernel);
  register_kernel(DeviceType::CPU, "prod", prod_kernel);
  register_kernel(DeviceType::CPU, "max", max_kernel);
  register_kernel(DeviceType::CPU, "min", min_kernel);
  register_kernel(DeviceType::CPU, "all", logical_kernel<true>);
  register_kernel(DeviceType::CPU, "any", logical_kernel<false>);
  register_kernel(DeviceType::CPU, "argmax", arg_kernel<true>);
  register_kernel(DeviceType::CPU, "argmin", arg_kernel<false>);
  register_scans();
}

}  // namespace ember::cpu
