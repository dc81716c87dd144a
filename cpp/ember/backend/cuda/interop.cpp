#include "ember/backend/cuda/interop.h"

#include <mutex>
#include <utility>
#include <vector>

#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/raw_launch.h"
#include "ember/errors.h"
#include "ember/graph/eval.h"

namespace ember::cuda {
namespace {

// Exported buffers kept with their storage (CAI consumers hold the ember array, not our buffer).
std::mutex mu;
std::vector<std::pair<std::weak_ptr<Storage>, std::shared_ptr<Buffer>>> kept;

void keep_with(const std::shared_ptr<Storage>& s, std::shared_ptr<Buffer> b) {
  std::lock_guard<std::mutex> lock(mu);
  std::erase_if(kept, [](auto& e) { return e.first.expired(); });
  for (auto& e : kept)
    if (e.second == b) return;
  kept.emplace_back(s, std::move(b));
}

}  // namespace

ExportedArray export_array(const Array& a) {
  ExportedArray e;
  e.ptr = argument_pointer(a, &e.device, "the exported array", true);
  const NodePtr& v = a.storage()->version;
  e.buffer = v->data.buffer;
  e.shape = a.shape();
  e.strides = a.strides();
  e.dtype = a.dtype();
  e.readonly = !a.writeable() || e.buffer->readonly;
  keep_with(a.storage(), e.buffer);
  return e;
}

Array import_array(int device, uint64_t ptr, DType dtype, const Shape& shape, const std::vector<int64_t>& byte_strides,
                   bool readonly, std::shared_ptr<void> owner) {
  const int64_t item = itemsize(dtype);
  for (int64_t d : shape)
    if (d < 0) throw ValueError("imported array has a negative extent: " + shape_str(shape));
  if (!byte_strides.empty() && byte_strides.size() != shape.size())
    throw ValueError("imported array: " + std::to_string(byte_strides.size()) + " strides for " +
                     std::to_string(shape.size()) + " dimensions");
  if (ptr % uint64_t(item) != 0)
    throw ValueError("imported array: address " + std::to_string(ptr) + " is not aligned to its itemsize " +
                     std::to_string(item));
  Strides st = contiguous_strides(shape);
  for (size_t d = 0; d < byte_strides.size(); ++d) {
    if (byte_strides[d] % item != 0)
      throw ValueError("imported array: stride " + std::to_string(byte_strides[d]) +
                       " bytes is not a multiple of the itemsize " + std::to_string(item));
    st[d] = byte_strides[d] / item;
  }
  // The span of elements the layout covers, relative to ptr.
  const int64_t n = shape_size(shape);
  int64_t lo = 0, hi = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] <= 1) continue;
    (st[d] < 0 ? lo : hi) += (shape[d] - 1) * st[d];
  }
  const int64_t span = n == 0 ? 0 : hi - lo + 1;
  const bool plain = n == 0 || is_contiguous(shape, st);
  auto mem = std::make_shared<DeviceMemory>(device, CUdeviceptr(n == 0 ? 0 : ptr + uint64_t(lo * item)),
                                            size_t(span * item), std::move(owner));
  auto buffer = std::make_shared<Buffer>();
  buffer->device = mem;
  buffer->readonly = readonly;
  Data data;
  data.buffer = buffer;
  Shape leaf_shape = plain ? shape : Shape{span};
  data.strides = contiguous_strides(leaf_shape);
  NodePtr leaf = make_leaf(dtype, leaf_shape, std::move(data));
  leaf->device = DeviceType::CUDA;
  Array base(leaf);
  if (plain) return base.set_writeable(!readonly);
  Array view(base.storage(), -lo, shape, st);
  return view.set_writeable(!readonly);
}

}  // namespace ember::cuda
