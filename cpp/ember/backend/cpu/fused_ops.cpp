// Builds the fused instruction table from the functors. Only a few dtypes are instantiated (the
// ones numerical code spends its time in) to keep compile time modest; others run unfused.
#include "ember/backend/cpu/fused_ops.h"

#include <array>
#include <string_view>
#include <unordered_map>

#include "ember/backend/cpu/convert.h"
#include "ember/backend/cpu/functors.h"
#include "ember/backend/cpu/simd_math.h"

namespace ember::cpu {
namespace {

template <class T> constexpr DType dt() {
  if constexpr (std::is_same_v<T, bool>) return DType::Bool;
  else if constexpr (std::is_same_v<T, int32_t>) return DType::Int32;
  else if constexpr (std::is_same_v<T, int64_t>) return DType::Int64;
  else if constexpr (std::is_same_v<T, float>) return DType::Float32;
  else return DType::Float64;
}

template <class F> void for_each_type(F&& f) {
  f(bool{});
  f(int32_t{});
  f(int64_t{});
  f(float{});
  f(double{});
}

struct Entry {
  InstrFn fn = nullptr;
  DType out = DType::Float64;
};
using Row = std::array<Entry, kNumDTypes>;  // by the (first value) input's dtype

template <class Op, class T>
void unary_fn(const void* const* a, void* o, int64_t n, const Node&) {
  using Out = typename Op::template out<T>;
  const T* x = static_cast<const T*>(a[0]);
  Out* y = static_cast<Out*>(o);
  Op op{};
  for (int64_t i = 0; i < n; ++i) y[i] = static_cast<Out>(op(x[i]));
}

template <class Op, class T>
void binary_fn(const void* const* a, void* o, int64_t n, const Node&) {
  using Out = typename Op::template out<T>;
  const T* x = static_cast<const T*>(a[0]);
  const T* y = static_cast<const T*>(a[1]);
  Out* z = static_cast<Out*>(o);
  Op op{};
  for (int64_t i = 0; i < n; ++i) z[i] = static_cast<Out>(op(x[i], y[i]));
}

template <class T>
void where_fn(const void* const* a, void* o, int64_t n, const Node&) {
  const bool* c = static_cast<const bool*>(a[0]);
  const T* x = static_cast<const T*>(a[1]);
  const T* y = static_cast<const T*>(a[2]);
  T* z = static_cast<T*>(o);
  for (int64_t i = 0; i < n; ++i) z[i] = c[i] ? x[i] : y[i];
}

template <class T>
void full_fn(const void* const*, void* o, int64_t n, const Node& node) {
  T v = node.params.scalars.at(0).as<T>();
  T* z = static_cast<T*>(o);
  for (int64_t i = 0; i < n; ++i) z[i] = v;
}

template <class From, class To>
void astype_fn(const void* const* a, void* o, int64_t n, const Node&) {
  const From* x = static_cast<const From*>(a[0]);
  To* z = static_cast<To*>(o);
  for (int64_t i = 0; i < n; ++i) z[i] = convert<To>(x[i]);
}

struct Tables {
  std::unordered_map<std::string_view, std::pair<int, Row>> ops;  // name -> (arity, row)
  Row where, full;
  std::array<Row, kNumDTypes> astype;  // [from][to]

  template <class Op> void unary(std::string_view name) {
    ops[name].first = 1;
    Row& r = ops[name].second;
    for_each_type([&](auto tag) {
      using T = decltype(tag);
      if constexpr (Op::template supports<T>)
        r[static_cast<int>(dt<T>())] = {unary_fn<Op, T>, dt<typename Op::template out<T>>()};
    });
  }
  template <class Op> void binary(std::string_view name) {
    ops[name].first = 2;
    Row& r = ops[name].second;
    for_each_type([&](auto tag) {
      using T = decltype(tag);
      if constexpr (Op::template supports<T>)
        r[static_cast<int>(dt<T>())] = {binary_fn<Op, T>, dt<typename Op::template out<T>>()};
    });
  }

