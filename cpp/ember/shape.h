// Shapes, element strides and the broadcasting rules.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace ember {

using Shape = std::vector<int64_t>;
using Strides = std::vector<int64_t>;  // in elements, may be negative or zero

int64_t shape_size(const Shape& s);
Strides contiguous_strides(const Shape& s);
bool is_contiguous(const Shape& shape, const Strides& strides);
std::string shape_str(const Shape& s);  // "(3, 4)" as NumPy prints it

// NumPy broadcasting; throws ValueError naming both shapes when they do not broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// Strides that read an array of shape `from` (with `strides`) as the broadcast shape `to`.
Strides broadcast_strides(const Shape& from, const Strides& strides, const Shape& to);
// Normalises a possibly negative axis; throws AxisError naming the axis and ndim.
int normalize_axis(int64_t axis, int ndim);
// Normalises a list of axes (empty optional = all axes), rejecting repeats.
std::vector<int> normalize_axes(const std::vector<int64_t>& axes, int ndim);

}  // namespace ember
