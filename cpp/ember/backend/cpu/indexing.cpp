// Indexing kernels for the cpu device: gather (advanced-index reads), scatter (advanced-index
// writes into a new storage version), nonzero_count / nonzero, repeat_indices.
// gather and scatter move whole elements, so they dispatch on the element size, not the dtype.
#include <algorithm>
#include <cstring>

#include "ember/backend/cpu/convert.h"
#include "ember/backend/cpu/kernel_util.h"
#include "ember/backend/cpu/register.h"
#include "ember/backend/cpu/strided_loop.h"
#include "ember/backend/device.h"
#include "ember/errors.h"

namespace ember::cpu {
namespace {

// The element offsets of every position of (shape, strides), in row-major order.
std::vector<int64_t> offsets(const Shape& shape, const Strides& strides) {
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(shape_size(shape)));
  for_each_row(shape, 1, {&strides}, [&](auto off, auto inner, int64_t len) {
    for (int64_t i = 0; i < len; ++i) out.push_back(off[0] + i * inner[0]);
  });
  return out;
}

// How a gather/scatter walks its view: the plain axes in front (pre), the offsets selected by the
// index arrays (adv, one per broadcast index position), and the plain axes behind (post).
struct IndexPlan {
  Shape pre_shape, post_shape, b_shape;
  Strides pre_strides, post_strides;
  std::vector<int64_t> adv;
};

IndexPlan make_plan(const Node& n, const Shape& view_shape, const Strides& view_strides, size_t first_index) {
  const Params& p = n.params;
  IndexPlan plan;
  int first = -1;
  if (!p.flag) {
    first = static_cast<int>(view_shape.size());
    for (int64_t a : p.axes) first = std::min(first, static_cast<int>(a));
  }
  for (int ax = 0; ax < static_cast<int>(view_shape.size()); ++ax) {
    if (std::find(p.axes.begin(), p.axes.end(), ax) != p.axes.end()) continue;
    bool front = ax < first;
    (front ? plan.pre_shape : plan.post_shape).push_back(view_shape[ax]);
    (front ? plan.pre_strides : plan.post_strides).push_back(view_strides[ax]);
  }
  plan.b_shape = n.inputs[first_index]->shape;
  plan.adv.assign(static_cast<size_t>(shape_size(plan.b_shape)), 0);
  Strides pos = contiguous_strides(plan.b_shape);
  for (size_t j = 0; j < p.axes.size(); ++j) {
    const Node& idx = *n.inputs[first_index + j];
    int axis = static_cast<int>(p.axes[j]);
    int64_t size = view_shape[axis], stride = view_strides[axis];
    const int64_t* pi = idx.data.ptr<int64_t>();
    int64_t* adv = plan.adv.data();
    for_each_row(plan.b_shape, 2, {&pos, &idx.data.strides}, [&](auto off, auto inner, int64_t len) {
      for (int64_t i = 0; i < len; ++i) {
        int64_t v = pi[off[1] + i * inner[1]];
        if (v < -size || v >= size)
          throw IndexError("index " + std::to_string(v) + " is out of bounds for axis " + std::to_string(p.ints[j]) +
                           " with size " + std::to_string(size));
        adv[off[0] + i * inner[0]] += (v < 0 ? v + size : v) * stride;
      }
    });
  }
  return plan;
}

struct Bytes16 {
  uint64_t lo, hi;
};

template <class F>
void dispatch_size(int item, F&& f) {
  switch (item) {
    case 1: return f(uint8_t{});
    case 2: return f(uint16_t{});
    case 4: return f(uint32_t{});
    case 8: return f(uint64_t{});
    default: return f(Bytes16{});
  }
}

void gather_kernel(Node& n) {
  const Node& src = *n.inputs[0];
  IndexPlan plan = make_plan(n, src.shape, src.data.strides, 1);
  alloc_output(n);
  int item = itemsize(n.dtype);
  std::vector<int64_t> pre = offsets(plan.pre_shape, plan.pre_strides);
  std::vector<int64_t> post = offsets(plan.post_shape, plan.post_strides);
  bool post_contiguous = is_contiguous(plan.post_shape, plan.post_strides);
  dispatch_size(item, [&](auto tag) {
    using E = decltype(tag);
    const E* in = reinterpret_cast<const E*>(src.data.byte_ptr(item));
    E* out = n.data.ptr<E>();
    for (int64_t p : pre)
      for (int64_t b : plan.adv) {
        if (post_contiguous) {
          std::memcpy(out, in + p + b, post.size() * sizeof(E));
          out += post.size();
        } else {
          for (int64_t q : post) *out++ = in[p + b + q];
        }
      }
  });
}

// inputs: old storage version, value (of the gather's result shape), index arrays. params.ints holds
// the source axes, then the view's shape; offset/strides place the view in the storage.
void scatter_kernel(Node& n) {
  NodePtr& old = n.inputs[0];
  const Node& value = *n.inputs[1];
  const Params& p = n.params;
  int item = itemsize(n.dtype);
  Shape view_shape(p.ints.begin() + static_cast<std::ptrdiff_t>(p.axes.size()), p.ints.end());
  IndexPlan plan = make_plan(n, view_shape, p.strides, 2);  // checks every index before writing
  bool exclusive = old.use_count() == 1 && old->data.buffer.use_count() == 1 && !old->data.buffer->readonly &&
                   old->data.offset == 0;
  if (exclusive) {
    n.data = old->data;  // nobody else sees the old version: write in place
  } else {
    alloc_output(n);
    std::memcpy(n.data.buffer->data(), old->data.byte_ptr(item), static_cast<size_t>(n.size()) * item);
  }
  // The value's strides split like its shape: pre axes, broadcast index axes, post axes.
  const Strides& vs = value.data.strides;
  size_t np_ = plan.pre_shape.size(), nb = plan.b_shape.size();
  Strides vpre(vs.begin(), vs.begin() + np_), vb(vs.begin() + np_, vs.begin() + np_ + nb), vpost(vs.begin() + np_ + nb, vs.end());
  std::vector<int64_t> pre = offsets(plan.pre_shape, plan.pre_strides), post = offsets(plan.post_shape, plan.post_strides);
  std::vector<int64_t> val_pre = offsets(plan.pre_shape, vpre), val_b = offsets(plan.b_shape, vb),
                       val_post = offsets(plan.post_shape, vpost);
  dispatch_size(item, [&](auto tag) {
    using E = decltype(tag);
    E* dst = reinterpret_cast<E*>(n.data.byte_ptr(item)) + p.offset;
    const E* val = reinterpret_cast<const E*>(value.data.byte_ptr(item));
    for (size_t i = 0; i < pre.size(); ++i)
      for (size_t j = 0; j < plan.adv.size(); ++j) {
        int64_t d = pre[i] + plan.adv[j], v = val_pre[i] + val_b[j];
        for (size_t k = 0; k < post.size(); ++k) dst[d + post[k]] = val[v + val_post[k]];
      }
  });
}

void nonzero_count_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  alloc_output(n);
  int64_t count = 0;
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data.ptr<T>();
    for_each_row(a.shape, 1, {&a.data.strides}, [&](auto off, auto inner, int64_t len) {
      for (int64_t i = 0; i < len; ++i) count += convert<bool>(pa[off[0] + i * inner[0]]);
    });
  });
  *n.data.ptr<int64_t>() = count;
}

