#include "ember/array.h"

#include "ember/errors.h"
#include "ember/graph/eval.h"

namespace ember {
namespace {

// Whether evaluating `n` is guaranteed to give a row-major contiguous buffer.
bool produces_contiguous(const Node& n) {
  if (n.evaluated) return n.data.offset == 0 && is_contiguous(n.shape, n.data.strides);
  return n.kind != Kind::View;
}

NodePtr contiguous(NodePtr n) {
  if (produces_contiguous(*n)) return n;
  return make_node("copy", Kind::Elementwise, {n}, n->dtype, n->shape);
}

}  // namespace

Array::Array(NodePtr node) {
  node = contiguous(std::move(node));
  shape_ = node->shape;
  strides_ = contiguous_strides(shape_);
  storage_ = std::make_shared<Storage>(Storage{node, node->shape, node->dtype});
}

Array::Array(std::shared_ptr<Storage> storage, int64_t offset, Shape shape, Strides strides)
    : storage_(std::move(storage)), offset_(offset), shape_(std::move(shape)), strides_(std::move(strides)) {}

bool Array::is_whole() const {
  return offset_ == 0 && shape_ == storage_->shape && is_contiguous(shape_, strides_);
}

NodePtr Array::node() const {
  const NodePtr& version = storage_->version;
  if (is_whole()) return version;
  Params p;
  p.offset = offset_;
  p.strides = strides_;
  return make_node("as_strided", Kind::View, {version}, dtype(), shape_, std::move(p));
}

Data Array::data() const {
  NodePtr n = node();
  if (n->device != DeviceType::CPU) {  // host reads of device arrays: one bulk transfer
    Params p;
    p.ints = {static_cast<int64_t>(DeviceType::CPU)};
    n = make_node("to_device", Kind::Opaque, {n}, dtype(), shape_, std::move(p));
    n->device = DeviceType::CPU;
  }
  eval({n});
  return n->data;
}

bool Array::is_evaluated() const { return storage_->version->evaluated; }

void Array::write(const NodePtr& value) {
  if (!writeable_) throw ValueError("assignment destination is read-only");
  if (value->shape != shape_ || value->dtype != dtype())
    throw std::logic_error("Array::write expects a value of the destination's shape and dtype");
  if (is_whole()) {
    storage_->version = contiguous(value);
  } else {
    Params p;
    p.offset = offset_;
    p.strides = strides_;
    storage_->version =
        make_node("set_view", Kind::Opaque, {storage_->version, value}, dtype(), storage_->shape, std::move(p));
    storage_->version->writes = storage_;
  }
}

}  // namespace ember

namespace ember {

Array Array::from_python_scalar(const Scalar& s) {
  DType dt = s.default_dtype();
  Data d;
  d.buffer = allocate_buffer(static_cast<size_t>(itemsize(dt)));
  dispatch_dtype(dt, [&](auto tag) {
    using T = decltype(tag);
    *reinterpret_cast<T*>(d.buffer->data()) = s.as<T>();
  });
  Array a(make_leaf(dt, {}, std::move(d)));
  a.weak_scalar_ = std::make_shared<const Scalar>(s);
  return a;
}

}  // namespace ember
