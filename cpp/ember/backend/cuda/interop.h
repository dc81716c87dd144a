// Zero-copy exchange of cuda arrays with other libraries (__cuda_array_interface__ v3, DLPack kDLCUDA).
//
// Export: the array is evaluated and its storage made exclusive (raw_launch.h's argument_pointer),
// since a consumer may write through the pointer; such writes change the ember array, as CuPy and
// PyTorch tensors sharing memory do. The memory stays alive while the storage does (CAI has no
// owner of its own: the consumer keeps the ember array, and the exported buffer is kept with its
// storage even if later writes move the storage to a new buffer), or while the DLPack capsule's owner does.
// Import: foreign memory becomes the buffer of a new ember array, holding `owner` until the last
// array using it dies; strided and reversed layouts are kept as a view over the span they cover.
#pragma once
#include <cstdint>
#include <memory>

#include "ember/array.h"
#include "ember/runtime/buffer.h"

namespace ember::cuda {

struct ExportedArray {
  uint64_t ptr = 0;  // the first element
  int device = 0;
  Shape shape;
  Strides strides;  // elements
  DType dtype = DType::Float64;
  bool readonly = false;
  std::shared_ptr<Buffer> buffer;  // the memory, for an owner to hold
};

// TypeError when `a` is not a cuda array.
ExportedArray export_array(const Array& a);

// `ptr` on GPU `device`: `shape` with `byte_strides` (empty: C-contiguous). ValueError for a pointer
// or stride not a multiple of the itemsize.
Array import_array(int device, uint64_t ptr, DType dtype, const Shape& shape, const std::vector<int64_t>& byte_strides,
                   bool readonly, std::shared_ptr<void> owner);

}  // namespace ember::cuda
