#include "ember/graph/pack.h"

#include <cstring>

namespace ember {

std::vector<std::byte> pack_window(const Data& d, const Shape& shape, int item) {
  const int64_t n = shape_size(shape);
  std::vector<std::byte> out(static_cast<size_t>(n) * item);
  if (n == 0) return out;
  const int nd = static_cast<int>(shape.size());
  std::vector<int64_t> ix(nd, 0);
  int64_t off = d.offset;
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(out.data() + i * item, d.buffer->data() + off * item, item);
    for (int k = nd - 1; k >= 0; --k) {  // the next index, odometer style
      if (++ix[k] < shape[k]) {
        off += d.strides[k];
        break;
      }
      off -= d.strides[k] * (shape[k] - 1);
      ix[k] = 0;
    }
  }
  return out;
}

}  // namespace ember
