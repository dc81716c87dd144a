// Helpers shared by the cpu kernels: output allocation and operand strides.
#pragma once
#include "ember/graph/node.h"

namespace ember::cpu {

// Gives the node a fresh row-major buffer of its shape and dtype.
inline void alloc_output(Node& n) {
  n.data.buffer = allocate_buffer(static_cast<size_t>(n.size()) * itemsize(n.dtype));
  n.data.offset = 0;
  n.data.strides = contiguous_strides(n.shape);
}

// The strides that read evaluated input `in` broadcast to `shape`.
inline Strides read_strides(const Node& in, const Shape& shape) {
  return broadcast_strides(in.shape, in.data.strides, shape);
}

}  // namespace ember::cpu
