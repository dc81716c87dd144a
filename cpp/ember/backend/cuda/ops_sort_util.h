// What the sort-family op files share (ops_sort*.cpp): the kernel argument pieces, the dtype
// parameters of the key transforms, and a stable sort of an array's lanes along one axis.
#pragma once
#include <cuda.h>

#include <cstdint>
#include <memory>
#include <string>

#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/ops_sort_args.h"
#include "ember/backend/cuda/ops_sort_plan.h"
#include "ember/backend/cuda/ops_sources.h"
#include "ember/graph/node.h"

namespace ember::cuda {

struct Context;

SkDt sk_dt(DType t);

// The node's element strides (contiguous when it has none).
Strides node_strides(const Node& n);
// A device scratch block of `bytes` (at least 1) and its address; the pool reuses it, ordered on
// the stream, once `keep` dies.
CUdeviceptr scratch(const Context& c, size_t bytes, std::shared_ptr<Buffer>& keep);
// Kernel `base` of the program for elements of `item` bytes, or of the common program (item 0).
CUfunction sort_function(int device, const char* base, int item);
// Launches a kernel whose one parameter is the struct `args`.
template <class Args>
void launch_args(const Context& c, CUfunction f, LaunchDims d, const Args& args) {
  void* params[] = {const_cast<Args*>(&args)};
  launch(c, f, d, params);
}
// Waits for the stream and copies `bytes` from the device to `dst`.
void read_back(const Context& c, void* dst, CUdeviceptr src, size_t bytes);

// A stable sort of the lanes of x (address xp) along `axis`: the lanes are packed into rows of L
// contiguous elements (packed), sorted by the plan's passes. Result: keys()/perm() of the last pass
// (perm[i] = packed position of the i-th element in (row, key) order; no perm when keys_only).
struct LaneSort {
  SortPlan plan;
  int64_t rows = 0, L = 0, n = 0;
  CUdeviceptr packed = 0;
  std::shared_ptr<Buffer> packed_keep, kbuf[2], vbuf[2];
  int cur = 0;
  CUdeviceptr keys() const;
  CUdeviceptr perm() const;
};
LaneSort sort_lanes(const Context& c, const Node& x, CUdeviceptr xp, int axis, bool descending, bool need_indices);

}  // namespace ember::cuda
