#include "ember/graph/passes/simplify.h"

#include <atomic>
#include <cmath>
#include <complex>
#include <cstring>

#include "ember/backend/device.h"

namespace ember {
namespace {

// Folded at build time: scalars (Python numbers, their casts, arithmetic on them). Larger values
// are left to their kernels, so that a plan still shows (and the profile still times) the work.
constexpr int64_t kFoldMaxElements = 1;

// A constant's value, widened for comparison (ints and bools exactly where it matters: a value
// compares equal to 0, 1, 2 or 0.5 only if it is that value).
struct Value {
  double re = 0, im = 0;
};

Value read_value(const std::byte* p, DType dt) {
  Value v;
  dispatch_dtype(dt, [&](auto tag) {
    using T = decltype(tag);
    T x;
    std::memcpy(&x, p, sizeof(T));
    if constexpr (is_complex_v<T>) {
      v.re = static_cast<double>(x.real());
      v.im = static_cast<double>(x.imag());
    } else if constexpr (std::is_same_v<T, bool>) {
      v.re = x ? 1.0 : 0.0;
    } else {
      v.re = static_cast<double>(static_cast<compute_t<T>>(x));
    }
  });
  return v;
}

bool is_value(const Value& v, double re) { return v.re == re && v.im == 0; }

// x + c == x for every x (including -0.0): 0 for integers and bools, -0.0 for floats (x + +0.0
// turns -0.0 into +0.0), -0.0 - 0.0j for complex (each component adds on its own).
bool additive_identity(const Value& v, DType dt) {
  if (!is_inexact(dt)) return v.re == 0;
  bool neg_re = v.re == 0 && std::signbit(v.re);
  return is_complex(dt) ? neg_re && v.im == 0 && std::signbit(v.im) : neg_re;
}

// x - c == x for every x: 0, +0.0, +0.0 + 0.0j (x - +0.0 is x + -0.0).
bool subtractive_identity(const Value& v, DType dt) {
  if (!is_inexact(dt)) return v.re == 0;
  bool pos_re = v.re == 0 && !std::signbit(v.re);
  return is_complex(dt) ? pos_re && v.im == 0 && !std::signbit(v.im) : pos_re;
}

// Significant bits a dtype holds exactly (integers: magnitude bits; floats: significand digits).
int exact_bits(DType t) {
  switch (t) {
    case DType::Bool: return 1;
    case DType::Int8: return 7;
    case DType::UInt8: return 8;
    case DType::Int16: return 15;
    case DType::UInt16: return 16;
    case DType::Int32: return 31;
    case DType::UInt32: return 32;
    case DType::Int64: return 63;
    case DType::UInt64: return 64;
    case DType::Float16: return 11;
    case DType::BFloat16: return 8;
    case DType::Float32: case DType::Complex64: return 24;
    case DType::Float64: case DType::Complex128: return 53;
  }
  return 0;
}

// Whether casting `from` to `to` and back gives every value back bit for bit.
bool round_trips(DType from, DType to) {
  if (from == to || from == DType::Bool) return true;
  const DKind fk = kind_of(from), tk = kind_of(to);
  if (is_integer(from)) {
    if (is_integer(to)) return (fk == tk || tk == DKind::SignedInt) && exact_bits(to) >= exact_bits(from);
    return exact_bits(to) >= exact_bits(from);  // integers are exact in a float of enough digits
  }
  if (fk == DKind::Float) {
    if (tk != DKind::Float && tk != DKind::Complex) return false;
    // A wider float has at least the range too, except float16 <-> bfloat16 (neither contains the other).
    DType tr = real_type(to);
    if (from == DType::Float16 && tr == DType::BFloat16) return false;
    if (from == DType::BFloat16 && tr == DType::Float16) return false;
    return exact_bits(tr) >= exact_bits(from) && itemsize(tr) >= itemsize(from);
  }
  return fk == DKind::Complex && tk == DKind::Complex && itemsize(to) >= itemsize(from);
}

// The input of `n`'s only input when that input is a scheduled `op` node (-(-x) -> x).
const NodePtr* inner_of(const Node& n, std::string_view op, const PassScope& scope) {
  const Node& in = *n.inputs[0];
  if (in.op != op || in.kind != Kind::Elementwise || !scope.scheduled(&in) || in.inputs.size() != 1) return nullptr;
  return &in.inputs[0];
}

// Turns `n` into `op` over `inputs` (same value, dtype and shape): a cheaper way to compute it.
void rewrite_as(Node& n, std::string_view op, std::vector<NodePtr> inputs) {
  n.op = op;
  n.params = {};
  n.inputs = std::move(inputs);
}

}  // namespace

bool PassScope::readable(const Node& n) const {
  if (scheduled(&n) || !n.evaluated) return false;
  std::atomic_thread_fence(std::memory_order_acquire);  // pairs with the release in eval's run()
  return true;
}

const std::byte* PassScope::constant_element(const Node& n) const {
  if (n.size() != 1 || !readable(n) || !n.data.buffer || n.data.buffer->data() == nullptr) return nullptr;
  return n.data.byte_ptr(itemsize(n.dtype));
}

NodePtr simplify(Node& n, const PassScope& scope) {
  if (n.kind != Kind::Elementwise || n.params.blob) return nullptr;
  const DType dt = n.dtype;
  const std::string_view op = n.op;
  if (n.inputs.size() == 1) {
    if (op == "positive" || op == "copy") return n.inputs[0];
    if (op == "conj") {
      if (!is_complex(dt)) return n.inputs[0];
      if (auto x = inner_of(n, "conj", scope)) return *x;
    }
    if (op == "negative" || op == "bitwise_invert") {
      if (auto x = inner_of(n, op, scope)) return *x;
    }
    if (op == "logical_not") {
      if (auto x = inner_of(n, op, scope); x && (*x)->dtype == DType::Bool) return *x;
    }
    if (op == "astype") {
      if (n.inputs[0]->dtype == dt) return n.inputs[0];
      // astype(astype(x, W), x.dtype) -> x when every value of x survives the trip through W.
      if (auto x = inner_of(n, "astype", scope); x && (*x)->dtype == dt && round_trips(dt, n.inputs[0]->dtype))
        return *x;
    }
    return nullptr;
  }
  if (n.inputs.size() != 2) return nullptr;
  const NodePtr& a = n.inputs[0];
  const NodePtr& b = n.inputs[1];
  const std::byte* ca = scope.constant_element(*a);
  const std::byte* cb = scope.constant_element(*b);
  if (!ca && !cb) return nullptr;
  auto value = [&](const NodePtr& x, const std::byte* c) { return read_value(c, x->dtype); };
  if (op == "multiply" && !is_complex(dt)) {  // complex x*(1+0j) is not x: inf*0 and -0 in the cross terms
    if (cb && is_value(value(b, cb), 1)) return a;
    if (ca && is_value(value(a, ca), 1)) return b;
  } else if (op == "add") {
    if (cb && b->dtype == dt && additive_identity(value(b, cb), dt)) return a;
    if (ca && a->dtype == dt && additive_identity(value(a, ca), dt)) return b;
  } else if (op == "subtract") {
    if (cb && b->dtype == dt && subtractive_identity(value(b, cb), dt)) return a;
  } else if (op == "divide") {
    if (cb && is_floating(dt) && is_value(value(b, cb), 1)) return a;
  } else if (op == "floor_divide") {
    if (cb && is_integer(dt) && is_value(value(b, cb), 1)) return a;
  } else if (op == "pow" && cb) {
    const Value e = value(b, cb);
    if (is_value(e, 1)) return a;  // exact for every dtype (NumPy returns complex x**1 unchanged too)
    // NumPy computes x**2 as x*x and x**0.5 as sqrt(x) (also in np.power): the same values here.
    const bool own = a->dtype == dt && a->shape == n.shape && n.device == DeviceType::CPU;
    if (own && is_value(e, 2) && !is_complex(dt) && !is_bool(dt)) rewrite_as(n, "multiply", {a, a});
    else if (own && is_value(e, 0.5) && is_floating(dt)) rewrite_as(n, "sqrt", {a});
  }
  return nullptr;
}

bool foldable(const Node& n, const PassScope& scope) {
  if (n.kind != Kind::Elementwise || n.device != DeviceType::CPU || n.params.blob || n.size() > kFoldMaxElements)
    return false;
  for (auto& in : n.inputs)
    if (in->device != DeviceType::CPU || !scope.readable(*in) || !in->data.buffer || in->data.buffer->data() == nullptr)
      return false;
  return true;
}

NodePtr fold_constant(const Node& n) {
  // Computed on a copy: the node itself stays as it was (a user may hold it; a compiled program
  // resets and reruns its nodes).
  NodePtr c = copy_header(n);
  c->inputs = n.inputs;
  try {
    run_node(*c);
  } catch (...) {
    return nullptr;
  }
  NodePtr leaf = make_leaf(n.dtype, n.shape, std::move(c->data));
  leaf->device = n.device;
  return leaf;
}

}  // namespace ember
