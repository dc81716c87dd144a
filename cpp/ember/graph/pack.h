// A strided window of host memory copied out row-major: what a device's bulk transfer sends.
#pragma once
#include <cstddef>
#include <vector>

#include "ember/graph/node.h"

namespace ember {

// The `shape` elements of `d` (items of `item` bytes, any strides), packed row-major in one pass.
std::vector<std::byte> pack_window(const Data& d, const Shape& shape, int item);

}  // namespace ember
