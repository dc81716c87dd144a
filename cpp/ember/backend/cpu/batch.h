// Stacks of matrices: the element offset of every matrix of a (possibly broadcast) batch.
#pragma once
#include <vector>

#include "ember/backend/cpu/strided_loop.h"
#include "ember/graph/node.h"

namespace ember::cpu {

// Offsets (relative to in.data.ptr) of the matrices of evaluated input `in`, whose last `core` dims
// are one matrix, read broadcast over the batch shape `batch`, in row-major batch order.
inline std::vector<int64_t> batch_offsets(const Node& in, const Shape& batch, int core) {
  size_t nb = in.shape.size() - core;
  Shape shape(in.shape.begin(), in.shape.begin() + nb);
  Strides st(in.data.strides.begin(), in.data.strides.begin() + nb);
  Strides bst = broadcast_strides(shape, st, batch);
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(shape_size(batch)));
  for_each_row(batch, 1, {&bst}, [&](auto off, auto inner, int64_t len) {
    for (int64_t i = 0; i < len; ++i) out.push_back(off[0] + i * inner[0]);
  });
  return out;
}

}  // namespace ember::cpu
