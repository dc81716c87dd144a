#include "ember/ops/linalg.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ember/errors.h"
#include "ember/ops/creation.h"
#include "ember/ops/elementwise.h"
#include "ember/ops/manipulation.h"

namespace ember {
namespace {

Shape leading(const Shape& s, int drop) { return Shape(s.begin(), s.end() - drop); }

Shape concat(Shape a, const Shape& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The dtype numpy.linalg computes in: ints and bools in float64, half floats refused.
DType linalg_dtype(DType t) {
  if (t == DType::Float16 || t == DType::BFloat16)
    throw TypeError("array type " + std::string(dtype_name(t)) + " is unsupported in linalg");
  return is_inexact(t) ? t : DType::Float64;
}

Array linalg_input(const Array& a, bool square) {
  if (a.ndim() < 2)
    throw LinAlgError(std::to_string(a.ndim()) + "-dimensional array given. Array must be at least two-dimensional");
  if (square && a.shape()[a.ndim() - 1] != a.shape()[a.ndim() - 2])
    throw LinAlgError("Last 2 dimensions of the array must be square (got shape " + shape_str(a.shape()) + ")");
  return cast_operand(a, linalg_dtype(a.dtype()));
}

// One opaque node with outputs[0] as its own value and the others read through "linalg_output".
std::vector<Array> multi_output(std::string_view op, std::vector<NodePtr> inputs,
                                const std::vector<std::pair<DType, Shape>>& outputs, Params p) {
  auto extra = std::make_shared<LinalgOutputs>();
  extra->data.resize(outputs.size() - 1);
  p.blob = extra;
  NodePtr primary = make_node(op, Kind::Opaque, std::move(inputs), outputs[0].first, outputs[0].second, std::move(p));
  std::vector<Array> result{Array(primary)};
  for (size_t i = 1; i < outputs.size(); ++i) {
    Params q;
    q.ints = {static_cast<int64_t>(i - 1)};
    result.emplace_back(make_node("linalg_output", Kind::Opaque, {primary}, outputs[i].first, outputs[i].second, q));
  }
  return result;
}

}  // namespace

Array matmul(const Array& a0, const Array& b0, bool conj_a) {
  for (const Array* x : {&a0, &b0})
    if (x->ndim() == 0)
      throw ValueError("matmul: Input operand " + std::to_string(x == &a0 ? 0 : 1) +
                       " does not have enough dimensions (has 0, gufunc core with signature (n?,k),(k,m?)->(n?,m?) "
                       "requires 1)");
  DType dt = result_type({a0, b0});
  Array a = cast_operand(a0, dt), b = cast_operand(b0, dt);
  bool va = a.ndim() == 1, vb = b.ndim() == 1;
  if (va) a = expand_dims(a, 0);
  if (vb) b = expand_dims(b, -1);
  int64_t m = a.shape()[a.ndim() - 2], k = a.shape()[a.ndim() - 1];
  int64_t kb = b.shape()[b.ndim() - 2], n = b.shape()[b.ndim() - 1];
  if (k != kb)
    throw ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                     "(n?,k),(k,m?)->(n?,m?) (size " + std::to_string(kb) + " is different from " + std::to_string(k) +
                     "; shapes " + shape_str(a0.shape()) + " and " + shape_str(b0.shape()) + ")");
  Shape batch;
  try {
    batch = broadcast_shapes(leading(a.shape(), 2), leading(b.shape(), 2));
  } catch (const ValueError&) {
    throw ValueError("matmul: operands could not be broadcast together: shapes " + shape_str(a0.shape()) + " and " +
                     shape_str(b0.shape()) + " (leading dimensions " + shape_str(leading(a.shape(), 2)) + " and " +
                     shape_str(leading(b.shape(), 2)) + ")");
  }
  Params p;
  p.flag = conj_a && is_complex(dt);
  Array r(make_node("matmul", Kind::Opaque, {a.node(), b.node()}, dt, concat(batch, {m, n}), std::move(p)));
  if (!va && !vb) return r;
  Shape out = batch;
  if (!va) out.push_back(m);
  if (!vb) out.push_back(n);
  return reshape(r, out);
}

Array tensordot(const Array& a0, const Array& b0, const std::vector<int64_t>& axes_a,
                const std::vector<int64_t>& axes_b) {
  if (axes_a.size() != axes_b.size()) throw ValueError("tensordot: shape-mismatch for sum (axes lists differ in length)");
  std::vector<int> ia = normalize_axes(axes_a, a0.ndim()), ib = normalize_axes(axes_b, b0.ndim());
  for (size_t i = 0; i < ia.size(); ++i)
    if (a0.shape()[ia[i]] != b0.shape()[ib[i]])
      throw ValueError("tensordot: shape-mismatch for sum: axis " + std::to_string(ia[i]) + " of " +
                       shape_str(a0.shape()) + " has size " + std::to_string(a0.shape()[ia[i]]) + ", axis " +
                       std::to_string(ib[i]) + " of " + shape_str(b0.shape()) + " has size " +
                       std::to_string(b0.shape()[ib[i]]));
  DType dt = result_type({a0, b0});
  Array a = cast_operand(a0, dt), b = cast_operand(b0, dt);
  std::vector<int64_t> pa, pb;
  Shape free_a, free_b;
  int64_t na = 1, nb = 1, nk = 1;
  for (int i = 0; i < a.ndim(); ++i)
    if (std::find(ia.begin(), ia.end(), i) == ia.end()) pa.push_back(i), free_a.push_back(a.shape()[i]), na *= a.shape()[i];
  for (int i : ia) pa.push_back(i), nk *= a.shape()[i];
  for (int i : ib) pb.push_back(i);
  for (int i = 0; i < b.ndim(); ++i)
    if (std::find(ib.begin(), ib.end(), i) == ib.end()) pb.push_back(i), free_b.push_back(b.shape()[i]), nb *= b.shape()[i];
  Array a2 = reshape(permute_dims(a, pa), {na, nk});
  Array b2 = reshape(permute_dims(b, pb), {nk, nb});
  return reshape(matmul(a2, b2), concat(free_a, free_b));
}

Array vecdot(const Array& a0, const Array& b0, int64_t axis) {
  int nd = std::max(a0.ndim(), b0.ndim());
  if (nd == 0) throw ValueError("vecdot: inputs must have at least one dimension");
  int ax = normalize_axis(axis, nd);
  auto prep = [&](const Array& x) {
    Shape s(nd - x.ndim(), 1);
    s.insert(s.end(), x.shape().begin(), x.shape().end());
    return moveaxis(reshape(x, s), {ax}, {-1});
  };
  Array a = prep(a0), b = prep(b0);
  if (a.shape().back() != b.shape().back())
    throw ValueError("vecdot: the axis " + std::to_string(axis) + " has size " + std::to_string(a.shape().back()) +
                     " in " + shape_str(a0.shape()) + " but " + std::to_string(b.shape().back()) + " in " +
                     shape_str(b0.shape()));
  Array r = matmul(expand_dims(a, -2), expand_dims(b, -1), true);
  return reshape(r, leading(r.shape(), 2));
}

Array conj_values(const Array& a) {
  if (!is_complex(a.dtype())) return a;
  return Array(make_node("linalg_conj", Kind::Opaque, {a.node()}, a.dtype(), a.shape()));
}

Array diagonal(const Array& a, int64_t offset, int64_t axis1, int64_t axis2) {
  if (a.ndim() < 2) throw ValueError("diag requires an array of at least two dimensions, got " + shape_str(a.shape()));
  int x1 = normalize_axis(axis1, a.ndim()), x2 = normalize_axis(axis2, a.ndim());
  if (x1 == x2) throw ValueError("axis1 and axis2 cannot be the same");
  Shape shape;
  Strides st;
  for (int i = 0; i < a.ndim(); ++i)
    if (i != x1 && i != x2) shape.push_back(a.shape()[i]), st.push_back(a.strides()[i]);
  int64_t n1 = a.shape()[x1], n2 = a.shape()[x2];
  int64_t len = offset >= 0 ? std::max<int64_t>(0, std::min(n1, n2 - offset)) : std::max<int64_t>(0, std::min(n1 + offset, n2));
  int64_t start = a.offset();
  if (len > 0) start += offset >= 0 ? offset * a.strides()[x2] : -offset * a.strides()[x1];
  shape.push_back(len);
  st.push_back(a.strides()[x1] + a.strides()[x2]);
  Array v(a.storage(), start, std::move(shape), std::move(st));
  v.set_writeable(false);  // as numpy.diagonal's read-only view
  return v;
}

// ---- factorizations ----

Array cholesky(const Array& a0, bool upper) {
  Array a = linalg_input(a0, true);
  Params p;
  p.flag = upper;
  return Array(make_node("cholesky", Kind::Opaque, {a.node()}, a.dtype(), a.shape(), std::move(p)));
}

Array det(const Array& a0) {
  Array a = linalg_input(a0, true);
  return Array(make_node("det", Kind::Opaque, {a.node()}, a.dtype(), leading(a.shape(), 2)));
}

std::pair<Array, Array> slogdet(const Array& a0) {
  Array a = linalg_input(a0, true);
  Shape b = leading(a.shape(), 2);
  auto r = multi_output("slogdet", {a.node()}, {{a.dtype(), b}, {real_type(a.dtype()), b}}, {});
  return {r[0], r[1]};
}

std::pair<Array, Array> eigh(const Array& a0) {
  Array a = linalg_input(a0, true);
  Shape w = leading(a.shape(), 1);
  Params p;
  p.flag = true;  // vectors wanted
  auto r = multi_output("eigh", {a.node()}, {{real_type(a.dtype()), w}, {a.dtype(), a.shape()}}, std::move(p));
  return {r[0], r[1]};
}

Array eigvalsh(const Array& a0) {
  Array a = linalg_input(a0, true);
  return multi_output("eigh", {a.node()}, {{real_type(a.dtype()), leading(a.shape(), 1)}, {a.dtype(), {0}}}, {})[0];
}

Array inv(const Array& a0) {
  Array a = linalg_input(a0, true);
  return Array(make_node("inv", Kind::Opaque, {a.node()}, a.dtype(), a.shape()));
}

Array solve(const Array& a0, const Array& b0) {
  Array a = linalg_input(a0, true);
  if (b0.ndim() == 0) throw ValueError("solve: b must have at least one dimension");
  DType dt = linalg_dtype(result_type({a0, b0}));
  a = cast_operand(a, dt);
  Array b = cast_operand(b0, dt);
  bool vec = b.ndim() == 1;
  if (vec) b = expand_dims(b, -1);
  int64_t n = a.shape().back();
  if (b.shape()[b.ndim() - 2] != n)
    throw ValueError("solve: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature "
                     "(m,m),(m,n)->(m,n) (size " + std::to_string(b.shape()[b.ndim() - 2]) + " is different from " +
                     std::to_string(n) + "; shapes " + shape_str(a0.shape()) + " and " + shape_str(b0.shape()) + ")");
  Shape batch;
  try {
    batch = broadcast_shapes(leading(a.shape(), 2), leading(b.shape(), 2));
  } catch (const ValueError&) {
    throw ValueError("solve: the stacks of a " + shape_str(a0.shape()) + " and b " + shape_str(b0.shape()) +
                     " do not broadcast");
  }
  Shape out = concat(batch, {n, b.shape().back()});
  Array r(make_node("solve", Kind::Opaque, {a.node(), b.node()}, dt, out));
  return vec ? reshape(r, leading(out, 1)) : r;
}

std::pair<Array, Array> qr(const Array& a0, bool complete) {
  Array a = linalg_input(a0, false);
  int64_t m = a.shape()[a.ndim() - 2], n = a.shape().back(), k = std::min(m, n);
  Shape b = leading(a.shape(), 2);
  Params p;
  p.flag = complete;
  int64_t qc = complete ? m : k, rr = complete ? m : k;
  auto r = multi_output("qr", {a.node()}, {{a.dtype(), concat(b, {m, qc})}, {a.dtype(), concat(b, {rr, n})}}, p);
  return {r[0], r[1]};
}

std::tuple<Array, Array, Array> svd(const Array& a0, bool full_matrices) {
  Array a = linalg_input(a0, false);
  int64_t m = a.shape()[a.ndim() - 2], n = a.shape().back(), k = std::min(m, n);
  Shape b = leading(a.shape(), 2);
  Params p;
  p.ints = {full_matrices ? 2 : 1};  // 0: values only, 1: reduced, 2: full
  auto r = multi_output("svd", {a.node()},
                        {{real_type(a.dtype()), concat(b, {k})},
                         {a.dtype(), concat(b, {m, full_matrices ? m : k})},
                         {a.dtype(), concat(b, {full_matrices ? n : k, n})}},
                        p);
  return {r[1], r[0], r[2]};
}

Array svdvals(const Array& a0) {
  Array a = linalg_input(a0, false);
  int64_t m = a.shape()[a.ndim() - 2], n = a.shape().back();
  Params p;
  p.ints = {0};
  return multi_output("svd", {a.node()},
                      {{real_type(a.dtype()), concat(leading(a.shape(), 2), {std::min(m, n)})},
                       {a.dtype(), {0}},
                       {a.dtype(), {0}}},
                      p)[0];
}

Array vector_norm(const Array& x, const std::optional<std::vector<int64_t>>& axes, bool keepdims, double ord) {
  if (x.dtype() == DType::Bool || is_integer(x.dtype())) return vector_norm(astype(x, DType::Float64), axes, keepdims, ord);
  std::vector<int> ax;
  if (axes) {
    ax = normalize_axes(*axes, x.ndim());
  } else {
    ax.resize(x.ndim());
    std::iota(ax.begin(), ax.end(), 0);
  }
  std::vector<int64_t> perm;
  Shape out, kept;
  for (int i = 0; i < x.ndim(); ++i) {
    bool reduced = std::find(ax.begin(), ax.end(), i) != ax.end();
    if (!reduced) perm.push_back(i), out.push_back(x.shape()[i]);
    kept.push_back(reduced ? 1 : x.shape()[i]);
  }
  int64_t count = 1;
  for (int i : ax) perm.push_back(i), count *= x.shape()[i];
  if (count == 0 && std::isinf(ord))
    throw ValueError("zero-size array to reduction operation " + std::string(ord > 0 ? "maximum" : "minimum") +
                     " which has no identity");
  Params p;
  p.ints = {static_cast<int64_t>(ax.size())};
  p.scalars = {Scalar(ord)};
  Array v = permute_dims(x, perm);
  Array r(make_node("vector_norm", Kind::Opaque, {v.node()}, real_type(x.dtype()), out, std::move(p)));
  return keepdims ? reshape(r, kept) : r;
}

}  // namespace ember
