#include "ember/ops/creation.h"

#include <cmath>

#include "ember/errors.h"
#include "ember/ops/elementwise.h"

namespace ember {

Array from_buffer(std::shared_ptr<Buffer> buffer, DType dtype, Shape shape) {
  Data d;
  d.buffer = std::move(buffer);
  d.strides = contiguous_strides(shape);
  return Array(make_leaf(dtype, std::move(shape), std::move(d)));
}

static void check_shape(const Shape& shape) {
  for (int64_t d : shape)
    if (d < 0) throw ValueError("negative dimensions are not allowed: " + shape_str(shape));
}

Array full(const Shape& shape, const Scalar& value, DType dtype) {
  check_shape(shape);
  Params p;
  p.scalars = {value};
  return Array(make_node("full", Kind::Elementwise, {}, dtype, shape, std::move(p)));
}

Array zeros(const Shape& shape, DType dtype) { return full(shape, Scalar(int64_t{0}), dtype); }
Array ones(const Shape& shape, DType dtype) { return full(shape, Scalar(int64_t{1}), dtype); }
Array empty(const Shape& shape, DType dtype) { return zeros(shape, dtype); }

Array arange(const Scalar& start, const Scalar& stop, const Scalar& step, DType dtype) {
  double s0 = start.as<double>(), s1 = stop.as<double>(), st = step.as<double>();
  if (st == 0) throw ValueError("arange: step must not be zero");
  if (!std::isfinite(s0) || !std::isfinite(s1) || !std::isfinite(st))
    throw ValueError("arange: start, stop and step must be finite");
  int64_t n = 0;
  if (is_integer(dtype) && std::holds_alternative<int64_t>(start.value) &&
      std::holds_alternative<int64_t>(stop.value) && std::holds_alternative<int64_t>(step.value)) {
    int64_t a = start.as<int64_t>(), b = stop.as<int64_t>(), s = step.as<int64_t>();
    n = s > 0 ? (b > a ? (b - a + s - 1) / s : 0) : (a > b ? (a - b - s - 1) / (-s) : 0);
  } else {
    n = std::max<int64_t>(0, static_cast<int64_t>(std::ceil((s1 - s0) / st)));
  }
  Params p;
  p.scalars = {start, step};
  return Array(make_node("arange", Kind::Elementwise, {}, dtype, {n}, std::move(p)));
}

Array linspace(double start, double stop, int64_t num, bool endpoint, DType dtype) {
  if (num < 0) throw ValueError("linspace: number of samples, " + std::to_string(num) + ", must be non-negative");
  Params p;
  p.scalars = {Scalar(start), Scalar(stop)};
  p.flag = endpoint;
  DType compute = is_inexact(dtype) ? dtype : DType::Float64;
  Array r(make_node("linspace", Kind::Elementwise, {}, compute, {num}, std::move(p)));
  return compute == dtype ? r : astype(r, dtype);
}

Array eye(int64_t n, int64_t m, int64_t k, DType dtype) {
  check_shape({n, m});
  Params p;
  p.ints = {k};
  return Array(make_node("eye", Kind::Elementwise, {}, dtype, {n, m}, std::move(p)));
}

Array astype(const Array& a, DType dtype, bool copy_flag) {
  if (a.dtype() == dtype) return copy_flag ? copy(a) : a;
  Params p;
  p.dtype = dtype;
  return Array(make_node("astype", Kind::Elementwise, {a.node()}, dtype, a.shape(), std::move(p)));
}

Array to_device(const Array& a, DeviceType device) {
  NodePtr in = a.node();
  if (in->device == device) return a;
  Params p;
  p.ints = {static_cast<int64_t>(device)};
  NodePtr n = make_node("to_device", Kind::Opaque, {in}, a.dtype(), a.shape(), std::move(p));
  n->device = device;
  return Array(n);
}

Array follow_device(const Array& host, const Array& target) {
  DeviceType d = target.node()->device;
  return host.node()->device == DeviceType::CPU && d != DeviceType::CPU ? to_device(host, d) : host;
}

Array copy(const Array& a) { return Array(make_node("copy", Kind::Elementwise, {a.node()}, a.dtype(), a.shape())); }

}  // namespace ember
