// Bulk host <-> device copies through pinned staging buffers, and the to_device kernel.
#pragma once
#include <memory>

#include "ember/graph/node.h"

namespace ember::cuda {

struct Context;
struct Staging;
struct StagingDeleter;

std::unique_ptr<Staging, StagingDeleter> make_staging();  // allocates nothing until the first transfer

// The elements of host window `d` (shape, dtype) in a fresh contiguous buffer on device `device`.
Data upload(const Data& d, DType dtype, const Shape& shape, int device);
// The elements of evaluated cuda node `n` on the host: the byte span its window covers is copied,
// and the host Data keeps the node's strides over that span (no gather on the device).
Data download(const Node& n);

// to_device with params.ints[0] the target: cpu -> cuda uploads to current_device(), cuda -> cpu downloads.
void to_device_kernel(Node& n);

// The span of elements [first, first + count) a strided window touches (count 0 when empty).
struct Span {
  int64_t first = 0, count = 0;
};
Span window_span(int64_t offset, const Shape& shape, const Strides& strides);

}  // namespace ember::cuda
