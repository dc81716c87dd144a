// The cuda device's op kernels beyond fused Kernels, registered by register.cpp (ops_*.cpp).
#pragma once
#include <cuda.h>

#include "ember/backend/device.h"
#include "ember/graph/node.h"

namespace ember::cuda {

struct Context;

void register_creation_ops();  // arange, linspace, eye, random
void register_copy_ops();      // set_view, concat
void register_reduce_ops();    // any, all, argmax, argmin, cumsum, cumprod
void register_sort_ops();      // sort, argsort, searchsorted, nonzero(_count), repeat_indices, unique_* (ops_sort*.cpp)

// Copies `shape` elements of `item` bytes from src (element strides src_st) to dst (dst_st) on the
// context's stream. Size-1 dimensions are dropped and contiguous neighbours merged first.
void strided_copy(const Context& c, const Shape& shape, int item, CUdeviceptr dst, const Strides& dst_st,
                  CUdeviceptr src, const Strides& src_st);

}  // namespace ember::cuda