  Tables() {
    binary<Add>("add");
    binary<Subtract>("subtract");
    binary<Multiply>("multiply");
    binary<Divide>("divide");
    binary<FloorDivide>("floor_divide");
    binary<Remainder>("remainder");
    binary<Power>("pow");
    binary<Maximum>("maximum");
    binary<Minimum>("minimum");
    binary<Equal>("equal");
    binary<NotEqual>("not_equal");
    binary<Less>("less");
    binary<LessEqual>("less_equal");
    binary<Greater>("greater");
    binary<GreaterEqual>("greater_equal");
    binary<LogicalAnd>("logical_and");
    binary<LogicalOr>("logical_or");
    binary<LogicalXor>("logical_xor");
    binary<BitwiseAnd>("bitwise_and");
    binary<BitwiseOr>("bitwise_or");
    binary<BitwiseXor>("bitwise_xor");
    binary<BitwiseLeftShift>("bitwise_left_shift");
    binary<BitwiseRightShift>("bitwise_right_shift");
    binary<Atan2>("atan2");
    binary<Hypot>("hypot");
    binary<Copysign>("copysign");
    binary<Logaddexp>("logaddexp");
    binary<Logaddexp2>("logaddexp2");
    binary<Nextafter>("nextafter");
    binary<Heaviside>("heaviside");
    binary<Fmod>("fmod");
    binary<Fmax>("fmax");
    binary<Fmin>("fmin");
    binary<Power>("float_power");
    unary<Copy>("copy");
    unary<Negative>("negative");
    unary<Positive>("positive");
    unary<Absolute>("abs");
    unary<Square>("square");
    unary<Sign>("sign");
    unary<Sqrt>("sqrt");
    unary<Exp>("exp");
    unary<Log>("log");
    unary<Log2>("log2");
    unary<Log10>("log10");
    unary<Sin>("sin");
    unary<Cos>("cos");
    unary<Tan>("tan");
    unary<Tanh>("tanh");
    unary<IsNan>("isnan");
    unary<IsInf>("isinf");
    unary<IsFinite>("isfinite");
    unary<LogicalNot>("logical_not");
    unary<BitwiseInvert>("bitwise_invert");
    unary<Floor>("floor");
    unary<Ceil>("ceil");
    unary<Trunc>("trunc");
    unary<Acos>("acos");
    unary<Asin>("asin");
    unary<Atan>("atan");
    unary<Acosh>("acosh");
    unary<Asinh>("asinh");
    unary<Atanh>("atanh");
    unary<Sinh>("sinh");
    unary<Cosh>("cosh");
    unary<Expm1>("expm1");
    unary<Log1p>("log1p");
    unary<Exp2>("exp2");
    unary<Cbrt>("cbrt");
    unary<Deg2rad>("deg2rad");
    unary<Rad2deg>("rad2deg");
    unary<Rint>("rint");
    unary<Rint>("round");
    unary<Signbit>("signbit");
    unary<Reciprocal>("reciprocal");
    unary<Absolute>("fabs");
    for_each_type([&](auto tag) {
      using T = decltype(tag);
      int i = static_cast<int>(dt<T>());
      where[i] = {where_fn<T>, dt<T>()};
      full[i] = {full_fn<T>, dt<T>()};
      for_each_type([&](auto to_tag) {
        using To = decltype(to_tag);
        astype[i][static_cast<int>(dt<To>())] = {astype_fn<T, To>, dt<To>()};
      });
    });
    install_simd_math([&](std::string_view name, DType t, InstrFn fn) {
      if (name == "where") {
        where[static_cast<int>(t)].fn = fn;
        return;
      }
      auto it = ops.find(name);
      if (it != ops.end() && it->second.second[static_cast<int>(t)].fn) it->second.second[static_cast<int>(t)].fn = fn;
    });
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

using OpEntry = std::pair<const std::string_view, std::pair<int, Row>>;

// The table entry of op `name`, or null. Fusion and kernel preparation look every instruction up,
// and hashing the name was most of that cost on small kernels. Node names are static strings, so
// the same name comes back at the same address: a small per-thread cache by address answers those
// (a hit also compares the text, so a name at a reused address cannot match the wrong entry).
const OpEntry* find_op(std::string_view name) {
  struct Hit {
    const char* at = nullptr;
    const OpEntry* entry = nullptr;
  };
  thread_local std::array<Hit, 64> cache{};
  Hit& h = cache[(reinterpret_cast<uintptr_t>(name.data()) >> 3) % cache.size()];
  if (h.entry && h.at == name.data() && h.entry->first == name) return h.entry;
  auto it = tables().ops.find(name);
  if (it == tables().ops.end()) return nullptr;
  h = {name.data(), &*it};
  return &*it;
}

}  // namespace

InstrFn square_instr(DType t) {
  auto it = tables().ops.find("square");
  return it == tables().ops.end() ? nullptr : it->second.second[static_cast<int>(t)].fn;
}

bool fused_dtype(DType t) {
  return t == DType::Bool || t == DType::Int32 || t == DType::Int64 || t == DType::Float32 || t == DType::Float64;
}

InstrFn find_instr(const Node& n) {
  if (n.device != DeviceType::CPU || n.kind != Kind::Elementwise || !fused_dtype(n.dtype)) return nullptr;
  for (auto& in : n.inputs)
    if (!fused_dtype(in->dtype)) return nullptr;
  const Tables& t = tables();
  const Entry* e = nullptr;
  if (n.op == "full") {
    if (!n.inputs.empty() || n.params.scalars.empty()) return nullptr;
    e = &t.full[static_cast<int>(n.dtype)];
  } else if (n.inputs.empty()) {
    return nullptr;
  } else if (n.op == "where") {
    if (n.inputs.size() != 3 || n.inputs[0]->dtype != DType::Bool || n.inputs[1]->dtype != n.dtype ||
        n.inputs[2]->dtype != n.dtype)
      return nullptr;
    e = &t.where[static_cast<int>(n.dtype)];
  } else if (n.op == "astype") {
    if (n.inputs.size() != 1) return nullptr;
    e = &t.astype[static_cast<int>(n.inputs[0]->dtype)][static_cast<int>(n.dtype)];
  } else {
    const OpEntry* op = find_op(n.op);
    if (!op) return nullptr;
    DType in = n.inputs[0]->dtype;
    for (auto& x : n.inputs)
      if (x->dtype != in) return nullptr;  // the ops layer casts operands to one dtype
    if (static_cast<int>(n.inputs.size()) != op->second.first) return nullptr;
    e = &op->second.second[static_cast<int>(in)];
  }
  if (!e->fn || e->out != n.dtype) return nullptr;
  return e->fn;
}

}  // namespace ember::cpu