// Output (ndim, count): row k holds the axis-k coordinates of the nonzero elements, row-major order.
void nonzero_kernel(Node& n) {
  const Node& a = *n.inputs[0];
  alloc_output(n);
  int nd = a.ndim();
  int64_t count = n.shape[1];
  int64_t* out = n.data.ptr<int64_t>();
  dispatch_dtype(a.dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data.ptr<T>();
    Shape pos(nd, 0);
    int64_t off = 0, j = 0;
    for (int64_t i = 0, e = a.size(); i < e && j < count; ++i) {
      if (convert<bool>(pa[off])) {
        for (int k = 0; k < nd; ++k) out[k * count + j] = pos[k];
        ++j;
      }
      for (int k = nd - 1; k >= 0; --k) {
        off += a.data.strides[k];
        if (++pos[k] < a.shape[k]) break;
        off -= a.data.strides[k] * a.shape[k];
        pos[k] = 0;
      }
    }
  });
}

void repeat_indices_kernel(Node& n) {
  const Node& reps = *n.inputs[0];
  alloc_output(n);
  const int64_t* r = reps.data.ptr<int64_t>();
  int64_t* out = n.data.ptr<int64_t>();
  int64_t st = reps.data.strides[0], j = 0, total = n.size();
  for (int64_t i = 0; i < reps.shape[0]; ++i)
    for (int64_t k = 0; k < r[i * st] && j < total; ++k) out[j++] = i;
}

}  // namespace

void register_concat();  // concat.cpp (installed with the indexing group, keeping register.h unchanged)

void register_indexing() {
  register_concat();
  register_kernel(DeviceType::CPU, "gather", gather_kernel);
  register_kernel(DeviceType::CPU, "scatter", scatter_kernel);
  register_kernel(DeviceType::CPU, "nonzero_count", nonzero_count_kernel);
  register_kernel(DeviceType::CPU, "nonzero", nonzero_kernel);
  register_kernel(DeviceType::CPU, "repeat_indices", repeat_indices_kernel);
}

}  // namespace ember::cpu
