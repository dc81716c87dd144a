// Vector strided copies for fused kernels' gathered inputs (see fused_gather.h), compiled for every
// x86 target Highway knows and picked at run time.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "ember/backend/cpu/fused_gather.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h

#include <hwy/highway.h>

#include <cstdint>

#include "ember/backend/cpu/fused_gather.h"

HWY_BEFORE_NAMESPACE();
namespace ember::cpu::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// T: an unsigned integer of the item's size (values are copied as bits). Only strides 0, 2 and -1
// are vectorised: on this machine (AMD EPYC, AVX-512) hardware gathers (GatherIndex) copied slower than
// the scalar loop even from cache (0.40 against 0.29 ns per element), and stride 4 by shuffles of four unaligned loads was slower on
// out-of-cache columns (5.7-6.5 ms against 5.4-5.6 for a 5e6x4 column).
template <class T>
HWY_INLINE void Copy(const T* HWY_RESTRICT x, int64_t s, int64_t n, T* HWY_RESTRICT y) {
  int64_t i = 0;
#if HWY_TARGET != HWY_SCALAR
  const hn::ScalableTag<T> d;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  if (s == 0) {
    // A broadcast run (a[:, None] along its row): one value, stored a vector at a time (the
    // caller's std::fill compiled to 16-byte stores, half of a broadcast kernel's time).
    const auto v = hn::Set(d, x[0]);
    for (; i + N <= n; i += N) hn::StoreU(v, d, y + i);
  } else if (s == 2) {
    // Two loads, the even lanes kept. They end one element after x[2(i+N-1)]: i + N < n keeps that
    // inside the row.
    for (; i + N < n; i += N)
      hn::StoreU(hn::ConcatEven(d, hn::LoadU(d, x + 2 * i + N), hn::LoadU(d, x + 2 * i)), d, y + i);
  } else if (s == -1) {
    for (; i + N <= n; i += N) hn::StoreU(hn::Reverse(d, hn::LoadU(d, x - i - (N - 1))), d, y + i);
  }
#endif
  for (; i < n; ++i) y[i] = x[i * s];
}

void Copy64(const void* x, int64_t s, int64_t n, void* y) {
  Copy(static_cast<const uint64_t*>(x), s, n, static_cast<uint64_t*>(y));
}
void Copy32(const void* x, int64_t s, int64_t n, void* y) {
  Copy(static_cast<const uint32_t*>(x), s, n, static_cast<uint32_t*>(y));
}

}  // namespace ember::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ember::cpu {

HWY_EXPORT(Copy64);
HWY_EXPORT(Copy32);

bool strided_copy(int item, const void* src, int64_t stride, int64_t n, void* dst) {
  if (item == 8) HWY_DYNAMIC_DISPATCH(Copy64)(src, stride, n, dst);
  else if (item == 4) HWY_DYNAMIC_DISPATCH(Copy32)(src, stride, n, dst);
  else return false;
  return true;
}

}  // namespace ember::cpu
#endif  // HWY_ONCE
