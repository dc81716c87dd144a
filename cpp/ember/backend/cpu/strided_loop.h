// N-dimensional iteration over strided operands, one innermost row at a time.
#pragma once
#include <array>
#include <cstdint>

#include "ember/shape.h"

namespace ember::cpu {

inline constexpr int kMaxOperands = 4;

// For operands 0..k-1 with element strides strides[i] (all of the iteration shape `shape`), calls
// row(offsets, inner_strides, n) for each innermost row: offsets[i] is operand i's element offset at
// the row start. Dimensions of size 1 are dropped and contiguous runs are merged first.
template <class Row>
void for_each_row(const Shape& shape, int k, const std::array<const Strides*, kMaxOperands>& strides, Row&& row) {
  int nd = 0;
  std::array<int64_t, 64> dims{};
  std::array<std::array<int64_t, 64>, kMaxOperands> st{};
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return;
    if (shape[d] == 1) continue;
    bool merge = nd > 0;
    for (int i = 0; i < k && merge; ++i) merge = st[i][nd - 1] == (*strides[i])[d] * shape[d];
    if (merge) {
      dims[nd - 1] *= shape[d];
      for (int i = 0; i < k; ++i) st[i][nd - 1] = (*strides[i])[d];
    } else {
      dims[nd] = shape[d];
      for (int i = 0; i < k; ++i) st[i][nd] = (*strides[i])[d];
      ++nd;
    }
  }
  std::array<int64_t, kMaxOperands> off{}, inner{};
  if (nd == 0) {
    row(off, inner, int64_t{1});
    return;
  }
  for (int i = 0; i < k; ++i) inner[i] = st[i][nd - 1];
  int64_t n = dims[nd - 1];
  std::array<int64_t, 64> idx{};
  while (true) {
    row(off, inner, n);
    int d = nd - 2;
    for (; d >= 0; --d) {
      for (int i = 0; i < k; ++i) off[i] += st[i][d];
      if (++idx[d] < dims[d]) break;
      for (int i = 0; i < k; ++i) off[i] -= st[i][d] * dims[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace ember::cpu
