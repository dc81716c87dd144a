// The strided rows a fused kernel gathers into its block registers (views: a[::2], a[::-1], a
// column), copied with vector instructions: scalar copies were most of the extra time per element
// of a strided input over a contiguous one.
#pragma once
#include <cstdint>

namespace ember::cpu {

// dst[i] = src[i * stride] for i < n, items of `item` bytes (4 or 8; returns false for others, and
// the caller copies). Reads nothing outside the n source elements' span (stride 0: src[0] only).
bool strided_copy(int item, const void* src, int64_t stride, int64_t n, void* dst);

}  // namespace ember::cpu
