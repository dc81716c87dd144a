// Array: the user's handle. It is a view (offset, shape, strides) into a Storage, whose current
// version is a graph node. Reads build nodes over the current version; writes replace the version
// with a new node, so lazy readers of the old version keep seeing the old values (DESIGN.md §4).
#pragma once
#include <memory>

#include "ember/graph/node.h"

namespace ember {

// The versioned memory behind a base array and all its views. The version node always evaluates to
// a row-major contiguous buffer of shape `shape`.
struct Storage {
  NodePtr version;
  Shape shape;
  DType dtype;
};

class Array {
 public:
  Array() = default;
  // A new array owning a fresh storage whose first version is `node` (made contiguous if needed).
  explicit Array(NodePtr node);
  // A view into `storage`.
  Array(std::shared_ptr<Storage> storage, int64_t offset, Shape shape, Strides strides);

  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  int64_t offset() const { return offset_; }
  DType dtype() const { return storage_->dtype; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  int64_t size() const { return shape_size(shape_); }
  const std::shared_ptr<Storage>& storage() const { return storage_; }

  // A Python scalar operand: its dtype yields to the other operand's (NEP 50 weak typing).
  // weak_scalar() holds the exact Python value (a Python int may not fit the default int64).
  bool weak() const { return weak_scalar_ != nullptr; }
  const Scalar* weak_scalar() const { return weak_scalar_.get(); }
  static Array from_python_scalar(const Scalar& s);
  // Broadcast views may not be written (as NumPy's read-only broadcast results).
  bool writeable() const { return writeable_; }
  Array& set_writeable(bool w) { writeable_ = w; return *this; }

  // Whether this array covers its whole storage in row-major order.
  bool is_whole() const;
  // The graph node holding this array's current value.
  NodePtr node() const;
  // Evaluates the current value and returns it (a strided window into a buffer).
  Data data() const;
  bool is_evaluated() const;

  // Replaces this array's elements with `value` (already broadcast to shape() and cast to dtype()).
  void write(const NodePtr& value);

 private:
  std::shared_ptr<Storage> storage_;
  int64_t offset_ = 0;
  Shape shape_;
  Strides strides_;
  std::shared_ptr<const Scalar> weak_scalar_;
  bool writeable_ = true;
};

}  // namespace ember
