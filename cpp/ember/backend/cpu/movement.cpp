// Kernels that move or convert data: astype, as_strided (a zero-copy view), set_view (a write into
// a storage version, in place when nothing else reads the old version), where.
#include <cstring>

#include "ember/backend/cpu/convert.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/cpu/strided_loop.h"
#include "ember/backend/device.h"

namespace ember::cpu {
namespace {

void astype_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  alloc_output(n);
  Strides sa = read_strides(a, n.shape);
  dispatch_dtype(a.dtype, [&](auto from_tag) {
    using From = decltype(from_tag);
    dispatch_dtype(n.dtype, [&](auto to_tag) {
      using To = decltype(to_tag);
      const From* pa = a.data.ptr<From>();
      To* po = n.data.ptr<To>();
      for_each_row(n.shape, 2, {&n.data.strides, &sa}, [&](auto off, auto inner, int64_t len) {
        for (int64_t i = 0; i < len; ++i)
          po[off[0] + i * inner[0]] = convert<To>(pa[off[1] + i * inner[1]]);
      });
    });
  });
}

// The input is a storage version (row-major contiguous); the view re-strides it without copying.
void as_strided_kernel(Node& n) {
  const Node& base = *n.inputs[0];
  n.data.buffer = base.data.buffer;
  n.data.offset = base.data.offset + n.params.offset;
  n.data.strides = n.params.strides;
}

// Copies `src` (strided, shape `shape`) into `dst` elements of size `item`.
void strided_copy(const Shape& shape, std::byte* dst, const Strides& dst_strides, const std::byte* src,
                  const Strides& src_strides, int item) {
  for_each_row(shape, 2, {&dst_strides, &src_strides}, [&](auto off, auto inner, int64_t len) {
    std::byte* d = dst + off[0] * item;
    const std::byte* s = src + off[1] * item;
    if (inner[0] == 1 && inner[1] == 1) {
      std::memmove(d, s, static_cast<size_t>(len) * item);
      return;
    }
    for (int64_t i = 0; i < len; ++i) std::memcpy(d + i * inner[0] * item, s + i * inner[1] * item, item);
  });
}

void set_view_kernel(Node& n) {
  NodePtr& old = n.inputs[0];
  const Node& value = *n.inputs[1];
  int item = itemsize(n.dtype);
  // Nobody else can see the old version: write into its buffer instead of copying it.
  bool exclusive = old.use_count() == 1 && old->data.buffer.use_count() == 1 &&
                   !old->data.buffer->readonly && old->data.offset == 0;
  if (exclusive) {
    n.data = old->data;
  } else {
    alloc_output(n);
    strided_copy(n.shape, n.data.byte_ptr(item), n.data.strides, old->data.byte_ptr(item), old->data.strides, item);
  }
  Shape view_shape = value.shape;
  strided_copy(view_shape, n.data.byte_ptr(item) + n.params.offset * item, n.params.strides, value.data.byte_ptr(item),
               value.data.strides, item);
}

void where_kernel(Node& n) {
  const Node& c = *n.inputs[0];
  const Node& x = *n.inputs[1];
  const Node& y = *n.inputs[2];
  alloc_output(n);
  Strides sc = read_strides(c, n.shape), sx = read_strides(x, n.shape), sy = read_strides(y, n.shape);
  dispatch_dtype(n.dtype, [&](auto tag) {
    using T = decltype(tag);
    const bool* pc = c.data.ptr<bool>();
    const T* px = x.data.ptr<T>();
    const T* py = y.data.ptr<T>();
    T* po = n.data.ptr<T>();
    for_each_row(n.shape, 4, {&n.data.strides, &sc, &sx, &sy}, [&](auto off, auto inner, int64_t len) {
      for (int64_t i = 0; i < len; ++i)
        po[off[0] + i * inner[0]] = pc[off[1] + i * inner[1]] ? px[off[2] + i * inner[2]] : py[off[3] + i * inner[3]];
    });
  });
}

}  // namespace

void register_movement() {
  register_kernel(DeviceType::CPU, "astype", astype_kernel);
  register_kernel(DeviceType::CPU, "as_strided", as_strided_kernel);
  register_kernel(DeviceType::CPU, "set_view", set_view_kernel);
  register_kernel(DeviceType::CPU, "where", where_kernel);
}

}  // namespace ember::cpu
