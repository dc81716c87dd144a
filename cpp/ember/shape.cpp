#include "ember/shape.h"

#include <algorithm>

#include "ember/errors.h"

namespace ember {

int64_t shape_size(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Strides contiguous_strides(const Shape& s) {
  Strides st(s.size());
  int64_t acc = 1;
  for (size_t i = s.size(); i-- > 0;) {
    st[i] = acc;
    acc *= std::max<int64_t>(s[i], 1);
  }
  return st;
}

bool is_contiguous(const Shape& shape, const Strides& strides) {
  if (shape_size(shape) == 0) return true;
  int64_t acc = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && strides[i] != acc) return false;
    acc *= shape[i];
  }
  return true;
}

std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(s[i]);
  }
  if (s.size() == 1) out += ",";
  return out + ")";
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      throw ValueError("operands could not be broadcast together with shapes " + shape_str(a) + " " +
                       shape_str(b));
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Strides broadcast_strides(const Shape& from, const Strides& strides, const Shape& to) {
  Strides out(to.size(), 0);
  size_t off = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) out[off + i] = from[i] == 1 ? 0 : strides[i];
  return out;
}

int normalize_axis(int64_t axis, int ndim) {
  if (axis < -ndim || axis >= ndim)
    throw AxisError("axis " + std::to_string(axis) + " is out of bounds for array of dimension " +
                    std::to_string(ndim));
  return static_cast<int>(axis < 0 ? axis + ndim : axis);
}

std::vector<int> normalize_axes(const std::vector<int64_t>& axes, int ndim) {
  std::vector<int> out;
  for (int64_t a : axes) {
    int ax = normalize_axis(a, ndim);
    if (std::find(out.begin(), out.end(), ax) != out.end()) throw ValueError("repeated axis in the axes argument");
    out.push_back(ax);
  }
  return out;
}

int MergedSpace::kept() const { return static_cast<int>(std::count(reduced.begin(), reduced.end(), false)); }

MergedSpace merge_dims(const Shape& shape, const std::vector<bool>& reduced, const std::vector<Strides>& strides) {
  MergedSpace m;
  m.strides.resize(strides.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool merge = !m.dims.empty() && m.reduced.back() == reduced[d];
    for (size_t i = 0; i < strides.size() && merge; ++i) merge = m.strides[i].back() == strides[i][d] * shape[d];
    if (merge) {
      m.dims.back() *= shape[d];
      for (size_t i = 0; i < strides.size(); ++i) m.strides[i].back() = strides[i][d];
    } else {
      m.dims.push_back(shape[d]);
      m.reduced.push_back(reduced[d]);
      for (size_t i = 0; i < strides.size(); ++i) m.strides[i].push_back(strides[i][d]);
    }
  }
  return m;
}

}  // namespace ember
