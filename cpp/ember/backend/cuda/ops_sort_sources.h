// CUDA C++ sources of the sort-family kernels around CUB's radix sort (ops_sort*.cpp): one program
// per element size (1, 2, 4, 8, 16 bytes; the dtype's kind is an argument) and one that needs no
// element type. They carry ops_sort_keys.h's transforms as text, so the device computes the very
// keys the host tests check.
#pragma once
#include <vector>

#include "ember/backend/cuda/ops_sources.h"

namespace ember::cuda {

// Kernels over elements of `item` bytes: ember_sort_keys_N (a pass's keys), ember_sort_emit_N
// (sorted values, indices or keys to the output), ember_nz_count_N, ember_nz_flags_N,
// ember_searchsorted_N, ember_uniq_bounds_N, ember_gather_N. The OpSource is named after the first.
OpSource sort_item_source(int item);
// ember_nz_scatter, ember_uniq_fill, ember_uniq_counts, ember_repeat (named ember_nz_scatter).
OpSource sort_common_source();
// Every program above (the NVRTC tests; all_op_sources() includes them).
std::vector<OpSource> sort_op_sources();
// The kernel of `base` ("sort_emit", ...) in sort_item_source(item).
std::string sort_kernel_name(const char* base, int item);

}  // namespace ember::cuda
