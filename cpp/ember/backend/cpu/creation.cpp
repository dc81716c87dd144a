// Kernels that make values from parameters alone: full, arange, linspace, eye.
#include <cmath>

#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/device.h"

namespace ember::cpu {
namespace {

void full_kernel(Node& n) {
  alloc_output(n);
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    T v = n.params.scalars.at(0).as<T>();
    T* p = n.data.ptr<T>();
    for (int64_t i = 0, e = n.size(); i < e; ++i) p[i] = v;
  });
}

void arange_kernel(Node& n) {
  alloc_output(n);
  const Scalar& start = n.params.scalars.at(0);
  const Scalar& step = n.params.scalars.at(1);
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = n.data.ptr<T>();
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      int64_t s0 = start.as<int64_t>(), st = step.as<int64_t>();
      for (int64_t i = 0, e = n.size(); i < e; ++i) p[i] = static_cast<T>(s0 + i * st);
    } else if constexpr (is_complex_v<T>) {
      T s0 = start.as<T>(), st = step.as<T>();
      for (int64_t i = 0, e = n.size(); i < e; ++i) p[i] = s0 + typename T::value_type(i) * st;
    } else {
      double s0 = start.as<double>(), st = step.as<double>();
      for (int64_t i = 0, e = n.size(); i < e; ++i) p[i] = static_cast<T>(s0 + static_cast<double>(i) * st);
    }
  });
}

// As NumPy: step = (stop - start) / div, values start + i * step, the last set to stop exactly.
void linspace_kernel(Node& n) {
  alloc_output(n);
  double start = n.params.scalars.at(0).as<double>(), stop = n.params.scalars.at(1).as<double>();
  int64_t num = n.size();
  bool endpoint = n.params.flag;
  int64_t div = endpoint ? num - 1 : num;
  double step = div > 0 ? (stop - start) / static_cast<double>(div) : NAN;
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = n.data.ptr<T>();
    for (int64_t i = 0; i < num; ++i) {
      double v = div > 0 ? start + static_cast<double>(i) * step : start;
      if constexpr (is_complex_v<T>) p[i] = T(static_cast<typename T::value_type>(v));
      else p[i] = static_cast<T>(static_cast<compute_t<T>>(v));
    }
    if (endpoint && num > 1) {
      if constexpr (is_complex_v<T>) p[num - 1] = T(static_cast<typename T::value_type>(stop));
      else p[num - 1] = static_cast<T>(static_cast<compute_t<T>>(stop));
    }
  });
}

void eye_kernel(Node& n) {
  alloc_output(n);
  int64_t rows = n.shape[0], cols = n.shape[1], k = n.params.ints.at(0);
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    T* p = n.data.ptr<T>();
    for (int64_t i = 0; i < rows * cols; ++i) p[i] = T(0);
    for (int64_t i = 0; i < rows; ++i)
      if (i + k >= 0 && i + k < cols) p[i * cols + i + k] = T(1);
  });
}

}  // namespace

void register_creation() {
  register_kernel(DeviceType::CPU, "full", full_kernel);
  register_kernel(DeviceType::CPU, "arange", arange_kernel);
  register_kernel(DeviceType::CPU, "linspace", linspace_kernel);
  register_kernel(DeviceType::CPU, "eye", eye_kernel);
}

}  // namespace ember::cpu
