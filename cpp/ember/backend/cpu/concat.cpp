// concat: copies each input into its slab of the output, one node for N inputs (linear in the
// total size). Moves whole elements, so it dispatches on the element size only.
#include <cstring>

#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/cpu/strided_loop.h"
#include "ember/backend/device.h"

namespace ember::cpu {
namespace {

struct Bytes16 {
  uint64_t lo, hi;
};

template <class E>
void copy_into(const Node& in, E* dst, const Strides& dst_strides) {
  const E* src = reinterpret_cast<const E*>(in.data.byte_ptr(sizeof(E)));
  for_each_row(in.shape, 2, {&dst_strides, &in.data.strides}, [&](auto off, auto inner, int64_t len) {
    if (inner[0] == 1 && inner[1] == 1) {
      std::memcpy(dst + off[0], src + off[1], static_cast<size_t>(len) * sizeof(E));
      return;
    }
    for (int64_t i = 0; i < len; ++i) dst[off[0] + i * inner[0]] = src[off[1] + i * inner[1]];
  });
}

template <class E>
void concat_typed(Node& n) {
  int ax = static_cast<int>(n.params.axes.at(0));
  E* out = n.data.ptr<E>();
  int64_t at = 0;
  for (const NodePtr& in : n.inputs) {
    copy_into<E>(*in, out + at * n.data.strides[ax], n.data.strides);
    at += in->shape[ax];
  }
}

void concat_kernel(Node& n) {
  alloc_output(n);
  switch (itemsize(n.dtype)) {
    case 1: return concat_typed<uint8_t>(n);
    case 2: return concat_typed<uint16_t>(n);
    case 4: return concat_typed<uint32_t>(n);
    case 8: return concat_typed<uint64_t>(n);
    default: return concat_typed<Bytes16>(n);
  }
}

}  // namespace

void register_concat() { register_kernel(DeviceType::CPU, "concat", concat_kernel); }

}  // namespace ember::cpu
