// The reductions a fused kernel can end in (sum, prod, max, min) as functions over contiguous runs:
// NumPy's pairwise summation, combining partials, starting values, and row-wise accumulation. Each
// applies the op's functor from functors.h, as the unfused reduction kernels do.
#pragma once
#include <cstdint>
#include <limits>
#include <string_view>

#include "ember/backend/cpu/functors.h"
#include "ember/graph/node.h"

namespace ember::cpu::folds {


template <class F, class T>
T pairwise(const T* x, int64_t n) {
  F f{};
  if (n < 8) {
    T r = x[0];
    for (int64_t i = 1; i < n; ++i) r = static_cast<T>(f(r, x[i]));
    return r;
  }
  if (n <= 128) {
    T r[8];
    for (int j = 0; j < 8; ++j) r[j] = x[j];
    int64_t i = 8;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; ++j) r[j] = static_cast<T>(f(r[j], x[i + j]));
    T res = static_cast<T>(f(f(f(r[0], r[1]), f(r[2], r[3])), f(f(r[4], r[5]), f(r[6], r[7]))));
    for (; i < n; ++i) res = static_cast<T>(f(res, x[i]));
    return res;
  }
  int64_t n2 = n / 2;
  n2 -= n2 % 8;
  return static_cast<T>(f(pairwise<F, T>(x, n2), pairwise<F, T>(x + n2, n - n2)));
}

template <class T> T neg_zero() {
  if constexpr (std::is_floating_point_v<T>) return T(-0.0);
  else return T(0);
}
template <class T> T lowest() {
  if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::lowest();
}
template <class T> T highest() {
  if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}

// A reduction: fold a run (n >= 1) into a value; combine values; the starting value.
struct Fold {
  void (*fold)(const void* x, int64_t n, void* out) = nullptr;
  void (*combine)(void* acc, const void* v) = nullptr;  // acc = f(acc, v)
  void (*init)(const Node& r, void* out) = nullptr;
  void (*accumulate)(void* acc, const void* x, int64_t n) = nullptr;  // acc[i] = f(acc[i], x[i])
};

enum class Ident { NegZero, One, Lowest, Highest };

template <class T, Ident I> T identity() {
  if constexpr (I == Ident::NegZero) return neg_zero<T>();
  else if constexpr (I == Ident::One) return T(1);
  else if constexpr (I == Ident::Lowest) return lowest<T>();
  else return highest<T>();
}

template <class F, class T, Ident I>
Fold make_fold() {
  Fold f;
  f.fold = [](const void* x, int64_t n, void* out) { *static_cast<T*>(out) = pairwise<F, T>(static_cast<const T*>(x), n); };
  f.combine = [](void* acc, const void* v) {
    T& a = *static_cast<T*>(acc);
    a = static_cast<T>(F{}(a, *static_cast<const T*>(v)));
  };
  // NumPy's initial= when given, else the op's identity (-0.0 keeps sum([-0.0]) == -0.0).
  f.init = [](const Node& r, void* out) {
    *static_cast<T*>(out) = r.params.scalars.empty() ? identity<T, I>() : r.params.scalars[0].as<T>();
  };
  f.accumulate = [](void* acc, const void* x, int64_t n) {
    T* a = static_cast<T*>(acc);
    const T* v = static_cast<const T*>(x);
    F op{};
    for (int64_t i = 0; i < n; ++i) a[i] = static_cast<T>(op(a[i], v[i]));
  };
  return f;
}

inline Fold find_fold(std::string_view op, DType t) {
  return dispatch_dtype(t, [&](auto tag) -> Fold {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t> ||
                  std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (op == "sum") return make_fold<Add, T, Ident::NegZero>();
      if (op == "prod") return make_fold<Multiply, T, Ident::One>();
      if (op == "max") return make_fold<Maximum, T, Ident::Lowest>();
      if (op == "min") return make_fold<Minimum, T, Ident::Highest>();
    }
    return Fold{};
  });
}

}  // namespace ember::cpu::folds
