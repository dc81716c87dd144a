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

// An iteration space with its operands' strides, simplified for a kernel's loops: size-1 dims
// dropped, and neighbours merged where every operand walks them contiguously, never across the
// boundary between kept and reduced dims (`reduced` has one flag per dim of `shape`).
struct MergedSpace {
  Shape dims;
  std::vector<bool> reduced;     // per merged dim
  std::vector<Strides> strides;  // per operand, per merged dim
  int kept() const;              // how many merged dims are not reduced
};
MergedSpace merge_dims(const Shape& shape, const std::vector<bool>& reduced, const std::vector<Strides>& strides);

}  // namespace ember
