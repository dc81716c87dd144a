#include "ember/backend/cuda/raw_kernels.h"

#include <algorithm>

#include "ember/backend/cuda/memory.h"
#include "ember/backend/cuda/raw_compile.h"
#include "ember/backend/cuda/launch.h"
#include "ember/backend/cuda/raw_launch.h"
#include "ember/backend/cuda/status.h"
#include "ember/errors.h"

namespace ember::cuda {
namespace {

bool is_identifier_name(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

void check_name(const std::string& name, const std::vector<RawParam>& in, const std::vector<RawParam>& out) {
  if (!is_identifier_name(name)) throw ValueError("kernel name '" + name + "' is not a C identifier");
  for (auto& o : out)
    for (auto& i : in)
      if (o.name == i.name) throw ValueError("parameter '" + o.name + "' is both an input and an output");
}

std::string arg_label(const RawParam& p, bool output) { return (output ? "output '" : "argument '") + p.name + "'"; }

}  // namespace

UserKernel UserKernel::elementwise(const std::string& in_params, const std::string& out_params,
                                   const std::string& operation, const std::string& name, const std::string& preamble,
                                   std::vector<std::string> options) {
  UserKernel k;
  k.in_ = parse_params(in_params);
  k.out_ = parse_params(out_params);
  if (k.out_.empty()) throw ValueError("ElementwiseKernel needs at least one output parameter");
  for (auto& o : k.out_)
    if (o.raw) throw ValueError("output '" + o.name + "' cannot be raw in an ElementwiseKernel");
  check_name(name, k.in_, k.out_);
  k.name_ = name;
  k.operation_ = operation;
  k.preamble_ = preamble;
  k.options_ = std::move(options);
  return k;
}

UserKernel UserKernel::reduction(const std::string& in_params, const std::string& out_params,
                                 const std::string& map_expr, const std::string& reduce_expr,
                                 const std::string& post_map_expr, const std::string& identity,
                                 const std::string& name, const std::string& reduce_type, const std::string& preamble,
                                 std::vector<std::string> options) {
  UserKernel k = elementwise(in_params, out_params, "", name, preamble, std::move(options));
  for (auto& p : k.in_)
    if (p.raw) throw NotImplementedError("raw parameter '" + p.name + "': ReductionKernel takes no raw parameters yet");
  if (map_expr.empty() || reduce_expr.empty() || post_map_expr.empty())
    throw ValueError("ReductionKernel needs map_expr, reduce_expr and post_map_expr");
  k.reduction_ = true;
  k.map_ = map_expr;
  k.reduce_ = reduce_expr;
  k.post_map_ = post_map_expr;
  k.identity_ = identity;
  k.reduce_type_ = reduce_type;
  if (!reduce_type.empty() && !(reduce_type.size() == 1 && std::isalpha(static_cast<unsigned char>(reduce_type[0]))))
    dtype_from_name(reduce_type);  // TypeError for an unknown name, now rather than at the call
  return k;
}

PreparedCall UserKernel::prepare(const UserCall& call) const {
  if (call.inputs.size() != in_.size())
    throw TypeError("kernel '" + name_ + "' takes " + std::to_string(in_.size()) + " inputs (or " +
                    std::to_string(in_.size() + out_.size()) + " with outputs), got " +
                    std::to_string(call.inputs.size()));
  if (!call.outputs.empty() && call.outputs.size() != out_.size())
    throw TypeError("kernel '" + name_ + "' has " + std::to_string(out_.size()) + " outputs, got " +
                    std::to_string(call.outputs.size()));
  // Bind the placeholders.
  std::vector<RawParam> params = in_;
  params.insert(params.end(), out_.begin(), out_.end());
  std::vector<ArgType> types;
  for (auto& a : call.inputs)
    types.push_back(a.array ? ArgType{ArgType::Array, a.array->dtype()} : ArgType{ArgType::Scalar, a.scalar_dtype});
  for (size_t k = 0; k < out_.size(); ++k) {
    const std::optional<Array>* o = call.outputs.empty() ? nullptr : &call.outputs[k];
    types.push_back(o && *o ? ArgType{ArgType::Array, (*o)->dtype()} : ArgType{});
  }
  PreparedCall pc;
  UserKernelSource& src = pc.kernel;
  src.types = bind_types(params, types);
  src.name = name_;
  src.preamble = preamble_;
  // The iteration space: the inputs broadcast (raw ones excluded).
  bool have_shape = false;
  Shape shape;
  for (size_t k = 0; k < in_.size(); ++k) {
    if (in_[k].raw || !call.inputs[k].array) continue;
    shape = have_shape ? broadcast_shapes(shape, call.inputs[k].array->shape()) : call.inputs[k].array->shape();
    have_shape = true;
  }
  for (size_t k = 0; k < in_.size(); ++k)
    if (in_[k].raw && !call.inputs[k].array)
      throw TypeError("raw " + arg_label(in_[k], false) + " must be an array, not a scalar");
  // Outputs: their dtypes and, for elementwise kernels, the shape when no input gives one.
  for (size_t k = 0; k < call.outputs.size(); ++k) {
    if (!call.outputs[k]) continue;
    const Array& o = *call.outputs[k];
    DType want = param_dtype(out_[k], src.types);
    if (o.dtype() != want)
      throw TypeError(arg_label(out_[k], true) + " is " + std::string(dtype_name(o.dtype())) + " but the kernel writes " +
                      std::string(dtype_name(want)));
    if (!o.writeable()) throw ValueError(arg_label(out_[k], true) + " is read-only (a broadcast view?)");
    if (!reduction_ && !have_shape) {
      shape = o.shape();
      have_shape = true;
    }
  }
  if (!have_shape) {
    if (reduction_) throw ValueError("ReductionKernel '" + name_ + "' needs at least one array input");
    if (call.size < 0)
      throw ValueError("kernel '" + name_ + "': no array argument fixes the loop size; pass size=");
    shape = {call.size};
  } else if (call.size >= 0 && !reduction_) {
    throw ValueError("kernel '" + name_ + "': size= is only for calls without non-raw array arguments");
  }
  for (size_t k = 0; k < in_.size(); ++k)
    if (in_[k].raw && call.inputs[k].array && call.inputs[k].array->dtype() != param_dtype(in_[k], src.types))
      throw TypeError("raw " + arg_label(in_[k], false) + " is " +
                      std::string(dtype_name(call.inputs[k].array->dtype())) + " but declared " +
                      std::string(dtype_name(param_dtype(in_[k], src.types))) + " (raw arrays are not converted)");
  // Reductions: kept dimensions first, reduced last.
  const int nd = static_cast<int>(shape.size());
  std::vector<int> perm(nd);
  for (int d = 0; d < nd; ++d) perm[d] = d;
  std::vector<bool> reduced(nd, false);
  Shape out_shape = shape;
  if (reduction_) {
    std::vector<int> axes;
    if (!call.axis) {
      for (int d = 0; d < nd; ++d) axes.push_back(d);
    } else if (!call.axis->empty()) {
      axes = normalize_axes(*call.axis, nd);
    }
    for (int a : axes) reduced[a] = true;
    perm.clear();
    out_shape.clear();
    for (int d = 0; d < nd; ++d)
      if (!reduced[d]) {
        perm.push_back(d);
        out_shape.push_back(shape[d]);
      } else if (call.keepdims) {
        out_shape.push_back(1);
      }
    src.kept = static_cast<int>(perm.size());
    for (int d = 0; d < nd; ++d)
      if (reduced[d]) perm.push_back(d);
  }
  for (size_t k = 0; k < call.outputs.size(); ++k)
    if (call.outputs[k] && call.outputs[k]->shape() != out_shape)
      throw ValueError(arg_label(out_[k], true) + " has shape " + shape_str(call.outputs[k]->shape()) +
                       " but the call produces " + shape_str(out_shape));
  pc.out_shape = out_shape;
  // Element strides of each array parameter over the (permuted) iteration space; rank at least 1.
  Shape space;
  for (int d : perm) space.push_back(shape[d]);
  if (space.empty()) space.push_back(1);
  src.ndim = static_cast<int>(space.size());
  auto permuted = [&](const Strides& full) {
    Strides s;
    for (int d : perm) s.push_back(full[d]);
    if (s.empty()) s.push_back(0);
    return s;
  };
  for (size_t k = 0; k < params.size(); ++k) {
    const bool output = k >= in_.size();
    BoundParam b;
    b.name = params[k].name;
    b.type = param_dtype(params[k], src.types);
    b.output = output;
    c_type(b.type);  // NotImplementedError for dtypes user kernels do not support
    Strides st;
    if (!output && !call.inputs[k].array) {
      b.kind = BoundParam::Scalar;
    } else if (params[k].raw) {
      b.kind = BoundParam::Raw;
      b.storage = b.type;
      b.raw_ndim = call.inputs[k].array->ndim();
    } else if (!output) {
      const Array& a = *call.inputs[k].array;
      b.storage = a.dtype();
      c_type(b.storage);
      st = permuted(broadcast_strides(a.shape(), a.strides(), shape));
    } else {
      b.storage = b.type;
      const std::optional<Array>* o = call.outputs.empty() ? nullptr : &call.outputs[k - in_.size()];
      // An allocated output is contiguous; a passed one keeps its view's strides.
      Strides os = o && *o ? (*o)->strides() : contiguous_strides(out_shape);
      Strides full(nd, 0);
      int od = 0;
      for (int d = 0; d < nd; ++d) {
        if (reduction_ && reduced[d]) {
          if (call.keepdims) ++od;
          continue;  // every reduced position writes the same output element
        }
        full[d] = os[od++];
      }
      st = permuted(full);
    }
    pc.strides.push_back(st);
    src.params.push_back(b);
  }
  pc.shape = space;
  pc.n = shape_size(shape);
  if (reduction_) {
    pc.nout = shape_size(out_shape);
    int64_t L = 1;
    for (int d = src.kept; d < nd; ++d) L *= shape[perm[d]];
    pc.L = L;
    if (identity_.empty() && L == 0 && pc.nout > 0)
      throw ValueError("ReductionKernel '" + name_ + "': zero-size reduction and no identity");
    src.reduction = true;
    src.map_expr = map_;
    src.reduce_expr = reduce_;
    src.post_map_expr = post_map_;
    src.identity = identity_;
    if (reduce_type_.empty()) src.reduce_type = param_dtype(out_[0], src.types);
    else if (reduce_type_.size() == 1) src.reduce_type = param_dtype(RawParam{"reduce_type", reduce_type_, true}, src.types);
    else src.reduce_type = dtype_from_name(reduce_type_);
    c_type(src.reduce_type);
  } else {
    src.operation = operation_;
  }
  pc.source = render_user_kernel(src);
  return pc;
}

std::vector<Array> UserKernel::operator()(const UserCall& call) const {
  PreparedCall pc = prepare(call);
  require_available();
  // Outputs first: a storage passed as an input too is then read from its new (exclusive) version.
  int device = -1;
  auto same_device = [&](int d, const std::string& what) {
    if (device >= 0 && d != device)
      throw TypeError(what + " is on GPU " + std::to_string(d) + " but the other arrays are on GPU " +
                      std::to_string(device));
    device = d;
  };
  std::vector<CUdeviceptr> out_ptrs(out_.size(), 0), in_ptrs(in_.size(), 0);
  for (size_t k = 0; k < call.outputs.size(); ++k)
    if (call.outputs[k]) {
      int d = 0;
      out_ptrs[k] = argument_pointer(*call.outputs[k], &d, arg_label(out_[k], true), true);
      same_device(d, arg_label(out_[k], true));
    }
  for (size_t k = 0; k < in_.size(); ++k)
    if (call.inputs[k].array) {
      int d = 0;
      // Raw arrays may be written by the kernel; plain inputs are only read.
      in_ptrs[k] = argument_pointer(*call.inputs[k].array, &d, arg_label(in_[k], false), in_[k].raw);
      same_device(d, arg_label(in_[k], false));
    }
  if (device < 0) device = current_device();
  std::vector<Array> outs;
  for (size_t k = 0; k < out_.size(); ++k) {
    if (!call.outputs.empty() && call.outputs[k]) {
      outs.push_back(*call.outputs[k]);
      continue;
    }
    DType dt = pc.kernel.params[in_.size() + k].type;
    Data d;
    d.buffer = device_buffer(device, size_t(shape_size(pc.out_shape)) * size_t(itemsize(dt)));
    d.strides = contiguous_strides(pc.out_shape);
    NodePtr leaf = make_leaf(dt, pc.out_shape, std::move(d));
    leaf->device = DeviceType::CUDA;
    outs.emplace_back(leaf);
    out_ptrs[k] = device_ptr(*leaf);
  }
  if (pc.n == 0 && !reduction_) return outs;
  if (reduction_ && pc.nout == 0) return outs;
  // Parameters in the rendered order (raw_render.h).
  std::vector<ParamValue> params;
  auto words = [](const std::vector<int64_t>& v) { return ParamValue::of(v.data(), v.size() * sizeof(int64_t)); };
  params.push_back(words(pc.shape));
  if (reduction_) {
    params.push_back(ParamValue::of(pc.nout));
    params.push_back(ParamValue::of(pc.L));
  } else {
    params.push_back(ParamValue::of(pc.n));
  }
  for (size_t k = 0; k < pc.kernel.params.size(); ++k) {
    const BoundParam& b = pc.kernel.params[k];
    const bool output = k >= in_.size();
    const uint64_t ptr = output ? out_ptrs[k - in_.size()] : in_ptrs[k];
    if (b.kind == BoundParam::Scalar) {
      std::string bytes = scalar_bytes(call.inputs[k].scalar, b.type);
      params.push_back(ParamValue::of(bytes.data(), bytes.size()));
    } else if (b.kind == BoundParam::Raw) {
      const Array& a = *call.inputs[k].array;
      std::vector<int64_t> v{static_cast<int64_t>(ptr)};
      Shape s = a.shape();
      Strides st = a.strides();
      if (s.empty()) {
        s = {1};
        st = {0};
      }
      v.insert(v.end(), s.begin(), s.end());
      v.insert(v.end(), st.begin(), st.end());
      params.push_back(words(v));
    } else {
      params.push_back(ParamValue::of(ptr));
      params.push_back(words(pc.strides[k]));
    }
  }
  auto binary = compile_raw(pc.source, device_arch(device), options_);
  CUfunction f = function_in(device, binary.cubin, name_);
  LaunchConfig cfg;
  const int64_t block = reduction_ ? kUserReduceBlock : 256;
  const int64_t work = reduction_ ? pc.nout : (pc.n + block - 1) / block;
  cfg.grid[0] = static_cast<unsigned>(std::min<int64_t>(work, int64_t(1) << 20));
  cfg.block[0] = static_cast<unsigned>(block);
  raw_launch(device, f, cfg, params);
  return outs;
}

}  // namespace ember::cuda
