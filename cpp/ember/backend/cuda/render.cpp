#include "ember/backend/cuda/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "ember/errors.h"

namespace ember::cuda {
namespace {

// ---- types ----

const char* storage_type(DType t) {
  switch (t) {
    case DType::Bool: return "bool";
    case DType::Int8: return "em_i8";
    case DType::Int16: return "em_i16";
    case DType::Int32: return "em_i32";
    case DType::Int64: return "em_i64";
    case DType::UInt8: return "em_u8";
    case DType::UInt16: return "em_u16";
    case DType::UInt32: return "em_u32";
    case DType::UInt64: return "em_u64";
    case DType::Float16: return "em_f16";
    case DType::BFloat16: return "em_bf16";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    case DType::Complex64: return "em_c64";
    case DType::Complex128: return "em_c128";
  }
  return "?";
}

// Registers hold the compute type: float for the 16-bit floats, the storage type otherwise.
const char* compute_type(DType t) {
  return t == DType::Float16 || t == DType::BFloat16 ? "float" : storage_type(t);
}

bool is_half(DType t) { return t == DType::Float16 || t == DType::BFloat16; }

// A value computed in float rounded to the 16-bit type it stands for (NumPy rounds after every op).
std::string rounded(DType t, const std::string& expr) {
  if (t == DType::Float16) return "em_rf16(" + expr + ")";
  if (t == DType::BFloat16) return "em_rbf16(" + expr + ")";
  return expr;
}

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

std::string float_lit(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return "__int_as_float(static_cast<int>(" + hex(bits) + "u))";
}
std::string double_lit(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, 8);
  return "__longlong_as_double(static_cast<long long>(" + hex(bits) + "ull))";
}

// A C++ expression of the compute type of `t` holding `v` converted to `t` (exact bits for floats).
std::string literal(const Scalar& v, DType t) {
  switch (kind_of(t)) {
    case DKind::Bool: return v.as<bool>() ? "true" : "false";
    case DKind::SignedInt:
    case DKind::UnsignedInt: {
      uint64_t bits = is_unsigned(t) ? v.as<uint64_t>() : static_cast<uint64_t>(v.as<int64_t>());
      if (itemsize(t) < 8) bits &= (uint64_t{1} << (8 * itemsize(t))) - 1;
      return "static_cast<" + std::string(storage_type(t)) + ">(" + hex(bits) + "ull)";
    }
    case DKind::Float:
      if (t == DType::Float64) return double_lit(v.as<double>());
      if (t == DType::Float32) return float_lit(v.as<float>());
      if (t == DType::Float16) return float_lit(static_cast<float>(v.as<float16>()));
      return float_lit(static_cast<float>(v.as<bfloat16>()));
    case DKind::Complex:
      if (t == DType::Complex64) {
        auto c = v.as<complex64>();
        return "em_c64{" + float_lit(c.real()) + ", " + float_lit(c.imag()) + "}";
      } else {
        auto c = v.as<complex128>();
        return "em_c128{" + double_lit(c.real()) + ", " + double_lit(c.imag()) + "}";
      }
  }
  return "0";
}

// ---- the ops ----

enum : uint8_t { B = 1, S = 2, U = 4, F = 8, C = 16 };
constexpr uint8_t kAny = B | S | U | F | C, kNumeric = S | U | F | C, kInexact = F | C, kReal = B | S | U | F,
                  kRealNumeric = S | U | F, kInteger = B | S | U;

uint8_t kind_bit(DType t) {
  switch (kind_of(t)) {
    case DKind::Bool: return B;
    case DKind::SignedInt: return S;
    case DKind::UnsignedInt: return U;
    case DKind::Float: return F;
    case DKind::Complex: return C;
  }
  return 0;
}

struct OpInfo {
  int arity;
  const char* fn;  // the prelude's device function
  uint8_t kinds;   // the operand kinds it is rendered for (the cpu functor's `supports`)
};

const std::unordered_map<std::string_view, OpInfo>& ops() {
  static const std::unordered_map<std::string_view, OpInfo> table = {
      {"add", {2, "em_add", kAny}},
      {"subtract", {2, "em_subtract", kNumeric}},
      {"multiply", {2, "em_multiply", kAny}},
      {"divide", {2, "em_divide", kInexact}},
      {"floor_divide", {2, "em_floor_divide", kRealNumeric}},
      {"remainder", {2, "em_remainder", kRealNumeric}},
      {"pow", {2, "em_pow", kNumeric}},
      {"float_power", {2, "em_pow", kNumeric}},
      {"maximum", {2, "em_maximum", kAny}},
      {"minimum", {2, "em_minimum", kAny}},
      {"equal", {2, "em_equal", kAny}},
      {"not_equal", {2, "em_not_equal", kAny}},
      {"less", {2, "em_less", kAny}},
      {"less_equal", {2, "em_less_equal", kAny}},
      {"greater", {2, "em_greater", kAny}},
      {"greater_equal", {2, "em_greater_equal", kAny}},
      {"logical_and", {2, "em_logical_and", kAny}},
      {"logical_or", {2, "em_logical_or", kAny}},
      {"logical_xor", {2, "em_logical_xor", kAny}},
      {"bitwise_and", {2, "em_bitwise_and", kInteger}},
      {"bitwise_or", {2, "em_bitwise_or", kInteger}},
      {"bitwise_xor", {2, "em_bitwise_xor", kInteger}},
      {"bitwise_left_shift", {2, "em_bitwise_left_shift", kInteger}},
      {"bitwise_right_shift", {2, "em_bitwise_right_shift", kInteger}},
      {"atan2", {2, "em_atan2", F}},
      {"hypot", {2, "em_hypot", F}},
      {"copysign", {2, "em_copysign", F}},
      {"logaddexp", {2, "em_logaddexp", F}},
      {"logaddexp2", {2, "em_logaddexp2", F}},
      {"nextafter", {2, "em_nextafter", F}},
      {"heaviside", {2, "em_heaviside", F}},
      {"fmod", {2, "em_fmod", kRealNumeric}},
      {"fmax", {2, "em_fmax", kAny}},
      {"fmin", {2, "em_fmin", kAny}},
      {"copy", {1, "em_copy", kAny}},
      {"negative", {1, "em_negative", kNumeric}},
      {"positive", {1, "em_positive", kNumeric}},
      {"abs", {1, "em_abs", kAny}},
      {"fabs", {1, "em_abs", kAny}},
      {"square", {1, "em_square", kNumeric}},
      {"sign", {1, "em_sign", kNumeric}},
      {"sqrt", {1, "em_sqrt_", kInexact}},
      {"exp", {1, "em_exp_", kInexact}},
      {"log", {1, "em_log_", kInexact}},
      {"log2", {1, "em_log2_", kInexact}},
      {"log10", {1, "em_log10_", kInexact}},
      {"sin", {1, "em_sin_", kInexact}},
      {"cos", {1, "em_cos_", kInexact}},
      {"tan", {1, "em_tan_", kInexact}},
      {"tanh", {1, "em_tanh_", kInexact}},
      {"sinh", {1, "em_sinh_", kInexact}},
      {"cosh", {1, "em_cosh_", kInexact}},
      {"expm1", {1, "em_expm1_", kInexact}},
      {"log1p", {1, "em_log1p_", kInexact}},
      {"exp2", {1, "em_exp2_", kInexact}},
      {"acos", {1, "em_acos", F}},  // complex inverse trigonometry: not rendered (yet)
      {"asin", {1, "em_asin", F}},
      {"atan", {1, "em_atan", F}},
      {"acosh", {1, "em_acosh", F}},
      {"asinh", {1, "em_asinh", F}},
      {"atanh", {1, "em_atanh", F}},
      {"isnan", {1, "em_isnan", kAny}},
      {"isinf", {1, "em_isinf", kAny}},
      {"isfinite", {1, "em_isfinite", kAny}},
      {"logical_not", {1, "em_logical_not", kAny}},
      {"bitwise_invert", {1, "em_bitwise_invert", kInteger}},
      {"floor", {1, "em_floor", kReal}},
      {"ceil", {1, "em_ceil", kReal}},
      {"trunc", {1, "em_trunc", kReal}},
      {"cbrt", {1, "em_cbrt", F}},
      {"deg2rad", {1, "em_deg2rad", F}},
      {"rad2deg", {1, "em_rad2deg", F}},
      {"rint", {1, "em_rint", kNumeric}},
      {"round", {1, "em_rint", kNumeric}},
      {"signbit", {1, "em_signbit", kReal}},
      {"reciprocal", {1, "em_reciprocal", kNumeric}},
      {"conj", {1, "em_conj", kNumeric}},
      {"real", {1, "em_real", kAny}},
      {"imag", {1, "em_imag", kAny}},
  };
  return table;
}

[[noreturn]] void unsupported(const Node& n, const std::string& why) {
  std::string dtypes;
  for (auto& in : n.inputs) {
    if (!dtypes.empty()) dtypes += ", ";
    dtypes += dtype_name(in->dtype);
  }
  throw NotImplementedError("the cuda device does not render '" + std::string(n.op) + "' on (" + dtypes + ") -> " +
                            std::string(dtype_name(n.dtype)) + ": " + why);
}

std::string reg(int r) { return "r" + std::to_string(r); }

// The expression computing instruction `ins` (registers already declared).
std::string instr_expr(const Instr& ins) {
  const Node& n = *ins.node;
  auto arg = [&](size_t i) { return reg(ins.args.at(i)); };
  if (n.op == "full") {
    if (!ins.args.empty() || n.params.scalars.empty()) unsupported(n, "full takes a value and no operand");
    return literal(n.params.scalars[0], n.dtype);
  }
  if (n.op == "where") {
    if (ins.args.size() != 3 || n.inputs.at(0)->dtype != DType::Bool) unsupported(n, "where(bool, x, y) only");
    return "(" + arg(0) + " ? " + arg(1) + " : " + arg(2) + ")";
  }
  if (n.op == "astype") {
    if (ins.args.size() != 1) unsupported(n, "astype takes one operand");
    DType from = n.inputs.at(0)->dtype;
    if (n.dtype == DType::Float16 && from == DType::Float64) return "em_h2f(em_d2h(" + arg(0) + "))";  // one rounding
    if (is_half(n.dtype)) return "em_cast<float>(" + arg(0) + ")";
    return "em_cast<" + std::string(compute_type(n.dtype)) + ">(" + arg(0) + ")";
  }
  auto it = ops().find(n.op);
  if (it == ops().end()) unsupported(n, "no device function for this op");
  const OpInfo& op = it->second;
  if (static_cast<int>(ins.args.size()) != op.arity || n.inputs.size() != ins.args.size())
    unsupported(n, "expected " + std::to_string(op.arity) + " operand(s)");
  DType t = n.inputs[0]->dtype;
  for (auto& in : n.inputs)
    if (in->dtype != t) unsupported(n, "operands of one dtype expected");
  if (!(op.kinds & kind_bit(t))) unsupported(n, "not defined for this dtype");
  if (n.op == "nextafter" && is_half(t))
    return "em_nextafter_h(" + arg(0) + ", " + arg(1) + ", " + (t == DType::BFloat16 ? "true" : "false") + ")";
  std::string e = std::string(op.fn) + "(" + arg(0);
  for (int i = 1; i < op.arity; ++i) e += ", " + arg(i);
  if (std::string_view(op.fn) == "em_pow") e += ", a.err";
  return e + ")";
}

// ---- reductions ----

struct Fold {
  const char* fn;
  std::string identity;
};

Fold fold_of(const Node& r) {
  DType t = r.dtype;
  std::string_view op = r.op;
  DKind k = kind_of(t);
  std::string ct = compute_type(t);
  auto inf = [&](bool neg) {
    std::string v = (t == DType::Float64 || t == DType::Complex128) ? double_lit(neg ? -HUGE_VAL : HUGE_VAL)
                                                                    : float_lit(neg ? -HUGE_VALF : HUGE_VALF);
    return k == DKind::Complex ? ct + "{" + v + ", " + v + "}" : v;
  };
  auto int_bits = [&](bool lowest) {
    uint64_t bits = 0;
    int w = 8 * itemsize(t);
    uint64_t all = w == 64 ? ~uint64_t{0} : (uint64_t{1} << w) - 1;
    if (k == DKind::SignedInt) bits = lowest ? uint64_t{1} << (w - 1) : all >> 1;
    else bits = lowest ? 0 : all;
    return "static_cast<" + ct + ">(" + hex(bits) + "ull)";
  };
  if (op == "sum" || op == "prod") {
    bool sum = op == "sum";
    std::string v;
    if (k == DKind::Bool) v = sum ? "false" : "true";
    else if (k == DKind::Float) v = (t == DType::Float64) ? double_lit(sum ? -0.0 : 1.0) : float_lit(sum ? -0.0f : 1.0f);
    else if (k == DKind::Complex) v = literal(Scalar(sum ? 0.0 : 1.0), t);
    else v = "static_cast<" + ct + ">(" + (sum ? "0" : "1") + ")";
    return {sum ? "em_add" : "em_multiply", v};
  }
  if (op == "max" || op == "min") {
    bool mx = op == "max";
    std::string v;
    if (k == DKind::Bool) v = mx ? "false" : "true";
    else if (k == DKind::Float || k == DKind::Complex) v = inf(mx);
    else v = int_bits(mx);
    return {mx ? "em_maximum" : "em_minimum", v};
  }
  throw NotImplementedError("the cuda device does not render the reduction '" + std::string(op) + "' in a fused kernel");
}

// ---- the plan ----

// The source's loops walk the merged space (shape.h merge_dims), as the cpu's fused kernels do.
void simplify(const Shape& shape, const std::vector<bool>& reduced, std::vector<Strides>& st, Plan& p) {
  MergedSpace m = merge_dims(shape, reduced, st);
  p.kept = m.kept();
  p.dims = std::move(m.dims);
  st = std::move(m.strides);
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

Plan plan(const KernelDesc& k) {
  if (k.single) throw std::logic_error("cuda render: a single-node KernelDesc is not a fused kernel");
  Plan p;
  p.reduce = k.reduction != nullptr;
  const int nd = static_cast<int>(k.shape.size());
  std::vector<bool> reduced(nd, false);
  if (p.reduce)
    for (int64_t a : k.reduction->params.axes) reduced.at(static_cast<size_t>(a)) = true;
  // Kept dimensions first, then the reduced ones (each in its order).
  std::vector<int> order;
  for (int pass = 0; pass < 2; ++pass)
    for (int d = 0; d < nd; ++d)
      if (reduced[d] == (pass == 1)) order.push_back(d);
  Shape shape;
  std::vector<bool> red;
  for (int d : order) {
    shape.push_back(k.shape[d]);
    red.push_back(reduced[d]);
  }
  std::vector<Strides> st;
  for (Node* in : k.inputs) {
    Strides own = in->data.strides.empty() && !in->shape.empty() ? contiguous_strides(in->shape) : in->data.strides;
    Strides b = broadcast_strides(in->shape, own, k.shape);
    Strides s;
    for (int d : order) s.push_back(b[d]);
    st.push_back(s);
  }
  const size_t nin = k.inputs.size();
  Strides contig = contiguous_strides(k.shape);
  for (size_t o = 0; p.reduce && o < k.outputs.size(); ++o) {
    Strides s;
    for (int d : order) s.push_back(contig[d]);
    st.push_back(s);
  }
  simplify(shape, red, st, p);
  p.n = shape_size(k.shape);
  if (p.reduce) {
    p.L = 1;
    for (int d = p.kept; d < static_cast<int>(p.dims.size()); ++d) p.L *= p.dims[d];
    p.nout = shape_size(k.reduction->shape);
  }
  Strides simple = contiguous_strides(p.dims);
  for (size_t i = 0; i < nin; ++i) {
    bool zero = std::all_of(st[i].begin(), st[i].end(), [](int64_t s) { return s == 0; });
    Access a = zero ? Access::Scalar : (!p.reduce && st[i] == simple) ? Access::Contiguous : Access::Strided;
    p.inputs.push_back(a);
    p.input_strides.push_back(a == Access::Strided ? st[i] : Strides{});
  }
  for (size_t o = nin; o < st.size(); ++o) p.output_strides.push_back(st[o]);
  return p;
}

const char* storage_type_name(DType t) { return storage_type(t); }
const char* compute_type_name(DType t) { return compute_type(t); }

bool renders_instr(const Node& n) {
  if (n.kind != Kind::Elementwise) return false;
  Instr ins{const_cast<Node*>(&n), {}};
  for (size_t i = 0; i < n.inputs.size(); ++i) ins.args.push_back(static_cast<int>(i));
  try {
    (void)instr_expr(ins);
    return true;
  } catch (const NotImplementedError&) {
    return false;
  }
}

bool renders_reduction(const Node& n) {
  if (n.kind != Kind::Reduction || n.inputs.size() != 1 || n.inputs[0]->dtype != n.dtype) return false;
  if (n.params.scalars.size() > 1) return false;
  try {
    (void)fold_of(n);
    return true;
  } catch (const NotImplementedError&) {
    return false;
  }
}

std::string describe_kernel(const KernelDesc& k) {
  std::string ops;
  for (auto& ins : k.code) {
    if (!ops.empty()) ops += ',';
    ops += ins.node->op;
  }
  if (k.reduction) {
    ops += "->";
    ops += k.reduction->op;
  }
  std::string dtypes;
  for (Node* in : k.inputs) {
    if (!dtypes.empty()) dtypes += ',';
    dtypes += dtype_name(in->dtype);
  }
  std::string out = ops.empty() ? std::string("copy") : ops;
  out += " over ";
  out += shape_str(k.shape);
  out += " of (";
  out += dtypes;
  out += ")";
  return out;
}

Rendered render(const KernelDesc& k) {
  Rendered out;
  out.plan = plan(k);
  const Plan& p = out.plan;
  const int nin = static_cast<int>(k.inputs.size());
  const int nd = static_cast<int>(p.dims.size());
  const std::string dims_decl = "[" + std::to_string(nd) + "]";
  std::ostringstream s;

  // The argument block: 8-byte words in pack_args' order.
  s << "struct @K@_args {\n";
  for (int i = 0; i < nin; ++i) s << "  const " << storage_type(k.inputs[i]->dtype) << "* in" << i << ";\n";
  for (size_t o = 0; o < k.outputs.size(); ++o) s << "  " << storage_type(k.reg_node(k.outputs[o])->dtype) << "* out" << o << ";\n";
  Fold fold{};
  std::string acc;
  if (p.reduce) {
    fold = fold_of(*k.reduction);
    acc = compute_type(k.reduction->dtype);
    if (k.result < 0 || k.reg_node(k.result)->dtype != k.reduction->dtype)
      throw NotImplementedError("the cuda device renders fused reductions of their own dtype only");
    s << "  " << storage_type(k.reduction->dtype) << "* rout;\n  " << acc << "* work;\n  unsigned int* count;\n";
  }
  s << "  int* err;\n  long long n;\n";
  if (p.reduce) s << "  long long nout, L, splits;\n";
  if (nd > 0) {
    s << "  long long dims" << dims_decl << ";\n";
    for (int i = 0; i < nin; ++i)
      if (p.inputs[i] == Access::Strided) s << "  long long st" << i << dims_decl << ";\n";
    for (size_t o = 0; o < p.output_strides.size(); ++o) s << "  long long ost" << o << dims_decl << ";\n";
  }
  s << "};\n";

  // Offsets of strided operands for index `q` over dims [d0, d1), added to `prefix`.
  std::vector<std::string> offs;  // the offset variables: inputs "o<i>", outputs "p<o>"
  for (int i = 0; i < nin; ++i)
    if (p.inputs[i] == Access::Strided) offs.push_back("o" + std::to_string(i));
  for (size_t o = 0; o < p.output_strides.size(); ++o) offs.push_back("p" + std::to_string(o));
  auto stride_of = [&](const std::string& var, int d) {
    std::string idx = var.substr(1);
    return std::string(var[0] == 'o' ? "a.st" : "a.ost") + idx + "[" + std::to_string(d) + "]";
  };
  auto decompose = [&](const std::string& index, int d0, int d1, const std::string& indent) {
    if (offs.empty() || d1 <= d0) return;
    s << indent << "{\n" << indent << "  long long q = " << index << ", c;\n";
    for (int d = d1 - 1; d >= d0; --d) {
      if (d > d0) s << indent << "  c = q % a.dims[" << d << "]; q /= a.dims[" << d << "];\n";
      else s << indent << "  c = q;\n";
      for (auto& v : offs) s << indent << "  " << v << " += c * " << stride_of(v, d) << ";\n";
    }
    s << indent << "}\n";
  };
  // Loads, instructions and stores of one element; `i` is the element's index (elementwise kernels).
  auto body = [&](const std::string& indent) {
    for (int i = 0; i < nin; ++i) {
      const char* idx = p.inputs[i] == Access::Scalar ? "0" : p.inputs[i] == Access::Contiguous ? "i" : nullptr;
      std::string where = idx ? idx : "o" + std::to_string(i);
      s << indent << "const " << compute_type(k.inputs[i]->dtype) << " " << reg(i) << " = em_ld(a.in" << i << "["
        << where << "]);\n";
    }
    for (size_t c = 0; c < k.code.size(); ++c) {
      const Node& n = *k.code[c].node;
      s << indent << "const " << compute_type(n.dtype) << " " << reg(nin + static_cast<int>(c)) << " = "
        << rounded(n.dtype, instr_expr(k.code[c])) << ";\n";
    }
    for (size_t o = 0; o < k.outputs.size(); ++o)
      s << indent << "em_st(&a.out" << o << "[" << (p.reduce ? "p" + std::to_string(o) : std::string("i")) << "], "
        << reg(k.outputs[o]) << ");\n";
  };
  auto zero_offsets = [&](const std::string& indent, const std::string& from) {
    for (auto& v : offs) s << indent << "long long " << v << " = " << (from.empty() ? "0" : from + v) << ";\n";
  };

  if (!p.reduce) {
    s << "extern \"C\" __global__ void @K@(const @K@_args a) {\n"
      << "  for (long long i = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x; i < a.n;\n"
      << "       i += static_cast<long long>(gridDim.x) * blockDim.x) {\n";
    zero_offsets("    ", "");
    decompose("i", 0, nd, "    ");
    body("    ");
    s << "  }\n}\n";
  } else {
    const std::string B = std::to_string(kReduceBlock);
    std::string init = k.reduction->params.scalars.empty() ? "" : literal(k.reduction->params.scalars[0], k.reduction->dtype);
    std::string fin = init.empty() ? "sh[0]" : std::string(fold.fn) + "(" + acc + "(" + init + "), sh[0])";
    auto tree = [&](const std::string& indent) {
      s << indent << "__syncthreads();\n"
        << indent << "for (int w = " << kReduceBlock / 2 << "; w > 0; w >>= 1) {\n"
        << indent << "  if (t < w) sh[t] = " << fold.fn << "(sh[t], sh[t + w]);\n"
        << indent << "  __syncthreads();\n"
        << indent << "}\n";
    };
    s << "extern \"C\" __global__ void __launch_bounds__(" << B << ") @K@(const @K@_args a) {\n"
      << "  __shared__ " << acc << " sh[" << B << "];\n"
      << "  __shared__ bool last;\n"
      << "  const int t = threadIdx.x;\n"
      << "  for (long long b = blockIdx.x; b < a.nout * a.splits; b += gridDim.x) {\n"
      << "    const long long j = b / a.splits, s = b % a.splits;\n";
    for (auto& v : offs) s << "    long long k" << v << " = 0;\n";
    if (!offs.empty() && p.kept > 0) {  // the kept part of every offset
      s << "    {\n      long long q = j, c;\n";
      for (int d = p.kept - 1; d >= 0; --d) {
        if (d > 0) s << "      c = q % a.dims[" << d << "]; q /= a.dims[" << d << "];\n";
        else s << "      c = q;\n";
        for (auto& v : offs) s << "      k" << v << " += c * " << stride_of(v, d) << ";\n";
      }
      s << "    }\n";
    }
    s << "    " << acc << " acc = " << fold.identity << ";\n"
      << "    for (long long r = s * " << B << " + t; r < a.L; r += a.splits * " << B << ") {\n";
    zero_offsets("      ", "k");
    decompose("r", p.kept, nd, "      ");
    body("      ");
    s << "      acc = " << fold.fn << "(acc, " << reg(k.result) << ");\n    }\n"
      << "    sh[t] = acc;\n";
    tree("    ");
    s << "    if (a.splits == 1) {\n"
      << "      if (t == 0) em_st(&a.rout[j], " << fin << ");\n"
      << "    } else {\n"
      << "      if (t == 0) {\n"
      << "        a.work[j * a.splits + s] = sh[0];\n"
      << "        __threadfence();\n"
      << "        last = atomicAdd(&a.count[j], 1u) == static_cast<unsigned int>(a.splits - 1);\n"
      << "      }\n"
      << "      __syncthreads();\n"
      << "      if (last) {  // every partial of output j is written: fold them in order\n"
      << "        __threadfence();\n"
      << "        " << acc << " v = " << fold.identity << ";\n"
      << "        for (long long q = t; q < a.splits; q += " << B << ") v = " << fold.fn
      << "(v, em_ldcg(&a.work[j * a.splits + q]));\n"
      << "        sh[t] = v;\n";
    tree("        ");
    s << "        if (t == 0) {\n"
      << "          em_st(&a.rout[j], " << fin << ");\n"
      << "          a.count[j] = 0;\n"
      << "        }\n"
      << "      }\n"
      << "    }\n"
      << "    __syncthreads();\n"
      << "  }\n}\n";
  }

  std::string text = s.str();
  char name[32];
  std::snprintf(name, sizeof name, "ember_k%016llx", static_cast<unsigned long long>(fnv1a(text)));
  out.name = name;
  for (size_t at = text.find("@K@"); at != std::string::npos; at = text.find("@K@", at)) text.replace(at, 3, out.name);
  out.kernel = "// " + describe_kernel(k) + "\n" + text;
  out.source = prelude() + out.kernel;
  return out;
}

std::vector<uint64_t> pack_args(const Plan& p, const LaunchPointers& ptrs) {
  if (ptrs.inputs.size() != p.inputs.size() || (p.reduce && ptrs.outputs.size() != p.output_strides.size()))
    throw std::logic_error("cuda pack_args: pointers do not match the kernel's operands");
  std::vector<uint64_t> w(ptrs.inputs.begin(), ptrs.inputs.end());
  w.insert(w.end(), ptrs.outputs.begin(), ptrs.outputs.end());
  if (p.reduce) {
    w.push_back(ptrs.reduction);
    w.push_back(ptrs.work);
    w.push_back(ptrs.count);
  }
  w.push_back(ptrs.error);
  w.push_back(static_cast<uint64_t>(p.n));
  if (p.reduce) {
    w.push_back(static_cast<uint64_t>(p.nout));
    w.push_back(static_cast<uint64_t>(p.L));
    w.push_back(static_cast<uint64_t>(ptrs.splits));
  }
  for (int64_t d : p.dims) w.push_back(static_cast<uint64_t>(d));
  for (size_t i = 0; i < p.inputs.size(); ++i)
    if (p.inputs[i] == Access::Strided)
      for (int64_t st : p.input_strides[i]) w.push_back(static_cast<uint64_t>(st));
  for (auto& st : p.output_strides)
    for (int64_t v : st) w.push_back(static_cast<uint64_t>(v));
  return w;
}

}  // namespace ember::cuda
