// Sorting kernels: sort, argsort (stable, NaNs last as NumPy), searchsorted, and the two kernels
// behind the unique_* functions.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/reduce_util.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/cpu/strided_loop.h"
#include "ember/backend/device.h"
#include "ember/errors.h"

namespace ember::cpu {
namespace {

// NumPy's sort order: NaNs last; complex numbers lexicographically with NaN parts last (npysort's CLT).
template <class C>
bool sort_less(const C& a, const C& b) {
  if constexpr (is_complex_v<C>) {
    auto ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
    if (ar < br) return ai == ai || bi != bi;
    if (ar > br) return bi != bi && ai == ai;
    if (ar == br || (ar != ar && br != br)) return ai < bi || (bi != bi && ai == ai);
    return br != br;
  } else if constexpr (std::is_floating_point_v<C>) {
    return a < b || (b != b && a == a);
  } else {
    return a < b;
  }
}

// Whether two sorted-adjacent values are the same unique value.
template <class C>
bool same_value(const C& a, const C& b, bool equal_nan) {
  if (is_nan(a) || is_nan(b)) return equal_nan && is_nan(a) && is_nan(b);
  return a == b;
}

// Calls body(lane_values, lane_output_offset, out_stride) for each lane along params.axes[0]; the
// lane's values are copied into a contiguous buffer of compute type.
template <class T, class Body>
void for_each_lane(Node& n, Body&& body) {
  using C = compute_t<T>;
  const Node& a = *n.inputs[0];
  LaneLayout l = lanes(a.shape, a.data.strides, static_cast<int>(n.params.axes[0]));
  LaneLayout lo = lanes(n.shape, n.data.strides, static_cast<int>(n.params.axes[0]));
  const T* pa = a.data.ptr<T>();
  std::vector<C> vals(static_cast<size_t>(l.length));
  for_each_row(l.shape, 2, {&lo.in, &l.in}, [&](auto off, auto inner, int64_t len) {
    for (int64_t i = 0; i < len; ++i) {
      const T* x = pa + off[1] + i * inner[1];
      for (int64_t k = 0; k < l.length; ++k) vals[k] = static_cast<C>(x[k * l.stride]);
      body(vals, off[0] + i * inner[0], lo.stride);
    }
  });
}

template <class C>
auto comparator(bool descending) {
  return [descending](const C& x, const C& y) { return descending ? sort_less(y, x) : sort_less(x, y); };
}

void sort_kernel(Node& n) {
  alloc_output(n);
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    T* po = n.data.ptr<T>();
    auto less = comparator<C>(n.params.flag);
    for_each_lane<T>(n, [&](std::vector<C>& v, int64_t off, int64_t stride) {
      std::stable_sort(v.begin(), v.end(), less);
      for (size_t k = 0; k < v.size(); ++k) po[off + static_cast<int64_t>(k) * stride] = static_cast<T>(v[k]);
    });
  });
}

void argsort_kernel(Node& n) {
  alloc_output(n);
  int64_t* po = n.data.ptr<int64_t>();
  dispatch_dtype(n.inputs[0]->dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    auto less = comparator<C>(n.params.flag);
    std::vector<int64_t> idx;
    for_each_lane<T>(n, [&](std::vector<C>& v, int64_t off, int64_t stride) {
      idx.resize(v.size());
      std::iota(idx.begin(), idx.end(), 0);
      std::stable_sort(idx.begin(), idx.end(), [&](int64_t x, int64_t y) { return less(v[x], v[y]); });
      for (size_t k = 0; k < idx.size(); ++k) po[off + static_cast<int64_t>(k) * stride] = idx[k];
    });
  });
}

void searchsorted_kernel(Node& n) {
  const Node& x = *n.inputs[0];
  const Node& v = *n.inputs[1];
  alloc_output(n);
  int64_t len = x.shape[0];
  std::vector<int64_t> order(static_cast<size_t>(len));
  if (n.inputs.size() > 2) {
    const Node& s = *n.inputs[2];
    for (int64_t i = 0; i < len; ++i) {
      int64_t j = s.data.ptr<int64_t>()[i * s.data.strides[0]];
      if (j < 0 || j >= len)
        throw ValueError("searchsorted: sorter index " + std::to_string(j) + " is out of bounds for size " +
                         std::to_string(len));
      order[i] = j;
    }
  } else {
    std::iota(order.begin(), order.end(), 0);
  }
  dispatch_dtype(x.dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    std::vector<C> sorted(static_cast<size_t>(len));
    for (int64_t i = 0; i < len; ++i) sorted[i] = static_cast<C>(x.data.ptr<T>()[order[i] * x.data.strides[0]]);
    Strides sv = read_strides(v, n.shape);
    const T* pv = v.data.ptr<T>();
    int64_t* po = n.data.ptr<int64_t>();
    bool right = n.params.flag;
    for_each_row(n.shape, 2, {&n.data.strides, &sv}, [&](auto off, auto inner, int64_t rows) {
      for (int64_t i = 0; i < rows; ++i) {
        C q = static_cast<C>(pv[off[1] + i * inner[1]]);
        auto it = right ? std::upper_bound(sorted.begin(), sorted.end(), q, sort_less<C>)
                        : std::lower_bound(sorted.begin(), sorted.end(), q, sort_less<C>);
        po[off[0] + i * inner[0]] = it - sorted.begin();
      }
    });
  });
}

// unique_info: [k, first index (n), counts (n), inverse (n)] of a 1-d input, from a stable argsort
// (so each group's first sorted element is its first occurrence).
void unique_info_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  alloc_output(n);
  int64_t len = a.shape[0];
  int64_t* info = n.data.ptr<int64_t>();
  int64_t *first = info + 1, *counts = info + 1 + len, *inverse = info + 1 + 2 * len;
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    using C = compute_t<T>;
    std::vector<C> v(static_cast<size_t>(len));
    for (int64_t i = 0; i < len; ++i) v[i] = static_cast<C>(a.data.ptr<T>()[i * a.data.strides[0]]);
    std::vector<int64_t> idx(static_cast<size_t>(len));
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](int64_t x, int64_t y) { return sort_less(v[x], v[y]); });
    int64_t k = -1;
    for (int64_t i = 0; i < len; ++i) {
      if (i == 0 || !same_value(v[idx[i - 1]], v[idx[i]], n.params.flag)) {
        first[++k] = idx[i];
        counts[k] = 0;
      }
      ++counts[k];
      inverse[idx[i]] = k;
    }
    info[0] = k + 1;
  });
}

void unique_gather_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  const int64_t* first = n.inputs[1]->data.ptr<int64_t>() + 1;
  alloc_output(n);
  int item = itemsize(n.dtype);
  for (int64_t j = 0; j < n.shape[0]; ++j)
    std::memcpy(n.data.byte_ptr(item) + j * item, a.data.byte_ptr(item) + first[j] * a.data.strides[0] * item, item);
}

}  // namespace

void register_sorting() {
  register_kernel(DeviceType::CPU, "sort", sort_kernel);
  register_kernel(DeviceType::CPU, "argsort", argsort_kernel);
  register_kernel(DeviceType::CPU, "searchsorted", searchsorted_kernel);
  register_kernel(DeviceType::CPU, "unique_info", unique_info_kernel);
  register_kernel(DeviceType::CPU, "unique_gather", unique_gather_kernel);
}

}  // namespace ember::cpu
