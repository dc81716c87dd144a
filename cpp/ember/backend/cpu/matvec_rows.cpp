#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ember/backend/cpu/matvec_rows.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include <algorithm>
#include <cstdint>

#include "ember/backend/cpu/matvec_rows.h"

HWY_BEFORE_NAMESPACE();
namespace ember::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

template <class T>
HWY_INLINE void Dots(const T* HWY_RESTRICT a, int64_t rs, int64_t rows, int64_t k, const T* HWY_RESTRICT x,
                     T* HWY_RESTRICT out) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const int64_t full = k / N * N;
  const auto tail = hn::FirstN(d, static_cast<size_t>(k - full));
  const auto xt = hn::LoadU(d, x + full);  // zero-padded past k
  for (int64_t i = 0; i < rows; ++i) {
    const T* r = a + i * rs;
    auto acc0 = hn::Zero(d), acc1 = hn::Zero(d);
    int64_t j = 0;
    for (; j + 2 * N <= full; j += 2 * N) {
      acc0 = hn::MulAdd(hn::LoadU(d, r + j), hn::LoadU(d, x + j), acc0);
      acc1 = hn::MulAdd(hn::LoadU(d, r + j + N), hn::LoadU(d, x + j + N), acc1);
    }
    if (j < full) acc0 = hn::MulAdd(hn::LoadU(d, r + j), hn::LoadU(d, x + j), acc0);
    if (full < k) acc1 = hn::MulAdd(hn::IfThenElseZero(tail, hn::LoadU(d, r + full)), xt, acc1);
    out[i] = hn::GetLane(hn::SumOfLanes(d, hn::Add(acc0, acc1)));
  }
}

// g[j0, j0 + V*N) += sum_i e[i] * row_i[j0, ...), the sums held in V vectors over all rows; with
// `Tail` the last vector's lanes past k read as zero.
template <int V, bool Tail, class T>
HWY_INLINE void AccumulateColumns(const T* HWY_RESTRICT a, int64_t rs, int64_t rows, int64_t j0, int64_t k,
                                  const T* HWY_RESTRICT e, T* HWY_RESTRICT g) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  const auto tail = hn::FirstN(d, static_cast<size_t>(k - (j0 + (V - 1) * N)));
  decltype(hn::Zero(d)) acc[V];
  for (int v = 0; v < V; ++v) acc[v] = hn::LoadU(d, g + j0 + v * N);
  for (int64_t i = 0; i < rows; ++i) {
    const T* r = a + i * rs + j0;
    const auto ev = hn::Set(d, e[i]);
    for (int v = 0; v < V; ++v) {
      auto x = hn::LoadU(d, r + v * N);
      if (Tail && v == V - 1) x = hn::IfThenElseZero(tail, x);
      acc[v] = hn::MulAdd(ev, x, acc[v]);
    }
  }
  for (int v = 0; v < V; ++v) hn::StoreU(acc[v], d, g + j0 + v * N);
}

template <int V, class T>
HWY_INLINE void AccumulateChunk(const T* a, int64_t rs, int64_t rows, int64_t j0, int64_t k, const T* e, T* g,
                                bool tail) {
  if (tail) AccumulateColumns<V, true>(a, rs, rows, j0, k, e, g);
  else AccumulateColumns<V, false>(a, rs, rows, j0, k, e, g);
}

template <class T>
HWY_INLINE void Accumulate(const T* a, int64_t rs, int64_t rows, int64_t k, const T* e, T* g) {
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  for (int64_t j0 = 0; j0 < k; j0 += 4 * N) {  // four vectors of columns at a time, over all rows
    const int64_t w = std::min<int64_t>(4 * N, k - j0);
    const int vecs = static_cast<int>((w + N - 1) / N);
    const bool tail = w % N != 0;
    switch (vecs) {
      case 1: AccumulateChunk<1>(a, rs, rows, j0, k, e, g, tail); break;
      case 2: AccumulateChunk<2>(a, rs, rows, j0, k, e, g, tail); break;
      case 3: AccumulateChunk<3>(a, rs, rows, j0, k, e, g, tail); break;
      default: AccumulateChunk<4>(a, rs, rows, j0, k, e, g, tail); break;
    }
  }
}

void Dots64(const void* a, int64_t rs, int64_t rows, int64_t k, const void* x, void* out) {
  Dots(static_cast<const double*>(a), rs, rows, k, static_cast<const double*>(x), static_cast<double*>(out));
}
void Dots32(const void* a, int64_t rs, int64_t rows, int64_t k, const void* x, void* out) {
  Dots(static_cast<const float*>(a), rs, rows, k, static_cast<const float*>(x), static_cast<float*>(out));
}
void Accumulate64(const void* a, int64_t rs, int64_t rows, int64_t k, const void* e, void* g) {
  Accumulate(static_cast<const double*>(a), rs, rows, k, static_cast<const double*>(e), static_cast<double*>(g));
}
void Accumulate32(const void* a, int64_t rs, int64_t rows, int64_t k, const void* e, void* g) {
  Accumulate(static_cast<const float*>(a), rs, rows, k, static_cast<const float*>(e), static_cast<float*>(g));
}

}  // namespace ember::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember::cpu {

HWY_EXPORT(Dots64);
HWY_EXPORT(Dots32);
HWY_EXPORT(Accumulate64);
HWY_EXPORT(Accumulate32);

void row_dots(DType t, const void* a, int64_t rs, int64_t rows, int64_t k, const void* x, void* out) {
  if (t == DType::Float64) HWY_DYNAMIC_DISPATCH(Dots64)(a, rs, rows, k, x, out);
  else HWY_DYNAMIC_DISPATCH(Dots32)(a, rs, rows, k, x, out);
}

void row_accumulate(DType t, const void* a, int64_t rs, int64_t rows, int64_t k, const void* e, void* g) {
  if (t == DType::Float64) HWY_DYNAMIC_DISPATCH(Accumulate64)(a, rs, rows, k, e, g);
  else HWY_DYNAMIC_DISPATCH(Accumulate32)(a, rs, rows, k, e, g);
}

}  // namespace ember::cpu
#endif  // HWY_ONCE
