// gather and scatter (advanced-index reads and writes) on the cuda device. The host works out how
// the view is walked (IndexWalk: plain axes in front, the broadcast index positions, plain axes
// behind, as the cpu's IndexPlan); the device turns the index arrays into one element offset per
// index position (the plan kernel, which also finds the first out-of-bounds index), then moves
// elements. Scatter is deterministic under repeated indices: per target, the write of the largest
// index position wins (NumPy's "last write wins"), chosen by an atomicMax hash table before writing.
//
// The kernel bodies use only em_u8..em_u64, EM_GRID_LOOP and atomicCAS/atomicMin/atomicMax, so the
// tests compile them for the host too (the *_body functions, without the prelude) and run them.
#pragma once
#include <cstdint>
#include <string>

#include "ember/backend/cuda/ops_sources.h"
#include "ember/graph/node.h"

namespace ember::cuda {

// The plain axes of a gather/scatter view, split as the output orders them, and the index axes.
struct IndexWalk {
  Shape pre_dims, post_dims, b_dims;       // the output is pre + b + post
  Strides pre_st, post_st;                 // in the view's storage (element strides)
  std::vector<int64_t> axis_size, axis_st; // per index array: the view axis's size and stride
  int64_t B = 1;                           // index positions (product of b_dims)
};
// `first_index`: inputs[first_index..] are the index arrays (1 for gather, 2 for scatter).
IndexWalk index_walk(const Node& n, const Shape& view_shape, const Strides& view_strides, size_t first_index);

// Kernel arguments, laid out as the kernels' structs (8-byte words, arrays of kMaxDims).
struct IndexPlanArgs {
  uint64_t idx[kMaxDims];
  uint64_t adv, err;
  int64_t B, nb, nidx;
  int64_t bdims[kMaxDims];
  int64_t ist[kMaxDims][kMaxDims];
  int64_t size[kMaxDims], stride[kMaxDims];
};
struct GatherArgs {
  uint64_t src, out, adv;
  int64_t n, B, npre, npost;
  int64_t pre_dims[kMaxDims], pre_st[kMaxDims], post_dims[kMaxDims], post_st[kMaxDims];
};
struct WinnerArgs {
  uint64_t adv, keys, vals, keep;
  int64_t B, mask;
};
struct ScatterArgs {
  uint64_t dst, val, adv, keep;
  int64_t n, B, npre, npost, nb;
  int64_t pre_dims[kMaxDims], pre_st[kMaxDims], pre_vst[kMaxDims];
  int64_t post_dims[kMaxDims], post_st[kMaxDims], post_vst[kMaxDims];
  int64_t bdims[kMaxDims], b_vst[kMaxDims];
};

// Fill the arguments from a walk (pointers left zero). The index arrays' strides are given per
// array over b_dims (broadcast dims: 0); value strides split as the output (pre, b, post).
IndexPlanArgs plan_args(const IndexWalk& w, const std::vector<Strides>& index_strides);
GatherArgs gather_args(const IndexWalk& w);
ScatterArgs scatter_args(const IndexWalk& w, const Strides& value_strides);
// The hash table's slots for B index positions (a power of two, at least 2 B).
int64_t winner_slots(int64_t B);

// The kernels' text without the prelude (for the host tests), and the complete sources.
std::string index_plan_body();
std::string scatter_winners_body();  // ember_scatter_claim, then ember_scatter_keep
std::string gather_body(int item);   // ember_gather_<item>
std::string scatter_body(int item);  // ember_scatter_<item>
OpSource index_plan_source();
OpSource scatter_winners_source();
OpSource gather_source(int item);
OpSource scatter_source(int item);

void register_index_ops();  // gather, scatter

}  // namespace ember::cuda
