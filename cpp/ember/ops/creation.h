// Creating arrays: from memory, constants, ranges; and casting.
#pragma once
#include <optional>

#include "ember/array.h"

namespace ember {

// An array over existing memory (zero-copy); `data` must be row-major contiguous for `shape`.
Array from_buffer(std::shared_ptr<Buffer> buffer, DType dtype, Shape shape);
Array full(const Shape& shape, const Scalar& value, DType dtype);
Array zeros(const Shape& shape, DType dtype);
Array ones(const Shape& shape, DType dtype);
Array empty(const Shape& shape, DType dtype);
// arange with NumPy's length rule ceil((stop - start) / step); the values are start + i * step.
Array arange(const Scalar& start, const Scalar& stop, const Scalar& step, DType dtype);
Array linspace(double start, double stop, int64_t num, bool endpoint, DType dtype);
Array eye(int64_t n, int64_t m, int64_t k, DType dtype);

// A copy cast to `dtype` (NumPy "unsafe" casting, as ndarray.astype). Returns `a` itself when
// no cast is needed and copy is false.
Array astype(const Array& a, DType dtype, bool copy = true);
// `a` on `device` (itself when it is there already): an explicit, bulk transfer node.
Array to_device(const Array& a, DeviceType device);
// Host data used to index or fill a device array (a NumPy index, a list, a Python scalar) moves to
// that array's device, as CuPy and PyTorch accept; arrays already on a device stay (mixing devices
// is the user's error, raised where the op is made).
Array follow_device(const Array& host, const Array& target);
// A fresh contiguous copy.
Array copy(const Array& a);

}  // namespace ember
